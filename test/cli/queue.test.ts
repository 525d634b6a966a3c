/**
 * netsim sweep --queue and netsim worker against a real redis-server
 * (Debian's, on a free local port, started here and stopped after): two
 * worker processes, one killed with SIGKILL while it holds a point; the
 * rows must be those of a local -j sweep byte for byte, each (hash, run)
 * once. Also: resuming from --out and after the sweep itself was killed,
 * a worker whose scenario files differ, and the errors a user can make.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, type LocalRedis } from '../../bench/local-redis';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/netsim.js');
const dir = mkdtempSync(join(tmpdir(), 'netsim-queue-'));
const started: ChildProcess[] = [];

function netsim(args: string[], cwd = ROOT): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A netsim process running in the background, its output collected. */
class Proc {
  readonly child: ChildProcess;
  stderr = '';
  readonly exited: Promise<number>;
  private waiters: (() => void)[] = [];

  constructor(args: string[], cwd = ROOT) {
    this.child = spawn('node', [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    started.push(this.child);
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr += s;
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => {
      for (const w of this.waiters.splice(0)) w();
      res(code ?? (signal === 'SIGKILL' ? 137 : 128));
    }));
  }

  /** The first match of `re` in stderr, waiting up to `ms` for it. */
  async waitFor(re: RegExp, ms = 60_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.stderr);
      if (m !== null) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`exited before ${re}:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${re} within ${ms} ms:\n${this.stderr}`);
      await new Promise<void>((res) => { this.waiters.push(res); setTimeout(res, 200); });
    }
  }

  /** Exit code, stderr: the process run to its end. */
  async done(): Promise<{ status: number; stderr: string }> {
    return { status: await this.exited, stderr: this.stderr };
  }

  count(re: RegExp): number {
    return [...this.stderr.matchAll(new RegExp(re.source, 'g'))].length;
  }
}

/** Waits (up to a minute) until `ok()`; the error shows `why()`. */
async function until(ok: () => boolean, why: () => string): Promise<void> {
  for (const deadline = Date.now() + 60_000; !ok();) {
    if (Date.now() > deadline) throw new Error(`timed out:\n${why()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let redis: LocalRedis | undefined;
let url = '';

beforeAll(async () => {
  redis = await startRedis('the queue tests need');
  url = redis.url;
}, 30_000);

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Points of about half a second each once warm (a second for a thread's first).
const SWEEP = ['sweep', 'migration', '--param', 'seed=1..8', '--set', 'workload.requestsPerClient=20', '--quiet'];
let local = '';

function worker(queue: string, extra: string[] = [], cwd = ROOT): Proc {
  return new Proc(['worker', '--queue', url, '--queue-name', queue, '-j', '1', '--lock', '2s', ...extra], cwd);
}

function rowsOf(csv: string): string[][] {
  return csv.trim().split('\n').slice(1).map((l) => l.split(','));
}

describe('netsim sweep --queue', () => {
  it('gives the rows of a local sweep, byte for byte, when one of two workers is killed holding a point', async () => {
    const out = join(dir, 'local.csv');
    expect(netsim([...SWEEP, '-j', '2', '--out', out]).status).toBe(0);
    local = readFileSync(out, 'utf8');
    const a = worker('kill'), b = worker('kill');
    await Promise.all([a.waitFor(/ready on/), b.waitFor(/ready on/)]);
    const sweep = new Proc([...SWEEP, '--queue', url, '--queue-name', 'kill', '--out', join(dir, 'kill.csv')]);
    const held = (await a.waitFor(/started (\S+)/))[1];
    a.child.kill('SIGKILL');
    await a.exited;
    expect(a.stderr).not.toContain(`finished ${held}`);
    expect(await sweep.exited, sweep.stderr).toBe(0);
    expect(sweep.stderr).toContain('8 points queued');
    // The point the dead worker held went back on the queue and the other worker ran it.
    expect(b.stderr).toContain(`started ${held}`);
    const csv = readFileSync(join(dir, 'kill.csv'), 'utf8');
    expect(csv).toBe(local);
    const header = csv.split('\n')[0].split(',');
    const keys = rowsOf(csv).map((r) => `${r[header.indexOf('scenario_hash')]}/${r[header.indexOf('run')]}`);
    expect(new Set(keys).size).toBe(8);
    expect(keys).toHaveLength(8);
    // SIGTERM lets a worker finish and leave cleanly.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(b.stderr).toContain('SIGTERM; finishing the running points, then exiting');
  }, 120_000);

  it('resumes from --out, and after the sweep itself was killed, without running a point twice', async () => {
    expect(local).not.toBe('');
    const w = worker('resume');
    await w.waitFor(/ready on/);
    // Interrupted after three rows: only the other five go on the queue.
    const out = join(dir, 'resume.csv');
    writeFileSync(out, local.split('\n').slice(0, 4).join('\n') + '\n');
    const first = await new Proc([...SWEEP, '--queue', url, '--queue-name', 'resume', '--out', out]).done();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('resuming: 3 of 8 rows already in');
    expect(first.stderr).toContain('5 points queued, 0 already queued or running, 0 already done');
    expect(readFileSync(out, 'utf8')).toBe(local);
    await until(() => w.count(/finished /) >= 5, () => w.stderr);
    expect(w.count(/started /)).toBe(5);
    // The sweep is killed after its second row; the worker goes on; started again, it takes the rows done meanwhile.
    const out2 = join(dir, 'resume2.csv');
    const killed = new Proc([...SWEEP, '--queue', url, '--queue-name', 'resume', '--out', out2]);
    await killed.waitFor(/8 points queued/);
    await until(() => readFileSync(out2, 'utf8').trim().split('\n').length >= 3, () => `${killed.stderr}\n${w.stderr}`);
    killed.child.kill('SIGKILL');
    await killed.exited;
    await until(() => w.count(/finished /) >= 5 + 8, () => w.stderr);
    const again = await new Proc([...SWEEP, '--queue', url, '--queue-name', 'resume', '--out', out2]).done();
    expect(again.status, again.stderr).toBe(0);
    const kept = Number(/resuming: (\d) of 8 rows/.exec(again.stderr)?.[1]);
    expect(kept).toBeGreaterThanOrEqual(2);
    if (kept < 8) expect(again.stderr).toContain(`0 points queued, 0 already queued or running, ${8 - kept} already done`);
    expect(readFileSync(out2, 'utf8')).toBe(local);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.count(/started /)).toBe(5 + 8);
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
  }, 120_000);

  it('fails a point, not the rows, when a worker\'s scenario file differs', async () => {
    const here = join(dir, 'here'), there = join(dir, 'there');
    for (const d of [here, there]) mkdirSync(d, { recursive: true });
    copyFileSync(join(ROOT, 'scenarios/hub.json'), join(here, 'site.json'));
    const other = JSON.parse(readFileSync(join(ROOT, 'scenarios/hub.json'), 'utf8')) as { seed: number };
    other.seed += 1;
    writeFileSync(join(there, 'site.json'), JSON.stringify(other));
    const w = worker('mismatch', [], there);
    await w.waitFor(/ready on/);
    const r = await new Proc(['sweep', 'site.json', '--param', 'network.site.servers=3', '--queue', url, '--queue-name', 'mismatch', '--quiet'], here).done();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/point 0 \(network\.site\.servers=3\) run 1 failed on worker \S+: point 0 \(network\.site\.servers=3\): site\.json gives scenario hash [0-9a-f]{16} here, but the sweep was planned with [0-9a-f]{16}; the scenario files/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    w.child.kill('SIGTERM');
    await w.exited;
  }, 60_000);

  it('says what is wrong with a queue URL, an unreachable Redis or a missing --queue, in one line (exit 2)', async () => {
    const bad = netsim([...SWEEP, '--queue', 'localhost:6379']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('--queue localhost:6379: the URL must start with redis:// or rediss://, as redis://127.0.0.1:6379');
    const port = await freePort();
    const down = netsim([...SWEEP, '--queue', `redis://127.0.0.1:${port}`]);
    expect(down.status).toBe(2);
    expect(down.stderr).toMatch(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*is redis-server running there`));
    const none = netsim(['worker']);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('netsim worker needs --queue <redis-url>');
    const both = netsim([...SWEEP, '--queue', url, '--shard', '1/2']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--queue and --shard are two ways to spread one sweep');
    for (const r of [bad, down, none, both]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
