/**
 * DropTailQueue: a FIFO of packets with a fixed capacity in packets (ns-3's
 * default device queue is 100 packets). A ring buffer over a preallocated
 * array: enqueue and dequeue are O(1) and allocate nothing.
 */
import type { Packet } from './packet';

export class DropTailQueue {
  private readonly ring: (Packet | null)[];
  private head = 0;
  private count = 0;
  /** Packets accepted and refused since construction. */
  enqueued = 0;
  refused = 0;
  /** Largest length seen. */
  peak = 0;

  constructor(readonly capacity = 100) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`queue capacity must be an integer >= 1 packet, got ${capacity}`);
    }
    this.ring = new Array<Packet | null>(capacity).fill(null);
  }

  get length(): number {
    return this.count;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Add at the tail; false (and nothing stored) when full. */
  enqueue(p: Packet): boolean {
    if (this.count === this.capacity) {
      this.refused++;
      return false;
    }
    let i = this.head + this.count;
    if (i >= this.capacity) i -= this.capacity;
    this.ring[i] = p;
    this.count++;
    this.enqueued++;
    if (this.count > this.peak) this.peak = this.count;
    return true;
  }

  /** Remove from the head; null when empty. */
  dequeue(): Packet | null {
    if (this.count === 0) return null;
    const p = this.ring[this.head];
    this.ring[this.head] = null;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
    return p;
  }

  /** Remove everything, returning what was queued (link down). */
  drain(): Packet[] {
    const out: Packet[] = [];
    for (let p = this.dequeue(); p !== null; p = this.dequeue()) out.push(p);
    return out;
  }
}
