/**
 * The network of the ns-3 TCP anchor (tcp_bench.cc) in netsim, from the same
 * flags, printed in the anchor's line format with the same keys, so that
 * each measure stands beside ns-3's: requests done, completion times (from
 * connect to the last response byte; nearest-rank percentiles), TCP
 * segments, retransmissions (a segment that takes sequence space and starts
 * below the highest sequence number its socket has sent), hops, device,
 * queue-disc and link-loss drops. The run stops as soon as every request
 * has ended, as the anchor's does. Only the simulation is timed.
 *
 * --runs=N runs N replications (--run, --run+1, ...) of both and prints each
 * measure's mean and standard error side by side: the two simulators draw
 * different random numbers, so run k of one is not run k of the other, and
 * on the switch the drops, retransmissions and 3 s SYN-ACK timeouts of one
 * run are a handful of random events (ns-3's device drops over 60 runs:
 * mean 147, standard deviation 138). Replications run in one process, so
 * their speeds are warm; a speed is measured by a run without --runs.
 */
import { queueDiscDrops } from '../src/net/drop-reason';
import { buildSimulation } from '../src/scenario/build';
import { mustLoad, NS3_TCP_DEFAULTS, ns3TcpScenario, type Ns3TcpFlags } from '../src/scenario/presets';
import { meanAndError } from '../src/scenario/replications';
import { TcpCounters } from '../src/transport/tcp-counters';
import { benchLineText, formatBenchLine, parseBenchLine, printRatio, runAnchor, warmLine, type BenchLine } from './anchors';

/** Nearest-rank percentile of sorted values, as the anchor computes it. */
function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(Math.max(Math.ceil(p * sorted.length), 1), sorted.length);
  return sorted[rank - 1];
}

export function benchTcpAnchor(o: Ns3TcpFlags): BenchLine {
  const t0 = performance.now();
  const scenario = mustLoad(ns3TcpScenario(o));
  const sim = buildSimulation(scenario, { run: o.run });
  const setupS = (performance.now() - t0) / 1000;
  const net = sim.net;
  const engine = net.sim;
  const total = o.clients * o.requests;
  const ct: number[] = [];
  let done = 0;
  let failed = 0;
  const ended = (): void => {
    if (done + failed >= total) engine.stop();
  };
  for (const c of sim.clients) {
    c.endTrace.connect((req, outcome) => {
      if (outcome === 'completed') {
        done++;
        ct.push(net.now - req.sentAt);
      } else {
        failed++;
      }
      ended();
    });
  }
  const counters = new TcpCounters(sim.tcpLayers);
  const t1 = performance.now();
  engine.run({ until: o.stop * 1e9, idleStops: true });
  const wall = (performance.now() - t1) / 1000;
  const drops = net.dropsByReason();
  const tcpOpts = sim.tcpLayers[0]?.opts;
  const sorted = ct.slice().sort((a, b) => a - b);
  const ms = (ns: number): string => (ns / 1e6).toFixed(4);
  const hops = sim.topo.hops();
  const switchPorts = o.variant === 'switch' ? o.servers + 1 : 0;
  const qdiscDrops = queueDiscDrops(net.dropped);
  return parseBenchLine(formatBenchLine(`netsim_tcp_${o.variant}`, engine.executed / wall, wall, {
    clients: o.clients, servers: o.servers, requests_per_client: o.requests, run: o.run, qdisc: o.qdisc ?? 'default',
    tcp: tcpOpts?.congestionControl === 'newreno' ? 'ns3::TcpNewReno' : 'ns3::TcpCubic',
    recovery: tcpOpts?.recovery === 'classic' ? 'ns3::TcpClassicRecovery' : 'ns3::TcpPrrRecovery',
    seg_size: tcpOpts?.mss ?? 0, init_cwnd: tcpOpts?.initialCwnd ?? 0, sack: Number(tcpOpts?.sack), win_scaling: Number(tcpOpts?.windowScaling),
    timestamps: Number(tcpOpts?.timestamps), del_ack_count: tcpOpts?.delayedAckCount ?? 0,
    del_ack_timeout_ms: (tcpOpts?.delayedAckTimeout ?? 0) / 1e6, min_rto_ms: (tcpOpts?.minRto ?? 0) / 1e6,
    conn_timeout_ms: (tcpOpts?.connTimeout ?? 0) / 1e6, snd_buf: tcpOpts?.sndBufSize ?? 0, rcv_buf: tcpOpts?.rcvBufSize ?? 0,
    no_delay: Number(tcpOpts?.noDelay), req_size: o.reqSize, resp_size: o.respSize, loss: o.loss,
    events: engine.executed, req_started: sim.stats.issued, req_done: done, req_failed: failed,
    req_bytes_rcvd: sim.stats.requestBytesReceived, resp_bytes_rcvd: sim.stats.responseBytesReceived,
    mean_ct_ms: ms(ct.reduce((a, b) => a + b, 0) / Math.max(1, ct.length)), p50_ct_ms: ms(nearestRank(sorted, 0.5)),
    p99_ct_ms: ms(nearestRank(sorted, 0.99)), max_ct_ms: ms(sorted[sorted.length - 1] ?? 0),
    tcp_segs: counters.segments, retx: counters.retransmits, retx_bytes: counters.retransmitBytes, retx_syn: counters.synRetransmits, loss_drops: drops['link-loss'] ?? 0,
    hops, hops_per_sec: (hops / wall).toFixed(0), dev_drops: drops['queue-full'] ?? 0, qdisc_drops: qdiscDrops,
    events_per_req: (engine.executed / Math.max(1, total)).toFixed(2), sim_s: (net.now / 1e9).toFixed(4),
    nodes: sim.topo.nodes.length, switch_ports: switchPorts, setup_s: setupS.toFixed(3),
    drops: Object.entries(drops).map(([k, v]) => `${k}:${v}`).join('/') || 'none',
    maxrss_kb: Math.round(process.resourceUsage().maxRSS),
  }))!;
}

/** ns-3 attributes (`--ns3::Class::Attribute=value`, as the anchor takes them) and the netsim TCP option each sets. */
const NS3_ATTRIBUTES: Record<string, (v: string, t: Record<string, unknown>, f: Partial<Ns3TcpFlags>) => void> = {
  'TcpSocketBase::Sack': (v, t) => { t.sack = bool(v); },
  'TcpSocketBase::WindowScaling': (v, t) => { t.windowScaling = bool(v); },
  'TcpSocketBase::Timestamp': (v, t) => { t.timestamps = bool(v); },
  'TcpSocketBase::LimitedTransmit': (v, t) => { t.limitedTransmit = bool(v); },
  'TcpSocketBase::MinRto': (v, t) => { t.minRto = v; },
  'TcpSocketBase::ClockGranularity': (v, t) => { t.clockGranularity = v; },
  'TcpSocket::SegmentSize': (v, t) => { t.segmentSize = `${v}B`; },
  'TcpSocket::InitialCwnd': (v, t) => { t.initialCwnd = Number(v); },
  'TcpSocket::InitialSlowStartThreshold': (v, t) => { t.initialSsThresh = `${v}B`; },
  'TcpSocket::SndBufSize': (v, t) => { t.sendBuffer = `${v}B`; },
  'TcpSocket::RcvBufSize': (v, t) => { t.receiveBuffer = `${v}B`; },
  'TcpSocket::ConnTimeout': (v, t) => { t.connTimeout = v; },
  'TcpSocket::ConnCount': (v, t) => { t.synRetries = Number(v); },
  'TcpSocket::DataRetries': (v, t) => { t.dataRetries = Number(v); },
  'TcpSocket::DelAckTimeout': (v, t) => { t.delayedAckTimeout = v; },
  'TcpSocket::DelAckCount': (v, t) => { t.delayedAckCount = Number(v); },
  'TcpSocket::TcpNoDelay': (v, t) => { t.noDelay = bool(v); },
  'TcpSocket::PersistTimeout': (v, t) => { t.persistTimeout = v; },
  'TcpL4Protocol::SocketType': (v, t) => { t.congestionControl = congestion(v); },
  'TcpL4Protocol::RecoveryType': (v, t) => {
    const n = v.replace(/^ns3::/, '');
    if (n !== 'TcpPrrRecovery' && n !== 'TcpClassicRecovery') throw new Error(`RecoveryType ${v}: netsim has ns3::TcpPrrRecovery and ns3::TcpClassicRecovery`);
    t.recovery = n === 'TcpPrrRecovery' ? 'prr' : 'classic';
  },
  'RttEstimator::InitialEstimation': (v, t) => { t.initialRtt = v; },
  'TcpCubic::Beta': (v, t) => { cubic(t).beta = Number(v); },
  'TcpCubic::C': (v, t) => { cubic(t).c = Number(v); },
  'TcpCubic::HyStart': (v, t) => { cubic(t).hystart = bool(v); },
  'TcpCubic::FastConvergence': (v, t) => { cubic(t).fastConvergence = bool(v); },
  'TcpCubic::HyStartLowWindow': (v, t) => { cubic(t).hystartLowWindow = Number(v); },
  'DropTailQueue<Packet>::MaxSize': (v, _t, f) => {
    const m = /^(\d+)p$/.exec(v);
    if (m === null) throw new Error(`DropTailQueue<Packet>::MaxSize=${v}: netsim's device queues count packets; write it as "<n>p"`);
    f.queuePackets = Number(m[1]);
  },
};

function bool(v: string): boolean {
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new Error(`expected 0 or 1 (true or false), got "${v}"`);
}

function congestion(v: string): 'cubic' | 'newreno' {
  const n = v.replace(/^ns3::/, '');
  if (n === 'TcpCubic') return 'cubic';
  if (n === 'TcpNewReno') return 'newreno';
  throw new Error(`--tcp=${v}: netsim has ns3::TcpCubic and ns3::TcpNewReno`);
}

function cubic(t: Record<string, unknown>): Record<string, unknown> {
  return (t.cubic ??= {}) as Record<string, unknown>;
}

/** The flags that run.sh tcp takes and netsim reads (the rest go to ns-3 unchanged and must be ns3:: attributes). */
const TCP_ANCHOR_FLAGS = ['clients', 'servers', 'requests', 'variant', 'seed', 'run', 'interval', 'reqSize', 'respSize', 'wanRate', 'wanDelay',
  'lanRate', 'lanDelay', 'qdisc', 'loss', 'stop', 'tcp', 'segSize', 'initCwnd', 'sack', 'delAckCount', 'minRto'];

/** Parse run.sh tcp's flags into the preset's; throws with a message naming the flag. */
export function tcpAnchorFlags(flags: Map<string, string>): Ns3TcpFlags {
  const num = (k: string, d: number): number => {
    const v = flags.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${k}=${v} is not valid; expected a number >= 0`);
    return n;
  };
  const o: Ns3TcpFlags = { ...NS3_TCP_DEFAULTS };
  o.clients = num('clients', o.clients);
  o.servers = num('servers', o.servers);
  o.requests = num('requests', o.requests);
  o.seed = num('seed', o.seed);
  o.run = num('run', o.run);
  o.interval = num('interval', o.interval);
  o.reqSize = num('reqSize', o.reqSize);
  o.respSize = num('respSize', o.respSize);
  o.loss = num('loss', o.loss);
  o.stop = num('stop', o.stop);
  for (const k of ['wanRate', 'wanDelay', 'lanRate', 'lanDelay'] as const) o[k] = flags.get(k) ?? o[k];
  const variant = flags.get('variant') ?? 'hub';
  if (variant !== 'hub' && variant !== 'switch') throw new Error(`--variant=${variant} is not valid; expected hub or switch`);
  o.variant = variant;
  const qdisc = flags.get('qdisc') ?? 'default';
  if (qdisc !== 'default' && qdisc !== 'none') throw new Error(`--qdisc=${qdisc} is not valid; expected default or none`);
  o.qdisc = qdisc;
  if (flags.has('tcp')) o.tcp = congestion(flags.get('tcp')!);
  if (flags.has('segSize')) o.segSize = num('segSize', 536);
  if (flags.has('initCwnd')) o.initCwnd = num('initCwnd', 10);
  if (flags.has('sack')) o.sack = bool(flags.get('sack')!);
  if (flags.has('delAckCount')) o.delAckCount = num('delAckCount', 2);
  if (flags.has('minRto')) o.minRto = flags.get('minRto');
  const extra: Record<string, unknown> = {};
  for (const [k, v] of flags) {
    if (!k.startsWith('ns3::')) continue;
    const set = NS3_ATTRIBUTES[k.slice(5)];
    if (set === undefined) throw new Error(`--${k}: netsim does not model this ns-3 attribute; it reads ${Object.keys(NS3_ATTRIBUTES).map((a) => `ns3::${a}`).join(', ')}`);
    set(v, extra, o);
  }
  if (Object.keys(extra).length > 0) o.tcpExtra = extra;
  return o;
}

/** The anchor's arguments for the same run: every flag given that run.sh tcp knows, unchanged. */
export function tcpAnchorArgs(flags: Map<string, string>): string[] {
  return [...flags].filter(([k]) => TCP_ANCHOR_FLAGS.includes(k) || k.startsWith('ns3::')).map(([k, v]) => `--${k}=${v}`);
}

/** The measures printed side by side, and how each is compared. */
export const TCP_ANCHOR_MEASURES = ['req_done', 'req_failed', 'mean_ct_ms', 'p50_ct_ms', 'p99_ct_ms', 'max_ct_ms', 'tcp_segs', 'retx', 'retx_syn',
  'hops', 'dev_drops', 'qdisc_drops', 'loss_drops', 'events', 'hops_per_sec'] as const;

/** The measures compared over replications: TCP_ANCHOR_MEASURES without the event count and the speed, which differ by design. */
const REPLICA_MEASURES = TCP_ANCHOR_MEASURES.filter((k) => k !== 'events' && k !== 'hops_per_sec');

/**
 * One line a measure over replications: netsim's mean±standard error, and
 * with anchor lines ns-3's beside it and z, their difference in combined
 * standard errors (|z| < 2: not told apart by these runs).
 */
export function replicaLines(ours: readonly BenchLine[], ns3: readonly BenchLine[], keys: readonly string[] = REPLICA_MEASURES): string[] {
  const cell = (ls: readonly BenchLine[], k: string): { mean: number; sem: number; text: string } => {
    const m = meanAndError(ls.map((l) => Number(l.extra[k])));
    return { ...m, text: `${m.mean.toFixed(2)}±${m.sem.toFixed(2)}` };
  };
  const name = ours[0]?.name ?? '?';
  return keys.map((k) => {
    const a = cell(ours, k);
    if (ns3.length === 0) return `runs ${name} runs=${ours.length} ${k}=${a.text}`;
    const b = cell(ns3, k);
    const se = Math.hypot(a.sem, b.sem);
    const z = se > 0 ? `${a.mean >= b.mean ? '+' : ''}${((a.mean - b.mean) / se).toFixed(2)}` : a.mean === b.mean ? '0' : 'n/a';
    return `compare-runs ${name}/${ns3[0].name} runs=${ours.length}/${ns3.length} ${k}=${a.text}/${b.text} z=${z}`;
  });
}

/** `--runs=N`: N replications of netsim (and of ns-3 with --anchors), each line printed, then replicaLines. */
function tcpAnchorReplicas(o: Ns3TcpFlags, runs: number, flags: Map<string, string>): void {
  const ours: BenchLine[] = [];
  const ns3: BenchLine[] = [];
  const args = tcpAnchorArgs(flags).filter((a) => !a.startsWith('--run='));
  for (let run = o.run; run < o.run + runs; run++) {
    const l = benchTcpAnchor({ ...o, run });
    ours.push(l);
    console.log(benchLineText(l));
    if (!flags.has('anchors')) continue;
    const a = runAnchor('tcp', [...args, `--run=${run}`]).find((x) => x.name === `ns3_tcp_${o.variant}`);
    if (a !== undefined) ns3.push(a);
  }
  for (const line of replicaLines(ours, ns3)) console.log(line);
}

/** `npm run bench -- tcp-anchor [run.sh tcp flags] [--anchors] [--runs=N]`: netsim's line, then ns-3's and each measure side by side. */
export function tcpAnchorSuite(flags: Map<string, string>): void {
  let o: Ns3TcpFlags;
  let runs = 1;
  try {
    o = tcpAnchorFlags(flags);
    if (flags.has('runs')) {
      runs = Number(flags.get('runs'));
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs=${flags.get('runs')} is not valid; expected a whole number >= 1`);
    }
  } catch (e) {
    console.error(`bench tcp-anchor: ${(e as Error).message}`);
    process.exit(2);
  }
  if (runs > 1) {
    tcpAnchorReplicas(o, runs, flags);
    return;
  }
  const ours = benchTcpAnchor(o);
  console.log(benchLineText(ours));
  const warm = warmLine(ours, () => benchTcpAnchor(o), ['hops', 'mean_ct_ms', 'events']);
  if (!flags.has('anchors')) return;
  const ns3 = runAnchor('tcp', tcpAnchorArgs(flags)).find((l) => l.name === `ns3_tcp_${o.variant}`);
  if (ns3 === undefined) return;
  for (const k of TCP_ANCHOR_MEASURES) {
    const a = Number(ours.extra[k]), b = Number(ns3.extra[k]);
    const ratio = b !== 0 ? `${(a / b).toFixed(3)}x` : a === 0 ? 'equal' : 'n/a';
    console.log(`compare ${ours.name}/${ns3.name} ${k}=${ours.extra[k]}/${ns3.extra[k]} ratio=${ratio}`);
  }
  printRatio(ours, ns3, 'events_per_sec');
  printRatio(ours, ns3, 'hops_per_sec');
  printRatio(warm, ns3, 'hops_per_sec');
}
