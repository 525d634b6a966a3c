/**
 * The TCP request/response workload (issue 4's goal): 100 clients against 20
 * servers through a lossy Internet, one connection per request (the scenario
 * preset tcpWorkloadScenario). Reported beside the UDP cluster benchmark:
 * packet-hops/s of the run only.
 */
import { buildSimulation } from '../src/scenario/build';
import { mustLoad, tcpWorkloadScenario } from '../src/scenario/presets';
import { formatBenchLine, parseBenchLine, type BenchLine } from './anchors';

export interface TcpBenchOptions { lan: 'hub' | 'switch'; clients: number; servers: number; requestsPerClient: number; seed: number }

export function benchTcp(o: TcpBenchOptions): BenchLine {
  const sim = buildSimulation(mustLoad(tcpWorkloadScenario({ lan: o.lan, clients: o.clients, servers: o.servers }, {
    seed: o.seed,
    workload: { requestsPerClient: o.requestsPerClient, arrival: { kind: 'poisson', meanInterval: '10ms' }, requestSize: '200B', responseSize: '4kB' },
  })));
  const net = sim.net;
  const t0 = performance.now();
  net.sim.run();
  const wall = (performance.now() - t0) / 1000;
  const s = sim.stats;
  const hops = sim.topo.hops();
  const conservation = net.conservationError();
  if (conservation !== null) throw new Error(conservation);
  return parseBenchLine(formatBenchLine(`netsim_tcp_${o.lan}`, net.sim.executed / wall, wall, {
    clients: o.clients, servers: o.servers, requests_per_client: o.requestsPerClient,
    events: net.sim.executed, issued: s.issued, completed: s.completed, failed: s.failed,
    resp_bytes_sent: s.responseBytesSent, resp_bytes_rcvd: s.responseBytesReceived,
    hops, hops_per_sec: (hops / wall).toFixed(0), mean_latency_ms: ((s.meanLatencyNs() ?? NaN) / 1e6).toFixed(3),
    p99_latency_ms: s.completed > 0 ? ((s.percentileNs(99) ?? NaN) / 1e6).toFixed(3) : 'n/a',
    drops: Object.entries(net.dropsByReason()).map(([k, v]) => `${k}:${v}`).join('/') || 'none',
    sim_s: (net.now / 1e9).toFixed(4), maxrss_kb: Math.round(process.resourceUsage().maxRSS),
  }))!;
}
