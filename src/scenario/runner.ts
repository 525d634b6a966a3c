/**
 * The runner: build a scenario, run it under its stop rule, measure it.
 * Every command (run, compare, sweep, trace, pcap, figure) and the
 * visualizer run scenarios through here, so one scenario, seed and run
 * number give the same metrics whichever asked.
 *
 * A run always ends. It stops at the first of:
 *  - every request ended and every TCP connection closed ("complete");
 *  - `stop.requests` requests ended ("requests");
 *  - `stop.drain` after the last request was issued ("drain-limit": what is
 *    still open is reported, never waited on);
 *  - `stop.at` ("time-limit"), `stop.maxEvents` ("event-budget"), the
 *    caller's `shouldStop` ("interrupted"), or nothing left to do ("idle").
 * The rule reacts to the requests' and connections' own trace events, so
 * the run ends at the event that made it true (no polling period).
 *
 * Cost: the run itself; progress is reported between chunks of events.
 */
import { TcpCounters } from '../transport/tcp-counters';
import type { RequestStats } from '../apps/request-stats';
import { METRIC_NAMES, type MetricName, type Metrics } from '../metrics/catalog';
import { PathRecorder } from '../metrics/path-recorder';
import { coefficientOfVariation } from '../metrics/summary';
import { buildSimulation, type Simulation } from './build';
import type { Scenario } from './load';

export type StopReason = 'complete' | 'requests' | 'drain-limit' | 'time-limit' | 'event-budget' | 'interrupted' | 'idle';

export interface RunProgress {
  simNs: number;
  events: number;
  /** Requests ended over requests of the workload. */
  fraction: number;
}

export interface RunOptions {
  /** Replication (run number); default 1. */
  run?: number;
  /** Called before the run, to attach recorders, pcap writers, sniffers. */
  attach?: (sim: Simulation) => void;
  onProgress?: (p: RunProgress) => void;
  /** Events between progress reports (and shouldStop checks); default 250,000. */
  chunkEvents?: number;
  /** Polled between chunks; true ends the run ("interrupted"). */
  shouldStop?: () => boolean;
}

export interface RunResult {
  scenario: string;
  design: string;
  seed: number;
  run: number;
  stopReason: StopReason;
  metrics: Metrics;
  drops: Record<string, number>;
  /** Why requests failed, by reason (only reasons that occurred). */
  failures: Record<string, number>;
  /** Wall-clock time of the run, ms (not part of any report that must be reproducible). */
  wallMs: number;
}

/** Build and run one replication of `s`. */
export function runScenario(s: Scenario, opts: RunOptions = {}): { sim: Simulation; result: RunResult } {
  const sim = buildSimulation(s, { run: opts.run });
  return { sim, result: runSimulation(sim, opts) };
}

/** Run an already built simulation to its stop rule and measure it. */
export function runSimulation(sim: Simulation, opts: RunOptions = {}): RunResult {
  const s = sim.scenario;
  const rec = new PathRecorder({
    topo: sim.topo, servicePort: sim.servicePort,
    clientNodes: [...sim.clients.map((c) => c.node), ...sim.udpClients.map((c) => c.node)],
    serverTcp: sim.cluster?.members.map((m) => m.tcp) ?? sim.servers.map((a) => a.tcp),
    lans: sim.lans,
  });
  const tcpCounters = new TcpCounters([...sim.tcpLayers, ...(sim.cluster?.nics.map((n) => n.engine) ?? [])]);
  opts.attach?.(sim);
  const engine = sim.sim;
  const net = sim.net;
  const stats = sim.stats;
  const total = sim.totalRequests;
  const target = s.stop.requests ?? total;
  let reason: StopReason | null = null;
  // Set once every request is issued; the run is then bounded by it (not an
  // event, so an idle network still ends at its last event).
  let deadline = Infinity;
  const tcp = s.workload.transport === 'tcp';
  const finish = (r: StopReason): void => {
    if (reason === null) reason = r;
    engine.stop();
  };
  const ended = (): number => stats.completed + stats.failed;
  const check = (): void => {
    if (reason !== null) return;
    if (s.stop.requests !== undefined && ended() >= target) finish('requests');
    else if (tcp && ended() >= total && stats.issued >= total && net.openConnections === 0) finish('complete');
    else if (deadline === Infinity && stats.issued >= total) {
      deadline = engine.now + s.stop.drain;
      engine.stop(); // the loop below runs on with the new bound
    }
  };
  stats.progressTrace.connect(check);
  // The balancer's busy time when the last request was issued: its utilisation while load was offered.
  const lb = sim.cluster?.balancer ?? null;
  let lbBusyAtLastIssue = 0;
  if (lb !== null) stats.issueTrace.connect(() => { lbBusyAtLastIssue = lb.processor.busyNs; });
  for (const t of sim.tcpLayers) t.endTrace.connect(check);
  check(); // a workload with nothing to issue
  const until = s.stop.at ?? Infinity;
  const budget = s.stop.maxEvents ?? Infinity;
  const chunk = opts.chunkEvents ?? 250_000;
  const t0 = performance.now();
  for (;;) {
    const left = budget - engine.executed;
    if (left <= 0) { reason ??= 'event-budget'; break; }
    const bound = Math.min(until, deadline);
    const r = engine.run({ until: bound, maxEvents: Math.min(chunk, left), idleStops: true });
    if (reason !== null) break;
    if (r === 'stopped') continue;
    if (r === 'until') { reason = deadline <= until ? 'drain-limit' : 'time-limit'; break; }
    if (r === 'empty') { reason = ended() >= total ? 'complete' : 'idle'; break; }
    opts.onProgress?.({ simNs: engine.now, events: engine.executed, fraction: total > 0 ? ended() / total : 1 });
    if (opts.shouldStop?.()) { reason = 'interrupted'; break; }
  }
  const wallMs = performance.now() - t0;
  const stopReason: StopReason = reason ?? 'idle';
  return {
    scenario: s.name, design: sim.cluster?.design ?? 'none', seed: s.seed, run: sim.run, stopReason,
    metrics: measure(sim, rec, stats, tcpCounters, lbBusyAtLastIssue), drops: net.dropsByReason(),
    failures: Object.fromEntries(Object.entries(stats.failuresBy).filter(([, v]) => v > 0)), wallMs,
  };
}

function measure(sim: Simulation, rec: PathRecorder, stats: RequestStats, tcp: TcpCounters, lbBusyNs: number): Metrics {
  const net = sim.net;
  const c = sim.cluster;
  const lb = c?.balancer ?? null;
  const first = rec.lanUsage('first');
  const nics = c?.nics ?? [];
  const migrations = nics.reduce((a, n) => a + n.migrations, 0);
  const served = sim.cpus.length > 0 ? sim.cpus.map((x) => x.completed) : sim.udpServers.map((x) => x.served);
  const issuingEnd = Math.max(1, stats.lastIssueAt);
  let dropped = 0;
  for (const v of Object.values(net.dropsByReason())) dropped += v;
  const m: Partial<Metrics> = {
    'requests-issued': stats.issued,
    'requests-completed': stats.completed,
    'requests-failed': stats.failed,
    'requests-unfinished': stats.issued - stats.completed - stats.failed,
    'response-bypass': c !== null ? rec.responseBypassRatio() : null,
    'responses-seen-not-processed': c !== null ? rec.responsesSeenNotProcessed : null,
    'forward-bypass': c !== null ? rec.forwardBypassRatio() : null,
    'forwarded-requests': c !== null ? rec.forwardedRequests : null,
    'forwarded-first-lan-bytes': c !== null ? rec.forwardedBytesOnFirstLan : null,
    'first-lan-bytes': first.bytes,
    'second-lan-bytes': rec.lanUsage('second').bytes,
    'third-lan-bytes': rec.lanUsage('third').bytes,
    'first-lan-peak-utilisation': first.peakUtilisation,
    'balancer-busy': lb !== null ? Math.min(1, lbBusyNs / issuingEnd) : null,
    'balancer-queue-max': lb !== null ? lb.processor.peakQueue : null,
    'latency-mean': stats.meanLatencyNs(),
    'latency-p50': stats.percentileNs(50),
    'latency-p99': stats.percentileNs(99),
    'latency-max': stats.completed > 0 ? stats.latencyMaxNs : null,
    'load-cv': coefficientOfVariation(served),
    'migrations': c !== null ? migrations : null,
    'migration-rtt-mean': migrations > 0 ? nics.reduce((a, n) => a + n.migrationRttSumNs, 0) / migrations : null,
    'broken-connections': c !== null ? nics.reduce((a, n) => a + n.broken, 0) : null,
    'suspicions': c !== null ? nics.reduce((a, n) => a + n.detector.suspicions, 0) : null,
    'false-deaths': c !== null ? nics.reduce((a, n) => a + n.detector.forgottenWhileUp, 0) : null,
    'open-connections': net.openConnections,
    'tcp-segments': isTcp(sim) ? tcp.segments : null,
    'tcp-retransmits': isTcp(sim) ? tcp.retransmits : null,
    'drops': dropped,
    'conserved': net.conservationError() === null ? 1 : 0,
    'hops': sim.topo.hops(),
    'events': net.sim.executed,
    'sim-time': net.now,
  };
  for (const k of METRIC_NAMES) if (m[k] === undefined) throw new Error(`metric ${k} is not measured`);
  return m as Metrics;
}

/** Whether the run's workload is TCP (the TCP measures are null otherwise). */
function isTcp(sim: Simulation): boolean {
  return sim.scenario.workload.transport === 'tcp';
}

export type { MetricName };
