/**
 * The plain-cluster benchmark: the topology and workload of the ns-3 anchor
 * cluster_bench.cc from the same flags (the scenario preset
 * ns3ClusterScenario), printed in its line format. Only the simulation run
 * is timed (setup is reported apart, as the anchor does).
 *
 * `qdisc` is the anchor's --qdisc: `default` keeps the root queue disc the
 * topology installs on every IP device (FqCoDel, as ns-3 3.37), `none`
 * removes it (TrafficControlHelper::Uninstall in the anchor), and `fq-codel`,
 * `codel`, `pfifo-fast` put that kind, with ns-3's defaults, in its place.
 * `qdisc_drops` sums the discs' drops (the anchor's debug copy reports the
 * same number from QueueDisc::GetStats); `dev_drops` counts device-queue
 * tail drops (with `none` these include what ns-3 reports as the traffic-
 * control layer's TcDrop: a packet meeting a stopped device queue).
 */
import { DropReason, queueDiscDrops } from '../src/net/drop-reason';
import { QUEUE_DISC_KINDS } from '../src/nodes/traffic-control';
import { buildSimulation } from '../src/scenario/build';
import { mustLoad, ns3ClusterScenario, type Ns3ClusterFlags } from '../src/scenario/presets';
import { formatBenchLine, parseBenchLine, type BenchLine } from './anchors';

export const CLUSTER_QDISCS = ['default', ...QUEUE_DISC_KINDS] as const;
export type ClusterQdisc = (typeof CLUSTER_QDISCS)[number];

export function benchCluster(o: Ns3ClusterFlags, qdisc: ClusterQdisc = 'default'): BenchLine {
  const t0 = performance.now();
  const sim = buildSimulation(mustLoad(ns3ClusterScenario({ ...o, qdisc })), { run: o.run });
  const setupS = (performance.now() - t0) / 1000;
  const net = sim.net;
  const t1 = performance.now();
  net.sim.run();
  const wall = (performance.now() - t1) / 1000;
  const s = sim.stats;
  const hops = sim.topo.hops();
  const devDrops = net.dropped[DropReason.QUEUE_FULL];
  const qdiscDrops = queueDiscDrops(net.dropped);
  const conservation = net.conservationError();
  if (conservation !== null) throw new Error(conservation);
  return parseBenchLine(formatBenchLine(`netsim_cluster_${o.variant}`, net.sim.executed / wall, wall, {
    clients: o.clients, servers: o.servers, requests_per_client: o.requests, run: o.run, qdisc,
    events: net.sim.executed, req_sent: s.issued, req_rcvd: s.requestsReceived, resp_sent: s.responsesSent, resp_rcvd: s.completed,
    pkt_sent: s.issued + s.responsesSent, pkt_rcvd: s.requestsReceived + s.completed,
    hops, hops_per_sec: (hops / wall).toFixed(0), dev_drops: devDrops, qdisc_drops: qdiscDrops,
    events_per_req: (net.sim.executed / Math.max(1, s.issued)).toFixed(2),
    mean_rtt_ms: ((s.meanLatencyNs() ?? NaN) / 1e6).toFixed(4), max_rtt_ms: (s.latencyMaxNs / 1e6).toFixed(4),
    sim_s: (net.now / 1e9).toFixed(4), nodes: sim.topo.nodes.length,
    drops: Object.entries(net.dropsByReason()).map(([k, v]) => `${k}:${v}`).join('/') || 'none',
    setup_s: setupS.toFixed(3), maxrss_kb: Math.round(process.resourceUsage().maxRSS),
  }))!;
}
