/**
 * The netsim command: one file per command (commands/), flags parsed by
 * commander. Bad input (a scenario, a flag) prints one line per problem and
 * exits 2; a model that breaks packet conservation exits 1; never a stack
 * trace.
 */
import { Command, CommanderError } from 'commander';
import { NETSIM_VERSION } from '../version';
import { UsageError } from './errors';
import * as compare from './commands/compare';
import * as expand from './commands/expand';
import * as list from './commands/list';
import * as merge from './commands/merge';
import * as pcap from './commands/pcap';
import * as rerun from './commands/rerun';
import * as run from './commands/run';
import * as schema from './commands/schema';
import * as sweep from './commands/sweep';
import * as trace from './commands/trace';
import * as validate from './commands/validate';
import * as worker from './commands/worker';

const COMMANDS = [run, compare, sweep, worker, merge, rerun, trace, pcap, await import('./commands/figure'), validate, schema, expand, list];

export function program(): Command {
  const p = new Command('netsim')
    .description('discrete-event simulator and digital twin of a NIC-forwarding server cluster')
    .version(NETSIM_VERSION)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', `
Start with:
  netsim list                 the bundled scenarios
  netsim compare              every design on the bundled comparison scenario
  netsim run hub --runs 5     one scenario, five replications
  netsim <command> --help     each command's options, with examples`);
  for (const c of COMMANDS) c.register(p);
  for (const c of p.commands) c.exitOverride().showSuggestionAfterError();
  return p;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its message.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`netsim: ${e instanceof Error ? e.message : String(e)}\n(this is a bug in netsim, not in your scenario; please report it with the command you ran)\n`);
    process.exitCode = 1;
  }
}

// A reader that stops early (netsim trace ... | head) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

await main(process.argv.slice(2));
