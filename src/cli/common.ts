/**
 * What the commands share: loading a scenario with the command line's
 * overrides, running its replications with a progress bar, and writing the
 * report files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { scenarioHash } from '../scenario/hash';
import type { Scenario } from '../scenario/load';
import { metricsCsv, metricsOf, reportJson, reportMarkdown, type Report, type ReportGroup } from '../scenario/report';
import { runScenario, type RunResult } from '../scenario/runner';
import type { Simulation } from '../scenario/build';
import { failWithProblems } from './errors';
import { loadScenarioFile } from './files';
import { progress, type Progress } from './progress';

export interface ScenarioFlags {
  set: string[];
  seed?: number;
  runs?: number;
  run?: number;
  quiet?: boolean;
}

/** commander parser for an integer option with a lower bound. */
export function intOption(min: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got "${v}"`);
    return n;
  };
}

/** commander parser that collects a repeatable option. */
export function collect(v: string, all: string[]): string[] {
  return [...all, v];
}

/** The options every scenario command takes. */
export function scenarioOptions(cmd: Command): Command {
  return cmd
    .option('--set <path=value>', 'change any scenario field, validated like the file (repeatable)', collect, [])
    .option('--seed <n>', 'the scenario seed', intOption(0))
    .option('--quiet', 'no progress bar');
}

export function replicationOptions(cmd: Command): Command {
  return cmd
    .option('--runs <n>', 'independent replications (run numbers 1..n): mean ± 95% CI', intOption(1))
    .option('--run <k>', 'only replication k (as a sweep row records it)', intOption(1));
}

/** The command line's overrides as one --set list (--seed and --runs included), as loadOrFail applies them. */
export function overridesOf(f: ScenarioFlags): string[] {
  return [...f.set, ...(f.seed !== undefined ? [`seed=${f.seed}`] : []), ...(f.runs !== undefined ? [`runs=${f.runs}`] : [])];
}

/** The scenario with the command line's overrides; exits 2 with every problem when it is not valid. */
export function loadOrFail(ref: string, f: ScenarioFlags): Scenario {
  const r = loadScenarioFile(ref, overridesOf(f));
  if (!r.ok) failWithProblems(r.problems);
  return r.scenario;
}

/** Run numbers a command runs. */
export function runNumbers(s: Scenario, f: ScenarioFlags): number[] {
  return f.run !== undefined ? [f.run] : Array.from({ length: s.runs }, (_, i) => i + 1);
}

/** Run the replications of `s`, with the progress bar labelled by `label`. */
export function runReplications(s: Scenario, runs: readonly number[], bar: Progress, label: string, attach?: (sim: Simulation, run: number) => void): RunResult[] {
  const out: RunResult[] = [];
  for (const run of runs) {
    const onProgress = bar.track(runs.length > 1 ? `${label} run ${run}` : label);
    out.push(runScenario(s, { run, onProgress, attach: attach !== undefined ? (sim) => attach(sim, run) : undefined }).result);
    bar.done();
  }
  return out;
}

export function barFor(f: ScenarioFlags): Progress {
  return progress(!f.quiet);
}

export function reportOf(s: Scenario, groups: ReportGroup[]): Report {
  return { scenario: s.name, description: s.description, hash: scenarioHash(s.input), seed: s.seed, groups, metrics: metricsOf(s) };
}

/** report.json, metrics.csv and report.md in `dir`. */
export function writeReport(dir: string, r: Report): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [['report.json', reportJson(r)], ['metrics.csv', metricsCsv(r)], ['report.md', reportMarkdown(r)]];
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return files.map(([n]) => join(dir, n));
}

/** A conservation failure is a bug in a model: exit 1 after the output. */
export function conservationFailures(groups: readonly ReportGroup[]): string[] {
  return groups.flatMap((g) => g.runs.filter((r) => r.metrics.conserved !== 1).map((r) => `${g.label} run ${r.run}`));
}
