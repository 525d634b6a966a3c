/**
 * One process of the queues bench: every cell (shape x pending size x
 * increment distribution) for ONE structure, so that the loops below see
 * one queue class only and V8 compiles them monomorphic, as the Simulator
 * sees its one EventQueue. bench/queues.ts starts one of these per
 * structure and repetition and collects the JSON lines they print.
 *
 *   node --expose-gc --import tsx bench/queue-worker.ts --structure=heap
 *        [--sizes=10,100,...] [--dists=exp,uniform,bimodal] [--n=1000000]
 *        [--chainN=2000000] [--meanNs=100000] [--seed=1] [--tune=heapMax:512,perBucket:4]
 *
 * hold: P events pending; each op pops the earliest and pushes it again at
 * its time + an increment; only N ops after a warm-up of P + 100k ops are
 * timed. Increments are drawn beforehand into a ring of 2^20 integers (ns),
 * so every structure sees the same times and the RNG is not in the loop.
 * chain: one event pending, each op pops it and pushes it 1 ns later.
 * trace (--traces=name=file,...): a recorded run's pushes, cancels and pops
 * replayed (queue-trace.ts), once to warm up and once timed, each on a
 * fresh queue; ops = the events the run ran.
 */
import { pathToFileURL } from 'node:url';
import { RandomStream } from '../src/engine';
import { EventQueue, EVENT_QUEUE_TUNING } from '../src/engine/event-queue';
import { HeapQueue } from '../src/engine/heap-queue';
import { CalendarQueue } from '../src/engine/calendar-queue';
import { LadderQueue, type LadderTuning } from '../src/engine/ladder-queue';
import type { Handler } from '../src/engine/event-slots';
import { timed } from './engine';
import { readTrace, replayTrace, type TraceQueue } from './queue-trace';

export interface QueueLike {
  push(time: number, fn: Handler, arg: unknown): number;
  pop(): Handler | null;
  poppedTime: number;
  readonly size: number;
}

export const STRUCTURES: Record<string, (cap: number, tune: Partial<LadderTuning>) => QueueLike & TraceQueue> = {
  heap: (cap) => new HeapQueue(cap),
  calendar: (cap) => new CalendarQueue(cap),
  'two-level': (cap, tune) => new LadderQueue(cap, { ...EVENT_QUEUE_TUNING, maxRungs: 1, ...tune }),
  // The ladder is EventQueue itself unless a tuning is being tried.
  ladder: (cap, tune) => (Object.keys(tune).length === 0 ? new EventQueue(cap) : new LadderQueue(cap, { ...EVENT_QUEUE_TUNING, ...tune })),
};

export const DISTRIBUTIONS = ['exp', 'uniform', 'bimodal'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];
export const DISTRIBUTION_NOTES: Record<Distribution, string> = {
  exp: 'Exp(mean)',
  uniform: 'U[0, 2 mean)',
  bimodal: '90% U[0, 0.1 mean), 10% U[9 mean, 10.1 mean)',
};

const RING = 1 << 20;

/** 2^20 integer increments (ns) of mean `mean` from the named distribution. */
export function increments(dist: Distribution, mean: number, seed: number): Float64Array {
  const rng = new RandomStream(seed, 1, `queues/${dist}`);
  const a = new Float64Array(RING);
  for (let i = 0; i < RING; i++) {
    let x: number;
    if (dist === 'exp') x = rng.exponential(mean);
    else if (dist === 'uniform') x = rng.uniform(0, 2 * mean);
    else x = rng.random() < 0.9 ? rng.uniform(0, 0.1 * mean) : rng.uniform(9 * mean, 10.1 * mean);
    a[i] = Math.trunc(x);
  }
  return a;
}

const noop: Handler = () => {};

/** `ops` hold operations; returns the next ring index. */
function holdOps(q: QueueLike, incs: Float64Array, j: number, ops: number): number {
  const mask = RING - 1;
  for (let k = 0; k < ops; k++) {
    const fn = q.pop()!;
    q.push(q.poppedTime + incs[j & mask], fn, null);
    j++;
  }
  return j;
}

function chainOps(q: QueueLike, ops: number): void {
  for (let k = 0; k < ops; k++) {
    const fn = q.pop()!;
    q.push(q.poppedTime + 1, fn, null);
  }
}

export interface CellResult {
  structure: string;
  shape: 'hold' | 'chain' | 'trace';
  /** The increment distribution (hold), the trace's name (trace), or '-'. */
  dist: Distribution | string;
  p: number;
  ops: number;
  eventsPerSec: number;
  wallS: number;
  /** ops per CPU second of this process (less sensitive to other load than eventsPerSec). */
  cpuEventsPerSec: number;
  gcs: number;
  layout?: unknown;
}

export async function holdCell(structure: string, tune: Partial<LadderTuning>, p: number, dist: Distribution, incs: Float64Array, n: number): Promise<CellResult> {
  const q = STRUCTURES[structure](p + 16, tune);
  let j = 0;
  for (; j < p; j++) q.push(incs[j & (RING - 1)], noop, null);
  j = holdOps(q, incs, j, p + 100_000);
  const t = await timed(() => holdOps(q, incs, j, n));
  if (q.size !== p) throw new Error(`queues bench: ${structure} holds ${q.size} events, expected ${p}`);
  const layout = (q as { layout?: () => unknown }).layout?.();
  return { structure, shape: 'hold', dist, p, ops: n, eventsPerSec: n / t.wallS, wallS: t.wallS, cpuEventsPerSec: n / t.cpuS, gcs: t.gcs, layout };
}

export async function chainCell(structure: string, tune: Partial<LadderTuning>, n: number): Promise<CellResult> {
  const q = STRUCTURES[structure](16, tune);
  q.push(1, noop, null);
  chainOps(q, 100_000);
  const t = await timed(() => chainOps(q, n));
  return { structure, shape: 'chain', dist: '-', p: 1, ops: n, eventsPerSec: n / t.wallS, wallS: t.wallS, cpuEventsPerSec: n / t.cpuS, gcs: t.gcs };
}

export async function traceCell(structure: string, tune: Partial<LadderTuning>, name: string, file: string): Promise<CellResult> {
  const t = readTrace(file);
  replayTrace(STRUCTURES[structure](1024, tune), t);
  const q = STRUCTURES[structure](1024, tune);
  const r = await timed(() => replayTrace(q, t));
  const n = r.result;
  return { structure, shape: 'trace', dist: name, p: 0, ops: n, eventsPerSec: n / r.wallS, wallS: r.wallS, cpuEventsPerSec: n / r.cpuS, gcs: r.gcs };
}

export function parseTune(s: string | undefined): Partial<LadderTuning> {
  const out: Record<string, number> = {};
  for (const kv of (s ?? '').split(',').filter(Boolean)) {
    const [k, v] = kv.split(':');
    if (!(k in EVENT_QUEUE_TUNING) || !Number.isFinite(Number(v))) {
      throw new Error(`queues bench: --tune=${s}: "${kv}" is not key:number with key one of ${Object.keys(EVENT_QUEUE_TUNING).join(', ')}`);
    }
    out[k] = Number(v);
  }
  return out as Partial<LadderTuning>;
}

async function main(): Promise<void> {
  const flags = new Map<string, string>();
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) flags.set(m[1], m[2] ?? 'true');
  }
  const structure = flags.get('structure') ?? 'ladder';
  if (!(structure in STRUCTURES)) throw new Error(`queues bench: unknown structure ${structure}; valid: ${Object.keys(STRUCTURES).join(', ')}`);
  const sizes = (flags.get('sizes') ?? '10,100,1000,10000,100000,1000000').split(',').filter(Boolean).map(Number);
  const dists = (flags.get('dists') ?? DISTRIBUTIONS.join(',')).split(',').filter(Boolean) as Distribution[];
  for (const d of dists) if (!DISTRIBUTIONS.includes(d)) throw new Error(`queues bench: unknown distribution ${d}; valid: ${DISTRIBUTIONS.join(', ')}`);
  const n = Number(flags.get('n') ?? 1_000_000);
  const chainN = Number(flags.get('chainN') ?? 2_000_000);
  const mean = Number(flags.get('meanNs') ?? 100_000);
  const seed = Number(flags.get('seed') ?? 1);
  const tune = parseTune(flags.get('tune'));
  for (const nf of (flags.get('traces') ?? '').split(',').filter(Boolean)) {
    const [name, file] = nf.split('=');
    console.log(JSON.stringify(await traceCell(structure, tune, name, file)));
  }
  if (chainN > 0) console.log(JSON.stringify(await chainCell(structure, tune, chainN)));
  for (const d of dists) {
    const incs = increments(d, mean, seed);
    for (const p of sizes) console.log(JSON.stringify(await holdCell(structure, tune, p, d, incs, n)));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
