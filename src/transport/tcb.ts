/**
 * Tcb: the transmission control block of one TCP connection, as a plain
 * serialisable record (numbers, strings, booleans, arrays, plain objects)
 * so that it can be exported from one host and imported into another
 * without losing a byte: the cluster migrates connections exactly this way.
 * Everything a connection knows is here: the send scoreboard, the receive
 * buffer, the RTT estimator, the congestion controller's and the recovery
 * algorithm's state. The socket object adds only callbacks and timers.
 *
 * Sequence numbers are kept unwrapped (plain growing numbers from the ISS);
 * segments carry them modulo 2^32, and `unwrap` maps a wire value back to
 * the unwrapped number nearest a reference, as a real stack's 32-bit
 * arithmetic does. Unwrapped numbers are never below 0, so 0 serves as the
 * "nothing yet" mark where ns-3 starts a SequenceNumber32 at 0.
 *
 * Application bytes are counted, not stored. Applications may attach a
 * message (any serialisable value) to the end of a write; it rides on the
 * segment carrying that last byte and is handed to the peer when that byte
 * is delivered in order (`marks`).
 */

export type TcpState =
  | 'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RCVD' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2'
  | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT';

/** Order of the states as ns-3 numbers them (`m_state < ESTABLISHED` tests use it). */
export const STATE_ORDER: Readonly<Record<TcpState, number>> = {
  CLOSED: 0, LISTEN: 1, SYN_SENT: 2, SYN_RCVD: 3, ESTABLISHED: 4, CLOSE_WAIT: 5, LAST_ACK: 6,
  FIN_WAIT_1: 7, FIN_WAIT_2: 8, CLOSING: 9, TIME_WAIT: 10,
};

/** Congestion state of the sender (Linux's and ns-3's TcpCongState_t). */
export type CongState = 'open' | 'disorder' | 'cwr' | 'recovery' | 'loss';

/** A message boundary: `data` is delivered when byte `end` (exclusive) arrives. */
export interface TcpMark {
  end: number;
  data: unknown;
}

/** An out-of-order range held by the receiver, with the marks inside it. */
export interface TcpRange {
  start: number;
  end: number;
  marks: TcpMark[];
}

/**
 * One block of sent data on the scoreboard (ns-3's TcpTxItem): its first
 * sequence number and length, and what the sender believes about it.
 */
export interface TxItem {
  start: number;
  len: number;
  sacked: boolean;
  lost: boolean;
  retrans: boolean;
  /** Sent and not yet counted delivered (ns-3's rate information is valid). */
  rateSent: boolean;
  lastSent: number;
}

/**
 * The send buffer and scoreboard (RFC 6675): bytes the application wrote and
 * the peer has not acknowledged, the sent part split into items.
 */
export interface TxBuffer {
  /** SND.UNA: the first byte not acknowledged (ns-3's HeadSequence). */
  head: number;
  /** Bytes in the buffer from `head`: sent and not yet sent. */
  size: number;
  /** Bytes from `head` that have been sent at least once. */
  sentSize: number;
  items: TxItem[];
  sackedOut: number;
  lostOut: number;
  /** Bytes of items being retransmitted (counted in flight). */
  retransOut: number;
  /** The highest SACKed item (null: none) and its start sequence (0: none). */
  highestSack: TxItem | null;
  highestSackSeq: number;
  maxSize: number;
}

/** The receive buffer: what arrived out of order, the FIN, the SACK blocks to report. */
export interface RxBuffer {
  /** RCV.NXT. */
  next: number;
  maxSize: number;
  /** Out-of-order ranges (in-order data is handed to the application at once). */
  ooo: TcpRange[];
  /** Bytes held in `ooo`. */
  held: number;
  gotFin: boolean;
  finSeq: number;
  /** SACK blocks [start, end), most recent first, at most 4. */
  sackList: [number, number][];
}

/** A segment timed for an RTT sample (ns-3's RttHistory). */
export interface RttHistory {
  seq: number;
  count: number;
  time: number;
  retx: boolean;
}

export interface Tcb {
  localIp: number;
  localPort: number;
  remoteIp: number;
  remotePort: number;
  state: TcpState;
  /** Payload bytes per segment (ns-3's SegmentSize). */
  mss: number;
  /** Initial send / receive sequence numbers. */
  iss: number;
  irs: number;
  /** Next sequence number to send (ns-3's NextTxSequence). */
  sndNxt: number;
  /** Highest sequence number sent so far, plus one (ns-3's HighTxMark). */
  sndMax: number;
  /** The peer's window (scaled), bytes. */
  rWnd: number;
  /** The window we last advertised, bytes (unscaled). */
  advWnd: number;
  tx: TxBuffer;
  rx: RxBuffer;
  /** Marks written by our application, not yet acknowledged. */
  sendMarks: TcpMark[];
  /** Bytes the application wrote that wait for room in the send buffer. */
  unbuffered: number;

  // Connection life (ns-3's TcpSocketBase flags).
  connected: boolean;
  closeOnEmpty: boolean;
  closeNotified: boolean;
  synCount: number;
  dataRetrCount: number;
  delAckCount: number;
  delAckMax: number;

  // Options negotiated.
  sack: boolean;
  windowScaling: boolean;
  timestamps: boolean;
  /** Shift applied to windows we advertise / to windows the peer advertises. */
  rcvWindShift: number;
  sndWindShift: number;
  tsToEcho: number;
  rcvTsValue: number;
  /** Highest ACK number sent (RFC 7323 Last.ACK.sent). */
  highTxAck: number;
  highRxAckMark: number;
  highRxMark: number;

  // RTT (RFC 6298 with ns-3's RttMeanDeviation), ns.
  srtt: number;
  rttvar: number;
  rttSamples: number;
  rto: number;
  lastRtt: number;
  minRtt: number;
  history: RttHistory[];

  // Congestion control.
  cc: string;
  ccState: Record<string, number | boolean>;
  recovery: string;
  prrDelivered: number;
  prrOut: number;
  recoveryFlightSize: number;
  cwnd: number;
  ssThresh: number;
  congState: CongState;
  dupAcks: number;
  recover: number;
  recoverActive: boolean;
  isFirstPartialAck: boolean;
  retransDataAcked: boolean;
  bytesAckedNotProcessed: number;
  lastAckedSeq: number;
  /** Bytes in flight when last computed (ns-3's traced m_bytesInFlight, which PRR reads). */
  inFlight: number;
  /** Bytes SACKed or acknowledged for the first time, over the connection's life (ns-3's rate sample "delivered"). */
  delivered: number;

  // Counters.
  bytesSent: number;
  bytesReceived: number;
  retransmits: number;
}

export const SEQ_MOD = 2 ** 32;

/** The unwrapped sequence number nearest `ref` whose value mod 2^32 is `wire`. */
export function unwrap(wire: number, ref: number): number {
  const refWire = ref % SEQ_MOD;
  let d = wire - refWire;
  if (d > SEQ_MOD / 2) d -= SEQ_MOD;
  else if (d < -SEQ_MOD / 2) d += SEQ_MOD;
  return ref + d;
}

/** The on-wire value of an unwrapped sequence number, in [0, 2^32). */
export function wrap(seq: number): number {
  const w = seq % SEQ_MOD;
  return w < 0 ? w + SEQ_MOD : w;
}

/**
 * A deep copy of a TCB (what export and import exchange), equal to what
 * structuredClone gives (a test holds it to that, and to sharing no object
 * with the original) at a fraction of its cost: its serializer round trip
 * took ~19 us a TCB, 1.2% of the comparison run under nic-forward. Written
 * out per part so that each is one object-literal copy; `tx.highestSack`
 * stays one of the copied items, as structuredClone keeps shared references.
 * Application data on marks may be anything: structuredClone copies it.
 */
export function cloneTcb(t: Tcb): Tcb {
  const tx = t.tx;
  const items = tx.items.map((i) => ({ ...i }));
  const hs = tx.highestSack === null ? -1 : tx.items.indexOf(tx.highestSack);
  return {
    ...t,
    tx: { ...tx, items, highestSack: hs >= 0 ? items[hs] : tx.highestSack === null ? null : { ...tx.highestSack } },
    rx: {
      ...t.rx,
      ooo: t.rx.ooo.map((r) => ({ ...r, marks: r.marks.map(copyMark) })),
      sackList: t.rx.sackList.map(([a, b]) => [a, b] as [number, number]),
    },
    sendMarks: t.sendMarks.map(copyMark),
    history: t.history.map((h) => ({ ...h })),
    ccState: { ...t.ccState },
  };
}

function copyMark(m: TcpMark): TcpMark {
  const d = m.data;
  return { end: m.end, data: typeof d === 'object' && d !== null ? structuredClone(d) : d };
}

/** C's uint32 arithmetic, where ns-3's results depend on it. */
export function u32(x: number): number {
  return x >>> 0;
}
