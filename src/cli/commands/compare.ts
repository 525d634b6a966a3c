/** `netsim compare <scenario>`: the same workload and seeds under each design, side by side. */
import { InvalidArgumentError, type Command } from 'commander';
import { DESIGNS, isDesign, type Design } from '../../cluster/install';
import { didYouMean } from '../../scenario/errors';
import { withDesign } from '../../scenario/load';
import { renderSummary, type ReportGroup } from '../../scenario/report';
import { failWithProblems } from '../errors';
import { barFor, conservationFailures, loadOrFail, replicationOptions, reportOf, runNumbers, runReplications, scenarioOptions, writeReport, type ScenarioFlags } from '../common';
import { formatOption, type Format } from '../formats';

interface Flags extends ScenarioFlags { format: Format; out?: string; designs: Design[] }

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
    .option('--out <dir>', 'also write report.json, metrics.csv and report.md there');
  scenarioOptions(cmd);
  replicationOptions(cmd);
  formatOption(cmd)
    .addHelpText('after', `
With --runs > 1 each cell is a mean ± 95% CI, and a second table gives each
design's difference from the first, paired by run.

Examples:
  netsim compare
  netsim compare scenarios/hub.json --designs nic-forward,lb-dsr --runs 5`)
    .action((ref: string, f: Flags) => {
      const base = loadOrFail(ref, f);
      const bar = barFor(f);
      const groups: ReportGroup[] = [];
      const t0 = performance.now();
      for (const d of f.designs) {
        const r = withDesign(base, d);
        if (!r.ok) failWithProblems(r.problems);
        groups.push({ label: d, runs: runReplications(r.scenario, runNumbers(r.scenario, f), bar, d) });
      }
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
