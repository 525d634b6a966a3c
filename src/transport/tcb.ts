/**
 * Tcb: the transmission control block of one TCP connection, as a plain
 * serialisable record (numbers, strings, arrays, plain objects) so that it
 * can be exported from one host and imported into another without losing a
 * byte: the cluster migrates connections exactly this way.
 *
 * Sequence numbers are kept unwrapped (plain growing numbers from the ISS);
 * segments carry them modulo 2^32, and `unwrap` maps a wire value back to
 * the unwrapped number nearest a reference, as a real stack's 32-bit
 * arithmetic does.
 *
 * Application bytes are counted, not stored. Applications may attach a
 * message (any serialisable value) to the end of a write; it rides on the
 * segment carrying that last byte and is handed to the peer when that byte
 * is delivered in order (`marks`).
 */

export type TcpState =
  | 'CLOSED' | 'LISTEN' | 'SYN_SENT' | 'SYN_RCVD' | 'ESTABLISHED' | 'FIN_WAIT_1' | 'FIN_WAIT_2'
  | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT';

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

export interface Tcb {
  localIp: number;
  localPort: number;
  remoteIp: number;
  remotePort: number;
  state: TcpState;
  mss: number;
  /** Initial send / receive sequence numbers. */
  iss: number;
  irs: number;
  sndUna: number;
  sndNxt: number;
  /** Highest sequence number sent so far, plus one (sndNxt falls back on a timeout). */
  sndMax: number;
  /** Sequence number just past the last byte the application wrote. */
  sndBufEnd: number;
  /** The application closed: a FIN follows the last byte (at seq sndBufEnd). */
  finQueued: boolean;
  /** Peer's advertised window, bytes. */
  sndWnd: number;
  rcvNxt: number;
  rcvWnd: number;
  /** Sequence number of the peer's FIN once seen (-1: not yet). */
  peerFinSeq: number;
  outOfOrder: TcpRange[];
  /** Marks written by our application, not yet acknowledged. */
  sendMarks: TcpMark[];
  // Retransmission (RFC 6298), ns.
  srtt: number;
  rttvar: number;
  rto: number;
  retries: number;
  /** Sequence number being timed (-1: none) and when it was sent. */
  rttSeq: number;
  rttSentAt: number;
  dupAcks: number;
  /** In-order data segments received and not yet acknowledged (delayed ACK). */
  unackedSegments: number;
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

/** A deep copy of a TCB (what export and import exchange). */
export function cloneTcb(t: Tcb): Tcb {
  return structuredClone(t);
}
