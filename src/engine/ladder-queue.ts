/**
 * LadderQueue: pending events in unsorted time buckets over a small sorted
 * bottom, in the manner of Tang, Goh and Thng's ladder queue (ACM TOMACS
 * 15(3), 2005), and a binary heap while few events are pending.
 *
 * Heap mode: while at most `heapMax` events are pending the heap
 * (HeapStore) is the whole queue; it is spread into the ladder when it grows
 * past that. Ladder mode, three tiers, each holding strictly earlier events
 * than the next:
 *  - the bottom (sorted-bottom.ts): the bucket being drained, sorted;
 *  - rungs: rung 0 spreads the far events over buckets of equal width; a
 *    bucket too full to sort cheaply is spread over a finer rung below it
 *    (a "spawned" rung), up to `maxRungs` rungs. Buckets are unsorted lists
 *    (bucket-lists.ts), so filing an event is O(1);
 *  - the top: events later than rung 0's range, unsorted, with their min
 *    and max; when the rungs run dry the top is spread into a new rung 0,
 *    or back into the heap if it holds at most heapMax / 2 events.
 *
 * Rung 0's width is chosen so that a bucket holds about `bucketLoad` events
 * when it is drained: from the density (events drained per unit time) that
 * the previous rung 0 met, not from the top's count over its span, which for
 * an exponential hold is ln(n) times too sparse at the head (measured: loads
 * of ~40 instead of ~8 at 10 k pending, and 1.5x slower). Rung 0 has at most
 * about half as many buckets as the top has events, so it may cover only the
 * near part of the top's span; the rest stays in the top for the next spread
 * (a bucket per event would cost a whole chunk per event).
 *
 * Order and ties. Which tier and bucket an event goes to is a monotone
 * function of its time alone (one floor per rung, clamped at the rung's
 * last bucket), so equal times always share a bucket and an earlier bucket
 * never holds a later time. Buckets are emptied into the bottom whole and
 * sorted by (time, seq), so events at equal times leave in the order they
 * were pushed (FIFO), exactly as in the plain heap; the result depends only
 * on the sequence of operations (deterministic).
 *
 * Cancel is lazy (O(1)): cancelled entries ride along and are dropped when
 * they reach the front. Cost: push O(1) (a bucket or the top; into the
 * bottom O(log k + shift)); pop O(1) plus, per bucket, a sort of its ~k
 * events; each event moves at most once from the top and once per rung, so
 * hold-like workloads cost O(1) amortised per event. Nothing is allocated
 * per event once the arrays have grown.
 */
import { BucketLists } from './bucket-lists';
import { type Handler } from './event-slots';
import { HeapStore } from './heap-queue';
import { SortedBottom } from './sorted-bottom';

export interface LadderTuning {
  /** The heap is the whole queue up to this many pending events. */
  heapMax: number;
  /** Events per bucket wanted when a rung-0 bucket is drained. */
  bucketLoad: number;
  /** A drained bucket holding more than this is spread over a finer rung rather than sorted. */
  spawnAbove: number;
  /** Mean events per bucket of a spawned rung. */
  childLoad: number;
  /** Rungs at most (1: a single level of buckets over the bottom). */
  maxRungs: number;
}

const MAX_RUNGS = 8;
/** Lists 0 and 1 take turns as the top; rung buckets are lists 2.. */
const RUNGS_OFF = 2;

export class LadderQueue extends HeapStore {
  private readonly tune: LadderTuning;
  private readonly lists = new BucketLists();
  private readonly bottom = new SortedBottom();
  private readonly range = new Float64Array(2);

  /** The list holding the top (0 or 1: a spread moves what lies beyond rung 0 to the other). */
  private top = 0;
  private topMin = Infinity;
  private topMax = -Infinity;
  /** Spread the heap into a ladder when it reaches this size (grows if spreading fails). */
  private spreadAt: number;

  // Rungs 0..nRungs-1 (none in heap mode), coarse to fine. Rung r's buckets
  // 0..rLast[r] are lists rOff[r]+0..; rCur[r] is its next bucket to drain,
  // and a finer rung r+1 spreads rung r's bucket rCur[r]-1.
  private nRungs = 0;
  private readonly rBase = new Float64Array(MAX_RUNGS);
  private readonly rInvW = new Float64Array(MAX_RUNGS);
  private readonly rLast = new Int32Array(MAX_RUNGS);
  private readonly rCur = new Int32Array(MAX_RUNGS);
  private readonly rOff = new Int32Array(MAX_RUNGS);
  // Rung 0's span and the events drained from it: the density the next rung 0 is sized by.
  private r0Span = 0;
  private r0Drained = 0;

  // How often each rare path ran (tests and the queues bench read them).
  private nSpreads = 0;
  private nSpawns = 0;
  private nFallbacks = 0;
  private nLoads = 0;
  private nLoaded = 0;

  constructor(initialCapacity = 1024, tuning: LadderTuning) {
    super(initialCapacity);
    if (!(tuning.maxRungs >= 1 && tuning.maxRungs <= MAX_RUNGS)) {
      throw new RangeError(`LadderQueue: maxRungs must be 1..${MAX_RUNGS}, got ${tuning.maxRungs}`);
    }
    if (!(tuning.bucketLoad > 0 && tuning.childLoad > 0 && tuning.heapMax >= 2 && tuning.spawnAbove >= 1)) {
      throw new RangeError('LadderQueue: bucketLoad and childLoad must be > 0, heapMax >= 2, spawnAbove >= 1');
    }
    this.tune = { ...tuning };
    this.spreadAt = tuning.heapMax;
  }

  /** Insert an event; returns its handle. `time` must already be validated. */
  push(time: number, fn: Handler, arg: unknown): number {
    const slot = this.allocSlot(fn, arg);
    // Small, with the rare paths behind calls, so that V8 can inline it whole
    // into Simulator.schedule (the schedule tree fell from 738 to 553 bytecodes).
    if (this.nRungs !== 0) this.file(time, slot);
    else if (this.n < this.spreadAt || this.topTaken) this.heapPush(time, slot); // heap mode; a replace does not grow it
    else this.spreadHeap(time, slot);
    return this.handleOf(slot);
  }

  /** Time of the next live event, or Infinity if none. */
  peekTime(): number {
    if (this.nRungs === 0) return this.heapPeek();
    if (!this.front()) return this.nRungs === 0 ? this.heapPeek() : Infinity;
    return this.bottom.times[this.bottom.lo];
  }

  /**
   * Remove the next live event and return its handler (null if empty). The
   * event's argument and time are left in `poppedArg` and `poppedTime`.
   */
  pop(): Handler | null {
    if (this.nRungs === 0) return this.heapPop();
    const b = this.bottom;
    let lo = b.lo;
    // The fast path: the front is live; front() refills about once per bucketLoad pops.
    if (lo === b.hi || (this.nCancelled !== 0 && this.fns[b.slots[lo]] === null)) {
      if (!this.front()) return this.nRungs === 0 ? this.heapPop() : null;
      lo = b.lo;
    }
    b.lo = lo + 1;
    return this.takeSlot(b.slots[lo], b.times[lo]);
  }

  /** Drop every pending event. */
  clear(): void {
    this.clearHeap();
    const b = this.bottom;
    for (let i = b.lo; i < b.hi; i++) this.dropEntry(b.slots[i]);
    b.lo = b.hi = 0;
    for (let r = 0; r < this.nRungs; r++) {
      for (let l = this.rOff[r] + this.rCur[r], e = this.rOff[r] + this.rLast[r]; l <= e; l++) this.dropList(l);
    }
    this.dropList(this.top);
    this.nRungs = 0;
    this.resetTop();
    this.spreadAt = this.tune.heapMax;
    this.r0Drained = 0;
  }

  /** The current shape and the rare-path counts: for tests and benchmarks. */
  layout(): { rungs: number; top: number; heap: number; bottom: number; spreads: number; spawns: number; fallbacks: number; meanLoad: number } {
    return {
      meanLoad: this.nLoads > 0 ? this.nLoaded / this.nLoads : 0,
      rungs: this.nRungs, top: this.lists.length(this.top), heap: this.n - (this.topTaken ? 1 : 0),
      bottom: this.bottom.hi - this.bottom.lo, spreads: this.nSpreads, spawns: this.nSpawns, fallbacks: this.nFallbacks,
    };
  }

  // ---- heap mode ----

  private heapPeek(): number {
    if (this.topTaken) this.settleTop();
    if (this.nCancelled > 0) this.dropCancelledHead();
    return this.n > 0 ? this.hTime[0] : Infinity;
  }

  private heapPop(): Handler | null {
    if (this.topTaken) this.settleTop();
    if (this.nCancelled > 0) this.dropCancelledHead();
    if (this.n === 0) return null;
    this.topTaken = true; // removed lazily, as in HeapQueue
    return this.takeSlot(this.hSlot[0], this.hTime[0]);
  }

  /** The heap grew past `spreadAt`: move it all to the top, spread that into rung 0, file the new event. */
  private spreadHeap(time: number, slot: number): void {
    const hTime = this.hTime, hSlot = this.hSlot;
    for (let i = 0; i < this.n; i++) this.toTop(hTime[i], hSlot[i]);
    this.n = 0;
    this.spreadTop();
    if (this.nRungs !== 0) this.file(time, slot);
    else this.heapPush(time, slot);
  }

  // ---- filing an event (ladder mode) ----

  /**
   * File a slot: into rung 0's bucket for its time, the top beyond rung 0,
   * or the bottom if it is due before rung 0's next bucket; into the finer
   * rungs only if it falls in the bucket they spread.
   */
  private file(time: number, slot: number): void {
    const i = Math.floor((time - this.rBase[0]) * this.rInvW[0]);
    const cur = this.rCur[0];
    if (i >= cur) {
      if (i <= this.rLast[0]) this.lists.append(RUNGS_OFF + i, time, slot);
      else this.toTop(time, slot);
    } else if (i === cur - 1 && this.nRungs > 1) {
      this.fileFiner(time, slot);
    } else {
      this.bottom.insert(time, slot); // due before every bucket
    }
  }

  /** File into the finer rungs (each spreads the bucket being drained of the rung above). */
  private fileFiner(time: number, slot: number): void {
    const nRungs = this.nRungs;
    for (let r = 1; r < nRungs; r++) {
      let i = Math.floor((time - this.rBase[r]) * this.rInvW[r]);
      const last = this.rLast[r];
      if (i > last) i = last; // a spawned rung covers all of its parent bucket
      const cur = this.rCur[r];
      if (i >= cur) { this.lists.append(this.rOff[r] + i, time, slot); return; }
      if (i < cur - 1) break; // before the bucket being drained: due in the bottom's span
    }
    this.bottom.insert(time, slot);
  }

  private toTop(time: number, slot: number): void {
    this.lists.append(this.top, time, slot);
    if (time < this.topMin) this.topMin = time;
    if (time > this.topMax) this.topMax = time;
  }

  private resetTop(): void {
    this.topMin = Infinity;
    this.topMax = -Infinity;
  }

  // ---- refilling the bottom ----

  /**
   * Make the bottom's front the next live event. False if nothing is
   * pending, or if the ladder fell back to heap mode (nRungs === 0).
   */
  private front(): boolean {
    const b = this.bottom;
    for (;;) {
      if (b.lo === b.hi) {
        if (!this.refill()) return false;
        continue;
      }
      if (this.nCancelled === 0 || this.fns[b.slots[b.lo]] !== null) return true;
      this.dropEntry(b.slots[b.lo++]);
    }
  }

  /** The bottom is empty: sort the next non-empty bucket into it. False if none (empty, or heap mode). */
  private refill(): boolean {
    const lists = this.lists;
    for (;;) {
      const r = this.nRungs - 1;
      if (r < 0) {
        if (lists.length(this.top) === 0) {
          this.spreadAt = this.tune.heapMax;
          return false;
        }
        this.spreadTop();
        if (this.nRungs === 0) return false; // fell back to the heap
        continue;
      }
      const off = this.rOff[r], last = this.rLast[r];
      let i = this.rCur[r];
      while (i <= last && lists.length(off + i) === 0) i++;
      if (i > last) { this.nRungs = r; continue; } // rung exhausted
      this.rCur[r] = i + 1;
      const l = off + i, c = lists.length(l);
      if (r === 0) this.r0Drained += c;
      if (c > this.tune.spawnAbove && r + 1 < this.tune.maxRungs && this.spawnRung(r, l)) continue;
      const b = this.bottom;
      b.reserve(c);
      lists.copyOut(l, b.times, b.slots, 0);
      lists.free(l);
      b.sortLoaded(c, this.seqs);
      this.nLoads++;
      this.nLoaded += c;
      return true;
    }
  }

  /** Spread the top into a new rung 0, or back into the heap if it holds few events or no span. */
  private spreadTop(): void {
    const lists = this.lists, top = this.top, c = lists.length(top), lo = this.topMin, hi = this.topMax;
    const span = hi - lo;
    // No usable span: one time only, or so small (a denormal) that 1/span overflows.
    if (c <= this.tune.heapMax >> 1 || !(span > 0 && (c + 2) / span < Infinity)) {
      this.nFallbacks++;
      this.resetTop();
      if (this.n + c > this.hTime.length) this.growHeap(this.n + c);
      this.n = lists.copyOut(top, this.hTime, this.hSlot, this.n);
      lists.free(top);
      this.heapify();
      // Spreading again pays only once the heap has doubled.
      this.spreadAt = Math.max(this.tune.heapMax, 2 * this.n);
      this.r0Drained = 0;
      return;
    }
    // Width from the density the last rung 0 met (events per unit time); the
    // first time, guess the head 4x denser than the top's average.
    const density = this.r0Drained > 0 ? this.r0Drained / this.r0Span : (4 * c) / span;
    // Buckets no narrower than 1 (ns): the engine's times are whole
    // nanoseconds, so a finer bucket could only hold one time's ties.
    let invW = Math.min(1, density / this.tune.bucketLoad);
    let nb = Math.ceil(span * invW);
    // At most ~2 events a bucket at spread time; beyond, the top keeps them.
    if (!(nb <= (c >> 1) + 1)) nb = (c >> 1) + 1;
    if (nb < 2 || !(invW < Infinity)) { nb = 2; invW = 2 / span; }
    this.r0Span = nb / invW;
    this.r0Drained = 0;
    this.makeRung(0, RUNGS_OFF, nb, lo, invW);
    this.nSpreads++;
    this.top = 1 - top;
    this.resetTop();
    lists.spread(top, lo, invW, nb - 1, RUNGS_OFF, this.top, this.range);
    this.topMin = this.range[0];
    this.topMax = this.range[1];
  }

  /** Spread a full bucket (list l) of rung r over a finer rung r+1; false if its events share one time. */
  private spawnRung(r: number, l: number): boolean {
    this.lists.timeRange(l, this.range);
    const lo = this.range[0], span = this.range[1] - lo;
    const nb = Math.max(2, Math.ceil(this.lists.length(l) / this.tune.childLoad));
    if (!(span > 0 && nb / span < Infinity)) return false; // one time only, or a denormal span
    const off = this.rOff[r] + this.rLast[r] + 1;
    this.makeRung(r + 1, off, nb, lo, nb / span);
    this.nSpawns++;
    this.lists.spread(l, lo, nb / span, nb - 1, off, -1, this.range);
    return true;
  }

  private makeRung(q: number, off: number, nb: number, lo: number, invW: number): void {
    this.lists.ensureLists(off + nb);
    this.rOff[q] = off;
    this.rCur[q] = 0;
    this.rLast[q] = nb - 1;
    this.rBase[q] = lo;
    this.rInvW[q] = invW;
    this.nRungs = q + 1;
  }

  private dropList(l: number): void {
    const c = this.lists.length(l);
    if (c === 0) return;
    const t = new Float64Array(c), s = new Int32Array(c);
    this.lists.copyOut(l, t, s, 0);
    this.lists.free(l);
    for (let i = 0; i < c; i++) this.dropEntry(s[i]);
  }
}
