/**
 * DropTailQueue: a FIFO of packets with a fixed capacity in packets (ns-3's
 * default device queue is 100 packets). A ring buffer that starts small and
 * doubles up to the capacity (most devices never queue more than a few
 * packets; at 100k clients a preallocated ring per device cost ~1 KB each):
 * enqueue and dequeue are O(1) and allocate nothing once grown.
 */
import type { Packet } from './packet';

export class DropTailQueue {
  private ring: (Packet | null)[];
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
    this.ring = new Array<Packet | null>(Math.min(capacity, 4)).fill(null);
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
    if (this.count === this.ring.length) this.grow();
    const size = this.ring.length;
    let i = this.head + this.count;
    if (i >= size) i -= size;
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
    this.head = this.head + 1 === this.ring.length ? 0 : this.head + 1;
    this.count--;
    return p;
  }

  private grow(): void {
    const size = Math.min(this.capacity, this.ring.length * 2);
    const next = new Array<Packet | null>(size).fill(null);
    for (let k = 0; k < this.count; k++) {
      const i = this.head + k;
      next[k] = this.ring[i >= this.ring.length ? i - this.ring.length : i];
    }
    this.ring = next;
    this.head = 0;
  }

  /** Remove everything, returning what was queued (link down). */
  drain(): Packet[] {
    const out: Packet[] = [];
    for (let p = this.dequeue(); p !== null; p = this.dequeue()) out.push(p);
    return out;
  }
}
