/**
 * Design comparison: run the same site, workload and seed under each design
 * and measure them the same way (DESIGN.md "Measures"). Used by the CLI
 * (`npm start`, later `netsim compare`), the web view and the tests.
 */
import { buildCluster, DESIGNS, type Cluster, type ClusterOptions, type Design } from '../cluster/cluster';
import { PathFlag } from '../net/packet';
import { PathRecorder } from './path-recorder';
import type { Table } from './report';
import { coefficientOfVariation } from './summary';

export interface DesignResult {
  design: Design;
  firstLan: string;
  issued: number;
  completed: number;
  failed: number;
  responseBypass: number | null;
  responsesSeenNotProcessed: number;
  forwardBypass: number | null;
  forwardedRequests: number;
  forwardedBytesOnFirstLan: number;
  firstLanBytes: number;
  firstLanPeakUtil: number;
  secondLanBytes: number;
  thirdLanBytes: number;
  /** Busy fraction of the central balancer's processor while clients were issuing requests (null: no balancer). */
  balancerUtil: number | null;
  /** Longest queue at the balancer's processor, packets (null: no balancer). */
  balancerPeakQueue: number | null;
  latencyMeanNs: number | null;
  latencyP50Ns: number | null;
  latencyP99Ns: number | null;
  latencyMaxNs: number;
  /** Coefficient of variation of requests served per server. */
  loadCv: number | null;
  migrations: number;
  migrationRttMeanNs: number | null;
  broken: number;
  drops: Record<string, number>;
  conserved: boolean;
  simSeconds: number;
  events: number;
  wallSeconds: number;
}

export interface RunOptions {
  /** Stop the run at this simulated time, ns (default: when everything is done). */
  until?: number;
}

/** Build, run and measure one design. */
export function runDesign(opts: Partial<ClusterOptions>, run: RunOptions = {}): { cluster: Cluster; result: DesignResult } {
  const cluster = buildCluster(opts);
  const rec = new PathRecorder(cluster);
  const net = cluster.topo.net;
  const t0 = performance.now();
  const window = stopWhenDone(cluster);
  net.sim.run(run.until !== undefined ? { until: run.until } : {});
  const wallSeconds = (performance.now() - t0) / 1000;
  const s = cluster.stats;
  const served = cluster.cpus.map((c) => c.completed);
  const lb = cluster.balancer;
  const migrations = cluster.nics.reduce((a, n) => a + n.migrations, 0);
  const rttSum = cluster.nics.reduce((a, n) => a + n.migrationRttSumNs, 0);
  const firstLan = rec.lanUsage(PathFlag.FIRST_LAN);
  const result: DesignResult = {
    design: cluster.opts.design,
    firstLan: cluster.opts.firstLan,
    issued: s.issued,
    completed: s.completed,
    failed: s.failed,
    responseBypass: rec.responseBypassRatio(),
    responsesSeenNotProcessed: rec.responsesSeenNotProcessed,
    forwardBypass: rec.forwardBypassRatio(),
    forwardedRequests: rec.forwardedRequests,
    forwardedBytesOnFirstLan: rec.forwardedBytesOnFirstLan,
    firstLanBytes: firstLan.bytes,
    firstLanPeakUtil: firstLan.peakUtilisation,
    secondLanBytes: rec.lanUsage(PathFlag.SECOND_LAN).bytes,
    thirdLanBytes: rec.lanUsage(PathFlag.THIRD_LAN).bytes,
    balancerUtil: lb !== null ? Math.min(1, lb.processor.busyNsUntil(window.issuingEndNs) / Math.max(1, window.issuingEndNs)) : null,
    balancerPeakQueue: lb !== null ? lb.processor.peakQueue : null,
    latencyMeanNs: s.meanLatencyNs(),
    latencyP50Ns: s.percentileNs(50),
    latencyP99Ns: s.percentileNs(99),
    latencyMaxNs: s.latencyMaxNs,
    loadCv: coefficientOfVariation(served),
    migrations,
    migrationRttMeanNs: migrations > 0 ? rttSum / migrations : null,
    broken: cluster.nics.reduce((a, n) => a + n.broken, 0),
    drops: net.dropsByReason(),
    conserved: net.conservationError() === null,
    simSeconds: net.now / 1e9,
    events: net.sim.executed,
    wallSeconds,
  };
  return { cluster, result };
}

/**
 * Stop once every client has finished and the servers are idle, so a run
 * does not wait out the load reports forever: checked at the report period.
 */
function stopWhenDone(c: Cluster): { issuingEndNs: number } {
  const sim = c.topo.net.sim;
  const period = c.opts.reports.periodNs;
  const total = c.opts.clients * c.opts.workload.requestsPerClient;
  const window = { issuingEndNs: 0 };
  const check = (): void => {
    const s = c.stats;
    // The window ends at the first check that finds every request issued
    // (so it is never empty, even when all were issued before the first check).
    if (s.issued < total || window.issuingEndNs === 0) window.issuingEndNs = sim.now;
    const finished = s.completed + s.failed >= total;
    const quiet = c.members.every((m) => m.tcp.size === 0) && c.clients.every((a) => a.tcp.size === 0);
    if (finished && quiet) sim.stop();
    else sim.schedule(period, check);
  };
  sim.schedule(period, check);
  return window;
}

export function compareDesigns(base: Partial<ClusterOptions>, designs: readonly Design[] = DESIGNS, run: RunOptions = {}): DesignResult[] {
  return designs.map((design) => runDesign({ ...base, design }, run).result);
}

/** The comparison as a report table. */
export function comparisonTable(results: readonly DesignResult[], title?: string): Table {
  return {
    title,
    columns: [
      { key: 'design', header: 'design', format: 'text' },
      { key: 'completed', header: 'done', format: 'int' },
      { key: 'failed', header: 'failed', format: 'int' },
      { key: 'responseBypass', header: 'resp bypass', format: 'pct' },
      { key: 'seenOnly', header: 'resp seen not processed', format: 'int' },
      { key: 'forwardBypass', header: 'fwd bypass FIRST_LAN', format: 'pct' },
      { key: 'forwardedMB1', header: 'fwd on FIRST_LAN', unit: 'MB', format: 'float' },
      { key: 'firstLanMB', header: 'first LAN', unit: 'MB', format: 'float' },
      { key: 'secondLanMB', header: 'second LAN', unit: 'MB', format: 'float' },
      { key: 'balancerUtil', header: 'balancer busy', format: 'pct' },
      { key: 'balancerPeakQueue', header: 'balancer queue max', format: 'int' },
      { key: 'latencyMeanNs', header: 'lat mean', format: 'ms' },
      { key: 'latencyP99Ns', header: 'lat p99', format: 'ms' },
      { key: 'loadCv', header: 'load CV', format: 'float' },
      { key: 'migrations', header: 'migrations', format: 'int' },
      { key: 'migrationRttMeanNs', header: 'migr RTT', format: 'ms' },
      { key: 'conserved', header: 'conserved', format: 'text' },
    ],
    rows: results.map((r) => ({
      design: r.design,
      completed: r.completed,
      failed: r.failed,
      responseBypass: r.responseBypass,
      seenOnly: r.responsesSeenNotProcessed,
      forwardBypass: r.forwardBypass,
      forwardedMB1: r.forwardedBytesOnFirstLan / 1e6,
      firstLanMB: r.firstLanBytes / 1e6,
      secondLanMB: r.secondLanBytes / 1e6,
      balancerUtil: r.balancerUtil,
      balancerPeakQueue: r.balancerPeakQueue,
      latencyMeanNs: r.latencyMeanNs,
      latencyP99Ns: r.latencyP99Ns,
      loadCv: r.loadCv,
      migrations: r.migrations,
      migrationRttMeanNs: r.migrationRttMeanNs,
      conserved: r.conserved ? 'yes' : 'NO',
    })),
  };
}
