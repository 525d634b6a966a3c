/**
 * `npm run bench -- <suite> [--anchors] [flags]`
 *
 * Suites: engine (chain + hold at 1 k, 10 k, 100 k pending), queues (each
 * pending-event structure against the heap: bench/queues.ts), cluster (the
 * ns-3 cluster_bench workload),
 * tcp (TCP request/response, 100 clients x 20 servers over a lossy Internet),
 * sweep (the same grid through netsim sweep with -j 1 and -j 2, and through a
 * Redis queue with one and two netsim workers: bench/sweep.ts), scale (the
 * claimed system from 10 k to 10 M requests and 10 to 1,000 servers, each
 * point in its own process) and exchange (each load-report exchange on the
 * comparison: bench/scale.ts) and start (`npm start`, timed from outside:
 * bench/start.ts); flame, scale and exchange run only when named.
 * cluster and tcp-anchor run hub and switch (or the one --variant names),
 * each in a fresh process, so that each line is a cold start as ns-3's is.
 * With --anchors the matching ns-3 / SimPy anchors run in the same process
 * tree right after netsim and each netsim/anchor ratio is printed. Every
 * suite leaves its lines in bench/results/<suite>.txt (--no-record: not);
 * `report` runs the suites it can and renders bench/README.md from those.
 */
import { spawnSync } from 'node:child_process';
import { engineSuite } from './engine';
import { queuesSuite } from './queues';
import { recordSuite, reportSuite } from './report';
import { benchCluster, CLUSTER_QDISCS, type ClusterQdisc } from './cluster';
import { benchTcp } from './tcp';
import { sweepSuite } from './sweep';
import { tcpAnchorSuite } from './tcp-anchor';
import { flameSuite } from './flame';
import { startSuite } from './start';
import { exchangeSuite, scaleSuite } from './scale';
import { NS3_CLUSTER_DEFAULTS, type Ns3ClusterFlags } from '../src/scenario/presets';
import { benchLineText, printRatio, runAnchor, warmLine } from './anchors';

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

const CLUSTER_FLAGS = ['clients', 'servers', 'requests', 'interval', 'reqSize', 'respSize', 'wanRate', 'wanDelay', 'lanRate', 'lanDelay', 'seed', 'run'] as const;
/** Keys compared between netsim's and ns-3's cluster lines (ratio netsim/ns-3). */
const CLUSTER_COMPARED = ['req_rcvd', 'resp_rcvd', 'mean_rtt_ms', 'max_rtt_ms', 'hops', 'dev_drops', 'qdisc_drops'] as const;

const VARIANTS = ['hub', 'switch'] as const;

/**
 * Run `suite` once a variant: the one --variant names, here; otherwise each
 * of hub and switch in a fresh process of its own, its lines echoed here.
 * Each netsim line is then a cold start, as each ns-3 anchor run is: a
 * second variant in the same process would run on code the first one
 * already had V8 compile.
 */
function perVariant(suite: string, flags: Map<string, string>, one: (variant: (typeof VARIANTS)[number]) => void): void {
  const v = flags.get('variant');
  if (v !== undefined) {
    if (!(VARIANTS as readonly string[]).includes(v)) {
      console.error(`bench: --variant=${v} is not valid; expected ${VARIANTS.join(' or ')}`);
      process.exit(2);
    }
    one(v as (typeof VARIANTS)[number]);
    return;
  }
  const args = [...flags].map(([k, x]) => (x === 'true' ? `--${k}` : `--${k}=${x}`)).filter((a) => a !== '--no-record');
  for (const variant of VARIANTS) {
    const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], suite, ...args, `--variant=${variant}`, '--no-record'], {
      encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (const l of (r.stdout ?? '').split('\n')) if (l !== '') console.log(l);
    if (r.status !== 0) {
      console.error(`bench: ${suite} --variant=${variant} failed (${r.signal ?? `exit ${r.status}`})`);
      process.exit(1);
    }
  }
}

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
  const qdisc = (flags.get('qdisc') ?? 'default') as ClusterQdisc;
  if (!CLUSTER_QDISCS.includes(qdisc)) {
    console.error(`bench: --qdisc=${qdisc} is not valid; expected one of ${CLUSTER_QDISCS.join(', ')}`);
    process.exit(2);
  }
  perVariant('cluster', flags, (v) => {
    const ours = benchCluster({ ...base, variant: v }, qdisc);
    console.log(benchLineText(ours));
    const warm = warmLine(ours, () => benchCluster({ ...base, variant: v }, qdisc), ['hops', 'mean_rtt_ms', 'events']);
    if (flags.has('anchors')) {
      // The anchor knows default and none; the other kinds have no ns-3 counterpart here.
      if (qdisc !== 'default' && qdisc !== 'none') {
        console.log(`# --qdisc=${qdisc}: the ns-3 anchor takes only default|none; not run`);
        return;
      }
      const args = [`--variant=${v}`, `--qdisc=${qdisc}`, ...CLUSTER_FLAGS.filter((k) => flags.has(k)).map((k) => `--${k}=${flags.get(k)}`)];
      const ns3 = runAnchor('cluster', args).find((l) => l.name === `ns3_cluster_${v}`);
      printRatio(ours, ns3, 'hops_per_sec');
      printRatio(ours, ns3, 'events_per_sec');
      printRatio(warm, ns3, 'hops_per_sec');
      if (ns3) {
        const a = Number(ns3.extra.mean_rtt_ms), b = Number(ours.extra.mean_rtt_ms);
        console.log(`compare netsim_cluster_${v}/ns3_cluster_${v} hops=${ours.extra.hops}/${ns3.extra.hops} mean_rtt_ms=${b}/${a} rtt_diff=${((100 * (b - a)) / a).toFixed(3)}%`);
        const cells = CLUSTER_COMPARED.filter((k) => ns3.extra[k] !== undefined).map((k) => {
          const x = Number(ours.extra[k]), y = Number(ns3.extra[k]);
          return `${k}=${ours.extra[k]}/${ns3.extra[k]}${y !== 0 ? `(${(x / y).toFixed(4)})` : ''}`;
        });
        console.log(`compare netsim_cluster_${v}/ns3_cluster_${v} ${cells.join(' ')}`);
      }
    }
  });
}

function tcpSuite(flags: Map<string, string>): void {
  for (const lan of (flags.get('lan') ?? 'hub,switch').split(',')) {
    if (lan !== 'hub' && lan !== 'switch') {
      console.error(`bench: --lan=${lan} is not valid; expected hub or switch`);
      process.exit(2);
    }
    console.log(benchLineText(benchTcp({
      lan: lan as 'hub' | 'switch', clients: num(flags, 'clients', 100), servers: num(flags, 'servers', 20),
      requestsPerClient: num(flags, 'requests', 100), seed: num(flags, 'seed', 1),
    })));
  }
}

const { positional, flags } = parseFlags(process.argv.slice(2));
const suites: Record<string, (f: Map<string, string>) => void | Promise<void>> = {
  engine: engineSuite,
  queues: queuesSuite,
  cluster: clusterSuite,
  tcp: tcpSuite,
  sweep: sweepSuite,
  'tcp-anchor': (f) => perVariant('tcp-anchor', f, () => tcpAnchorSuite(f)),
  flame: flameSuite,
  start: startSuite,
  scale: scaleSuite,
  exchange: exchangeSuite,
  report: reportSuite,
};
const wanted = positional.length > 0 ? positional : Object.keys(suites).filter((s) => !['report', 'flame', 'scale', 'exchange'].includes(s));
for (const s of wanted) {
  const run = suites[s];
  if (!run) {
    console.error(`bench: unknown suite "${s}"; valid suites: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  // Each suite's lines are kept in bench/results/<suite>.txt for the report (not the report's own).
  if (s === 'report' || flags.has('no-record')) await run(flags);
  else await recordSuite(s, process.argv.slice(2).filter((a) => a !== s), () => run(flags));
}
