/**
 * One sweep task: a scenario at one point of the sweep, one replication,
 * measured into a row. The same function runs inline (-j 1) and in each
 * worker thread, so rows are the same however the sweep is spread.
 */
import { NETSIM_VERSION } from '../version';
import { formatProblem } from '../scenario/errors';
import { scenarioHash } from '../scenario/hash';
import { runScenario } from '../scenario/runner';
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
}

export interface SweepRow {
  point: number;
  run: number;
  seed: number;
  scenario: string;
  set: string[];
  hash: string;
  netsim: string;
  params: Record<string, string>;
  stopReason: string;
  metrics: Metrics;
}

/** The scenario hash of a point (what resuming compares). */
export function pointHash(task: Pick<SweepTask, 'scenario' | 'baseSet' | 'assignments'>): { hash: string; seed: number } | string {
  const r = loadScenarioFile(task.scenario, [...task.baseSet, ...task.assignments]);
  if (!r.ok) return r.problems.map(formatProblem).join('\n');
  return { hash: scenarioHash(r.scenario.input), seed: r.scenario.seed };
}

export function runTask(task: SweepTask): SweepRow {
  const r = loadScenarioFile(task.scenario, [...task.baseSet, ...task.assignments]);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
  const s = r.scenario;
  const { result } = runScenario(s, { run: task.run });
  const params = Object.fromEntries(task.assignments.map((a) => {
    const i = a.indexOf('=');
    return [a.slice(0, i), a.slice(i + 1)];
  }));
  return {
    point: task.point, run: task.run, seed: s.seed, scenario: task.scenario, set: task.baseSet, hash: scenarioHash(s.input),
    netsim: NETSIM_VERSION, params, stopReason: result.stopReason, metrics: result.metrics,
  };
}
