/**
 * TraceLog: a recorded trace put back together from its chunks, with the
 * links a reader needs: each frame's start and arrival (from its PHY event),
 * the device each arrival reached, each frame's next frame of the same
 * packet, the last event of each packet, the connections, and the details
 * of the rarer events. The page keeps one per run; the figure command and
 * the tests build one from a FrameLog directly.
 *
 * Invariants: events and frames are in recording (engine) order; after
 * `append`, every column is filled for the rows received so far.
 * Cost: O(rows) per chunk; memory about 60 bytes per event and 70 per frame.
 */
import {
  Ev, EVENT_SCHEMA, FRAME_SCHEMA, LATENCY_SCHEMA, RESPONSE_SCHEMA, SERVED_SCHEMA, Table, type ConnInfo, type Detail, type TraceChunk,
} from './trace-format';

export class TraceLog {
  readonly events = new Table(EVENT_SCHEMA, 4096);
  readonly frames = new Table(FRAME_SCHEMA, 2048);
  readonly responses = new Table(RESPONSE_SCHEMA, 256);
  readonly latencies = new Table(LATENCY_SCHEMA, 256);
  readonly served = new Table(SERVED_SCHEMA, 256);
  readonly conns: ConnInfo[] = [];
  readonly details = new Map<number, Detail>();
  /** Next frame of the same packet (-1: none yet), and the device each frame's first arrival reached (-1: none). */
  next: Int32Array<ArrayBuffer> = new Int32Array(2048).fill(-1);
  rxDev: Int32Array<ArrayBuffer> = new Int32Array(2048).fill(-1);
  /** Last event index of each packet id (-1: none). */
  lastEvent: Int32Array<ArrayBuffer> = new Int32Array(4096).fill(-1);
  /** Simulated time and engine events covered so far. */
  now = 0;
  executed = 0;

  append(c: TraceChunk): void {
    if (c.eventBase !== this.events.n || c.frameBase !== this.frames.n) {
      throw new Error(`trace chunk out of order: expected events from ${this.events.n} and frames from ${this.frames.n}, got ${c.eventBase} and ${c.frameBase}`);
    }
    this.frames.append(c.frames);
    this.events.append(c.events);
    this.responses.append(c.responses);
    this.latencies.append(c.latencies);
    this.served.append(c.served);
    for (const x of c.conns) this.conns.push(x);
    for (const [i, d] of c.details) this.details.set(i, d);
    this.link(c.frameBase, c.eventBase);
    this.now = c.now;
    this.executed = c.executed;
  }

  private link(frameFrom: number, eventFrom: number): void {
    const nf = this.frames.n;
    if (this.next.length < nf) {
      this.next = growFill(this.next, nf);
      this.rxDev = growFill(this.rxDev, nf);
    }
    const fc = this.frames.cols;
    for (let f = frameFrom; f < nf; f++) {
      const p = fc.prev[f];
      if (p >= 0) this.next[p] = f;
    }
    const ec = this.events.cols;
    for (let e = eventFrom; e < this.events.n; e++) {
      const kind = ec.kind[e];
      const f = ec.frame[e];
      if ((kind === Ev.PHY || kind === Ev.SEND) && f >= 0) {
        fc.t0[f] = ec.t[e];
        fc.t1[f] = ec.y[e];
      } else if (kind === Ev.ARR && f >= 0 && this.rxDev[f] < 0) this.rxDev[f] = ec.x[e];
      const pid = ec.pid[e];
      if (pid >= 0) {
        if (pid >= this.lastEvent.length) this.lastEvent = growFill(this.lastEvent, pid + 1);
        this.lastEvent[pid] = e;
      }
    }
  }

  /** The trace is complete: give back the columns' spare capacity. */
  compact(): void {
    for (const t of [this.events, this.frames, this.responses, this.latencies, this.served]) t.compact();
  }

  /** Frames of the packet whose frame is `f`, from its first up to `f`. */
  pathTo(f: number): number[] {
    const out: number[] = [];
    for (let x = f; x >= 0; x = this.frames.cols.prev[x]) out.push(x);
    return out.reverse();
  }

  /** Every frame of the packet whose frame is `f`, first to last. */
  allFrames(f: number): number[] {
    const out = this.pathTo(f);
    for (let x = this.next[f]; x >= 0; x = this.next[x]) out.push(x);
    return out;
  }

  /** Index of the first event with time > t (events [0, k) happened at or before t). */
  eventsUpTo(t: number): number {
    const ts = this.events.cols.t;
    let lo = 0, hi = this.events.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function growFill(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  let n = a.length;
  while (n < need) n *= 2;
  const b = new Int32Array(n).fill(-1);
  b.set(a);
  return b;
}
