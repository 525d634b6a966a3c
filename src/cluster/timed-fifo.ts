/**
 * TimedFifo: ids with the times they were noted, oldest first; the queue the
 * cluster's bookkeeping expires by age (a state table's recent reports, a
 * detector's arrivals, a balancer's finished connections) so that each pays
 * for what aged, not for every peer or connection it knows.
 *
 * A ring of two Float64Arrays (ids may be connection keys above 2^32) that
 * starts at 8 slots and doubles when full, so it holds no more than its
 * peak of live entries: an array cut only once its dead head passed half of
 * it kept about a thousand dead entries per queue, 140 MB over the 2,000
 * queues of a thousand-server cluster.
 *
 * Cost: O(1) amortised per push, O(1) per shift; no allocation once grown.
 */
export class TimedFifo {
  private ids = new Float64Array(8);
  private times = new Float64Array(8);
  private head = 0;
  private n = 0;

  get length(): number {
    return this.n;
  }

  /** Slots held (live entries and free room). */
  get capacity(): number {
    return this.ids.length;
  }

  /** Times must not decrease from one push to the next. */
  push(id: number, t: number): void {
    if (this.n === this.ids.length) this.grow();
    const i = (this.head + this.n) & (this.ids.length - 1);
    this.ids[i] = id;
    this.times[i] = t;
    this.n++;
  }

  /** The oldest entry's id (when length > 0). */
  oldestId(): number {
    return this.ids[this.head];
  }

  oldestTime(): number {
    return this.n > 0 ? this.times[this.head] : Infinity;
  }

  shift(): void {
    if (this.n === 0) return;
    this.head = (this.head + 1) & (this.ids.length - 1);
    this.n--;
  }

  /** Drop the entries noted before `bound`. */
  dropBefore(bound: number): void {
    while (this.oldestTime() < bound) this.shift();
  }

  /** Entry `k` from the oldest (0 <= k < length). */
  idAt(k: number): number {
    return this.ids[(this.head + k) & (this.ids.length - 1)];
  }

  private grow(): void {
    const cap = this.ids.length;
    const ids = new Float64Array(cap * 2);
    const times = new Float64Array(cap * 2);
    for (let k = 0; k < this.n; k++) {
      const i = (this.head + k) & (cap - 1);
      ids[k] = this.ids[i];
      times[k] = this.times[i];
    }
    this.ids = ids;
    this.times = times;
    this.head = 0;
  }
}
