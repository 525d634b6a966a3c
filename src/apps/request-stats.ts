/**
 * RequestStats: the counters and request latencies that the TCP clients
 * and servers of one workload share (TcpRequestClient, TcpServerApp).
 *
 * Invariants: issued = completed + failed + inFlight() (a failed request is
 * counted with its reason, never lost); at the end of a clean run
 * responseBytesReceived = responseBytesSent and
 * requestBytesReceived = requestBytesSent.
 *
 * Latencies go into a LatencyHistogram (percentiles within 0.39% of the
 * exact nearest-rank value, constant memory however many requests run);
 * count, sum and max are exact. Observers that need each latency subscribe
 * to `latencyTrace`.
 *
 * Cost: O(1) per request and no allocation.
 */
import { LatencyHistogram } from '../metrics/latency-histogram';
import { TraceSource } from '../net/trace-source';


/** Why a request failed: a socket error, the server closing first, or the client stopping. */
export type RequestFailure = 'timeout' | 'reset' | 'refused' | 'peer-closed' | 'deadline' | 'stopped';

export class RequestStats {
  // Client side.
  issued = 0;
  /** When the last request was issued, ns. */
  lastIssueAt = 0;
  completed = 0;
  failed = 0;
  readonly failuresBy: Record<RequestFailure, number> = { timeout: 0, reset: 0, refused: 0, 'peer-closed': 0, deadline: 0, stopped: 0 };
  requestBytesSent = 0;
  responseBytesReceived = 0;
  connectionsOpened = 0;
  connectionsEstablished = 0;
  /** Client connections fully closed (FIN both ways). */
  connectionsClosed = 0;
  /** Client connections that ended in an error (with or without a request on them). */
  connectionErrors = 0;
  /** Responses whose reqId matched no outstanding request. */
  unmatchedResponses = 0;

  // Server side.
  requestsReceived = 0;
  requestBytesReceived = 0;
  responsesSent = 0;
  responseBytesSent = 0;
  /** Served requests whose connection was gone (closed, reset, migrated away) when the CPU finished. */
  responsesAbandoned = 0;
  serverConnectionsAccepted = 0;
  serverConnectionsClosed = 0;
  serverErrors = 0;
  /** Messages a server received that were not requests. */
  unknownMessages = 0;

  // Latency (issue -> complete response), ns.
  latencySumNs = 0;
  latencyMaxNs = 0;
  readonly latency = new LatencyHistogram();
  /** Each latency as it is recorded (ns). */
  readonly latencyTrace = new TraceSource<[number]>('latency');
  /** A request was issued, at the time given, ns (the runner reads the balancer's busy time while load is offered). */
  readonly issueTrace = new TraceSource<[number]>('issue');
  /** A request was issued, completed or failed (the runner's stop rule listens). */
  readonly progressTrace = new TraceSource<[]>('requests');

  /** Count a request issued now. */
  recordIssue(now: number): void {
    this.issued++;
    this.lastIssueAt = now;
    if (this.issueTrace.active) this.issueTrace.fire(now);
    if (this.progressTrace.active) this.progressTrace.fire();
  }

  recordLatency(ns: number): void {
    this.completed++;
    this.latencySumNs += ns;
    if (ns > this.latencyMaxNs) this.latencyMaxNs = ns;
    this.latency.record(ns);
    if (this.latencyTrace.active) this.latencyTrace.fire(ns);
    if (this.progressTrace.active) this.progressTrace.fire();
  }

  recordFailure(reason: RequestFailure): void {
    this.failed++;
    this.failuresBy[reason]++;
    if (this.progressTrace.active) this.progressTrace.fire();
  }

  /** Requests issued and not yet completed or failed. */
  inFlight(): number {
    return this.issued - this.completed - this.failed;
  }

  /** Mean latency, ns (null: nothing completed). */
  meanLatencyNs(): number | null {
    return this.completed > 0 ? this.latencySumNs / this.completed : null;
  }

  /** The q-th percentile (0-100, nearest rank, within the histogram's 0.39%), ns; null when nothing completed. */
  percentileNs(q: number): number | null {
    return this.latency.percentile(q);
  }
}
