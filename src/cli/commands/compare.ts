/** `netsim compare <scenario>`: the same workload and seeds under each design, side by side. */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { DESIGNS, isDesign, type Design } from '../../cluster/install';
import { didYouMean } from '../../scenario/errors';
import { withDesign } from '../../scenario/load';
import { renderSummary, type ReportGroup } from '../../scenario/report';
import { failWithProblems } from '../errors';
import { barFor, conservationFailures, intOption, loadOrFail, overridesOf, replicationOptions, reportOf, runNumbers, runReplications, scenarioOptions, writeReport, type ScenarioFlags } from '../common';
import type { RunResult } from '../../scenario/runner';
import type { Scenario } from '../../scenario/load';
import { ThreadPool } from '../sweep-pool';
import { formatOption, type Format } from '../formats';

interface Flags extends ScenarioFlags { format: Format; out?: string; designs: Design[]; jobs?: number }

/**
 * Every (design, run) on its own thread, at most `jobs` at once; results in
 * the order of the designs and runs, the same numbers as one after another
 * (each run depends only on its scenario, seed and run number).
 */
async function runOnThreads(ref: string, f: Flags, scenarios: Scenario[], jobs: number): Promise<RunResult[][]> {
  const tasks = scenarios.flatMap((s, i) => runNumbers(s, f).map((run) => ({ i, task: { scenario: ref, set: overridesOf(f), design: f.designs[i], run } })));
  const pool = await ThreadPool.start(Math.min(jobs, tasks.length), (m) => process.stderr.write(`${m}\n`));
  try {
    const results = await Promise.all(tasks.map((t) => pool.runDesign(t.task)));
    const out: RunResult[][] = scenarios.map(() => []);
    tasks.forEach((t, k) => out[t.i].push(results[k]));
    return out;
  } finally {
    await pool.close();
  }
}

function designList(v: string): Design[] {
  const ds = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const d of ds) {
    if (!isDesign(d)) throw new InvalidArgumentError(`"${d}" is not a design${didYouMean(d, DESIGNS)}; designs: ${DESIGNS.join(', ')}`);
  }
  if (ds.length === 0) throw new InvalidArgumentError(`name at least one design: ${DESIGNS.join(', ')}`);
  return ds as Design[];
}

export function register(program: Command): void {
  const cmd = program.command('compare')
    .argument('[scenario]', 'a scenario with a site or a cluster (default: the bundled comparison)', 'comparison')
    .description('run the same scenario, workload and seeds under each design and compare the measures')
    .option('--designs <list>', `comma-separated designs (default: all: ${DESIGNS.join(', ')})`, designList, [...DESIGNS])
    .option('--out <dir>', 'also write report.json, metrics.csv and report.md there')
    .option('-j, --jobs <n>', 'designs and runs in parallel on this many threads (default: the number of cores; 1: one after another, with a progress bar)', intOption(1));
  scenarioOptions(cmd);
  replicationOptions(cmd);
  formatOption(cmd)
    .addHelpText('after', `
With --runs > 1 each cell is a mean ± 95% CI, and a second table gives each
design's difference from the first, paired by run.

The designs run in parallel on -j threads; the report is the same bytes
whatever -j is.

Examples:
  netsim compare
  netsim compare scenarios/hub.json --designs nic-forward,lb-dsr --runs 5 -j 2`)
    .action(async (ref: string, f: Flags) => {
      const base = loadOrFail(ref, f);
      const t0 = performance.now();
      const scenarios = f.designs.map((d) => {
        const r = withDesign(base, d);
        if (!r.ok) failWithProblems(r.problems);
        return r.scenario;
      });
      const jobs = f.jobs ?? availableParallelism();
      const count = scenarios.reduce((a, s) => a + runNumbers(s, f).length, 0);
      let results: RunResult[][];
      if (jobs > 1 && count > 1) {
        results = await runOnThreads(ref, f, scenarios, jobs);
      } else {
        const bar = barFor(f);
        results = scenarios.map((s, i) => runReplications(s, runNumbers(s, f), bar, f.designs[i]));
      }
      const groups: ReportGroup[] = f.designs.map((d, i) => ({ label: d, runs: results[i] }));
      const report = reportOf(base, groups);
      process.stdout.write(renderSummary(report, f.format));
      if (f.format === 'text') {
        const events = groups.reduce((a, g) => a + g.runs.reduce((b, x) => b + (x.metrics.events ?? 0), 0), 0);
        process.stderr.write(`(${groups.length} designs, ${(events / 1e6).toFixed(1)} M events in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
      }
      if (f.out !== undefined) for (const file of writeReport(f.out, report)) process.stderr.write(`wrote ${file}\n`);
      const broken = conservationFailures(groups);
      if (broken.length > 0) {
        process.stderr.write(`netsim: packet conservation broken in ${broken.join(', ')}\n`);
        process.exitCode = 1;
      }
    });
}
