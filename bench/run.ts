/**
 * `npm run bench -- <suite> [--anchors] [flags]`
 *
 * Suites: engine (chain + hold), cluster (the ns-3 cluster_bench workload),
 * tcp (TCP request/response, 100 clients x 20 servers over a lossy Internet),
 * sweep (the same grid through netsim sweep with -j 1 and -j 2).
 * With --anchors the matching ns-3 / SimPy anchors run in the same process
 * tree right after netsim and each netsim/anchor ratio is printed.
 */
import { benchChain, benchHold, rngCostNs } from './engine';
import { benchCluster } from './cluster';
import { benchTcp } from './tcp';
import { benchSweep } from './sweep';
import { tcpAnchorSuite } from './tcp-anchor';
import { NS3_CLUSTER_DEFAULTS, type Ns3ClusterFlags } from '../src/scenario/presets';
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
    const dflt = find(ns3, 'ns3_sched_chain_default');
    printRatio(chain, dflt);
    const bestChain = best(ns3, 'ns3_sched_chain_');
    if (bestChain !== dflt) printRatio(chain, bestChain);
    const pq = find(ns3, 'ns3_sched_hold_PriorityQueueScheduler');
    printRatio(hold, pq);
    const bestHold = best(ns3, 'ns3_sched_hold_');
    if (bestHold !== pq) printRatio(hold, bestHold);
    printRatio(holdInline, find(ns3, 'ns3_sched_hold_PriorityQueueScheduler'));
    printRatio(chain, find(simpy, 'simpy2_chain'));
    printRatio(hold, find(simpy, 'simpy2_hold'));
    printRatio(hold, find(simpy, 'pyheapq_hold'));
  }
}

const CLUSTER_FLAGS = ['clients', 'servers', 'requests', 'interval', 'reqSize', 'respSize', 'wanRate', 'wanDelay', 'lanRate', 'lanDelay', 'seed', 'run'] as const;

function clusterSuite(flags: Map<string, string>): void {
  const d = NS3_CLUSTER_DEFAULTS;
  const base: Ns3ClusterFlags = {
    ...d,
    clients: num(flags, 'clients', d.clients), servers: num(flags, 'servers', d.servers),
    requests: num(flags, 'requests', d.requests), interval: num(flags, 'interval', d.interval),
    reqSize: num(flags, 'reqSize', d.reqSize), respSize: num(flags, 'respSize', d.respSize),
    wanRate: flags.get('wanRate') ?? d.wanRate, wanDelay: flags.get('wanDelay') ?? d.wanDelay,
    lanRate: flags.get('lanRate') ?? d.lanRate, lanDelay: flags.get('lanDelay') ?? d.lanDelay,
    seed: num(flags, 'seed', d.seed), run: num(flags, 'run', d.run),
  };
  const variants = flags.has('variant') ? [flags.get('variant')!] : ['hub', 'switch'];
  for (const v of variants) {
    if (v !== 'hub' && v !== 'switch') {
      console.error(`bench: --variant=${v} is not valid; expected hub or switch`);
      process.exit(2);
    }
    const ours = benchCluster({ ...base, variant: v });
    console.log(lineOf(ours));
    if (flags.has('anchors')) {
      const args = [`--variant=${v}`, ...CLUSTER_FLAGS.filter((k) => flags.has(k)).map((k) => `--${k}=${flags.get(k)}`)];
      const ns3 = runAnchor('cluster', args).find((l) => l.name === `ns3_cluster_${v}`);
      printRatio(ours, ns3, 'hops_per_sec');
      printRatio(ours, ns3, 'events_per_sec');
      if (ns3) {
        const a = Number(ns3.extra.mean_rtt_ms), b = Number(ours.extra.mean_rtt_ms);
        console.log(`compare netsim_cluster_${v}/ns3_cluster_${v} hops=${ours.extra.hops}/${ns3.extra.hops} mean_rtt_ms=${b}/${a} rtt_diff=${((100 * (b - a)) / a).toFixed(3)}%`);
      }
    }
  }
}

function tcpSuite(flags: Map<string, string>): void {
  for (const lan of (flags.get('lan') ?? 'hub,switch').split(',')) {
    if (lan !== 'hub' && lan !== 'switch') {
      console.error(`bench: --lan=${lan} is not valid; expected hub or switch`);
      process.exit(2);
    }
    console.log(lineOf(benchTcp({
      lan: lan as 'hub' | 'switch', clients: num(flags, 'clients', 100), servers: num(flags, 'servers', 20),
      requestsPerClient: num(flags, 'requests', 100), seed: num(flags, 'seed', 1),
    })));
  }
}

function sweepSuite(flags: Map<string, string>): void {
  const [one, two] = benchSweep({
    scenario: flags.get('scenario') ?? 'migration', points: num(flags, 'points', 8),
    sets: flags.has('set') ? flags.get('set')!.split(';') : ['workload.requestsPerClient=20'],
  });
  console.log(lineOf(one));
  console.log(lineOf(two));
  console.log(`ratio netsim_sweep_j2/netsim_sweep_j1 wall=${(one.wallS / two.wallS).toFixed(2)}x (goal >= 1.8x; rows identical)`);
}

function lineOf(l: BenchLine): string {
  const ex = Object.entries(l.extra).map(([k, v]) => `${k}=${v}`).join(',');
  return `${l.name} events_per_sec=${l.eventsPerSec.toFixed(0)} wall_s=${l.wallS.toFixed(4)} extra=${ex}`;
}

const { positional, flags } = parseFlags(process.argv.slice(2));
const suites: Record<string, (f: Map<string, string>) => void | Promise<void>> = {
  engine: engineSuite,
  cluster: clusterSuite,
  tcp: tcpSuite,
  sweep: sweepSuite,
  'tcp-anchor': tcpAnchorSuite,
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
