/**
 * TimedFifo: ids with the times they were noted, oldest first; the queue the
 * cluster's bookkeeping expires by age (a state table's recent reports, a
 * detector's arrivals, a balancer's finished connections) so that each pays
 * for what aged, not for every peer or connection it knows.
 *
 * Cost: O(1) amortised per push and shift; the dead head is cut off once it
 * is more than half the store.
 */
export class TimedFifo {
  private ids: number[] = [];
  private times: number[] = [];
  private head = 0;

  get length(): number {
    return this.ids.length - this.head;
  }

  /** Times must not decrease from one push to the next. */
  push(id: number, t: number): void {
    this.ids.push(id);
    this.times.push(t);
  }

  /** The oldest entry's id and time (when length > 0). */
  oldestId(): number {
    return this.ids[this.head];
  }

  oldestTime(): number {
    return this.head < this.times.length ? this.times[this.head] : Infinity;
  }

  shift(): void {
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** Drop the entries noted before `bound`. */
  dropBefore(bound: number): void {
    while (this.oldestTime() < bound) this.shift();
  }

  /** Entry `k` from the oldest (0 <= k < length). */
  idAt(k: number): number {
    return this.ids[this.head + k];
  }
}
