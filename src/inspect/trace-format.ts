/**
 * The visualizer's trace format: what the FrameLog records and the page
 * replays, as columns of typed arrays (posted from the worker as
 * transferable buffers, never one object per event).
 *
 * Events, in engine order (index = global position):
 *   TX       a frame was handed to a device (it waits there until PHY)
 *   PHY      it starts on the medium; `y` is its arrival time at the far end
 *   SEND     TX and PHY at once (the device was idle): one event, not two
 *   ARR      it reached a device at the far end (`x`: that device; `y`: FINAL
 *            when it is consumed there on arrival: ARP, a datagram for that
 *            node, a broadcast a switch only copies)
 *   DROP     the packet ended without delivery (`x`: DropReason; where: detail)
 *   END      a TCP layer took the segment (a host's or a smart NIC's engine)
 *   NIC_*    the smart NIC's steps (receive, look-up, decide, keep, forward, migrated)
 *   REQUEST  a server application got a whole request
 * Frames (index = global position), one per device hand-over: the packet's
 * fields that filters, the event list and the figures read.
 *
 * Invariants: `node` is a NetworkMap node index (-1: unknown); `frame` is the
 * packet's current frame (-1: none); a frame's t0/t1 are those of its PHY
 * event (NaN before it); `exec` is the engine's executed count when the
 * event was recorded, so a replay can reach that moment.
 */

export const Ev = {
  TX: 1, PHY: 2, ARR: 3, DROP: 4, END: 5,
  NIC_RX: 6, NIC_LOOKUP: 7, NIC_DECIDE: 8, NIC_LOCAL: 9, NIC_FWD: 10, NIC_MIGRATED: 11,
  REQUEST: 12, SEND: 13,
} as const;
export type EvKind = (typeof Ev)[keyof typeof Ev];
export const EV_NAMES: Record<number, string> = {
  1: 'handed to device', 2: 'transmit', 3: 'arrive', 4: 'drop', 5: 'to TCP',
  6: 'NIC receive', 7: 'NIC look-up', 8: 'NIC decide', 9: 'NIC keep', 10: 'NIC forward', 11: 'NIC migrated', 12: 'request served', 13: 'transmit',
};
/** Short kind names (filters, CLI). */
export const EV_KEYS: Record<number, string> = {
  1: 'tx', 2: 'phy', 3: 'arr', 4: 'drop', 5: 'end', 6: 'nic-receive', 7: 'nic-lookup', 8: 'nic-decision', 9: 'nic-local',
  10: 'nic-forward', 11: 'nic-migrated', 12: 'request', 13: 'send',
};

/** ARR flag (in `y`): the packet is consumed at the device it reached. */
export const FINAL = 1;

export type ColType = 'f64' | 'i32' | 'u32' | 'u16' | 'u8';
export type Columns<S extends Record<string, ColType>> = { [K in keyof S]: S[K] extends 'f64' ? Float64Array
  : S[K] extends 'i32' ? Int32Array : S[K] extends 'u32' ? Uint32Array : S[K] extends 'u16' ? Uint16Array : Uint8Array };

export const EVENT_SCHEMA = { t: 'f64', kind: 'u8', pid: 'i32', frame: 'i32', node: 'i32', x: 'i32', y: 'f64', exec: 'u32' } as const;
export const FRAME_SCHEMA = {
  tq: 'f64', t0: 'f64', t1: 'f64', dev: 'i32', to: 'i32', pid: 'i32', prev: 'i32', conn: 'i32', role: 'u8', ctl: 'u8',
  etherType: 'u16', protocol: 'u8', srcIp: 'u32', dstIp: 'u32', sport: 'u16', dport: 'u16', tcpFlags: 'u8', payload: 'u32',
  bytes: 'u32', lan: 'u8', pathFlags: 'u8',
} as const;
export const RESPONSE_SCHEMA = { t: 'f64', bypassed: 'u8', seen: 'u8' } as const;
export const LATENCY_SCHEMA = { t: 'f64', ns: 'f64' } as const;
export const SERVED_SCHEMA = { t: 'f64', server: 'i32' } as const;

export type EventCols = Columns<typeof EVENT_SCHEMA>;
export type FrameCols = Columns<typeof FRAME_SCHEMA>;

/** A connection the trace names: its client end point and the server port. */
export interface ConnInfo { clientIp: number; clientPort: number }

/** Per-event details of the rarer kinds (decisions, migrations, requests, drops). */
export type Detail =
  | { kind: 'decision'; chosen: number; candidates: number[]; loads: number[]; ownLoad: number; peers: { server: number; load: number; at: number; via: string }[] }
  | { kind: 'migrated'; owner: number; rttNs: number }
  | { kind: 'request'; reqId: number; clientId: number; conn: number }
  | { kind: 'drop'; where: string; reason: string }
  | { kind: 'lookup'; holder: number; migrating: boolean };

/** One batch of the trace, as the worker posts it. */
export interface TraceChunk {
  /** Global index of the first event and frame of this chunk. */
  eventBase: number;
  frameBase: number;
  events: { n: number; cols: EventCols };
  frames: { n: number; cols: FrameCols };
  /** Connections first seen in this chunk (ids continue from the previous chunk). */
  conns: ConnInfo[];
  details: [number, Detail][];
  responses: { n: number; cols: Columns<typeof RESPONSE_SCHEMA> };
  latencies: { n: number; cols: Columns<typeof LATENCY_SCHEMA> };
  served: { n: number; cols: Columns<typeof SERVED_SCHEMA> };
  /** Simulated time and engine events executed when the chunk was cut. */
  now: number;
  executed: number;
}

const CTORS = { f64: Float64Array, i32: Int32Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array } as const;

/**
 * A growable column store: rows appended one at a time (the recorder) or a
 * chunk at a time (the page); capacity doubles, so appending is amortised
 * O(1) and reading is a typed-array index.
 */
export class Table<S extends Record<string, ColType>> {
  cols: Columns<S>;
  n = 0;
  private cap: number;

  constructor(readonly schema: S, capacity = 1024) {
    this.cap = capacity;
    this.cols = this.alloc(capacity);
  }

  private alloc(cap: number): Columns<S> {
    const out: Record<string, ArrayLike<number>> = {};
    for (const [k, t] of Object.entries(this.schema)) out[k] = new CTORS[t as ColType](cap);
    return out as unknown as Columns<S>;
  }

  /** Make room for `extra` more rows. */
  reserve(extra: number): void {
    if (this.n + extra <= this.cap) return;
    let cap = this.cap;
    while (cap < this.n + extra) cap *= 2;
    const next = this.alloc(cap);
    for (const k of Object.keys(this.schema)) {
      (next[k] as unknown as { set(a: ArrayLike<number>): void }).set((this.cols[k] as unknown as { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, this.n));
    }
    this.cols = next;
    this.cap = cap;
  }

  /** Index of a new row (its cells are whatever was there: the caller fills every column). */
  push(): number {
    if (this.n === this.cap) this.reserve(1);
    return this.n++;
  }

  /** Rows [0, n) as fresh arrays (transferable), and the table emptied. */
  take(): { n: number; cols: Columns<S> } {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(this.schema)) out[k] = (this.cols[k] as unknown as { slice(a: number, b: number): unknown }).slice(0, this.n);
    const n = this.n;
    this.n = 0;
    return { n, cols: out as Columns<S> };
  }

  /** Release the spare capacity (once no more rows will come). */
  compact(): void {
    if (this.cap === this.n) return;
    const next = this.alloc(Math.max(1, this.n));
    for (const k of Object.keys(this.schema)) {
      (next[k] as unknown as { set(a: ArrayLike<number>): void }).set((this.cols[k] as unknown as { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, this.n));
    }
    this.cols = next;
    this.cap = Math.max(1, this.n);
  }

  /** Append the rows of a chunk taken from a table of the same schema. */
  append(chunk: { n: number; cols: Columns<S> }): void {
    this.reserve(chunk.n);
    for (const k of Object.keys(this.schema)) {
      (this.cols[k] as unknown as { set(a: ArrayLike<number>, o: number): void }).set(chunk.cols[k] as unknown as ArrayLike<number>, this.n);
    }
    this.n += chunk.n;
  }
}

/** The buffers of a chunk, for postMessage's transfer list. */
export function chunkBuffers(c: TraceChunk): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const t of [c.events, c.frames, c.responses, c.latencies, c.served]) {
    for (const a of Object.values(t.cols)) out.push((a as { buffer: ArrayBuffer }).buffer);
  }
  return out;
}
