/**
 * A sweep's plan: the grid of points (the first --param varies slowest),
 * one task per point and run, each point's scenario hash, and the sweep's
 * identity. Every way of running a sweep (inline, threads, a queue, shards
 * on a batch scheduler) starts from the same plan, so the rows they write
 * are the same.
 *
 * The identity (`sweep`, 16 hex digits) hashes the scenario as named and as
 * loaded, the --set list, every swept path with its values, and the runs:
 * two row files with the same identity and row count come from the same
 * sweep, which is what `netsim merge` checks. Task i belongs to shard k of n
 * when i mod n = k - 1.
 */
import { scenarioHash } from '../scenario/hash';
import { UsageError } from './errors';
import { loadOrFail } from './common';
import { pointHash, rowOf, type SweepRow, type SweepTask } from './sweep-task';

export interface SweptParam { path: string; values: string[] }

export interface SweepPlan {
  /** The swept paths, in --param order (the CSV's param: columns). */
  names: string[];
  points: string[][];
  runs: number[];
  hashes: { hash: string; seed: number }[];
  tasks: SweepTask[];
  sweep: string;
}

/** "a=1,2,3" or "a=10..100 step 10" -> the path and its values. */
export function parseParam(spec: string): SweptParam {
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
export function gridPoints(params: readonly SweptParam[]): string[][] {
  let points: string[][] = [[]];
  for (const p of params) points = points.flatMap((pt) => p.values.map((v) => [...pt, `${p.path}=${v}`]));
  return points;
}

/** The plan of a sweep; a UsageError listing every point that is not a valid scenario. */
export function planSweep(ref: string, paramSpecs: readonly string[], set: string[], runsFlag: number | undefined): SweepPlan {
  if (paramSpecs.length === 0) throw new UsageError('sweep needs at least one --param path=values');
  const params = paramSpecs.map(parseParam);
  const base = loadOrFail(ref, { set, runs: runsFlag });
  const points = gridPoints(params);
  const runs = Array.from({ length: base.runs }, (_, i) => i + 1);
  const checked = points.map((assignments) => pointHash({ scenario: ref, baseSet: set, assignments }));
  const bad = checked.map((h, i) => (typeof h === 'string' ? `point ${i} (${points[i].join(' ')}):\n${h}` : null)).filter((x) => x !== null);
  if (bad.length > 0) throw new UsageError(bad.join('\n'));
  const hashes = checked as { hash: string; seed: number }[];
  const sweep = scenarioHash({ scenario: ref, base: scenarioHash(base.input), set, params, runs });
  const sweepRows = points.length * runs.length;
  const tasks = points.flatMap((assignments, point) => runs.map((run): SweepTask => ({
    point, assignments, run, scenario: ref, baseSet: set, hash: hashes[point].hash, sweep, sweepRows,
  })));
  return { names: params.map((p) => p.path), points, runs, hashes, tasks, sweep };
}

/** "k/n" (1 <= k <= n) -> { k, n }. */
export function parseShard(spec: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const k = m !== null ? Number(m[1]) : NaN, n = m !== null ? Number(m[2]) : NaN;
  if (!(k >= 1 && n >= 1 && k <= n)) throw new UsageError(`--shard ${spec}: expected k/n with 1 <= k <= n, as 3/8 (the third of eight shards; a Slurm array task gives k as $SLURM_ARRAY_TASK_ID)`);
  return { k, n };
}

/** The tasks of shard k of n: those whose index i has i mod n = k - 1. */
export function shardTasks(tasks: readonly SweepTask[], shard: { k: number; n: number }): SweepTask[] {
  return tasks.filter((_, i) => i % shard.n === shard.k - 1);
}

/**
 * Which tasks still need running, given rows already on disk. A row counts
 * for a task when it measured the same scenario (hash) and run; it is
 * rebuilt as this sweep's row (its point index, parameters and identity),
 * so a resumed file holds the same bytes as one written in one go.
 */
export function resume(tasks: readonly SweepTask[], previous: readonly SweepRow[]): { kept: SweepRow[]; todo: SweepTask[] } {
  const byKey = new Map<string, SweepRow>();
  for (const r of previous) byKey.set(`${r.hash}/${r.run}`, r);
  const kept: SweepRow[] = [], todo: SweepTask[] = [];
  for (const t of tasks) {
    const r = byKey.get(`${t.hash}/${t.run}`);
    if (r === undefined) todo.push(t);
    else kept.push(rowOf(t, r));
  }
  return { kept, todo };
}

/** The key that makes a row unique in a sweep. */
export function rowKey(r: Pick<SweepRow, 'point' | 'run'>): string {
  return `${r.point}/${r.run}`;
}
