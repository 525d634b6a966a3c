/** `netsim validate <files...>`: check scenario files, one line per problem. */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { formatProblem } from '../../scenario/errors';
import { loadScenarioFile } from '../files';

export function register(program: Command): void {
  program.command('validate')
    .argument('<files...>', 'scenario files (or library names)')
    .description('check scenario files: print what is wrong in each, with file, line and JSON path')
    .addHelpText('after', `
Exit status 0 when every file is valid, 2 otherwise.

Example:
  netsim validate scenarios/*.json`)
    .action((files: string[]) => {
      let bad = 0;
      for (const f of files) {
        if (basename(f) === 'schema.json') {
          process.stdout.write(`${f}: skipped (the JSON Schema of scenarios, not a scenario)\n`);
          continue;
        }
        const r = loadScenarioFile(f);
        if (r.ok) {
          const s = r.scenario;
          const nodes = s.plan.nodes.length, links = s.plan.p2p.length + s.plan.lans.reduce((a, l) => a + l.cables.length, 0);
          process.stdout.write(`${f}: ok (${nodes} nodes, ${links} links, ${s.cluster !== null ? `design ${s.cluster.design}` : 'no cluster'}, ${s.workload.transport} workload)\n`);
        } else {
          bad++;
          for (const p of r.problems) process.stderr.write(`${formatProblem(p)}\n`);
        }
      }
      if (bad > 0) process.exitCode = 2;
    });
}
