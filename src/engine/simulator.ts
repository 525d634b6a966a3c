/**
 * Simulator: the discrete-event engine.
 *
 * Owns the clock (`now`, integer nanoseconds) and the EventQueue. Models call
 * `schedule(delay, fn, arg)`; the engine calls `fn(arg)` when the clock
 * reaches it. Passing a long-lived function and an existing object as `arg`
 * (rather than a fresh closure) keeps the per-event path allocation-free.
 *
 * Fractional delays are truncated to whole nanoseconds, as ns-3 does when a
 * double becomes a Time. Negative, NaN or infinite delays throw.
 *
 * A pacer (the browser's playback) drives the engine with `peek()` and
 * `step()`, as SimPy's real-time environment overrides only `step()`.
 */
import { EventQueue, type Handler } from './event-queue';

export interface RunOptions {
  /**
   * Execute events with time <= until, then set the clock to `until` (as
   * ns-3's Stop(t) and SimPy's run(until) do), also when the queue ran dry
   * first, unless `idleStops` is set.
   */
  until?: number;
  /** When the queue runs dry before `until`, stop there ('empty') and leave the clock at the last event. */
  idleStops?: boolean;
  /** Execute at most this many events in this call. */
  maxEvents?: number;
}

export type StopReason = 'empty' | 'until' | 'maxEvents' | 'stopped';

export class Simulator {
  /** Current simulated time, integer nanoseconds. */
  now = 0;
  /** Events executed since construction. */
  executed = 0;
  /** Events scheduled since construction. */
  scheduled = 0;
  /** Events cancelled since construction. */
  cancelled = 0;
  private readonly queue: EventQueue;
  private stopRequested = false;

  constructor(initialCapacity = 1024) {
    this.queue = new EventQueue(initialCapacity);
  }

  /** Number of events pending (cancelled ones excluded). */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedule `fn(arg)` after `delay` ns; returns a handle for `cancel`. */
  schedule<T>(delay: number, fn: Handler<T>, arg?: T): number {
    if (!(delay >= 0 && delay !== Infinity)) {
      throw new RangeError(
        `schedule: delay must be a finite number of nanoseconds >= 0, got ${delay}`,
      );
    }
    this.scheduled++;
    return this.queue.push(this.now + Math.trunc(delay), fn, arg);
  }

  /** Schedule `fn(arg)` at absolute time `time` (>= now). */
  scheduleAt<T>(time: number, fn: Handler<T>, arg?: T): number {
    if (!(time >= this.now && time !== Infinity)) {
      throw new RangeError(
        `scheduleAt: time must be a finite number of nanoseconds >= now (${this.now}), got ${time}`,
      );
    }
    this.scheduled++;
    return this.queue.push(Math.trunc(time), fn, arg);
  }

  /** Cancel a pending event; false if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    const ok = this.queue.cancel(handle);
    if (ok) this.cancelled++;
    return ok;
  }

  isPending(handle: number): boolean {
    return this.queue.isPending(handle);
  }

  /** Time of the next event, or Infinity when none is pending. */
  peek(): number {
    return this.queue.peekTime();
  }

  /** Execute the next event; false if none was pending. */
  step(): boolean {
    const q = this.queue;
    const fn = q.pop();
    if (fn === null) return false;
    this.now = q.poppedTime;
    this.executed++;
    fn(q.poppedArg);
    return true;
  }

  /** Ask a running `run()` to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Execute events until the queue empties, `until`, `maxEvents` or `stop()`. */
  run(opts: RunOptions = {}): StopReason {
    const until = opts.until ?? Infinity;
    const maxEvents = opts.maxEvents ?? Infinity;
    const idleStops = opts.idleStops ?? false;
    if (!(until >= this.now)) {
      throw new RangeError(`run: until (${until}) must be a number >= now (${this.now})`);
    }
    if (!(maxEvents >= 0)) throw new RangeError(`run: maxEvents must be >= 0, got ${maxEvents}`);
    this.stopRequested = false;
    const q = this.queue;
    const limit = this.executed + maxEvents;
    let reason: StopReason = 'empty';
    // One heap read per event: the `until` check needs the next time only
    // when a bound was given; otherwise pop() alone says whether it is empty.
    const bounded = until !== Infinity;
    for (;;) {
      if (this.stopRequested) { reason = 'stopped'; break; }
      if (this.executed >= limit) { reason = 'maxEvents'; break; }
      if (bounded) {
        const next = q.peekTime();
        if (next === Infinity) { reason = idleStops ? 'empty' : 'until'; break; }
        if (next > until) { reason = 'until'; break; }
      }
      const fn = q.pop();
      if (fn === null) { reason = 'empty'; break; }
      this.now = q.poppedTime;
      this.executed++;
      fn(q.poppedArg);
    }
    this.stopRequested = false;
    if (reason === 'until' && until !== Infinity) this.now = until;
    return reason;
  }

  /** Drop all pending events (the clock stays where it is). */
  clear(): void {
    this.queue.clear();
  }
}
