/**
 * Timeline: time travel over a recorded trace. Every `stride` events it
 * keeps a snapshot of the ViewState (immer: frozen, structure shared with
 * its neighbours); the state after any k events is the nearest snapshot at
 * or before k with the events between replayed through the one reducer, so
 * seeking backwards or forwards costs at most `stride` reducer steps and
 * step-back is as exact as step-forward.
 *
 * Snapshots are built as the trace grows, a bounded number of events per
 * call (`extend`), so the page can build them in idle slices without
 * freezing. Times are ns; `kAt(t)` turns a time into an event count.
 * Cost: memory of at most `maxSnapshots` ViewStates (the stride doubles on
 * long traces); `stateAt` O(stride) reducer steps plus one immer copy.
 */
import { freeze, produce } from 'immer';
import type { TraceLog } from '../../src/inspect/trace-log';
import { applyEvent, initialView, plainView, type ViewState } from './view-state';

export class Timeline {
  private snaps: ViewState[];
  /** Events between snapshots; doubles (every other snapshot dropped) when there would be more than `maxSnapshots`. */
  stride: number;

  constructor(readonly log: TraceLog, readonly nodes: number, stride = 2048, readonly maxSnapshots = 1024) {
    this.stride = stride;
    this.snaps = [freeze(initialView(nodes), true)];
  }

  /** Events the trace holds now. */
  get length(): number {
    return this.log.events.n;
  }

  /** Events covered by snapshots so far. */
  get built(): number {
    return (this.snaps.length - 1) * this.stride;
  }

  get snapshotCount(): number {
    return this.snaps.length;
  }

  /** Build snapshots for about `budget` more events (at least one stride when one is due); true when every complete stride has one. */
  extend(budget = Infinity): boolean {
    let left = budget;
    while (this.built + this.stride <= this.length && left > 0) {
      const last = this.snaps[this.snaps.length - 1];
      this.snaps.push(this.advance(last, last.k + this.stride));
      left -= this.stride;
      if (this.snaps.length > this.maxSnapshots) {
        // Memory stays bounded on long traces: half the snapshots, twice the stride (a seek replays at most a stride).
        this.snaps = this.snaps.filter((_, i) => i % 2 === 0);
        this.stride *= 2;
      }
    }
    return this.built + this.stride > this.length;
  }

  /** The state after `k` events (clamped to the trace). */
  stateAt(k: number): ViewState {
    const kk = Math.max(0, Math.min(Math.floor(k), this.length));
    const i = Math.min(Math.floor(kk / this.stride), this.snaps.length - 1);
    return this.advance(this.snaps[i], kk);
  }

  /** `s` moved forward to `k` events (k >= s.k), one produce for the whole run of events. */
  advance(s: ViewState, k: number): ViewState {
    const to = Math.min(k, this.length);
    if (to <= s.k) return s;
    const log = this.log;
    const w = plainView(s);
    for (let e = s.k; e < to; e++) applyEvent(w, log, e);
    // The working copy becomes the next immutable state: immer freezes what changed and shares the rest.
    return produce(s, (d) => {
      d.k = w.k;
      d.t = w.t;
      d.places = w.places;
      d.nodeTx = w.nodeTx;
      d.nodeRx = w.nodeRx;
      d.nodeDrops = w.nodeDrops;
      d.drops = w.drops;
    });
  }

  /** The state one event later or earlier (step forward / step back). */
  step(s: ViewState, by: 1 | -1): ViewState {
    return by === 1 ? this.advance(s, s.k + 1) : this.stateAt(s.k - 1);
  }

  /** Events that happened at or before time t. */
  kAt(t: number): number {
    return this.log.eventsUpTo(t);
  }

  /** The state at time t: every event at or before t applied. */
  stateAtTime(t: number): ViewState {
    return this.stateAt(this.kAt(t));
  }
}
