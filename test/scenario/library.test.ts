/**
 * The scenario library and its schema: scenarios/schema.json is what the
 * zod schema generates (regenerate with `netsim schema > scenarios/schema.json`),
 * every library file names it and says what it shows, the two ns-3
 * cross-check files are exactly what their preset builds, and `netsim
 * expand` of a site loads back to the same network.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libraryFiles, loadScenarioFile } from '../../src/cli/files';
import { loadScenarioValue } from '../../src/scenario/load';
import { ns3ClusterScenario } from '../../src/scenario/presets';
import { scenarioJsonSchema } from '../../src/scenario/schema';
import { runScenario } from '../../src/scenario/runner';

describe('scenario library', () => {
  it('scenarios/schema.json is the schema the code generates', () => {
    const onDisk = readFileSync('scenarios/schema.json', 'utf8');
    expect(onDisk, 'stale: run `npx netsim schema > scenarios/schema.json`').toBe(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  });

  it.each(libraryFiles().map((f) => basename(f)))('%s names the schema, describes itself and loads', (f) => {
    const raw = JSON.parse(readFileSync(`scenarios/${f}`, 'utf8')) as { $schema?: string; description?: string };
    expect(raw.$schema).toBe('./schema.json');
    expect(raw.description?.length ?? 0).toBeGreaterThan(80);
    const r = loadScenarioFile(`scenarios/${f}`);
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it.each(['hub', 'switch'] as const)('ns3-cluster-%s.json is the preset of the ns-3 anchor network', (v) => {
    const file = JSON.parse(readFileSync(`scenarios/ns3-cluster-${v}.json`, 'utf8')) as Record<string, unknown>;
    const { name: _n, ...preset } = ns3ClusterScenario({ variant: v });
    expect({ ...file, $schema: undefined }).toEqual({ ...preset, $schema: undefined });
  });

  it.each(['l2-switch', 'hub', 'l3-switch', 'crash-join'])('the graph %s expands to loads back to the same network and the same run', (name) => {
    const site = loadScenarioFile(name);
    if (!site.ok) throw new Error('invalid');
    const { network: _site, ...rest } = site.scenario.input as Record<string, unknown>;
    const graph = loadScenarioValue({ ...rest, network: site.scenario.graphInput });
    if (!graph.ok) throw new Error(JSON.stringify(graph.problems));
    expect(graph.scenario.plan.lans.map((l) => [l.name, l.role, l.network, l.ifaces.length]))
      .toEqual(site.scenario.plan.lans.map((l) => [l.name, l.role, l.network, l.ifaces.length]));
    expect(runScenario(graph.scenario).result.metrics).toEqual(runScenario(site.scenario).result.metrics);
  }, 60_000);
});
