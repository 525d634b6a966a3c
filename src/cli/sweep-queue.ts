/**
 * A sweep spread over machines through a BullMQ queue in Redis: the
 * command that plans the sweep adds one job per (scenario hash, run) and
 * collects the rows; `netsim worker` processes anywhere take jobs, run them
 * with the same task code as a local sweep (sweep-pool.ts) and return the
 * row. The queue carries tasks and rows only; the --out file stays the
 * record of what is done.
 *
 * Invariants:
 * - A job's id is its scenario hash, run and netsim version, so adding a
 *   point that is already queued, running or done is a no-op: an
 *   interrupted sweep started again picks up the rows that workers finished
 *   meanwhile, and two sweeps that share a point run it once.
 * - A worker that dies holding a job stops renewing its lock; after the
 *   lock duration another worker's stalled-job check puts the job back on
 *   the queue (BullMQ's stalled jobs), up to MAX_STALLS times.
 * - A job may so run twice; its row is taken once, and the sink drops a
 *   second row for a point and run it already holds.
 * - A finished job is removed once its rows are in the sink.
 *
 * Cost: a few Redis round trips per point (add, lock, complete, fetch,
 * remove), well under a millisecond each on a LAN, against points that
 * run for a second or more.
 */
import { hostname } from 'node:os';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { NETSIM_VERSION } from '../version';
import { UsageError } from './errors';
import { ThreadPool } from './sweep-pool';
import type { RowSink } from './sweep-sink';
import { decodeRow, encodeRow, rowOf, type SweepTask } from './sweep-task';

export const DEFAULT_QUEUE = 'netsim-sweep';
/** How many times a point goes back on the queue after its worker died, before it fails. */
export const MAX_STALLS = 3;
/** How often the sweep asks Redis for the state of its unfinished jobs, in case an event was missed. */
const RECHECK_MS = 5_000;

export interface JobData { task: SweepTask; netsim: string }

/** A redis:// or rediss:// URL, checked (bad input is a UsageError). */
export function queueUrl(spec: string): string {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new UsageError(`--queue ${spec}: expected a Redis URL such as redis://127.0.0.1:6379 (or rediss:// for TLS, redis://:password@host:port/db)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--queue ${spec}: the URL must start with redis:// or rediss://, as redis://127.0.0.1:6379`);
  if (u.hostname === '') throw new UsageError(`--queue ${spec}: no host, as in redis://127.0.0.1:6379`);
  return spec;
}

/** The URL without its password, for messages. */
export function shownUrl(url: string): string {
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.toString();
}

/** Fails with a UsageError (not an endless reconnect loop) when Redis cannot be reached. */
export async function reachRedis(url: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 5_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause: Error | undefined;
  r.on('error', (e: Error) => { cause ??= e; });
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new UsageError(`cannot reach Redis at ${shownUrl(url)}: ${(cause ?? (e as Error)).message} (is redis-server running there? start one with: redis-server --port 6379 --save '' --appendonly no)`);
  } finally {
    r.disconnect();
  }
}

export function jobIdOf(t: Pick<SweepTask, 'hash' | 'run'>): string {
  return `${t.hash}-r${t.run}-v${NETSIM_VERSION}`;
}

function describe(t: SweepTask): string {
  return `point ${t.point} (${t.assignments.join(' ')}) run ${t.run}`;
}

export interface QueueSweep {
  url: string;
  name: string;
  tasks: readonly SweepTask[];
  sink: RowSink;
  onRow: () => void;
  note: (line: string) => void;
}

/** Queue `tasks`, then put each row into the sink as workers finish them; resolves when every task has its row. */
export async function runOnQueue(o: QueueSweep): Promise<void> {
  const groups = new Map<string, SweepTask[]>();
  for (const t of o.tasks) {
    const id = jobIdOf(t);
    const g = groups.get(id);
    if (g === undefined) groups.set(id, [t]);
    else g.push(t);
  }
  if (groups.size === 0) return;
  await reachRedis(o.url);
  const connection = { url: o.url };
  const queue = new Queue<JobData, string>(o.name, { connection });
  const events = new QueueEvents(o.name, { connection });
  const pending = new Set(groups.keys());
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await new Promise<void>((resolve, reject) => {
      // One job at a time, in arrival order, so the sink sees rows one by one.
      let chain = Promise.resolve();
      const check = (id: string): void => {
        chain = chain.then(() => collect(id)).catch(reject);
      };
      const collect = async (id: string): Promise<void> => {
        if (!pending.has(id)) return;
        const state = await queue.getJobState(id);
        if (state === 'unknown') {
          // Removed by someone else (another sweep that shared the point, or a cleaned queue): queue it again.
          await queue.add('point', { task: groups.get(id)![0], netsim: NETSIM_VERSION }, { jobId: id });
          return;
        }
        if (state !== 'completed' && state !== 'failed') return;
        const job = await Job.fromId<JobData, string>(queue, id);
        if (job === undefined) return;
        const first = groups.get(id)![0];
        if (state === 'failed') {
          const by = job.processedBy !== undefined ? ` on worker ${job.processedBy}` : '';
          throw new UsageError(`${describe(first)} failed${by}: ${job.failedReason}`);
        }
        const row = decodeRow(job.returnvalue);
        if (row.hash !== first.hash || row.run !== first.run || row.netsim !== NETSIM_VERSION) {
          throw new UsageError(`${describe(first)}: job ${id} returned a row for scenario ${row.hash} run ${row.run} from netsim ${row.netsim}; expected ${first.hash} run ${first.run} from netsim ${NETSIM_VERSION}`);
        }
        pending.delete(id);
        for (const t of groups.get(id)!) if (o.sink.add(rowOf(t, row))) o.onRow();
        await job.remove().catch(() => {});
        if (pending.size === 0) resolve();
      };
      events.on('completed', ({ jobId }) => check(jobId));
      events.on('failed', ({ jobId }) => check(jobId));
      const start = async (): Promise<void> => {
        const ids = [...pending];
        const states = await Promise.all(ids.map((id) => queue.getJobState(id)));
        // A job that failed in an earlier attempt of this sweep gets another go (the cause may have been fixed).
        for (const [i, id] of ids.entries()) if (states[i] === 'failed') await (await queue.getJob(id))?.retry('failed');
        const fresh = ids.filter((_, i) => states[i] === 'unknown');
        for (let i = 0; i < fresh.length; i += 1000) {
          await queue.addBulk(fresh.slice(i, i + 1000).map((id) => ({ name: 'point', data: { task: groups.get(id)![0], netsim: NETSIM_VERSION }, opts: { jobId: id } })));
        }
        const done = ids.filter((_, i) => states[i] === 'completed');
        const workers = await queue.getWorkersCount();
        o.note(`queue ${o.name} on ${shownUrl(o.url)}: ${fresh.length} points queued, ${ids.length - fresh.length - done.length} already queued or running, ${done.length} already done; ${workers} worker${workers === 1 ? '' : 's'} connected`
          + (workers === 0 ? ` (start some with: netsim worker --queue ${shownUrl(o.url)}${o.name !== DEFAULT_QUEUE ? ` --queue-name ${o.name}` : ''})` : ''));
        for (const id of done) check(id);
        // The states of all unfinished jobs at once (ioredis pipelines them), then a closer look at those that moved.
        let rechecking = false;
        timer = setInterval(() => {
          if (rechecking) return;
          rechecking = true;
          const ids = [...pending];
          Promise.all(ids.map((id) => queue.getJobState(id)))
            .then((now) => { for (const [i, id] of ids.entries()) if (now[i] === 'completed' || now[i] === 'failed' || now[i] === 'unknown') check(id); })
            .catch(reject)
            .finally(() => { rechecking = false; });
        }, RECHECK_MS);
      };
      start().catch(reject);
    });
  } finally {
    clearInterval(timer);
    await events.close();
    await queue.close();
  }
}

export interface Serve {
  url: string;
  name: string;
  jobs: number;
  lockMs: number;
  /** Exit after this long with no point to run (undefined: never). */
  idleExitMs?: number;
  log: (line: string) => void;
}

/** Take points from the queue and run them until SIGINT/SIGTERM (which lets running points finish) or the idle limit. */
export async function serveQueue(o: Serve): Promise<void> {
  await reachRedis(o.url);
  const pool = await ThreadPool.start(o.jobs, o.log);
  const me = `${hostname()}:${process.pid}`;
  let active = 0, lastBusy = Date.now();
  const worker = new Worker<JobData, string>(o.name, async (job) => {
    const { task, netsim } = job.data;
    if (netsim !== NETSIM_VERSION) throw new UnrecoverableError(`worker ${me} runs netsim ${NETSIM_VERSION}; the sweep that queued this point runs netsim ${netsim}`);
    active++;
    o.log(`worker ${me}: started ${job.id} (${describe(task)})`);
    const t0 = performance.now();
    try {
      const row = await pool.run(task);
      o.log(`worker ${me}: finished ${job.id} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      return encodeRow(row);
    } finally {
      active--;
      lastBusy = Date.now();
    }
  }, {
    connection: { url: o.url }, autorun: false, name: me, concurrency: o.jobs,
    // The points run on threads, so this thread is free to renew locks every lockDuration / 2.
    lockDuration: o.lockMs, stalledInterval: o.lockMs, maxStalledCount: MAX_STALLS,
  });
  worker.on('error', (e) => o.log(`worker ${me}: ${e.message}`));
  let closing: Promise<void> | null = null;
  const stop = (why: string): void => {
    if (closing !== null) {
      if (why === 'idle') return;
      o.log(`worker ${me}: ${why} again; leaving now (its running points go back on the queue once their locks expire)`);
      process.exit(130);
    }
    o.log(`worker ${me}: ${why}; finishing the running points, then exiting`);
    closing = worker.close();
  };
  const onSignal = (s: NodeJS.Signals): void => stop(s);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const idle = o.idleExitMs !== undefined
    ? setInterval(() => { if (active === 0 && Date.now() - lastBusy >= o.idleExitMs!) stop('idle'); }, Math.min(1000, o.idleExitMs))
    : undefined;
  try {
    await worker.waitUntilReady();
    o.log(`worker ${me}: ready on ${shownUrl(o.url)}, queue ${o.name}, ${o.jobs} thread${o.jobs === 1 ? '' : 's'}`);
    await worker.run();
    await closing;
  } finally {
    clearInterval(idle);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
  }
}
