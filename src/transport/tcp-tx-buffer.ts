/**
 * The send buffer and its SACK scoreboard (RFC 6675), with the behaviour of
 * ns-3 3.37's TcpTxBuffer, so that the same losses lead to the same
 * retransmissions in both simulators:
 *
 * - Sent data is a list of items, one per transmission. A retransmission
 *   starting inside an item splits it; one spanning items merges them
 *   (never across a SACKed item or a different lost mark).
 * - A SACK block marks an item only when it covers the whole item.
 * - Once `dupThresh` (3) items above an unSACKed one are SACKed, the
 *   unSACKed one is lost, and so is the head (`updateLostCount`).
 * - NextSeg: (1) the first lost item not yet retransmitted, (2) new data
 *   if the peer's window allows, (3) during recovery the first item neither
 *   SACKed nor retransmitted, even one not deemed lost (ns-3 does not check
 *   it lies below the highest SACK), (4) no rescue retransmission.
 * - In flight ("pipe") = sent - (SACKed + lost) + retransmitted bytes.
 * - Without SACK, duplicate ACKs stand in for SACKs of the next item
 *   (`addRenoSack`, RFC 6582's view of the window).
 *
 * Everything is a plain record (TxBuffer in tcb.ts) so that it migrates
 * with the connection. The highest SACKed item is held by reference, as
 * ns-3 holds an iterator; structuredClone keeps the reference intact.
 *
 * Cost: O(items) per ACK with SACK blocks, per NextSeg and per loss mark;
 * items are at most a window's worth of segments.
 */
import type { TxBuffer, TxItem } from './tcb';

export function newTxBuffer(head: number, maxSize: number): TxBuffer {
  return { head, size: 0, sentSize: 0, items: [], sackedOut: 0, lostOut: 0, retransOut: 0, highestSack: null, highestSackSeq: 0, maxSize };
}

export function txTail(b: TxBuffer): number {
  return b.head + b.size;
}

export function txAvailable(b: TxBuffer): number {
  return b.maxSize - b.size;
}

/** Bytes from `seq` to the end of the buffer (0 when `seq` is past it). */
export function sizeFromSeq(b: TxBuffer, seq: number): number {
  const tail = b.head + b.size;
  return tail >= seq ? tail - seq : 0;
}

/** Set the first sequence number (at the handshake, before any data). */
export function setHead(b: TxBuffer, seq: number): void {
  b.head = seq;
  if (b.items.length > 0) b.items[0].start = seq;
  b.highestSack = null;
  b.highestSackSeq = 0;
}

/** Append `bytes` written by the application; false when they do not fit. */
export function txAdd(b: TxBuffer, bytes: number): boolean {
  if (bytes > b.maxSize - b.size) return false;
  b.size += bytes;
  return true;
}

function split(b: TxBuffer, idx: number, size: number): TxItem {
  const t2 = b.items[idx];
  const t1: TxItem = { start: t2.start, len: size, sacked: t2.sacked, lost: t2.lost, retrans: t2.retrans, rateSent: false, lastSent: t2.lastSent };
  t2.start += size;
  t2.len -= size;
  b.items.splice(idx, 0, t1);
  return t1;
}

function merge(b: TxBuffer, idx: number): void {
  const t1 = b.items[idx];
  const t2 = b.items[idx + 1];
  if (t1.retrans !== t2.retrans) {
    if (t1.retrans) {
      b.retransOut -= t1.len;
      t1.retrans = false;
    } else {
      b.retransOut -= t2.len;
      t2.retrans = false;
    }
  }
  if (t1.lastSent < t2.lastSent) t1.lastSent = t2.lastSent;
  t1.len += t2.len;
  b.items.splice(idx + 1, 1);
}

/** The sent item that starts at `seq` and holds `numBytes`, splitting or merging items to make it. */
function itemFor(b: TxBuffer, numBytes: number, seq: number): TxItem {
  for (;;) {
    const items = b.items;
    let begin = b.head;
    let i = 0;
    while (i < items.length && seq >= begin + items[i].len) begin += items[i++].len;
    if (i === items.length) throw new Error(`tcp tx buffer: no sent data at ${seq}`);
    const cur = items[i];
    if (seq > begin) {
      split(b, i, seq - begin);
      continue;
    }
    if (seq + numBytes <= begin + cur.len) {
      if (numBytes === cur.len) return cur;
      return split(b, i, numBytes);
    }
    if (i + 1 === items.length) return cur;
    merge(b, i);
  }
}

/**
 * The item to transmit for [seq, seq + numBytes) (ns-3's CopyFromSequence):
 * a new item for unsent data, an old one (marked retransmitted) otherwise;
 * a range straddling both returns only its sent part. null: nothing there.
 */
export function copyFromSequence(b: TxBuffer, numBytes: number, seq: number, now: number): TxItem | null {
  for (;;) {
    const s = Math.min(numBytes, sizeFromSeq(b, seq));
    if (s === 0) return null;
    const sentEnd = b.head + b.sentSize;
    let out: TxItem;
    if (sentEnd >= seq + s) {
      out = transmitted(b, s, seq);
    } else if (sentEnd <= seq) {
      if (sentEnd !== seq) throw new Error(`tcp tx buffer: new data requested at ${seq} with a hole after ${sentEnd}`);
      out = { start: sentEnd, len: s, sacked: false, lost: false, retrans: false, rateSent: false, lastSent: now };
      b.items.push(out);
      b.sentSize += s;
    } else {
      numBytes = sentEnd - seq;
      continue;
    }
    out.lastSent = now;
    return out;
  }
}

function transmitted(b: TxBuffer, numBytes: number, seq: number): TxItem {
  let s = numBytes;
  const items = b.items;
  for (let i = 0; i < items.length; i++) {
    if (items[i].start !== seq) continue;
    const next = items[i + 1];
    if (next !== undefined && !next.sacked && items[i].lost === next.lost) s = Math.min(s, items[i].len + next.len);
    else s = Math.min(s, items[i].len);
    break;
  }
  const item = itemFor(b, s, seq);
  if (!item.retrans) {
    b.retransOut += item.len;
    item.retrans = true;
  }
  return item;
}

function removeFromCounts(b: TxBuffer, item: TxItem, size: number): void {
  if (item.sacked) b.sackedOut -= size;
  if (item.retrans) b.retransOut -= size;
  if (item.lost) b.lostOut -= size;
}

/** Whether a retransmitted, unSACKed item ends exactly at `ack`. */
export function isRetransmittedDataAcked(b: TxBuffer, ack: number): boolean {
  for (const it of b.items) if (it.start + it.len === ack && !it.sacked && it.retrans) return true;
  return false;
}

/**
 * The peer acknowledged everything below `seq`: drop it from the buffer.
 * Returns the bytes of whole items delivered for the first time.
 */
export function discardUpTo(b: TxBuffer, seq: number, now: number): number {
  if (b.head >= seq) return 0;
  let delivered = 0;
  let offset = seq - b.head;
  while (b.size > 0 && offset > 0) {
    if (b.items.length === 0) copyFromSequence(b, offset, b.head, now);
    const item = b.items[0];
    if (offset >= item.len) {
      const n = item.len;
      b.size -= n;
      b.sentSize -= n;
      offset -= n;
      b.head += n;
      removeFromCounts(b, item, n);
      b.items.shift();
      if (item.rateSent) {
        delivered += n;
        item.rateSent = false;
      }
    } else {
      item.start += offset;
      item.len -= offset;
      b.size -= offset;
      b.sentSize -= offset;
      b.head += offset;
      removeFromCounts(b, item, offset);
      break;
    }
  }
  if (b.size === 0) b.head = seq;
  if (b.items.length > 0) {
    const h = b.items[0];
    if (h.sacked) {
      // The head cannot be SACKed: a guess from duplicate ACKs was wrong.
      h.sacked = false;
      b.sackedOut -= h.len;
      addRenoSack(b);
      markHeadAsLost(b);
    }
  }
  if (b.highestSackSeq <= b.head) {
    b.highestSack = null;
    b.highestSackSeq = 0;
  }
  return delivered;
}

/**
 * Record the SACK blocks of an ACK (unwrapped [start, end) pairs). Returns
 * the bytes newly SACKed; `out.delivered` gains those delivered for the
 * first time.
 */
export function updateSack(b: TxBuffer, blocks: readonly number[], dupThresh: number, out: { delivered: number }): number {
  let bytesSacked = 0;
  for (let k = 0; k + 1 < blocks.length; k += 2) {
    const first = blocks[k];
    const second = blocks[k + 1];
    if (b.head + b.sentSize < first) return bytesSacked; // as ns-3: the loss count is not updated then
    let begin = b.head;
    for (const item of b.items) {
      const n = item.len;
      if (begin >= first && begin + n <= second) {
        if (!item.sacked) {
          if (item.lost) {
            item.lost = false;
            b.lostOut -= n;
          }
          item.sacked = true;
          b.sackedOut += n;
          bytesSacked += n;
          if (b.highestSack === null || b.highestSackSeq <= begin + n) {
            b.highestSack = item;
            b.highestSackSeq = begin;
          }
          if (item.rateSent) {
            out.delivered += n;
            item.rateSent = false;
          }
        }
      } else if (begin + n > second) {
        break;
      }
      begin += n;
    }
  }
  if (bytesSacked > 0) updateLostCount(b, dupThresh);
  return bytesSacked;
}

function updateLostCount(b: TxBuffer, dupThresh: number): void {
  const items = b.items;
  let sacked = 0;
  const top = b.highestSack === null ? items.length - 1 : items.indexOf(b.highestSack);
  for (let k = top; k > 0; k--) {
    const item = items[k];
    if (item.sacked) sacked++;
    if (sacked >= dupThresh && !item.sacked && !item.lost) {
      item.lost = true;
      b.lostOut += item.len;
    }
  }
  if (sacked >= dupThresh && items.length > 0 && !items[0].lost) {
    items[0].lost = true;
    b.lostOut += items[0].len;
  }
}

/** RFC 6675 IsLost as ns-3 evaluates it: the first marked item at or after `seq` decides. */
export function isLost(b: TxBuffer, seq: number): boolean {
  if (seq >= b.highestSackSeq) return false;
  let begin = b.head;
  for (const item of b.items) {
    if (begin >= seq) {
      if (item.lost) return true;
      if (item.sacked) return false;
    }
    begin += item.len;
  }
  return false;
}

/**
 * RFC 6675 NextSeg as ns-3 implements it; writes [seq, seqHigh) into `out`
 * and returns true, or false when there is nothing to send.
 */
export function nextSeg(b: TxBuffer, isRecovery: boolean, segSize: number, rWnd: number, out: [number, number]): boolean {
  let rule3 = -1;
  let begin = b.head;
  for (const item of b.items) {
    if (!item.retrans && !item.sacked) {
      if (item.lost) {
        out[0] = begin;
        out[1] = begin + segSize;
        return true;
      }
      if (rule3 < 0 && isRecovery) rule3 = begin;
    }
    begin += item.len;
  }
  if (sizeFromSeq(b, b.head + b.sentSize) > 0) {
    if (b.sentSize > rWnd) return false;
    out[0] = b.head + b.sentSize;
    out[1] = out[0] + Math.min(segSize, rWnd - b.sentSize);
    return true;
  }
  if (rule3 >= 0) {
    out[0] = rule3;
    out[1] = rule3 + segSize;
    return true;
  }
  return false;
}

export function bytesInFlight(b: TxBuffer): number {
  return b.sentSize - (b.sackedOut + b.lostOut) + b.retransOut;
}

/** After an RTO: every sent item not SACKed is lost (and, without SACK, the guesses are forgotten). */
export function setSentListLost(b: TxBuffer, resetSack: boolean): void {
  b.retransOut = 0;
  if (resetSack) {
    b.sackedOut = 0;
    b.lostOut = b.sentSize;
    b.highestSack = null;
    b.highestSackSeq = 0;
  } else {
    b.lostOut = 0;
  }
  for (const item of b.items) {
    if (resetSack) {
      item.sacked = false;
      item.lost = true;
    } else if (item.lost) {
      b.lostOut += item.len;
    } else if (!item.sacked) {
      item.lost = true;
      b.lostOut += item.len;
    }
    item.retrans = false;
  }
}

export function isHeadRetransmitted(b: TxBuffer): boolean {
  return b.sentSize > 0 && b.items[0].retrans;
}

export function markHeadAsLost(b: TxBuffer): void {
  const h = b.items[0];
  if (h === undefined) return;
  if (h.sacked) {
    h.sacked = false;
    b.sackedOut -= h.len;
  }
  if (h.retrans) {
    h.retrans = false;
    b.retransOut -= h.len;
  }
  if (!h.lost) {
    h.lost = true;
    b.lostOut += h.len;
  }
}

/** A duplicate ACK without SACK: one more item (never the head) has left the network. */
export function addRenoSack(b: TxBuffer): void {
  const items = b.items;
  let i = 1;
  while (i < items.length && items[i].sacked) i++;
  if (i < items.length) {
    items[i].sacked = true;
    b.sackedOut += items[i].len;
    b.highestSack = items[i];
    b.highestSackSeq = items[i].start;
  }
}

export function resetRenoSack(b: TxBuffer): void {
  b.sackedOut = 0;
  for (const item of b.items) item.sacked = false;
  b.highestSack = null;
  b.highestSackSeq = 0;
}

/** Move the last sent item back to unsent (a zero-window probe took its place). */
export function resetLastSegmentSent(b: TxBuffer): void {
  const item = b.items.pop();
  if (item === undefined) return;
  b.sentSize -= item.len;
  if (item.retrans) b.retransOut -= item.len;
  if (item.sacked) b.sackedOut -= item.len;
  if (item.lost) b.lostOut -= item.len;
}
