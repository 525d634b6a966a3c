/**
 * CoDel: the controlled-delay state machine of one queue (RFC 8289), in
 * ns-3 3.37's arithmetic (CoDelQueueDisc), which follows the Linux kernel:
 *
 * - time is an unsigned 32-bit count of 1,024 ns units (ns >> 10, CODEL_SHIFT);
 *   target 5 ms = 4,882 units, interval 100 ms = 97,656 units;
 * - a packet may be dropped when its sojourn time is at or above target and
 *   the queue still holds at least `minBytes` (1,500) after it, and this has
 *   lasted since `firstAboveTime` (set to now + interval when it began);
 * - entering the dropping state drops one packet and sets count to 1, or to
 *   count - lastcount when the last dropping state ended less than 16
 *   intervals ago and that difference is over 1; while dropping, each time
 *   now reaches drop_next one more packet is dropped, count grows, and
 *   drop_next = drop_next + interval / sqrt(count), with 1/sqrt(count) kept
 *   as a 16-bit fixed-point value refined by one Newton step per change;
 * - comparisons are plain signed differences of the 32-bit values (as ns-3,
 *   not the kernel's wrap-safe ones).
 *
 * ECN: ns-3 marks instead of dropping when UseEcn is on and the packet is
 * ECN-capable. netsim's packets carry no ECN codepoint (ns-3's own TCP and
 * UDP send Not-ECT by default), so marking never succeeds and CoDel drops,
 * which is what ns-3 does with a Not-ECT packet even with UseEcn on; the CE
 * threshold and L4S (off by default) never apply for the same reason.
 *
 * A CoDel is its FIFO and its state in one object (so that FqCoDel's flows,
 * which extend it, are compact): unit tests drive it without the engine. No
 * allocation on the dequeue path (the Newton step uses BigInt, but only when
 * a packet is dropped).
 */
import type { Packet } from '../net/packet';
import { TimedPacketQueue } from './timed-packet-queue';

export const CODEL_SHIFT = 10;
const UNIT = 1 << CODEL_SHIFT;

/** ns-3's CoDelGetTime / Time2CoDel: ns to 32-bit CoDel units. */
export function codelTime(ns: number): number {
  return Math.floor(ns / UNIT) >>> 0;
}

/** One Newton-Raphson step of 1/sqrt(count) in 16-bit fixed point (ns-3's NewtonStep). */
export function newtonStep(recInvSqrt: number, count: number): number {
  const invsqrt = BigInt(recInvSqrt) << 16n;
  const invsqrt2 = (invsqrt * invsqrt) >> 32n;
  let val = BigInt.asUintN(64, (3n << 32n) - BigInt(count >>> 0) * invsqrt2);
  val >>= 2n;
  val = BigInt.asUintN(64, val * invsqrt) >> 31n;
  return Number((val >> 16n) & 0xffffn);
}

/** drop_next after `t`: t + interval / sqrt(count), in CoDel units (ns-3's ControlLaw). */
export function controlLaw(t: number, interval: number, recInvSqrt: number): number {
  // ReciprocalDivide(interval, rec << 16) = (interval * rec * 2^16) >> 32; the product stays below 2^53.
  return (t + Math.floor((interval * recInvSqrt) / 65536)) >>> 0;
}

export interface CoDelParams {
  /** Target sojourn time, ns (ns-3: 5 ms). */
  targetNs: number;
  /** Interval, ns (ns-3: 100 ms). */
  intervalNs: number;
  /** Bytes that must remain queued for a drop to be allowed (ns-3: 1,500). */
  minBytes: number;
}

export const CODEL_DEFAULTS: CoDelParams = { targetNs: 5_000_000, intervalNs: 100_000_000, minBytes: 1500 };

/** Who is told of a packet CoDel drops (the disc, which counts it). */
export interface CoDelDropSink {
  codelDrop(p: Packet, size: number): void;
}

export class CoDel extends TimedPacketQueue {
  count = 0;
  lastCount = 0;
  dropping = false;
  recInvSqrt = 0xffff;
  firstAboveTime = 0;
  dropNext = 0;
  /** Target and interval in CoDel units. */
  readonly target: number;
  readonly interval: number;
  readonly minBytes: number;

  constructor(p: CoDelParams = CODEL_DEFAULTS) {
    super();
    this.target = codelTime(p.targetNs);
    this.interval = codelTime(p.intervalNs);
    this.minBytes = p.minBytes;
  }

  /** Back to the state of a new CoDel (the queue must be empty): a recycled flow queue (fq-codel-queue-disc.ts). */
  resetState(): void {
    this.count = 0;
    this.lastCount = 0;
    this.dropping = false;
    this.recInvSqrt = 0xffff;
    this.firstAboveTime = 0;
    this.dropNext = 0;
  }

  /** ns-3's OkToDrop for the packet just taken (entered at `enqNs`), `bytesLeft` still queued. */
  private okToDrop(has: boolean, enqNs: number, bytesLeft: number, nowNs: number, now: number): boolean {
    if (!has) {
      this.firstAboveTime = 0;
      return false;
    }
    const sojourn = codelTime(nowNs - enqNs);
    if (sojourn < this.target || bytesLeft < this.minBytes) {
      this.firstAboveTime = 0;
      return false;
    }
    if (this.firstAboveTime === 0) {
      this.firstAboveTime = (now + this.interval) >>> 0;
      return false;
    }
    return now > this.firstAboveTime;
  }

  /**
   * Take the next packet at `nowNs`, dropping through `sink` as the control
   * law says; null when empty. The packet's size is in `shiftedSize`.
   */
  dequeue(nowNs: number, sink: CoDelDropSink): Packet | null {
    let enq = this.headTime();
    let p = this.shift();
    if (p === null) {
      this.dropping = false;
      return null;
    }
    const now = codelTime(nowNs);
    const ok = this.okToDrop(true, enq, this.bytes, nowNs, now);
    if (this.dropping) {
      if (!ok) {
        this.dropping = false;
      } else if (now >= this.dropNext) {
        // Several drops at once when the backlog is large (the loop of ns-3 and Linux).
        while (this.dropping && now >= this.dropNext) {
          this.count = (this.count + 1) >>> 0;
          this.recInvSqrt = newtonStep(this.recInvSqrt, this.count);
          sink.codelDrop(p!, this.shiftedSize);
          enq = this.headTime();
          p = this.shift();
          if (!this.okToDrop(p !== null, enq, this.bytes, nowNs, now)) this.dropping = false;
          else this.dropNext = controlLaw(this.dropNext, this.interval, this.recInvSqrt);
        }
      }
    } else if (ok) {
      // Drop the first packet and enter the dropping state.
      sink.codelDrop(p, this.shiftedSize);
      enq = this.headTime();
      p = this.shift();
      this.okToDrop(p !== null, enq, this.bytes, nowNs, now);
      this.dropping = true;
      // Resume near the last drop rate if the last dropping state ended recently.
      const delta = (this.count - this.lastCount) | 0;
      if (delta > 1 && ((now - this.dropNext) >>> 0) < ((16 * this.interval) >>> 0)) {
        this.count = delta >>> 0;
        this.recInvSqrt = newtonStep(this.recInvSqrt, this.count);
      } else {
        this.count = 1;
        this.recInvSqrt = 0xffff;
      }
      this.lastCount = this.count;
      this.dropNext = controlLaw(now, this.interval, this.recInvSqrt);
    }
    return p;
  }
}
