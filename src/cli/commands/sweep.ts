/**
 * `netsim sweep <scenario> --param path=values ...`: a grid of scenario
 * variants, each point's replications run in parallel on worker threads,
 * one row per point and run. Resumable: rows already in --out (same
 * scenario hash and run) are not run again.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { UsageError } from '../errors';
import { collect, intOption, loadOrFail } from '../common';
import { csvHeader, csvLine, readRows, renderRows } from '../sweep-rows';
import { pointHash, runTask, type SweepRow, type SweepTask } from '../sweep-task';

interface Flags { param: string[]; set: string[]; jobs?: number; out?: string; format?: 'csv' | 'json'; dryRun?: boolean; runs?: number; quiet?: boolean }

/** "a=1,2,3" or "a=10..100 step 10" -> the path and its values. */
export function parseParam(spec: string): { path: string; values: string[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--param ${spec}: expected path=v1,v2,... or path=from..to step s (e.g. network.site.servers=8..64 step 8)`);
  const path = spec.slice(0, eq).trim(), body = spec.slice(eq + 1).trim();
  const range = /^(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)(?:\s+step\s+(\d+(?:\.\d+)?))?$/.exec(body);
  if (range !== null) {
    const from = Number(range[1]), to = Number(range[2]), step = range[3] !== undefined ? Number(range[3]) : 1;
    if (!(step > 0) || to < from) throw new UsageError(`--param ${spec}: a range goes up from "from" to "to" by a step > 0`);
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 100_000) throw new UsageError(`--param ${spec}: ${n} values is too many`);
    return { path, values: Array.from({ length: n }, (_, i) => String(+(from + i * step).toFixed(12))) };
  }
  const values = body.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (values.length === 0) throw new UsageError(`--param ${spec}: no values`);
  return { path, values };
}

/** Every point of the grid (the first parameter varies slowest), as assignments. */
export function gridPoints(params: { path: string; values: string[] }[]): string[][] {
  let points: string[][] = [[]];
  for (const p of params) points = points.flatMap((pt) => p.values.map((v) => [...pt, `${p.path}=${v}`]));
  return points;
}

function runPool(tasks: SweepTask[], jobs: number, onRow: (r: SweepRow) => void): Promise<void> {
  if (jobs <= 1 || tasks.length <= 1) {
    for (const t of tasks) onRow(runTask(t));
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    let next = 0, active = 0, failed = false;
    const workers: Worker[] = [];
    const finish = (err?: Error): void => {
      if (failed) return;
      if (err !== undefined) { failed = true; for (const w of workers) void w.terminate(); reject(err); return; }
      if (active === 0 && next >= tasks.length) { for (const w of workers) void w.terminate(); resolve(); }
    };
    const feed = (w: Worker): void => {
      if (next >= tasks.length) return;
      active++;
      w.postMessage(tasks[next++]);
    };
    for (let i = 0; i < Math.min(jobs, tasks.length); i++) {
      const w = new Worker(new URL('../sweep-worker.mjs', import.meta.url));
      workers.push(w);
      w.on('message', (m: { ok: boolean; row?: SweepRow; error?: string }) => {
        active--;
        if (!m.ok) { finish(new UsageError(m.error ?? 'a sweep point failed')); return; }
        onRow(m.row!);
        feed(w);
        finish();
      });
      w.on('error', (e) => finish(e));
      feed(w);
    }
  });
}

export function register(program: Command): void {
  program.command('sweep')
    .argument('<scenario>', 'a scenario file or library name')
    .description('run a grid of scenario variants in parallel, one row per point and run')
    .option('--param <path=values>', 'a swept field: path=v1,v2,... or path=from..to step s (repeatable: a grid)', collect, [])
    .option('--set <path=value>', 'a fixed change to every point (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)', intOption(1))
    .option('--runs <n>', 'replications of each point (default: the scenario\'s runs)', intOption(1))
    .option('--out <file>', 'rows to this file (.csv or .json); a sweep resumes from the rows already in it')
    .option('--format <csv|json>', 'rows on stdout when there is no --out', (v) => {
      if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('expected csv or json');
      return v;
    })
    .option('--dry-run', 'list the points and stop')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', `
Each row records the scenario hash, seed, run and netsim version; netsim rerun
<file>:<row> prints the command that reproduces one row exactly.

Examples:
  netsim sweep comparison --param network.site.design=nic-forward,lb-dsr --param network.site.servers=8..32 step 8 -j 2 --out sweep.csv
  netsim sweep hub --param seed=1..10 --dry-run`)
    .action(async (ref: string, f: Flags) => {
      if (f.param.length === 0) throw new UsageError('sweep needs at least one --param path=values');
      const params = f.param.map(parseParam);
      const names = params.map((p) => p.path);
      const base = loadOrFail(ref, { set: f.set, runs: f.runs });
      const points = gridPoints(params);
      const runs = Array.from({ length: base.runs }, (_, i) => i + 1);
      const tasks: SweepTask[] = points.flatMap((assignments, point) => runs.map((run) => ({ point, assignments, run, scenario: ref, baseSet: f.set })));
      // Every point must be a valid scenario before anything runs.
      const hashes = points.map((assignments) => pointHash({ scenario: ref, baseSet: f.set, assignments }));
      const bad = hashes.map((h, i) => (typeof h === 'string' ? `point ${i} (${points[i].join(' ')}):\n${h}` : null)).filter((x) => x !== null);
      if (bad.length > 0) throw new UsageError(bad.join('\n'));
      if (f.dryRun) {
        for (const [i, pt] of points.entries()) {
          const h = hashes[i] as { hash: string; seed: number };
          process.stdout.write(`point ${i}: ${pt.join(' ')}  (seed ${h.seed}, hash ${h.hash}, runs ${runs.join(',')})\n`);
        }
        process.stdout.write(`${points.length} points x ${runs.length} runs = ${tasks.length} tasks\n`);
        return;
      }
      const format: 'csv' | 'json' = f.out?.endsWith('.json') ? 'json' : f.out !== undefined ? 'csv' : f.format ?? 'csv';
      const previous = f.out !== undefined ? readRows(f.out) : [];
      const done = new Set(previous.map((r) => `${r.hash}/${r.run}`));
      const rows: SweepRow[] = previous.filter((r) => hashes.some((h) => typeof h !== 'string' && h.hash === r.hash));
      const todo = tasks.filter((t) => !done.has(`${(hashes[t.point] as { hash: string }).hash}/${t.run}`));
      if (previous.length > 0) process.stderr.write(`resuming: ${tasks.length - todo.length} of ${tasks.length} rows already in ${f.out}\n`);
      if (f.out !== undefined && format === 'csv' && (!existsSync(f.out) || previous.length === 0)) writeFileSync(f.out, `${csvHeader(names)}\n`);
      const bar = !f.quiet && process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'sweep [{bar}] {value}/{total} rows | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true }) : null;
      bar?.start(todo.length, 0);
      const jobs = f.jobs ?? availableParallelism();
      await runPool(todo, jobs, (row) => {
        rows.push(row);
        if (f.out !== undefined) {
          if (format === 'csv') appendFileSync(f.out, `${csvLine(row, names)}\n`);
          else writeFileSync(f.out, renderRows(rows, names, 'json'));
        }
        bar?.increment();
      });
      bar?.stop();
      rows.sort((a, b) => a.point - b.point || a.run - b.run);
      const text = renderRows(rows, names, format);
      if (f.out !== undefined) {
        writeFileSync(f.out, text);
        process.stderr.write(`wrote ${rows.length} rows to ${f.out}\n`);
      } else process.stdout.write(text);
    });
}
