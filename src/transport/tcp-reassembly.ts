/**
 * Receive-side reassembly and message marks of a TCP connection: the
 * out-of-order ranges a receiver holds (sorted by start), and the
 * application messages ("marks") that ride on the byte that ends them.
 *
 * Invariant: `outOfOrder` stays sorted by start; an exact duplicate of a
 * held range (same start, not longer) is not stored twice.
 * Cost: O(ranges held) per out-of-order segment; marks are scanned per
 * segment (a request/response segment carries at most a few).
 */
import type { TcpMark, TcpRange } from './tcb';

/** Hold the out-of-order bytes [start, end) with the marks they carry. */
export function holdOutOfOrder(ooo: TcpRange[], start: number, end: number, marks: TcpMark[] | null): void {
  let i = 0;
  while (i < ooo.length && ooo[i].start < start) i++;
  if (i < ooo.length && ooo[i].start === start && ooo[i].end >= end) return; // duplicate
  ooo.splice(i, 0, { start, end, marks: marks !== null ? marks.slice() : [] });
}

/** Marks ending inside (from, to] (a segment's or a range's), appended to `out`. */
export function collectMarks(marks: TcpMark[] | null, from: number, to: number, out: unknown[] | null): unknown[] | null {
  if (marks === null) return out;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i];
    if (m.end > from && m.end <= to) (out ??= []).push(m.data);
  }
  return out;
}

/** The sender's marks ending inside (from, to], or null. */
export function marksIn(marks: TcpMark[], from: number, to: number): TcpMark[] | null {
  let out: TcpMark[] | null = null;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i];
    if (m.end > from && m.end <= to) (out ??= []).push(m);
    else if (m.end > to) break;
  }
  return out;
}
