/**
 * `netsim sweep <scenario> --param path=values ...`: a grid of scenario
 * variants, one row per point and run, computed on local worker threads
 * (-j), by `netsim worker` processes anywhere through a Redis queue
 * (--queue), or one shard of it for a batch scheduler (--shard k/n, then
 * `netsim merge`). Resumable: rows already in --out (same scenario hash and
 * run) are not run again. Whichever way, the rows are the same bytes.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { UsageError } from '../errors';
import { collect, intOption } from '../common';
import { readRows } from '../sweep-rows';
import { parseShard, planSweep, resume, shardTasks } from '../sweep-plan';
import { bundleTaskModule } from '../sweep-bundle';
import { ThreadPool } from '../sweep-pool';
import { RowSink } from '../sweep-sink';
import { runTask, type SweepTask } from '../sweep-task';

export { gridPoints, parseParam } from '../sweep-plan';

interface Flags {
  param: string[]; set: string[]; jobs?: number; out?: string; format?: 'csv' | 'json'; dryRun?: boolean; runs?: number; quiet?: boolean;
  shard?: string; queue?: string; queueName?: string;
}

/** Run `tasks` inline (one job) or on a pool of threads, each row to the sink as it is done. */
async function runLocal(tasks: readonly SweepTask[], jobs: number, sink: RowSink, onRow: () => void, bundle: ReturnType<typeof bundleTaskModule> | undefined): Promise<void> {
  if (jobs <= 1 || tasks.length <= 1) {
    for (const t of tasks) if (sink.add(runTask(t))) onRow();
    return;
  }
  const pool = await ThreadPool.start(Math.min(jobs, tasks.length), (s) => process.stderr.write(`${s}\n`), bundle);
  try {
    await Promise.all(tasks.map((t) => pool.run(t).then((row) => { if (sink.add(row)) onRow(); })));
  } catch (e) {
    throw new UsageError((e as Error).message);
  } finally {
    await pool.close();
  }
}

export function register(program: Command): void {
  program.command('sweep')
    .argument('<scenario>', 'a scenario file or library name')
    .description('run a grid of scenario variants in parallel, one row per point and run')
    .option('--param <path=values>', 'a swept field: path=v1,v2,... or path=from..to step s (repeatable: a grid)', collect, [])
    .option('--set <path=value>', 'a fixed change to every point (repeatable)', collect, [])
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores)', intOption(1))
    .option('--runs <n>', 'replications of each point (default: the scenario\'s runs)', intOption(1))
    .option('--out <file>', 'rows to this file (.csv or .json); a sweep resumes from the rows already in it')
    .option('--format <csv|json>', 'rows on stdout when there is no --out', (v) => {
      if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('expected csv or json');
      return v;
    })
    .option('--shard <k/n>', 'run only shard k of n (the tasks whose index mod n is k-1), for a batch scheduler; netsim merge joins the shards')
    .option('--queue <redis-url>', 'do not run points here: queue them in Redis for netsim worker processes (on any machines) and collect their rows')
    .option('--queue-name <name>', 'the BullMQ queue (default: netsim-sweep; workers must use the same)')
    .option('--dry-run', 'list the points and stop')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', `
Each row records the scenario hash, seed, run and netsim version, and the
sweep it belongs to; netsim rerun <file>:<row> prints the command that
reproduces one row exactly. Rows are the same bytes whether they are run
with -j 1, -j 8, on a queue or in shards.

Examples:
  netsim sweep comparison --param network.site.design=nic-forward,lb-dsr --param network.site.servers=8..32 step 8 -j 2 --out sweep.csv
  netsim sweep hub --param seed=1..10 --dry-run
  netsim sweep hub --param seed=1..100 --queue redis://queue-host:6379 --out sweep.csv   (with netsim worker --queue redis://queue-host:6379 on each machine)
  netsim sweep hub --param seed=1..100 --shard 3/10 --out part-3.csv                     (then netsim merge sweep.csv part-*.csv; see deploy/)`)
    .action(async (ref: string, f: Flags) => {
      if (f.queue !== undefined && f.shard !== undefined) throw new UsageError('--queue and --shard are two ways to spread one sweep; use one (a queue needs no shards: every worker takes points as it is free)');
      if (f.queue !== undefined && f.jobs !== undefined) throw new UsageError('-j sets threads for a local sweep; with --queue the points run on the workers (netsim worker -j n)');
      if (f.queueName !== undefined && f.queue === undefined) throw new UsageError('--queue-name needs --queue <redis-url>');
      const queue = f.queue !== undefined ? (await import('../sweep-queue')).queueUrl(f.queue) : undefined;
      const shard = f.shard !== undefined ? parseShard(f.shard) : undefined;
      const jobs = f.jobs ?? availableParallelism();
      // The threads' bundle builds in esbuild's process while this one checks every point.
      const bundle = queue === undefined && jobs > 1 && !f.dryRun ? bundleTaskModule() : undefined;
      const plan = planSweep(ref, f.param, f.set, f.runs);
      const tasks = shard !== undefined ? shardTasks(plan.tasks, shard) : plan.tasks;
      if (f.dryRun) {
        for (const [i, pt] of plan.points.entries()) {
          const h = plan.hashes[i];
          process.stdout.write(`point ${i}: ${pt.join(' ')}  (seed ${h.seed}, hash ${h.hash}, runs ${plan.runs.join(',')})\n`);
        }
        process.stdout.write(`${plan.points.length} points x ${plan.runs.length} runs = ${plan.tasks.length} tasks (sweep ${plan.sweep})\n`);
        if (shard !== undefined) process.stdout.write(`shard ${shard.k}/${shard.n}: ${tasks.length} tasks (${tasks.map((t) => `${t.point}/${t.run}`).join(' ')})\n`);
        return;
      }
      const previous = f.out !== undefined ? readRows(f.out) : [];
      const { kept, todo } = resume(tasks, previous);
      if (previous.length > 0) process.stderr.write(`resuming: ${kept.length} of ${tasks.length} rows already in ${f.out}\n`);
      const sink = new RowSink(f.out, plan.names, kept, f.format ?? 'csv');
      const bar = !f.quiet && process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'sweep [{bar}] {value}/{total} rows | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true }) : null;
      bar?.start(todo.length, 0);
      const onRow = (): void => { bar?.increment(); };
      try {
        if (queue !== undefined) {
          const { runOnQueue, DEFAULT_QUEUE } = await import('../sweep-queue');
          await runOnQueue({ url: queue, name: f.queueName ?? DEFAULT_QUEUE, tasks: todo, sink, onRow, note: (s) => process.stderr.write(`${s}\n`) });
        } else await runLocal(todo, jobs, sink, onRow, bundle);
      } finally {
        bar?.stop();
      }
      sink.finish();
    });
}
