/**
 * EventSlots: the handler records shared by every pending-event structure.
 *
 * A pending event is a slot: its handler, argument, insertion number (seq)
 * and generation live in slot-indexed arrays that are reused through a free
 * list, so once the arrays have grown to the peak number of pending events
 * no push or pop allocates. The queues built on this (HeapQueue,
 * CalendarQueue, LadderQueue) order slots by (time, seq); seq only grows, so
 * events at equal times leave in the order they were scheduled.
 *
 * A handle is `gen * SLOT_SPAN + slot`; the generation is bumped whenever a
 * slot is freed, so a stale handle (its event already ran or was cancelled)
 * is harmless. Cancel is lazy, as in ns-3: it clears the slot's handler and
 * the structure drops the entry when it meets it (`nCancelled` counts those
 * still held).
 *
 * Cost: O(1) per operation; the arrays double when full.
 */

export type Handler<T = any> = (arg: T) => void;

/** Number of slots addressable by a handle (16 M pending events). */
export const SLOT_SPAN = 16_777_216;
const MAX_GEN = 536_870_912; // SLOT_SPAN * MAX_GEN stays below 2^53

export abstract class EventSlots {
  protected fns: (Handler | null)[] = [];
  protected args: unknown[] = [];
  protected gens: Float64Array;
  protected seqs: Float64Array;
  private free: Int32Array;
  private nFree = 0;
  protected nSlots = 0;
  private seq = 0;
  /** Live events: pushed, not yet popped nor cancelled. */
  protected live = 0;
  /** Cancelled entries the structure still holds. */
  protected nCancelled = 0;

  /** Filled by pop(): the argument and time of the event just taken. */
  poppedArg: unknown = undefined;
  poppedTime = 0;

  constructor(initialCapacity: number) {
    const c = Math.max(16, initialCapacity | 0);
    this.gens = new Float64Array(c);
    this.seqs = new Float64Array(c);
    this.free = new Int32Array(c);
  }

  /** Live (not cancelled) pending events. */
  get size(): number {
    return this.live;
  }

  /** Take a slot for `fn(arg)` and give it the next seq. */
  protected allocSlot(fn: Handler, arg: unknown): number {
    // Growing is a call, so that allocSlot stays small enough to inline.
    const slot = this.nFree > 0 ? this.free[--this.nFree] : this.nSlots < this.gens.length ? this.nSlots++ : this.newSlot();
    this.fns[slot] = fn;
    this.args[slot] = arg;
    this.seqs[slot] = this.seq++;
    this.live++;
    return slot;
  }

  private newSlot(): number {
    const slot = this.nSlots++;
    if (slot >= SLOT_SPAN) throw new RangeError(`EventQueue: more than ${SLOT_SPAN} pending events`);
    if (slot >= this.gens.length) this.growSlots();
    return slot;
  }

  protected handleOf(slot: number): number {
    return this.gens[slot] * SLOT_SPAN + slot;
  }

  /** True while the event of `handle` has neither run nor been cancelled. */
  isPending(handle: number): boolean {
    const slot = handle % SLOT_SPAN;
    return slot < this.nSlots && this.gens[slot] === (handle - slot) / SLOT_SPAN && this.fns[slot] !== null;
  }

  /** Cancel a pending event; returns false if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    if (!(handle >= 0) || !this.isPending(handle)) return false;
    const slot = handle % SLOT_SPAN;
    this.fns[slot] = null;
    this.args[slot] = undefined;
    this.nCancelled++;
    this.live--;
    return true;
  }

  /**
   * Hand out the event of a live slot that leaves the structure: its argument
   * and time go to `poppedArg`/`poppedTime`, the slot is free again before
   * the handler runs (so it can be reused at once), and the handler returned.
   */
  protected takeSlot(slot: number, time: number): Handler {
    const fn = this.fns[slot]!;
    this.poppedTime = time;
    this.poppedArg = this.args[slot];
    this.fns[slot] = null;
    this.args[slot] = undefined;
    this.live--;
    this.freeSlot(slot);
    return fn;
  }

  /** Free a slot whose entry the structure has dropped (live or cancelled). */
  protected freeSlot(slot: number): void {
    const g = this.gens[slot] + 1;
    this.gens[slot] = g === MAX_GEN ? 0 : g;
    this.free[this.nFree++] = slot;
  }

  /** Drop a structure entry during clear() or when a cancelled one is met. */
  protected dropEntry(slot: number): void {
    if (this.fns[slot] === null) {
      this.nCancelled--;
    } else {
      this.fns[slot] = null;
      this.args[slot] = undefined;
      this.live--;
    }
    this.freeSlot(slot);
  }

  /** Per-slot arrays of a subclass grow with the slot table. */
  protected growSlotArrays(_capacity: number): void {}

  private growSlots(): void {
    const c = Math.min(this.gens.length * 2, SLOT_SPAN);
    const g = new Float64Array(c); g.set(this.gens); this.gens = g;
    const q = new Float64Array(c); q.set(this.seqs); this.seqs = q;
    const f = new Int32Array(c); f.set(this.free); this.free = f;
    this.growSlotArrays(c);
  }
}
