/**
 * TimedPacketQueue: the internal FIFO of a queue disc (ns-3's
 * DropTailQueue<QueueDiscItem> inside a CoDel or FqCoDel flow). It stamps
 * each packet with the time it entered (`Packet.queuedAt`, what CoDel
 * measures sojourn from; ns-3 keeps it in the QueueDiscItem) and keeps the
 * bytes it holds, counting a packet as its L3 size (IP header on, as ns-3's
 * Ipv4QueueDiscItem::GetSize).
 *
 * A ring that starts at 4 slots and doubles when full: a flow of a client
 * link rarely holds more than a few packets, and 200,000 discs at scale
 * cannot each preallocate 10,240 slots. The time rides on the packet rather
 * than in a parallel array so that a flow is two objects (itself and its
 * ring): with thousands of flows in one run the disc's cost was mostly cache
 * misses on scattered per-flow state. Push and shift are O(1) and allocate
 * nothing once grown. The caller enforces limits.
 */
import type { Packet } from '../net/packet';

export class TimedPacketQueue {
  private ring: (Packet | null)[] = [null, null, null, null];
  private head = 0;
  private n = 0;
  /** Bytes held. */
  bytes = 0;
  /** Size of the packet the last shift returned, bytes. */
  shiftedSize = 0;

  get length(): number {
    return this.n;
  }

  /** Add `p`, entering at `now` ns; returns its size in bytes. */
  push(p: Packet, now: number): number {
    if (this.n === this.ring.length) this.grow();
    const cap = this.ring.length;
    let i = this.head + this.n;
    if (i >= cap) i -= cap;
    this.ring[i] = p;
    p.queuedAt = now;
    this.n++;
    const size = p.linkPayloadBytes();
    this.bytes += size;
    return size;
  }

  /** Entry time of the head packet, ns (NaN when empty). */
  headTime(): number {
    return this.n === 0 ? NaN : this.ring[this.head]!.queuedAt;
  }

  /** Remove and return the head packet (its size in `shiftedSize`), or null. */
  shift(): Packet | null {
    if (this.n === 0) return null;
    const h = this.head;
    const p = this.ring[h]!;
    this.ring[h] = null;
    const size = p.linkPayloadBytes();
    this.bytes -= size;
    this.shiftedSize = size;
    this.head = h + 1 === this.ring.length ? 0 : h + 1;
    this.n--;
    return p;
  }

  private grow(): void {
    const cap = this.ring.length;
    const ring = new Array<Packet | null>(cap * 2).fill(null);
    for (let k = 0; k < this.n; k++) {
      let i = this.head + k;
      if (i >= cap) i -= cap;
      ring[k] = this.ring[i];
    }
    this.ring = ring;
    this.head = 0;
  }
}
