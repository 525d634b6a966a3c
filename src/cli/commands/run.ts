/** `netsim run <scenario>`: run a scenario's replications and print its summary. */
import type { Command } from 'commander';
import { renderSummary } from '../../scenario/report';
import { barFor, conservationFailures, loadOrFail, replicationOptions, reportOf, runNumbers, runReplications, scenarioOptions, writeReport, type ScenarioFlags } from '../common';
import { formatOption, type Format } from '../formats';

interface Flags extends ScenarioFlags { format: Format; out?: string }

export function register(program: Command): void {
  const cmd = program.command('run')
    .argument('<scenario>', 'a scenario file, or the name of one in the library (netsim list)')
    .description('run a scenario and print its measures')
    .option('--out <dir>', 'also write report.json, metrics.csv (long format) and report.md there');
  scenarioOptions(cmd);
  replicationOptions(cmd);
  formatOption(cmd)
    .addHelpText('after', `
Examples:
  netsim run comparison
  netsim run scenarios/hub.json --runs 5 --out out/hub
  netsim run comparison --set network.site.servers=48 --set workload.requestsPerClient=2`)
    .action((ref: string, f: Flags) => {
      const s = loadOrFail(ref, f);
      const bar = barFor(f);
      const label = s.cluster?.design ?? s.name;
      const runs = runReplications(s, runNumbers(s, f), bar, label);
      const report = reportOf(s, [{ label, runs }]);
      process.stdout.write(renderSummary(report, f.format));
      if (f.out !== undefined) for (const file of writeReport(f.out, report)) process.stderr.write(`wrote ${file}\n`);
      const broken = conservationFailures(report.groups);
      if (broken.length > 0) {
        process.stderr.write(`netsim: packet conservation broken in ${broken.join(', ')}\n`);
        process.exitCode = 1;
      }
    });
}
