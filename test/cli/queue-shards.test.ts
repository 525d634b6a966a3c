/**
 * Sweeps for batch schedulers: --shard k/n and netsim merge give exactly
 * the file of one sweep; merge refuses parts that do not make one sweep.
 * The scripts in deploy/ are run as their scheduler would run them: the
 * Slurm scripts through submit.sh with a stand-in sbatch that runs each
 * array task (SLURM_ARRAY_TASK_ID) and then the dependent merge; the
 * Kubernetes manifests parsed, checked for consistency, and each pod's
 * command run with its JOB_COMPLETION_INDEX. There, `npx netsim` is a
 * shim for `node bin/netsim.js` (what npx runs in a checkout, less npm's
 * second of start-up per call).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'netsim-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function netsim(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', [join(ROOT, 'bin/netsim.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// 6 points x 2 runs = 12 rows, a fraction of a second each.
const GRID = ['hub', '--param', 'seed=1..3', '--param', 'network.site.nic.policy=least-loaded,hash', '--runs', '2'];
let whole = '';
const bin = join(dir, 'bin');

beforeAll(() => {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'npx'), `#!/usr/bin/env bash
[ "$1" = netsim ] || { echo "the test's npx runs only netsim, not $1" >&2; exit 1; }
shift
exec node ${JSON.stringify(join(ROOT, 'bin/netsim.js'))} "$@"
`);
  chmodSync(join(bin, 'npx'), 0o755);
  const out = join(dir, 'whole.csv');
  const r = netsim(['sweep', ...GRID, '-j', '1', '--quiet', '--out', out]);
  if (r.status !== 0) throw new Error(r.stderr);
  whole = readFileSync(out, 'utf8');
}, 60_000);

function shard(k: number, n: number, out: string, grid = GRID): void {
  const r = netsim(['sweep', ...grid, '-j', '1', '--quiet', '--shard', `${k}/${n}`, '--out', out]);
  expect(r.status, r.stderr).toBe(0);
}

describe('netsim sweep --shard and netsim merge', () => {
  it('merge of the shards is the file of one sweep, whatever the order of the parts, in CSV and JSON', () => {
    expect(whole.trim().split('\n')).toHaveLength(1 + 12);
    const parts = [1, 2, 3].map((k) => join(dir, `part-${k}.csv`));
    parts.forEach((p, i) => shard(i + 1, 3, p));
    // Shard k holds the tasks whose index mod 3 is k - 1.
    const points = (f: string): string[] => readFileSync(f, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 2).join('/'));
    expect(points(parts[0])).toEqual(['0/1', '1/2', '3/1', '4/2']);
    expect(points(parts[1])).toEqual(['0/2', '2/1', '3/2', '5/1']);
    const merged = join(dir, 'merged.csv');
    const m = netsim(['merge', merged, parts[2], parts[0], parts[1]]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stderr).toContain('wrote 12 rows from 3 parts');
    expect(readFileSync(merged, 'utf8')).toBe(whole);
    const json = join(dir, 'whole.json');
    expect(netsim(['sweep', ...GRID, '-j', '2', '--quiet', '--out', json]).status).toBe(0);
    expect(netsim(['merge', join(dir, 'merged.json'), ...parts]).status).toBe(0);
    expect(readFileSync(join(dir, 'merged.json'), 'utf8')).toBe(readFileSync(json, 'utf8'));
    const dry = netsim(['sweep', ...GRID, '--shard', '2/3', '--dry-run']);
    expect(dry.stdout).toContain('shard 2/3: 4 tasks (0/2 2/1 3/2 5/1)');
  }, 120_000);

  it('refuses parts of another sweep, a missing row, rows that differ, and a bad --shard, in one line (exit 2)', () => {
    const parts = [1, 2, 3].map((k) => join(dir, `part-${k}.csv`));
    const other = join(dir, 'other.csv');
    shard(1, 3, other, ['hub', '--param', 'seed=1..4', '--param', 'network.site.nic.policy=least-loaded,hash', '--runs', '2']);
    const mixed = netsim(['merge', join(dir, 'x.csv'), parts[0], other]);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr.trim()).toBe(`${other} row 1 is from another sweep (${readFileSync(other, 'utf8').split('\n')[1].split(',')[7]}) than ${parts[0]} (${whole.split('\n')[1].split(',')[7]}): 12 vs 16 rows in the whole sweep`);
    const seeds = join(dir, 'seeds.csv');
    shard(1, 3, seeds, ['hub', '--param', 'seed=2..4', '--param', 'network.site.nic.policy=least-loaded,hash', '--runs', '2']);
    const sameShape = netsim(['merge', join(dir, 'x.csv'), parts[0], seeds]);
    expect(sameShape.stderr).toContain('the same scenario and swept fields, but other values, runs or scenario contents');
    const short = netsim(['merge', join(dir, 'x.csv'), parts[0], parts[2]]);
    expect(short.status).toBe(2);
    expect(short.stderr.trim()).toBe('the parts hold 8 of the sweep\'s 12 rows; missing point 0 run 2, point 2 run 1, point 3 run 2, point 5 run 1 (is a shard missing, or did one not finish? run it again with the same --out: it resumes)');
    // The same part twice is harmless; a row changed in one copy is not.
    expect(netsim(['merge', join(dir, 'x.csv'), ...parts, parts[1]]).status).toBe(0);
    const lines = readFileSync(parts[1], 'utf8').split('\n');
    const cells = lines[1].split(',');
    cells[cells.length - 1] = '1';
    const forged = join(dir, 'forged.csv');
    writeFileSync(forged, [lines[0], cells.join(','), ...lines.slice(2)].join('\n'));
    const differ = netsim(['merge', join(dir, 'x.csv'), ...parts, forged]);
    expect(differ.status).toBe(2);
    expect(differ.stderr).toContain(`point 0 run 2 has different rows in ${parts[1]} and ${forged}`);
    for (const bad of ['0/3', 'a/b']) {
      const r = netsim(['sweep', ...GRID, '--shard', bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr.trim()).toBe(`--shard ${bad}: expected k/n with 1 <= k <= n, as 3/8 (the third of eight shards; a Slurm array task gives k as $SLURM_ARRAY_TASK_ID)`);
    }
    for (const r of [mixed, short, differ]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});

describe('deploy/', () => {
  it('the Slurm scripts pass bash -n, and submit.sh runs the array and then the merge into the file of one sweep', () => {
    for (const f of ['submit.sh', 'shard.sbatch', 'merge.sbatch']) {
      const r = spawnSync('bash', ['-n', join(ROOT, 'deploy/slurm', f)], { encoding: 'utf8' });
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
    // A stand-in sbatch: runs the script now (each array task in turn, with its SLURM_ARRAY_TASK_ID) and prints a job id.
    writeFileSync(join(bin, 'sbatch'), `#!/usr/bin/env bash
set -euo pipefail
echo "sbatch $*" >> "$SBATCH_LOG"
array="" parsable=0
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in --array=*) array=\${1#--array=};; --parsable) parsable=1;; esac
  shift
done
[ $parsable = 1 ] || { echo "submit.sh must pass --parsable" >&2; exit 1; }
script=$1; shift
id=$(( 100 + $(wc -l < "$SBATCH_LOG") ))
if [ -n "$array" ]; then
  for k in $(seq "\${array%-*}" "\${array#*-}"); do SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_JOB_ID=$id bash "$script" "$@"; done
else
  bash "$script" "$@"
fi
echo "$id;cluster"
`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const log = join(dir, 'sbatch.log');
    writeFileSync(log, '');
    const out = join(dir, 'slurm', 'sweep.csv');
    const r = spawnSync('bash', [join(ROOT, 'deploy/slurm/submit.sh'), '4', out, '--', ...GRID], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SBATCH_LOG: log, FORCE_COLOR: '0' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('submitted shards as job array 101 (1-4) and the merge as job 102');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/--array=1-4 .*deploy\/slurm\/shard\.sbatch 4 \S+\/parts hub --param seed=1\.\.3/);
    expect(calls[1]).toMatch(/--dependency=afterok:101 .*deploy\/slurm\/merge\.sbatch 4 \S+\/parts \S+\/sweep\.csv$/);
    expect(readFileSync(out, 'utf8')).toBe(whole);
  }, 120_000);

  it('the Kubernetes manifests parse, agree with each other, and their pods\' commands give the file of one sweep', () => {
    type Doc = { kind: string; metadata: { name: string }; spec: Record<string, unknown> & { template?: { spec: PodSpec } } };
    type PodSpec = { containers: { command: string[]; args: string[]; env: { name: string; value: string }[]; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] };
    const load = (f: string): Doc[] => parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes', f), 'utf8')).map((d) => {
      expect(d.errors, f).toEqual([]);
      return d.toJS() as Doc;
    });
    const sweepDocs = load('sweep-job.yaml'), [merge] = load('merge-job.yaml');
    const pvc = sweepDocs.find((d) => d.kind === 'PersistentVolumeClaim')!;
    const job = sweepDocs.find((d) => d.kind === 'Job')!;
    expect(job.spec.completionMode).toBe('Indexed');
    const env = (j: Doc): Record<string, string> => Object.fromEntries(j.spec.template!.spec.containers[0].env.map((e) => [e.name, e.value]));
    const shards = Number(env(job).SHARDS);
    expect(job.spec.completions).toBe(shards);
    expect(Number(env(merge).SHARDS)).toBe(shards);
    for (const j of [job, merge]) {
      const pod = j.spec.template!.spec, c = pod.containers[0];
      expect(c.command).toEqual(['/bin/sh', '-c']);
      expect(c.volumeMounts[0].mountPath).toBe(env(j).RESULTS);
      expect(pod.volumes.find((v) => v.name === c.volumeMounts[0].name)!.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    }
    expect(job.spec.template!.spec.containers[0].args[0]).toContain('JOB_COMPLETION_INDEX');
    // Each pod's command as the kubelet would run it, here in the checkout (the image's working directory holds the same).
    const results = join(dir, 'k8s');
    mkdirSync(results, { recursive: true });
    const sweepArgs = GRID.join(' ');
    const runPod = (j: Doc, extra: Record<string, string>): void => {
      const c = j.spec.template!.spec.containers[0];
      const r = spawnSync(c.command[0], [...c.command.slice(1), ...c.args], {
        cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env(j), RESULTS: results, SWEEP_ARGS: sweepArgs, FORCE_COLOR: '0', ...extra },
      });
      expect(r.status, r.stderr).toBe(0);
    };
    for (let i = 0; i < shards; i++) runPod(job, { JOB_COMPLETION_INDEX: String(i) });
    runPod(merge, {});
    expect(readFileSync(join(results, 'sweep.csv'), 'utf8')).toBe(whole);
  }, 180_000);

  it('the queue workers\' manifest parses and points the workers at its Redis Service', () => {
    type Doc = { kind: string; metadata: { name: string }; spec: { ports?: { port: number }[]; template?: { spec: { containers: { command?: string[] }[] } } } };
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes/queue-workers.yaml'), 'utf8')).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as Doc;
    });
    const service = docs.find((d) => d.kind === 'Service')!;
    const workers = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'netsim-worker')!;
    const command = workers.spec.template!.spec.containers[0].command!;
    expect(command.slice(0, 3)).toEqual(['npx', 'netsim', 'worker']);
    expect(command[command.indexOf('--queue') + 1]).toBe(`redis://${service.metadata.name}:${service.spec.ports![0].port}`);
  });
});
