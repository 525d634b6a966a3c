/**
 * BucketLists: many unsorted lists of (time, slot) pairs, the buckets of the
 * ladder queue (ladder-queue.ts), in one pool of fixed-size chunks.
 *
 * A list is a chain of chunks of CHUNK pairs; every chunk but the tail is
 * full, so a list is known by (head chunk, tail chunk, length). Appending
 * writes one pair into the tail chunk: one cache line, where a list linked
 * through the event slots touched a random slot per event (measured up to
 * 3x slower from 100 k pending events on). Reading a list back is
 * sequential. Chunks of drained lists go back to a free chain, most
 * recently freed first (still in cache).
 *
 * Cost: append O(1); reading or freeing a list O(its length). The pool only
 * grows (doubling), so nothing is allocated per event.
 */

/** Pairs per chunk: 8 pairs of 16 bytes, two 64-byte lines; one chunk opened per 8 appends. */
const CHUNK_BITS = 3;
export const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

export class BucketLists {
  /** Pair e is (data[2e], data[2e+1]) = (time, slot); chunk c holds pairs c*CHUNK.. */
  data = new Float64Array(0);
  /** Next chunk of a list, or of the free chain. */
  next = new Int32Array(0);
  private freeChunk = -1;
  private nFree = 0;
  /** List l is meta[3l..3l+2] = head chunk, tail chunk, length (one line for a few lists). */
  private meta = new Int32Array(3 * 64);

  length(l: number): number {
    return this.meta[3 * l + 2];
  }

  /** First chunk of list l (valid when its length > 0). */
  head(l: number): number {
    return this.meta[3 * l];
  }

  /** Lists 0..n-1 exist (new ones are empty). */
  ensureLists(n: number): void {
    if (3 * n <= this.meta.length) return;
    let c = this.meta.length * 2;
    while (c < 3 * n) c *= 2;
    const a = new Int32Array(c); a.set(this.meta); this.meta = a;
  }

  /** Append (time, slot) to list l. */
  append(l: number, time: number, slot: number): void {
    const meta = this.meta, k = 3 * l;
    const n = meta[k + 2];
    // Opening a chunk is a call (1 append in CHUNK), keeping append small enough to inline.
    const ch = (n & CHUNK_MASK) === 0 ? this.openChunk(k, n) : meta[k + 1];
    const e = ((ch << CHUNK_BITS) + (n & CHUNK_MASK)) << 1;
    this.data[e] = time;
    this.data[e + 1] = slot;
    meta[k + 2] = n + 1;
  }

  /** A new tail chunk for the list at meta[k] holding n pairs. */
  private openChunk(k: number, n: number): number {
    let ch = this.freeChunk;
    if (ch < 0) ch = this.grow(1);
    this.freeChunk = this.next[ch];
    this.nFree--;
    if (n === 0) this.meta[k] = ch;
    else this.next[this.meta[k + 1]] = ch;
    this.meta[k + 1] = ch;
    return ch;
  }

  /** Give list l's chunks back and make it empty. */
  free(l: number): void {
    const meta = this.meta, k = 3 * l, n = meta[k + 2];
    if (n === 0) return;
    this.next[meta[k + 1]] = this.freeChunk;
    this.freeChunk = meta[k];
    this.nFree += (n + CHUNK_MASK) >> CHUNK_BITS;
    meta[k + 2] = 0;
  }

  /** Copy list l's pairs to times/slots from index `at` (in list order); returns the index after them. */
  copyOut(l: number, times: Float64Array, slots: Int32Array, at: number): number {
    const data = this.data, next = this.next;
    let ch = this.meta[3 * l];
    for (let left = this.meta[3 * l + 2]; left > 0; left -= CHUNK, ch = next[ch]) {
      const e0 = ch << (CHUNK_BITS + 1), e1 = e0 + 2 * (left < CHUNK ? left : CHUNK);
      for (let e = e0; e < e1; e += 2) { times[at] = data[e]; slots[at] = data[e + 1]; at++; }
    }
    return at;
  }

  /** [min, max] of list l's times, into out[0], out[1]. */
  timeRange(l: number, out: Float64Array): void {
    const data = this.data, next = this.next;
    let lo = Infinity, hi = -Infinity;
    let ch = this.meta[3 * l];
    for (let left = this.meta[3 * l + 2]; left > 0; left -= CHUNK, ch = next[ch]) {
      const e0 = ch << (CHUNK_BITS + 1), e1 = e0 + 2 * (left < CHUNK ? left : CHUNK);
      for (let e = e0; e < e1; e += 2) {
        const t = data[e];
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
    }
    out[0] = lo;
    out[1] = hi;
  }

  /**
   * Move list l's pairs into lists off + floor((t - base) * invW) for indices
   * up to `last`; beyond it, into list `beyond`, or into the last list when
   * beyond < 0. l's chunks are freed as they are read, so the spread reuses
   * them. The range of the times sent beyond is left in out[0], out[1].
   */
  spread(l: number, base: number, invW: number, last: number, off: number, beyond: number, out: Float64Array): void {
    const n = this.meta[3 * l + 2];
    // Every chunk the spread may open, up front, so the pool never moves mid-walk.
    const need = (n >> CHUNK_BITS) + last + 3;
    if (this.nFree < need) this.grow(need - this.nFree);
    const data = this.data, next = this.next;
    let lo = Infinity, hi = -Infinity;
    let ch = this.meta[3 * l];
    this.meta[3 * l + 2] = 0;
    for (let left = n; left > 0; left -= CHUNK) {
      const e0 = ch << (CHUNK_BITS + 1), e1 = e0 + 2 * (left < CHUNK ? left : CHUNK);
      for (let e = e0; e < e1; e += 2) {
        const t = data[e];
        const i = Math.floor((t - base) * invW);
        if (i <= last) this.append(off + i, t, data[e + 1]);
        else if (beyond < 0) this.append(off + last, t, data[e + 1]);
        else {
          this.append(beyond, t, data[e + 1]);
          if (t < lo) lo = t;
          if (t > hi) hi = t;
        }
      }
      // Read through: the chunk is free for the appends that follow.
      const after = next[ch];
      next[ch] = this.freeChunk;
      this.freeChunk = ch;
      this.nFree++;
      ch = after;
    }
    out[0] = lo;
    out[1] = hi;
  }

  /** Add at least `more` chunks (doubling the pool); returns the first free one. */
  private grow(more: number): number {
    const old = this.next.length;
    let c = Math.max(64, 2 * old);
    while (c - old < more) c *= 2;
    const d = new Float64Array(c << (CHUNK_BITS + 1)); d.set(this.data); this.data = d;
    const nx = new Int32Array(c); nx.set(this.next); this.next = nx;
    for (let ch = c - 1; ch >= old; ch--) { nx[ch] = this.freeChunk; this.freeChunk = ch; }
    this.nFree += c - old;
    return this.freeChunk;
  }
}
