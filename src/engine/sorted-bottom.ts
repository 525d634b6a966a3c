/**
 * SortedBottom: the ladder queue's bottom tier, the events of the bucket
 * being drained in an array sorted by (time, seq), taken from the front.
 *
 * Taking the next event is an index increment, where the binary heap it
 * replaced paid a sift-down (~log2(k) unpredictable branches) per pop: the
 * ladder's loads are small (a few to a few dozen events), so sorting each
 * once (insertion sort; merge sort above 24) costs less than heap order.
 * An event filed into the bucket being drained is inserted in place: binary
 * search, then the shorter side moves by one. Its seq is the largest yet, so
 * it goes after every event of the same time (FIFO).
 *
 * Cost: take O(1); load O(k log k) (O(k) when nearly sorted); insert
 * O(log k + shift), shift <= k/2.
 */
const SMALL = 24;

export class SortedBottom {
  times = new Float64Array(64);
  slots = new Int32Array(64);
  /** The events are at [lo, hi). */
  lo = 0;
  hi = 0;
  private sTimes = new Float64Array(0);
  private sSlots = new Int32Array(0);

  /** Room for n events (call while empty, before loading them at 0..n-1). */
  reserve(n: number): void {
    if (n <= this.times.length) return;
    let c = this.times.length * 2;
    while (c < n) c *= 2;
    this.times = new Float64Array(c);
    this.slots = new Int32Array(c);
  }

  /** Sort the n events loaded at 0..n-1 by (time, seq) and make them the contents. */
  sortLoaded(n: number, seqs: Float64Array): void {
    this.lo = 0;
    this.hi = n;
    if (n <= SMALL) insertionSort(this.times, this.slots, 0, n, seqs);
    else this.mergeSort(n, seqs);
  }

  /** Insert an event whose seq is larger than every seq held. */
  insert(time: number, slot: number): void {
    let lo = this.lo, hi = this.hi;
    if (lo === hi) { lo = hi = 0; }
    let T = this.times, S = this.slots;
    if (hi === lo || T[hi - 1] <= time) {
      // After everything: the common case (a handler scheduling into the current bucket's tail).
      if (hi === T.length) { this.makeRoom(); lo = this.lo; hi = this.hi; T = this.times; S = this.slots; }
      T[hi] = time; S[hi] = slot;
      this.lo = lo; this.hi = hi + 1;
      return;
    }
    let a = lo, b = hi - 1; // T[b] > time
    while (a < b) {
      const m = (a + b) >> 1;
      if (T[m] <= time) a = m + 1; else b = m;
    }
    if (lo > 0 && a - lo <= hi - a) {
      for (let i = lo; i < a; i++) { T[i - 1] = T[i]; S[i - 1] = S[i]; }
      T[a - 1] = time; S[a - 1] = slot;
      this.lo = lo - 1;
      return;
    }
    if (hi === T.length) { a -= this.lo; this.makeRoom(); lo = this.lo; hi = this.hi; a += lo; T = this.times; S = this.slots; }
    for (let i = hi; i > a; i--) { T[i] = T[i - 1]; S[i] = S[i - 1]; }
    T[a] = time; S[a] = slot;
    this.hi = hi + 1;
  }

  /** Full at the end: move the events to the front, or double the arrays. */
  private makeRoom(): void {
    const lo = this.lo, hi = this.hi;
    if (lo > 0) {
      this.times.copyWithin(0, lo, hi);
      this.slots.copyWithin(0, lo, hi);
    } else {
      const t = new Float64Array(this.times.length * 2); t.set(this.times); this.times = t;
      const s = new Int32Array(this.slots.length * 2); s.set(this.slots); this.slots = s;
    }
    this.lo = 0;
    this.hi = hi - lo;
  }

  /** Bottom-up merge sort: insertion-sorted runs of SMALL, merged through a scratch pair. */
  private mergeSort(n: number, seqs: Float64Array): void {
    if (this.sTimes.length < n) { this.sTimes = new Float64Array(this.times.length); this.sSlots = new Int32Array(this.times.length); }
    let aT = this.times, aS = this.slots, bT = this.sTimes, bS = this.sSlots;
    for (let i = 0; i < n; i += SMALL) insertionSort(aT, aS, i, Math.min(i + SMALL, n), seqs);
    for (let w = SMALL; w < n; w *= 2) {
      for (let i = 0; i < n; i += 2 * w) {
        const mid = Math.min(i + w, n), end = Math.min(i + 2 * w, n);
        let x = i, y = mid, o = i;
        while (x < mid && y < end) {
          const tx = aT[x], ty = aT[y];
          if (tx < ty || (tx === ty && seqs[aS[x]] < seqs[aS[y]])) { bT[o] = tx; bS[o] = aS[x]; x++; }
          else { bT[o] = ty; bS[o] = aS[y]; y++; }
          o++;
        }
        for (; x < mid; x++, o++) { bT[o] = aT[x]; bS[o] = aS[x]; }
        for (; y < end; y++, o++) { bT[o] = aT[y]; bS[o] = aS[y]; }
      }
      const t = aT; aT = bT; bT = t;
      const s = aS; aS = bS; bS = s;
    }
    if (aT !== this.times) {
      // The result ended in the scratch pair: swap the roles rather than copy back.
      this.sTimes = this.times; this.sSlots = this.slots;
      this.times = aT; this.slots = aS;
    }
  }
}

/** Sort [from, to) of (T, S) by (time, seq). */
function insertionSort(T: Float64Array, S: Int32Array, from: number, to: number, seqs: Float64Array): void {
  for (let i = from + 1; i < to; i++) {
    const t = T[i], s = S[i], q = seqs[s];
    let j = i - 1;
    while (j >= from) {
      const tj = T[j];
      if (tj < t || (tj === t && seqs[S[j]] < q)) break;
      T[j + 1] = tj; S[j + 1] = S[j];
      j--;
    }
    T[j + 1] = t; S[j + 1] = s;
  }
}
