/**
 * Golden reports: every library scenario's summary as `netsim run` (or, for
 * the comparison, `netsim compare`) prints it, with how each run ended and
 * what it dropped. The test compares them with test/golden/*.txt;
 * `npm run golden -- --update` rewrites those files on purpose.
 */
import { basename } from 'node:path';
import { loadScenarioFile, libraryFiles } from '../../src/cli/files';
import { DESIGNS } from '../../src/cluster/install';
import { ScenarioError } from '../../src/scenario/errors';
import { scenarioHash } from '../../src/scenario/hash';
import { withDesign, type Scenario } from '../../src/scenario/load';
import { metricsOf, renderSummary, type Report, type ReportGroup } from '../../src/scenario/report';
import { runScenario } from '../../src/scenario/runner';

/** Library scenarios too big for the suite, shortened (the command line's --set). */
export const SHORTEN: Record<string, string[]> = {
  large: ['network.site.servers=20', 'network.site.clients=400', 'workload.requestsPerClient=1'],
};

/** Scenarios whose golden report is the comparison of every design. */
export const COMPARE = new Set(['comparison']);

export function goldenNames(): string[] {
  return libraryFiles().map((f) => basename(f, '.json'));
}

function load(name: string, set: string[]): Scenario {
  const r = loadScenarioFile(name, set);
  if (!r.ok) throw new ScenarioError(r.problems);
  return r.scenario;
}

export function goldenText(name: string): string {
  const sets = SHORTEN[name] ?? [];
  const s = load(name, sets);
  const groups: ReportGroup[] = [];
  const designs = COMPARE.has(name) ? DESIGNS : [s.cluster?.design ?? null];
  for (const d of designs) {
    let sd = s;
    if (d !== null && d !== s.cluster?.design) {
      const r = withDesign(s, d);
      if (!r.ok) throw new ScenarioError(r.problems);
      sd = r.scenario;
    }
    const runs = Array.from({ length: sd.runs }, (_, i) => runScenario(sd, { run: i + 1 }).result);
    groups.push({ label: d ?? s.name, runs });
  }
  const report: Report = { scenario: s.name, description: s.description, hash: scenarioHash(s.input), seed: s.seed, groups, metrics: metricsOf(s) };
  const lines = [`# netsim ${COMPARE.has(name) ? 'compare' : 'run'} ${name}${sets.map((x) => ` --set ${x}`).join('')}`, renderSummary(report, 'text').trimEnd()];
  for (const g of groups) for (const r of g.runs) {
    const drops = Object.entries(r.drops).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    const fails = Object.entries(r.failures).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    lines.push(`${g.label} run ${r.run}: ${r.stopReason} at ${r.metrics['sim-time']} ns after ${r.metrics.events} events; drops: ${drops}; failures: ${fails}`);
  }
  return `${lines.join('\n')}\n`;
}
