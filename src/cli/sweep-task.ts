/**
 * One sweep task: a scenario at one point of the sweep, one replication,
 * measured into a row. The same function runs inline (-j 1), in each
 * worker thread and in each `netsim worker` of a queue sweep, so rows are
 * the same however the sweep is spread; the threads and the queue only
 * carry tasks and rows.
 */
import { NETSIM_VERSION } from '../version';
import { formatProblem } from '../scenario/errors';
import { scenarioHash } from '../scenario/hash';
import { isDesign } from '../cluster/install';
import { withDesign } from '../scenario/load';
import { runScenario, type RunResult } from '../scenario/runner';
import type { Metrics } from '../metrics/catalog';
import { loadScenarioFile } from './files';

export interface SweepTask {
  /** Index of the point in the sweep, and its assignments ("path=value"). */
  point: number;
  assignments: string[];
  run: number;
  /** The scenario as the user named it, and the sweep's own --set list. */
  scenario: string;
  baseSet: string[];
  /** The scenario hash the machine that planned the sweep found for this point. */
  hash: string;
  /** The sweep's identity and its number of rows (see sweep-plan.ts). */
  sweep: string;
  sweepRows: number;
}

export interface SweepRow {
  point: number;
  run: number;
  seed: number;
  scenario: string;
  set: string[];
  hash: string;
  netsim: string;
  sweep: string;
  sweepRows: number;
  params: Record<string, string>;
  stopReason: string;
  metrics: Metrics;
}

/** What running a point measures, apart from which point of which sweep it is. */
export type Measured = Pick<SweepRow, 'seed' | 'hash' | 'netsim' | 'stopReason' | 'metrics'>;

/** The scenario hash of a point (what resuming compares). */
export function pointHash(task: Pick<SweepTask, 'scenario' | 'baseSet' | 'assignments'>): { hash: string; seed: number } | string {
  const r = loadScenarioFile(task.scenario, [...task.baseSet, ...task.assignments]);
  if (!r.ok) return r.problems.map(formatProblem).join('\n');
  return { hash: scenarioHash(r.scenario.input), seed: r.scenario.seed };
}

/**
 * The row of `task` from what was measured. The only place a row is built,
 * with its keys always in this order, so a JSON file is the same bytes
 * whether its rows were run now, read back from a file or carried by a queue.
 */
export function rowOf(task: SweepTask, m: Measured): SweepRow {
  const params = Object.fromEntries(task.assignments.map((a) => {
    const i = a.indexOf('=');
    return [a.slice(0, i), a.slice(i + 1)];
  }));
  return {
    point: task.point, run: task.run, seed: m.seed, scenario: task.scenario, set: task.baseSet, hash: m.hash, netsim: m.netsim,
    sweep: task.sweep, sweepRows: task.sweepRows, params, stopReason: m.stopReason, metrics: m.metrics,
  };
}

export function runTask(task: SweepTask): SweepRow {
  const r = loadScenarioFile(task.scenario, [...task.baseSet, ...task.assignments]);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  const s = r.scenario;
  const hash = scenarioHash(s.input);
  if (hash !== task.hash) {
    throw new Error(`point ${task.point} (${task.assignments.join(' ')}): ${task.scenario} gives scenario hash ${hash} here, but the sweep was planned with ${task.hash}; `
      + 'the scenario files (or netsim) on this machine differ from those of the machine that started the sweep');
  }
  const { result } = runScenario(s, { run: task.run });
  return rowOf(task, { seed: s.seed, hash, netsim: NETSIM_VERSION, stopReason: result.stopReason, metrics: result.metrics });
}

/**
 * One replication of a scenario under one design, as `netsim compare -j`
 * hands it to a thread: the scenario as the user named it with the command
 * line's --set list (seed and runs included), so the thread loads exactly
 * what the main thread loaded.
 */
export interface DesignRunTask {
  scenario: string;
  set: string[];
  design: string;
  run: number;
}

export function runDesignTask(task: DesignRunTask): RunResult {
  const r = loadScenarioFile(task.scenario, task.set);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  if (!isDesign(task.design)) throw new Error(`"${task.design}" is not a design`);
  const d = withDesign(r.scenario, task.design);
  if (!d.ok) throw new Error(d.problems.map(formatProblem).join('\n'));
  return runScenario(d.scenario, { run: task.run }).result;
}

/**
 * A row as text for a queue (BullMQ stores JSON): JSON, except that a
 * non-finite metric, which JSON would turn into null, keeps its value.
 */
export function encodeRow(row: SweepRow): string {
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v));
}

export function decodeRow(text: string): SweepRow {
  return JSON.parse(text, (_k, v: unknown) => (v !== null && typeof v === 'object' && 'nonFinite' in v && Object.keys(v).length === 1 ? Number((v as { nonFinite: string }).nonFinite) : v)) as SweepRow;
}
