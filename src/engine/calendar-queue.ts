/**
 * CalendarQueue: pending events in a calendar of sorted day-buckets with
 * resizing, in the manner of R. Brown, "Calendar queues" (CACM 31(10),
 * 1988). A benchmark candidate beside HeapQueue and LadderQueue (see
 * event-queue.ts for the measurements that chose between them).
 *
 * Day d (d = floor(time / width)) lives in bucket d mod nb, a list linked
 * through the slots and kept sorted by (time, seq), so its head is its
 * earliest event. Dequeue walks the days from the current one and takes the
 * first bucket head whose day has come; after a whole year of buckets with
 * nothing due it searches the heads directly. Days are compared as the same
 * floor() both sides, so rounding can never make an event look early or
 * late. When the count passes 2 nb or falls below nb / 2 the calendar is
 * rebuilt with twice or half the buckets and a width of three times the
 * mean gap between the earliest events (gaps over twice the mean ignored),
 * as Brown does from a sample of up to 25 events at the head.
 *
 * FIFO on equal times: an event is filed after every event of the same
 * time already in its bucket (a push carries the largest seq yet; a rebuild
 * compares seq), and equal times share a day, hence a bucket.
 *
 * Cost: O(1) expected per operation for distributions Brown's width suits,
 * O(n) per rebuild (amortised O(1)); skewed distributions crowd a few
 * buckets and insertion degrades towards O(n). Cancel is lazy.
 */
import { EventSlots, type Handler } from './event-slots';

const SAMPLE_MAX = 25;

export class CalendarQueue extends EventSlots {
  private times: Float64Array;
  private link: Int32Array;
  private head: Int32Array;
  private spare: Int32Array; // the other bucket array, swapped in by a rebuild
  private nb = 2;
  private width = 1;
  private invW = 1;
  private curDay = 0; // day being served; no entry has an earlier day
  private curB = 0; // curDay mod nb
  private count = 0; // entries held, cancelled ones included
  private readonly sample = new Int32Array(SAMPLE_MAX);
  private nResizes = 0;

  constructor(initialCapacity = 1024) {
    super(initialCapacity);
    const c = this.gens.length;
    this.times = new Float64Array(c);
    this.link = new Int32Array(c);
    this.head = new Int32Array(16).fill(-1);
    this.spare = new Int32Array(16).fill(-1);
  }

  /** Insert an event; returns its handle. `time` must already be validated. */
  push(time: number, fn: Handler, arg: unknown): number {
    const slot = this.allocSlot(fn, arg);
    this.times[slot] = time;
    const day = Math.floor(time * this.invW);
    const b = this.bucketOf(day);
    // Sorted insert: the new seq is the largest, so it goes after equal times.
    const times = this.times, link = this.link;
    let prev = -1, cur = this.head[b];
    while (cur !== -1 && times[cur] <= time) { prev = cur; cur = link[cur]; }
    link[slot] = cur;
    if (prev === -1) this.head[b] = slot; else link[prev] = slot;
    if (day < this.curDay) { this.curDay = day; this.curB = b; } // pushed into the past
    if (++this.count > 2 * this.nb) this.rebuild(2 * this.nb);
    return this.handleOf(slot);
  }

  /** Time of the next live event, or Infinity if none. */
  peekTime(): number {
    for (;;) {
      if (this.count === 0) return Infinity;
      const b = this.findMin();
      const s = this.head[b];
      if (this.fns[s] !== null) return this.times[s];
      this.unlinkHead(b);
      this.dropEntry(s);
    }
  }

  /** Remove the next live event and return its handler (null if empty). */
  pop(): Handler | null {
    for (;;) {
      if (this.count === 0) return null;
      const b = this.findMin();
      const s = this.head[b];
      this.unlinkHead(b);
      if (this.count < this.nb >> 1 && this.nb > 2) this.rebuild(this.nb >> 1);
      if (this.fns[s] === null) { this.dropEntry(s); continue; }
      return this.takeSlot(s, this.times[s]);
    }
  }

  /** Drop every pending event. */
  clear(): void {
    for (let b = 0; b < this.nb; b++) {
      for (let s = this.head[b]; s !== -1;) {
        const next = this.link[s];
        this.dropEntry(s);
        s = next;
      }
      this.head[b] = -1;
    }
    this.count = 0;
    this.curDay = 0;
    this.curB = 0;
  }

  /** The current shape and the number of rebuilds: for tests and benchmarks. */
  layout(): { buckets: number; width: number; resizes: number } {
    return { buckets: this.nb, width: this.width, resizes: this.nResizes };
  }

  private bucketOf(day: number): number {
    const nb = this.nb;
    const b = day % nb;
    return b < 0 ? b + nb : b;
  }

  /** Bucket whose head is the earliest entry (count > 0); moves the current day to it. */
  private findMin(): number {
    const head = this.head, times = this.times, invW = this.invW, nb = this.nb;
    let b = this.curB, day = this.curDay;
    for (let k = 0; k < nb; k++) {
      const h = head[b];
      if (h !== -1 && Math.floor(times[h] * invW) <= day) {
        this.curB = b;
        this.curDay = day;
        return b;
      }
      if (++b === nb) b = 0;
      day++;
    }
    // A year with nothing due: the earliest head is the minimum.
    let best = -1;
    for (let i = 0; i < nb; i++) {
      const h = head[i];
      if (h !== -1 && (best === -1 || this.before(h, head[best]))) best = i;
    }
    this.curB = best;
    this.curDay = Math.floor(times[head[best]] * invW);
    return best;
  }

  private before(a: number, b: number): boolean {
    const ta = this.times[a], tb = this.times[b];
    return ta < tb || (ta === tb && this.seqs[a] < this.seqs[b]);
  }

  private unlinkHead(b: number): void {
    this.head[b] = this.link[this.head[b]];
    this.count--;
  }

  /** Brown's width: 3x the mean gap between the earliest events, ignoring gaps over 2x the mean. */
  private sampleWidth(): number {
    const m = this.count <= 5 ? this.count : Math.min(SAMPLE_MAX, 5 + Math.floor(this.count / 10));
    if (m < 2) return this.width;
    const sample = this.sample;
    for (let k = 0; k < m; k++) {
      const b = this.findMin();
      sample[k] = this.head[b];
      this.unlinkHead(b);
    }
    const t = this.times;
    const span = t[sample[m - 1]] - t[sample[0]];
    const mean = span / (m - 1);
    let sum = 0, n = 0;
    for (let k = 1; k < m; k++) {
      const g = t[sample[k]] - t[sample[k - 1]];
      if (g <= 2 * mean) { sum += g; n++; }
    }
    // Put the sample back: the list heads are free to take them again in order.
    for (let k = m - 1; k >= 0; k--) this.refile(sample[k], this.head, this.nb);
    this.count += m;
    const w = n > 0 ? (3 * sum) / n : 0;
    return w > 0 && w < Infinity ? Math.max(w, 1) : this.width;
  }

  /** Re-file every entry into `nb` buckets of a width sampled from the head. */
  private rebuild(nb: number): void {
    this.nResizes++;
    const width = this.sampleWidth();
    if (this.spare.length < nb) this.spare = new Int32Array(nb);
    const next = this.spare;
    next.fill(-1, 0, nb);
    const old = this.head, oldNb = this.nb;
    this.width = width;
    this.invW = 1 / width;
    let minDay = Infinity;
    for (let b = 0; b < oldNb; b++) {
      for (let s = old[b]; s !== -1;) {
        const after = this.link[s];
        const day = this.refile(s, next, nb);
        if (day < minDay) minDay = day;
        s = after;
      }
    }
    this.spare = old;
    this.head = next;
    this.nb = nb;
    if (minDay === Infinity) minDay = 0;
    this.curDay = minDay;
    this.curB = this.bucketOf(minDay);
  }

  /** Insert slot s into its bucket of `head` (nb buckets, current invW) by (time, seq); returns its day. */
  private refile(s: number, head: Int32Array, nb: number): number {
    const times = this.times, seqs = this.seqs, link = this.link;
    const t = times[s], q = seqs[s];
    const day = Math.floor(t * this.invW);
    let b = day % nb;
    if (b < 0) b += nb;
    let prev = -1, cur = head[b];
    while (cur !== -1 && (times[cur] < t || (times[cur] === t && seqs[cur] < q))) { prev = cur; cur = link[cur]; }
    link[s] = cur;
    if (prev === -1) head[b] = s; else link[prev] = s;
    return day;
  }

  protected override growSlotArrays(c: number): void {
    const t = new Float64Array(c); t.set(this.times); this.times = t;
    const l = new Int32Array(c); l.set(this.link); this.link = l;
  }
}
