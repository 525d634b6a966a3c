/**
 * Engine micro-benchmarks, the same two shapes as anchors/ns3/sched_bench.cc:
 *  chain: one pending event; each schedules the next at now + 1 ns, N events.
 *  hold:  P pending events; each, when it fires, reschedules itself at
 *         now + Exp(mean) (a RandomStream draw); stop after N executed.
 * Only `run()` is timed. Allocation is shown by the number of garbage
 * collections that ran inside the timed region (`gcs=`; zero means the loop
 * allocated too little to trigger even one young-generation collection).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { RandomStream, Simulator } from '../src/engine';
import { formatBenchLine, parseBenchLine, type BenchLine } from './anchors';

export interface EngineBenchOptions {
  chainN: number;
  holdN: number;
  holdP: number;
  meanNs: number;
  seed: number;
}

function countGcs(): { stop(): number } {
  let n = 0;
  const obs = new PerformanceObserver((list) => { n += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  return { stop() { obs.disconnect(); return n; } };
}

function maxRssKb(): number {
  return Math.round(process.resourceUsage().maxRSS);
}

function settle(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** Run `sim` to the end, timed, and report it as one bench line with allocation evidence. */
function timedRun(sim: Simulator, name: string, extra: () => Record<string, string | number>): BenchLine {
  settle();
  const heap0 = process.memoryUsage().heapUsed;
  const gcs = countGcs();
  const t0 = performance.now();
  sim.run();
  const wall = (performance.now() - t0) / 1000;
  const g = gcs.stop();
  const heapDeltaKb = Math.round((process.memoryUsage().heapUsed - heap0) / 1024);
  return parseBenchLine(formatBenchLine(name, sim.executed / wall, wall, {
    events: sim.executed, ...extra(), gcs: g, heap_delta_kb: heapDeltaKb, maxrss_kb: maxRssKb(),
  }))!;
}

export function benchChain(n: number): BenchLine {
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
 */
export function benchHold(o: EngineBenchOptions, rngKind: 'stream' | 'inline' = 'stream'): BenchLine {
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
  const name = rngKind === 'stream' ? 'netsim_hold' : 'netsim_hold_inline_rng';
  return timedRun(sim, name, () => ({
    n: target, p: o.holdP, mean_ns: mean, rng: rngKind === 'stream' ? 'alea-stream' : 'xorshift32-inline',
    sim_now_s: (sim.now / 1e9).toFixed(6),
  }));
}

/** Cost of one exponential draw alone, so it can be set against hold. */
export function rngCostNs(n: number, seed: number, meanNs: number): number {
  const rng = new RandomStream(seed, 1, 'rng-cost');
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += rng.exponential(meanNs);
  const ns = ((performance.now() - t0) * 1e6) / n;
  return sink > 0 ? ns : ns;
}
