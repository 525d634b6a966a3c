/**
 * The metric catalog: every measure a run reports, named once, with the
 * title, format and meaning the CLI tables, the CSV/JSON reports, the
 * scenario schema (`measure`) and the visualizer's charts all use.
 *
 * Values are raw (ns, bytes, fractions, counts); `null` means undefined for
 * this run (a ratio over nothing, a balancer measure without a balancer).
 * Nothing here runs per event.
 */
import type { ColumnFormat } from './report';

export const METRIC_NAMES = [
  'requests-issued', 'requests-completed', 'requests-failed', 'requests-unfinished',
  'response-bypass', 'responses-seen-not-processed', 'forward-bypass', 'forwarded-requests', 'forwarded-first-lan-bytes',
  'first-lan-bytes', 'second-lan-bytes', 'third-lan-bytes', 'first-lan-peak-utilisation',
  'balancer-busy', 'balancer-queue-max',
  'latency-mean', 'latency-p50', 'latency-p99', 'latency-max',
  'load-cv', 'migrations', 'migration-rtt-mean', 'broken-connections', 'suspicions', 'false-deaths', 'open-connections',
  'tcp-segments', 'tcp-retransmits', 'drops', 'conserved', 'hops', 'events', 'sim-time',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricDef {
  name: MetricName;
  /** Short title for tables (the unit goes apart). */
  title: string;
  format: ColumnFormat;
  unit?: string;
  description: string;
}

const def = (name: MetricName, title: string, format: ColumnFormat, description: string, unit?: string): MetricDef => ({ name, title, format, description, unit });

export const METRICS: Readonly<Record<MetricName, MetricDef>> = Object.fromEntries([
  def('requests-issued', 'requests issued', 'int', 'requests the clients issued'),
  def('requests-completed', 'requests done', 'int', 'requests whose whole response reached the client'),
  def('requests-failed', 'requests failed', 'int', 'requests that ended in an error (reset, timeout, refused, peer closed, client deadline)'),
  def('requests-unfinished', 'requests unfinished', 'int', 'requests neither completed nor failed when the run ended (a lost UDP request, a connection still open)'),
  def('response-bypass', 'response bypass', 'pct', 'response segments that reached the client without being processed by the first device of their connection, over response segments delivered'),
  def('responses-seen-not-processed', 'heard-only responses', 'int', 'response frames the first device\'s NIC heard on a hub but did not process (they still bypass it)'),
  def('forward-bypass', 'fwd bypass first LAN', 'pct', 'forwarded request segments that reached their owner without crossing a first-LAN device after being forwarded, over forwarded request segments'),
  def('forwarded-requests', 'forwarded requests', 'int', 'request segments (with payload) a first device forwarded'),
  def('forwarded-first-lan-bytes', 'fwd on first LAN', 'mb', 'IP bytes of forwarded segments that crossed the first LAN after being forwarded'),
  def('first-lan-bytes', 'first LAN', 'mb', 'bytes handed to first-LAN devices for transmission (hosts\' and switch ports)'),
  def('second-lan-bytes', 'second LAN', 'mb', 'bytes handed to second-LAN devices for transmission'),
  def('third-lan-bytes', 'third LAN', 'mb', 'bytes handed to third-LAN devices for transmission'),
  def('first-lan-peak-utilisation', 'first LAN peak busy', 'pct', 'busy fraction of the busiest first-LAN medium over the run'),
  def('balancer-busy', 'balancer busy', 'pct', 'busy fraction of the central balancer\'s processor while the clients were issuing requests'),
  def('balancer-queue-max', 'balancer queue max', 'int', 'longest queue at the central balancer\'s processor, packets'),
  def('latency-mean', 'latency mean', 'ms', 'mean request latency (issue to last response byte; UDP: round trip)'),
  def('latency-p50', 'latency p50', 'ms', 'median request latency (nearest rank, within 0.39%)'),
  def('latency-p99', 'latency p99', 'ms', '99th percentile of request latency (nearest rank, within 0.39%)'),
  def('latency-max', 'latency max', 'ms', 'longest request latency'),
  def('load-cv', 'load CV', 'float', 'coefficient of variation of the requests each server served (0: perfectly even)'),
  def('migrations', 'migrations', 'int', 'connections a smart NIC moved to another server over the back end'),
  def('migration-rtt-mean', 'migration RTT', 'ms', 'mean time from sending a migration packet to its acknowledgement'),
  def('broken-connections', 'broken connections', 'int', 'connections a first device had to give up because their owner was gone'),
  def('suspicions', 'suspicions', 'int', 'times a first device suspected a server had failed (its reports late)'),
  def('false-deaths', 'false deaths', 'int', 'times a first device forgot a server whose node was in fact up (and the connections it held with it)'),
  def('open-connections', 'open at end', 'int', 'TCP connections still open when the run ended (the drain was cut short)'),
  def('tcp-segments', 'TCP segments', 'int', 'segments every TCP (hosts\' and smart NICs\') handed to IP: data, ACKs, SYN, FIN, RST'),
  def('tcp-retransmits', 'TCP retransmits', 'int', 'segments that took sequence space (data, SYN, FIN) and started below the highest sequence number their connection had sent: retransmissions by timeout, fast retransmit or SACK recovery (as ns-3\'s tcp_bench counts them)'),
  def('drops', 'drops', 'int', 'packets dropped, all reasons (by reason in the report)'),
  def('conserved', 'conserved', 'text', '1 when every packet created was delivered, dropped with a reason or is still held'),
  def('hops', 'hops', 'int', 'frames handed to devices for transmission (ns-3\'s hop count)'),
  def('events', 'events', 'int', 'simulation events executed'),
  def('sim-time', 'simulated time', 'ms', 'simulated time when the run ended'),
].map((d) => [d.name, d])) as Record<MetricName, MetricDef>;

/** What a summary shows when the scenario does not say (`measure`). */
export const STANDARD_METRICS: readonly MetricName[] = [
  'requests-completed', 'requests-failed', 'response-bypass', 'responses-seen-not-processed', 'forward-bypass',
  'forwarded-first-lan-bytes', 'first-lan-bytes', 'second-lan-bytes', 'balancer-busy', 'balancer-queue-max',
  'latency-mean', 'latency-p99', 'tcp-retransmits', 'load-cv', 'migrations', 'migration-rtt-mean', 'open-connections', 'conserved',
];

/** The summary of a network with no cluster (the path measures need first devices). */
export const PLAIN_METRICS: readonly MetricName[] = [
  'requests-issued', 'requests-completed', 'requests-failed', 'requests-unfinished', 'latency-mean', 'latency-p50', 'latency-p99',
  'latency-max', 'tcp-retransmits', 'load-cv', 'hops', 'drops', 'open-connections', 'conserved',
];

export type Metrics = Record<MetricName, number | null>;
