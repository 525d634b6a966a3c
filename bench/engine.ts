/**
 * Engine micro-benchmarks, the same two shapes as anchors/ns3/sched_bench.cc:
 *  chain: one pending event; each schedules the next at now + 1 ns, N events.
 *  hold:  P pending events; each, when it fires, reschedules itself at
 *         now + Exp(mean) (a RandomStream draw); stop after N executed.
 * Only `run()` is timed. Allocation is shown by the number of garbage
 * collections that started inside the timed region (`gcs=`) and the heap
 * growth across it (`heap_delta_kb=`).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { RandomStream, Simulator } from '../src/engine';
import { benchLineText, formatBenchLine, parseBenchLine, runAnchor, type BenchLine } from './anchors';
import { setSummary } from './report';

export interface EngineBenchOptions {
  chainN: number;
  holdN: number;
  holdP: number;
  meanNs: number;
  seed: number;
}

function maxRssKb(): number {
  return Math.round(process.resourceUsage().maxRSS);
}

/** wallS: elapsed; cpuS: this process's user + system CPU time (less sensitive to other load). */
export interface Timed<T> { result: T; wallS: number; cpuS: number; gcs: number; heapDeltaKb: number }

/**
 * Run `body` once, timed, counting the garbage collections that started
 * while it ran. Node delivers gc entries to observers asynchronously, so
 * the count is read after a macrotask (reading it synchronously, as this
 * file once did, always gave 0), and entries outside [t0, t1] are ignored.
 */
export async function timed<T>(body: () => T): Promise<Timed<T>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  const starts: number[] = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) starts.push(e.startTime); });
  obs.observe({ entryTypes: ['gc'] });
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = body();
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const heap1 = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 0));
  obs.disconnect();
  return {
    result, wallS: (t1 - t0) / 1000, cpuS: (c1.user + c1.system) / 1e6, gcs: starts.filter((s) => s >= t0 && s <= t1).length,
    heapDeltaKb: Math.round((heap1 - heap0) / 1024),
  };
}

/** Run `sim` to the end, timed, and report it as one bench line with allocation evidence. */
async function timedRun(sim: Simulator, name: string, extra: () => Record<string, string | number>): Promise<BenchLine> {
  const t = await timed(() => sim.run());
  return parseBenchLine(formatBenchLine(name, sim.executed / t.wallS, t.wallS, {
    events: sim.executed, ...extra(), gcs: t.gcs, heap_delta_kb: t.heapDeltaKb, maxrss_kb: maxRssKb(),
  }))!;
}

export function benchChain(n: number): Promise<BenchLine> {
  const sim = new Simulator();
  let count = 0;
  const step = (): void => {
    if (++count < n) sim.schedule(1, step);
  };
  sim.schedule(1, step);
  return timedRun(sim, 'netsim_chain', () => ({ n, sim_now_ns: sim.now }));
}

/**
 * The anchor draws hold delays from an inline splitmix64 (~7 ns with the log);
 * `inline` uses an inline xorshift32 of the same cost class so the two time
 * the scheduler alone; the default uses netsim's RandomStream, as models do.
 * Lines are named by pending size: netsim_hold_p10000.
 */
export function benchHold(o: EngineBenchOptions, rngKind: 'stream' | 'inline' = 'stream'): Promise<BenchLine> {
  const sim = new Simulator(o.holdP * 2);
  const rng = new RandomStream(o.seed, 1, 'hold');
  let x = (o.seed * 0x9e3779b9) | 1;
  const inlineExp = (mean: number): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return -mean * Math.log(((x >>> 0) + 1) / 4294967297);
  };
  let count = 0;
  const target = o.holdN;
  const mean = o.meanNs;
  const hold = rngKind === 'stream'
    ? (): void => {
      if (++count >= target) { sim.stop(); return; }
      sim.schedule(rng.exponential(mean), hold);
    }
    : (): void => {
      if (++count >= target) { sim.stop(); return; }
      sim.schedule(inlineExp(mean), hold);
    };
  for (let i = 0; i < o.holdP; i++) sim.schedule(rng.exponential(mean), hold);
  const name = `${rngKind === 'stream' ? 'netsim_hold' : 'netsim_hold_inline_rng'}_p${o.holdP}`;
  return timedRun(sim, name, () => ({
    n: target, p: o.holdP, mean_ns: mean, rng: rngKind === 'stream' ? 'alea-stream' : 'xorshift32-inline',
    sim_now_s: (sim.now / 1e9).toFixed(6),
  }));
}

/** Cost of one exponential draw alone (after a warm-up), so it can be set against hold. */
export function rngCostNs(n: number, seed: number, meanNs: number): number {
  const rng = new RandomStream(seed, 1, 'rng-cost');
  let sink = 0;
  for (let i = 0; i < 100_000; i++) sink += rng.exponential(meanNs);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += rng.exponential(meanNs);
  const ns = ((performance.now() - t0) * 1e6) / n;
  return sink > 0 ? ns : ns;
}

/** The median of each line's events_per_sec over repeated runs, as one line (extra from the median run). */
export function medianLine(runs: BenchLine[], name = runs[0].name): BenchLine {
  const sorted = [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  const mid = sorted[(sorted.length - 1) >> 1];
  const lo = sorted[0].eventsPerSec, hi = sorted[sorted.length - 1].eventsPerSec;
  return { ...mid, name, extra: { ...mid.extra, runs: String(runs.length), min: lo.toFixed(0), max: hi.toFixed(0) } };
}

// ---- the engine suite: netsim's chain and hold, then ns-3's and SimPy's, medians and ratios ----

const GOAL: Record<number, number> = { 1000: 1.0, 10_000: 1.5, 100_000: 1.0 };

function flagNum(flags: Map<string, string>, key: string, dflt: number): number {
  const v = flags.get(key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`bench: --${key}=${v} is not valid; expected a number >= 0`);
  return n;
}

function ratioText(a: BenchLine, b: BenchLine, note = ''): string {
  return `ratio ${a.name}/${b.name} events_per_sec=${(a.eventsPerSec / b.eventsPerSec).toFixed(2)}x${note}`;
}

/**
 * `npm run bench -- engine [--anchors] [--reps=3] [--holdP=10000] [--holdN=2000000] [--chainN=2000000]`
 *
 * Hold runs at 1 k, 10 k and 100 k pending (or --holdP alone). With
 * --anchors, each repetition runs ns-3's sched_bench right after netsim at
 * each size (all its schedulers; the fastest is the one to beat), and SimPy
 * once at 10 k. The summary is the median of the repetitions and the
 * ratios of medians, with the goals of DESIGN.md.
 */
export async function engineSuite(flags: Map<string, string>): Promise<void> {
  const o: EngineBenchOptions = {
    chainN: flagNum(flags, 'chainN', 2_000_000),
    holdN: flagNum(flags, 'holdN', 2_000_000),
    holdP: flagNum(flags, 'holdP', 10_000),
    meanNs: flagNum(flags, 'meanNs', 100_000),
    seed: flagNum(flags, 'seed', 1),
  };
  const sizes = flags.has('holdP') ? [o.holdP] : [1000, 10_000, 100_000];
  const reps = Math.max(1, flagNum(flags, 'reps', 3));
  const anchors = flags.has('anchors');
  const header = [
    `# netsim engine bench node=${process.version} reps=${reps} hold_sizes=${sizes.join(',')} hold_n=${o.holdN} chain_n=${o.chainN}`,
    `# rng=alea-stream cost_ns_per_sample=${rngCostNs(o.holdN, o.seed, o.meanNs).toFixed(1)}`,
  ];
  for (const h of header) console.log(h);
  const runs = new Map<string, BenchLine[]>();
  const add = (l: BenchLine, name = l.name): void => { runs.set(name, [...(runs.get(name) ?? []), l]); };
  for (let rep = 0; rep < reps; rep++) {
    console.log(`# rep ${rep + 1}/${reps}`);
    const chain = await benchChain(o.chainN);
    add(chain);
    console.log(benchLineText(chain));
    for (const p of sizes) {
      for (const kind of ['stream', 'inline'] as const) {
        const l = await benchHold({ ...o, holdP: p }, kind);
        add(l);
        console.log(benchLineText(l));
      }
    }
    if (!anchors) continue;
    sizes.forEach((p, k) => {
      const args = [`--holdN=${o.holdN}`, `--holdP=${p}`, `--meanNs=${o.meanNs}`, `--seed=${o.seed}`, `--chainN=${o.chainN}`,
        k === 0 ? '--tests=chain,hold' : '--tests=hold', '--holdSchedulers=HeapScheduler,MapScheduler,CalendarScheduler,PriorityQueueScheduler'];
      for (const l of runAnchor('sched', args)) add(l, l.name.startsWith('ns3_sched_hold_') ? `${l.name}_p${p}` : l.name);
    });
  }
  if (anchors) {
    for (const l of runAnchor('simpy', [`--chain-n=${o.chainN}`, `--hold-n=${o.holdN}`, `--hold-p=10000`])) add(l);
  }
  const med = new Map<string, BenchLine>();
  for (const [name, ls] of runs) med.set(name, medianLine(ls, name));
  const out = [...header, `# medians of ${reps} runs (ns-3 hold lines renamed _p<pending>; best = its fastest scheduler at that size)`];
  for (const l of med.values()) out.push(benchLineText(l));
  if (anchors) {
    const get = (n: string): BenchLine | undefined => med.get(n);
    const chain = get('netsim_chain')!;
    const ns3Chains = [...med.values()].filter((l) => l.name.startsWith('ns3_sched_chain_'));
    const bestChain = ns3Chains.sort((a, b) => b.eventsPerSec - a.eventsPerSec)[0];
    if (get('ns3_sched_chain_default')) out.push(ratioText(chain, get('ns3_sched_chain_default')!));
    if (bestChain) out.push(ratioText(chain, { ...bestChain, name: `ns3_sched_chain_best` }, ` (${bestChain.name.replace('ns3_sched_chain_', '')})`));
    for (const p of sizes) {
      const hold = get(`netsim_hold_p${p}`)!, inline = get(`netsim_hold_inline_rng_p${p}`)!;
      const theirs = [...med.values()].filter((l) => l.name.startsWith('ns3_sched_hold_') && l.name.endsWith(`_p${p}`));
      const best = theirs.sort((a, b) => b.eventsPerSec - a.eventsPerSec)[0];
      if (!best) continue;
      const which = best.name.replace('ns3_sched_hold_', '').replace(`_p${p}`, '');
      const goal = GOAL[p] !== undefined ? `, goal >= ${GOAL[p].toFixed(1)}x` : '';
      out.push(ratioText(hold, { ...best, name: `ns3_sched_hold_best_p${p}` }, ` (${which}${goal})`));
      out.push(ratioText(inline, { ...best, name: `ns3_sched_hold_best_p${p}` }, ` (${which}; both with an inline RNG)`));
      const pq = get(`ns3_sched_hold_PriorityQueueScheduler_p${p}`);
      if (pq && pq !== best) out.push(ratioText(hold, pq));
    }
    const h10 = get('netsim_hold_p10000');
    for (const n of ['simpy2_chain', 'simpy2_hold', 'pyheapq_hold']) {
      const a = n.endsWith('chain') ? chain : h10, b = get(n);
      if (a && b) out.push(ratioText(a, b));
    }
  }
  setSummary(out);
  for (const l of out.slice(header.length)) console.log(l);
}
