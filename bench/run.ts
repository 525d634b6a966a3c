/**
 * `npm run bench -- <suite> [--anchors] [flags]`
 *
 * Suites: engine (chain + hold), cluster (the ns-3 cluster_bench workload).
 * With --anchors the matching ns-3 / SimPy anchors run in the same process
 * tree right after netsim and each netsim/anchor ratio is printed.
 */
import { benchChain, benchHold, rngCostNs } from './engine';
import { printRatio, runAnchor, type BenchLine } from './anchors';

function parseFlags(argv: string[]): { positional: string[]; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) flags.set(m[1], m[2] ?? 'true');
    else positional.push(a);
  }
  return { positional, flags };
}

function num(flags: Map<string, string>, key: string, dflt: number): number {
  const v = flags.get(key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`bench: --${key}=${v} is not valid; expected a number >= 0`);
    process.exit(2);
  }
  return n;
}

function engineSuite(flags: Map<string, string>): void {
  const o = {
    chainN: num(flags, 'chainN', 2_000_000),
    holdN: num(flags, 'holdN', 2_000_000),
    holdP: num(flags, 'holdP', 10_000),
    meanNs: num(flags, 'meanNs', 100_000),
    seed: num(flags, 'seed', 1),
  };
  console.log(`# netsim engine bench node=${process.version}`);
  console.log(`# rng=alea-stream cost_ns_per_sample=${rngCostNs(o.holdN, o.seed, o.meanNs).toFixed(1)}`);
  const chain = benchChain(o.chainN);
  console.log(lineOf(chain));
  const hold = benchHold(o);
  console.log(lineOf(hold));
  const holdInline = benchHold(o, 'inline');
  console.log(lineOf(holdInline));
  if (flags.has('anchors')) {
    const ns3 = runAnchor('sched', [`--chainN=${o.chainN}`, `--holdN=${o.holdN}`, `--holdP=${o.holdP}`, `--meanNs=${o.meanNs}`]);
    const simpy = runAnchor('simpy', [`--chain-n=${o.chainN}`, `--hold-n=${o.holdN}`, `--hold-p=${o.holdP}`]);
    const find = (ls: BenchLine[], name: string) => ls.find((l) => l.name === name);
    const best = (ls: BenchLine[], prefix: string) =>
      ls.filter((l) => l.name.startsWith(prefix)).sort((a, b) => b.eventsPerSec - a.eventsPerSec)[0];
    printRatio(chain, find(ns3, 'ns3_sched_chain_default'));
    printRatio(chain, best(ns3, 'ns3_sched_chain_'));
    printRatio(hold, find(ns3, 'ns3_sched_hold_PriorityQueueScheduler'));
    printRatio(hold, best(ns3, 'ns3_sched_hold_'));
    printRatio(holdInline, find(ns3, 'ns3_sched_hold_PriorityQueueScheduler'));
    printRatio(chain, find(simpy, 'simpy2_chain'));
    printRatio(hold, find(simpy, 'simpy2_hold'));
    printRatio(hold, find(simpy, 'pyheapq_hold'));
  }
}

function lineOf(l: BenchLine): string {
  const ex = Object.entries(l.extra).map(([k, v]) => `${k}=${v}`).join(',');
  return `${l.name} events_per_sec=${l.eventsPerSec.toFixed(0)} wall_s=${l.wallS.toFixed(4)} extra=${ex}`;
}

const { positional, flags } = parseFlags(process.argv.slice(2));
const suites: Record<string, (f: Map<string, string>) => void | Promise<void>> = {
  engine: engineSuite,
};
const wanted = positional.length > 0 ? positional : Object.keys(suites);
for (const s of wanted) {
  const run = suites[s];
  if (!run) {
    console.error(`bench: unknown suite "${s}"; valid suites: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  await run(flags);
}
