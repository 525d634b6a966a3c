/**
 * The TCP request/response workload (issue 4's goal): 100 clients against 20
 * servers through a lossy Internet, one connection per request. Reported
 * beside the UDP cluster benchmark: packet-hops/s of `sim.run()` only.
 */
import { buildTcpWorkload, type TcpWorkloadOptions } from '../src/nodes/tcp-workload';
import { formatBenchLine, parseBenchLine, type BenchLine } from './anchors';

export function benchTcp(o: Partial<TcpWorkloadOptions>): BenchLine {
  const w = buildTcpWorkload(o);
  const net = w.topo.net;
  const t0 = performance.now();
  net.sim.run();
  const wall = (performance.now() - t0) / 1000;
  const s = w.stats;
  const hops = w.topo.hops();
  const conservation = net.conservationError();
  if (conservation !== null) throw new Error(conservation);
  return parseBenchLine(formatBenchLine(`netsim_tcp_${o.lan ?? 'hub'}`, net.sim.executed / wall, wall, {
    clients: o.clients ?? 100, servers: o.servers ?? 20, requests_per_client: o.requestsPerClient ?? 5,
    events: net.sim.executed, issued: s.issued, completed: s.completed, failed: s.failed,
    resp_bytes_sent: s.responseBytesSent, resp_bytes_rcvd: s.responseBytesReceived,
    hops, hops_per_sec: (hops / wall).toFixed(0), mean_latency_ms: ((s.meanLatencyNs() ?? NaN) / 1e6).toFixed(3),
    p99_latency_ms: s.completed > 0 ? ((s.percentileNs(99) ?? NaN) / 1e6).toFixed(3) : 'n/a',
    drops: Object.entries(net.dropsByReason()).map(([k, v]) => `${k}:${v}`).join('/') || 'none',
    sim_s: (net.now / 1e9).toFixed(4), maxrss_kb: Math.round(process.resourceUsage().maxRSS),
  }))!;
}
