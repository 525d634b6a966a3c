/**
 * `netsim worker --queue redis://host:port`: take sweep points from the
 * queue that `netsim sweep --queue` fills, run them on -j threads and send
 * the rows back; any number of workers on any machines (see sweep-queue.ts).
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { parseTime } from '../../engine/time';
import { UsageError } from '../errors';
import { intOption } from '../common';

interface Flags { queue?: string; queueName?: string; jobs?: number; lock: string; idleExit?: string }

function durationMs(flag: string, v: string, min: number): number {
  let ns: number;
  try {
    ns = parseTime(v);
  } catch (e) {
    throw new UsageError(`${flag} ${v}: ${(e as Error).message}`);
  }
  if (ns / 1e6 < min) throw new UsageError(`${flag} ${v}: must be at least ${min} ms`);
  return Math.round(ns / 1e6);
}

export function register(program: Command): void {
  program.command('worker')
    .description('run sweep points from a Redis queue (filled by netsim sweep --queue) until stopped')
    .option('--queue <redis-url>', 'the Redis server holding the queue, as redis://host:6379')
    .option('--queue-name <name>', 'the BullMQ queue (default: netsim-sweep; the same as the sweep\'s)')
    .option('-j, --jobs <n>', 'points run at once, each on its own thread (default: the number of cores)', intOption(1))
    .option('--lock <duration>', 'how long a point stays claimed without news from its worker: a worker that dies mid-point has it run elsewhere this long after', '30s')
    .option('--idle-exit <duration>', 'exit after this long with no point to run (default: run until SIGINT or SIGTERM)')
    .addHelpText('after', `
SIGINT or SIGTERM lets the running points finish, then exits (twice: at
once). The scenario files a sweep names must be readable on every worker
(a library name, or a path on a shared folder); a worker whose files give
another scenario hash fails that point rather than send a different row.

Examples:
  netsim worker --queue redis://queue-host:6379 -j 2
  netsim worker --queue redis://127.0.0.1:6379 --idle-exit 60s`)
    .action(async (f: Flags) => {
      if (f.queue === undefined) throw new UsageError('netsim worker needs --queue <redis-url>, the server netsim sweep --queue fills (as redis://127.0.0.1:6379)');
      const { DEFAULT_QUEUE, queueUrl, serveQueue } = await import('../sweep-queue');
      const url = queueUrl(f.queue);
      await serveQueue({
        url, name: f.queueName ?? DEFAULT_QUEUE, jobs: f.jobs ?? availableParallelism(), lockMs: durationMs('--lock', f.lock, 100),
        idleExitMs: f.idleExit !== undefined ? durationMs('--idle-exit', f.idleExit, 1) : undefined,
        log: (s) => process.stderr.write(`${s}\n`),
      });
    });
}
