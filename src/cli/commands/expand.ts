/** `netsim expand <scenario>`: the explicit graph a site becomes. */
import type { Command } from 'commander';
import { loadOrFail, scenarioOptions, type ScenarioFlags } from '../common';

export function register(program: Command): void {
  const cmd = program.command('expand')
    .argument('<scenario>', 'a scenario file or library name')
    .description('print the scenario with its network as the explicit graph of nodes and links it expands to')
    .addHelpText('after', `
The output is itself a valid scenario: netsim validate reads it, and the
visualizer draws exactly this graph.

Example:
  netsim expand comparison > comparison-graph.json`);
  scenarioOptions(cmd).action((ref: string, f: ScenarioFlags) => {
    const s = loadOrFail(ref, f);
    const input = s.input as Record<string, unknown>;
    const { network: _site, ...rest } = input;
    process.stdout.write(`${JSON.stringify({ ...rest, network: s.graphInput }, null, 2)}\n`);
  });
}
