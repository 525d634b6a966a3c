/**
 * TcpWorkloadStats: the counters and request latencies that the TCP clients
 * and servers of one workload share (TcpRequestClient, TcpServerApp).
 *
 * Invariants: issued = completed + failed + inFlight() (a failed request is
 * counted with its reason, never lost); at the end of a clean run
 * responseBytesReceived = responseBytesSent and
 * requestBytesReceived = requestBytesSent.
 *
 * Cost: O(1) per request; latencies go into a Float64Array grown by
 * doubling (8 B per request; `keepLatencies = false` keeps only sum and
 * max). Percentiles sort a copy once and reuse it until new latencies come.
 */

/** Why a request failed: a socket error, the server closing first, or the client stopping. */
export type RequestFailure = 'timeout' | 'reset' | 'refused' | 'peer-closed' | 'stopped';

export class TcpWorkloadStats {
  // Client side.
  issued = 0;
  completed = 0;
  failed = 0;
  readonly failuresBy: Record<RequestFailure, number> = { timeout: 0, reset: 0, refused: 0, 'peer-closed': 0, stopped: 0 };
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
  /** Called with each latency as it is recorded (null: off). */
  onLatency: ((ns: number) => void) | null = null;
  private lat = new Float64Array(1024);
  private nLat = 0;
  private sorted: Float64Array | null = null;

  constructor(readonly keepLatencies = true) {}

  recordLatency(ns: number): void {
    this.completed++;
    this.latencySumNs += ns;
    if (ns > this.latencyMaxNs) this.latencyMaxNs = ns;
    if (this.keepLatencies) {
      if (this.nLat === this.lat.length) {
        const next = new Float64Array(this.lat.length * 2);
        next.set(this.lat);
        this.lat = next;
      }
      this.lat[this.nLat++] = ns;
      this.sorted = null;
    }
    if (this.onLatency !== null) this.onLatency(ns);
  }

  recordFailure(reason: RequestFailure): void {
    this.failed++;
    this.failuresBy[reason]++;
  }

  /** Requests issued and not yet completed or failed. */
  inFlight(): number {
    return this.issued - this.completed - this.failed;
  }

  /** Recorded latencies in completion order (a view; empty when not kept). */
  latencies(): Float64Array {
    return this.lat.subarray(0, this.nLat);
  }

  meanLatencyNs(): number {
    return this.completed > 0 ? this.latencySumNs / this.completed : 0;
  }

  /** The p-th percentile (0-100, nearest rank) of the recorded latencies, ns; NaN when none. */
  percentileNs(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100], got ${p}`);
    if (!this.keepLatencies) throw new Error('percentile: latencies are not kept (constructed with keepLatencies = false)');
    if (this.nLat === 0) return NaN;
    if (this.sorted === null) this.sorted = this.latencies().slice().sort();
    return percentileOfSorted(this.sorted, p);
  }
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% at or below it. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1];
}
