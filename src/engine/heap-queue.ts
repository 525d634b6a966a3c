/**
 * HeapQueue: a binary min-heap of pending events over parallel typed arrays,
 * ordered by (time, seq). It was netsim's whole event queue until the ladder
 * (ladder-queue.ts) replaced it; it is now the ladder's bottom tier, which
 * holds the events of the bucket being drained, and the whole structure
 * while few events are pending (see event-queue.ts for where each wins).
 *
 * The heap moves only two numbers per level, (time, slot); the seq lives
 * with the slot and is read only when two times tie (measured: ~10% faster
 * on the hold model than moving seq with the entry; a 4-ary heap was slower
 * here). A push sifts up comparing times alone: its seq is the largest yet,
 * so an entry already queued at the same time must stay above it.
 *
 * pop() leaves the root in place until the next operation: a push that
 * follows (a handler scheduling its successor) replaces it with a single
 * sift-down, which measured ~8% faster on the hold model than remove +
 * insert.
 *
 * Cost: push and pop O(log n) with no allocation; cancel O(1) (lazy).
 */
import { EventSlots, type Handler } from './event-slots';

/** The heap's arrays and primitives, shared by HeapQueue and the ladder's bottom tier. */
export abstract class HeapStore extends EventSlots {
  // Heap-ordered keys and slot numbers.
  protected hTime: Float64Array;
  protected hSlot: Int32Array;
  protected n = 0;
  /**
   * The root was popped but not yet removed. A push that follows (a handler
   * scheduling its successor, the commonest pattern) replaces the root with
   * one sift-down instead of a sift-down for the removal plus a sift-up.
   */
  protected topTaken = false;

  constructor(initialCapacity = 1024) {
    super(initialCapacity);
    const c = Math.max(16, initialCapacity | 0);
    this.hTime = new Float64Array(c);
    this.hSlot = new Int32Array(c);
  }

  /** Put a freshly pushed slot (the largest seq so far) into the heap. */
  protected heapPush(time: number, slot: number): void {
    if (this.topTaken) {
      this.topTaken = false;
      this.siftDown(0, time, slot, this.n);
      return;
    }
    if (this.n === this.hTime.length) this.growHeap(this.n + 1);
    // Sift up with a hole: move parents down, write the new entry once.
    const hTime = this.hTime, hSlot = this.hSlot;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = hTime[p];
      // seq only grows, so an entry already queued at the same time wins.
      if (pt <= time) break;
      hTime[i] = pt;
      hSlot[i] = hSlot[p];
      i = p;
    }
    hTime[i] = time;
    hSlot[i] = slot;
  }

  /** Finish a lazy pop: really remove the root. */
  protected settleTop(): void {
    this.topTaken = false;
    this.removeTop();
  }

  /** Pop cancelled entries off the root (their slots are freed). */
  protected dropCancelledHead(): void {
    while (this.n > 0) {
      const slot = this.hSlot[0];
      if (this.fns[slot] !== null) return;
      this.dropEntry(slot);
      this.removeTop();
    }
  }

  /** Move the last entry to the root and sift it down. */
  protected removeTop(): void {
    const n = --this.n;
    if (n === 0) return;
    this.siftDown(0, this.hTime[n], this.hSlot[n], n);
  }

  /**
   * Put (t, sl) at index `i` of a heap of `n` entries whose subtrees below
   * `i` are heaps, and sift it down (hole technique); ties go by seq.
   */
  protected siftDown(i: number, t: number, sl: number, n: number): void {
    const hTime = this.hTime, hSlot = this.hSlot, seqs = this.seqs;
    const s = seqs[sl];
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = hTime[c];
      const r = c + 1;
      if (r < n) {
        const rt = hTime[r];
        if (rt < ct || (rt === ct && seqs[hSlot[r]] < seqs[hSlot[c]])) {
          c = r;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && s < seqs[hSlot[c]])) break;
      hTime[i] = ct;
      hSlot[i] = hSlot[c];
      i = c;
    }
    hTime[i] = t;
    hSlot[i] = sl;
  }

  /** Make heap order over entries [0, n) in any order (Floyd, O(n)). */
  protected heapify(): void {
    const hTime = this.hTime, hSlot = this.hSlot, n = this.n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, hTime[i], hSlot[i], n);
  }

  /** Free every entry of the heap and empty it. */
  protected clearHeap(): void {
    if (this.topTaken) this.settleTop();
    for (let i = 0; i < this.n; i++) this.dropEntry(this.hSlot[i]);
    this.n = 0;
  }

  protected growHeap(need: number): void {
    let c = this.hTime.length * 2;
    while (c < need) c *= 2;
    const t = new Float64Array(c); t.set(this.hTime.subarray(0, this.n)); this.hTime = t;
    const l = new Int32Array(c); l.set(this.hSlot.subarray(0, this.n)); this.hSlot = l;
  }
}

export class HeapQueue extends HeapStore {
  constructor(initialCapacity = 1024) {
    super(initialCapacity);
  }

  /** Insert an event; returns its handle. `time` must already be validated. */
  push(time: number, fn: Handler, arg: unknown): number {
    const slot = this.allocSlot(fn, arg);
    this.heapPush(time, slot);
    return this.handleOf(slot);
  }

  /** Time of the next live event, or Infinity if none. */
  peekTime(): number {
    if (this.topTaken) this.settleTop();
    if (this.nCancelled > 0) this.dropCancelledHead();
    return this.n > 0 ? this.hTime[0] : Infinity;
  }

  /**
   * Remove the next live event and return its handler (null if empty). The
   * event's argument and time are left in `poppedArg` and `poppedTime`.
   */
  pop(): Handler | null {
    if (this.topTaken) this.settleTop();
    if (this.nCancelled > 0) this.dropCancelledHead();
    if (this.n === 0) return null;
    this.topTaken = true; // removed lazily: by the next push (replace) or pop (remove)
    return this.takeSlot(this.hSlot[0], this.hTime[0]);
  }

  /** Drop every pending event. */
  clear(): void {
    this.clearHeap();
  }
}
