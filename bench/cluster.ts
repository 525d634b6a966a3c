/**
 * The plain-cluster benchmark: the topology and workload of the ns-3 anchor
 * cluster_bench.cc from the same flags, printed in its line format. Only the
 * simulation run is timed (setup is reported apart, as the anchor does).
 */
import { buildPlainCluster, type PlainClusterOptions } from '../src/nodes/plain-cluster';
import { formatBenchLine, parseBenchLine, type BenchLine } from './anchors';

export function benchCluster(o: PlainClusterOptions): BenchLine {
  const t0 = performance.now();
  const c = buildPlainCluster(o);
  const setupS = (performance.now() - t0) / 1000;
  const net = c.topo.net;
  const t1 = performance.now();
  net.sim.run();
  const wall = (performance.now() - t1) / 1000;
  const s = c.stats;
  const hops = c.topo.hops();
  const devDrops = net.dropsByReason()['queue-full'] ?? 0;
  const conservation = net.conservationError();
  if (conservation !== null) throw new Error(conservation);
  return parseBenchLine(formatBenchLine(`netsim_cluster_${o.variant}`, net.sim.executed / wall, wall, {
    clients: o.clients, servers: o.servers, requests_per_client: o.requests, run: o.run,
    events: net.sim.executed, req_sent: s.reqSent, req_rcvd: s.reqRcvd, resp_sent: s.respSent, resp_rcvd: s.respRcvd,
    pkt_sent: s.reqSent + s.respSent, pkt_rcvd: s.reqRcvd + s.respRcvd,
    hops, hops_per_sec: (hops / wall).toFixed(0), dev_drops: devDrops,
    events_per_req: (net.sim.executed / Math.max(1, s.reqSent)).toFixed(2),
    mean_rtt_ms: (s.meanRttNs() / 1e6).toFixed(4), max_rtt_ms: (s.rttMaxNs / 1e6).toFixed(4),
    sim_s: (net.now / 1e9).toFixed(4), nodes: c.topo.nodes.length,
    drops: Object.entries(net.dropsByReason()).map(([k, v]) => `${k}:${v}`).join('/') || 'none',
    setup_s: setupS.toFixed(3), maxrss_kb: Math.round(process.resourceUsage().maxRSS),
  }))!;
}
