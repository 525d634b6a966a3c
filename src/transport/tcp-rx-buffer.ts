/**
 * The receive buffer of a TCP connection, as ns-3 3.37's TcpRxBuffer for an
 * application that reads everything at once (every netsim application
 * does): in-order bytes go straight to the application, out-of-order ranges
 * wait here, trimmed against what is already held, and a new range above
 * RCV.NXT becomes the first SACK block (merged only with a block it touches,
 * at most four kept, RFC 2018's order). The application's messages ("marks")
 * ride with the bytes that end them.
 *
 * Invariant: `ooo` is sorted by start, ranges do not overlap and all lie
 * above `next`; `held` is the sum of their lengths.
 * Cost: O(ranges held) per segment; a range holds the few marks inside it.
 */
import type { RxBuffer, TcpMark, TcpRange } from './tcb';

export function newRxBuffer(maxSize: number): RxBuffer {
  return { next: 0, maxSize, ooo: [], held: 0, gotFin: false, finSeq: 0, sackList: [] };
}

/** The first sequence number the buffer cannot take. */
export function maxRxSequence(rx: RxBuffer): number {
  return rx.gotFin ? rx.finSeq : rx.next + rx.maxSize;
}

/** The peer's FIN is at `seq` (the sequence number after its last byte). */
export function setFinSequence(rx: RxBuffer, seq: number): void {
  rx.gotFin = true;
  rx.finSeq = seq;
  if (rx.next === seq) rx.next++;
}

/** The FIN has been received and every byte before it. */
export function rxFinished(rx: RxBuffer): boolean {
  return rx.gotFin && rx.finSeq < rx.next;
}

/** What `rxAdd` hands to the application. */
export interface RxDelivery {
  bytes: number;
  marks: unknown[] | null;
}

/**
 * Add the segment [seq, seq + len) carrying `marks`. Returns false when it
 * brought nothing new; otherwise the in-order bytes now ready and their
 * messages are in `out`.
 */
export function rxAdd(rx: RxBuffer, seq: number, len: number, marks: readonly TcpMark[] | null, out: RxDelivery): boolean {
  out.bytes = 0;
  out.marks = null;
  let head = seq;
  let tail = seq + len;
  if (head < rx.next) head = rx.next;
  const ooo = rx.ooo;
  if (ooo.length > 0) {
    const maxSeq = ooo[0].start + rx.maxSize;
    if (maxSeq < tail) tail = maxSeq;
    if (tail < head) head = tail;
  }
  for (let i = 0; i < ooo.length && ooo[i].start <= tail;) {
    const r = ooo[i];
    if (r.end > head) {
      if (r.start > head && r.end < tail) {
        rx.held -= r.end - r.start; // wholly inside the new segment, which replaces it
        ooo.splice(i, 1);
        continue;
      }
      if (r.start <= head) head = r.end;
      if (r.end >= tail) tail = r.start;
    }
    i++;
  }
  if (head >= tail) return false;
  const before = rx.next;
  if (head > rx.next) {
    let i = 0;
    while (i < ooo.length && ooo[i].start < head) i++;
    ooo.splice(i, 0, { start: head, end: tail, marks: marksWithin(marks, head, tail) });
    rx.held += tail - head;
    updateSackList(rx, head, tail);
    return true;
  }
  rx.next = tail;
  let delivered = collect(marks, head, tail, null);
  while (ooo.length > 0 && ooo[0].start === rx.next) {
    const r = ooo.shift()!;
    rx.held -= r.end - r.start;
    delivered = collect(r.marks, r.start, r.end, delivered);
    rx.next = r.end;
  }
  clearSackList(rx, rx.next);
  out.bytes = rx.next - before;
  out.marks = delivered;
  if (rx.gotFin && rx.next === rx.finSeq) rx.next++;
  return true;
}

function marksWithin(marks: readonly TcpMark[] | null, from: number, to: number): TcpMark[] {
  const out: TcpMark[] = [];
  if (marks !== null) for (const m of marks) if (m.end > from && m.end <= to) out.push(m);
  return out;
}

function collect(marks: readonly TcpMark[] | null, from: number, to: number, out: unknown[] | null): unknown[] | null {
  if (marks === null) return out;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i];
    if (m.end > from && m.end <= to) (out ??= []).push(m.data);
  }
  return out;
}

function updateSackList(rx: RxBuffer, head: number, tail: number): void {
  const list = rx.sackList;
  list.unshift([head, tail]);
  for (let i = 1; i < list.length; i++) {
    const b = list[0];
    const c = list[i];
    let merged: [number, number] | null = null;
    if (b[0] === c[1]) merged = [c[0], b[1]];
    else if (b[1] === c[0]) merged = [b[0], c[1]];
    if (merged !== null) {
      list.splice(i, 1);
      list[0] = merged;
      i = 0; // ns-3 restarts after the first block
    }
  }
  if (list.length > 4) list.pop();
}

function clearSackList(rx: RxBuffer, seq: number): void {
  const list = rx.sackList;
  for (let i = 0; i < list.length;) {
    if (list[i][1] <= seq) list.splice(i, 1);
    else i++;
  }
}

/** The sender's marks ending inside (from, to], or null. */
export function marksIn(marks: readonly TcpMark[], from: number, to: number): TcpMark[] | null {
  let out: TcpMark[] | null = null;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i];
    if (m.end > from && m.end <= to) (out ??= []).push(m);
    else if (m.end > to) break;
  }
  return out;
}

export type { TcpRange };
