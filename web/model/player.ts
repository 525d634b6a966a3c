/**
 * Player: the playback clock over a run's Timeline, a pacer in SimPy's
 * sense: it only decides how many recorded events to apply per animation
 * frame. Modes: scaled real time (`speed` simulated ns per wall second, from
 * far slower than real time up to 100x), a fixed number of events per
 * second (packet by packet), or as fast as the page can apply them. Seeking
 * (time or event) and stepping go through the Timeline, so going back is as
 * exact as going forward. `tau` is the continuous time the view draws at:
 * between two events, packets are drawn where their media put them at tau.
 *
 * Cost per frame: the events applied (one immer state per frame), nothing
 * per packet.
 */
import type { RunModel } from './run-model';
import type { ViewState } from './view-state';
import { initialView } from './view-state';
import { Ev } from '../../src/inspect/trace-format';

export class Player {
  run: RunModel | null = null;
  state: ViewState = initialView(0);
  tau = 0;
  playing = false;
  mode: 'time' | 'events' | 'max' = 'time';
  /** Simulated ns per wall second (time mode). */
  speed = 1e6;
  eventsPerSecond = 60;
  private carry = 0;
  private readonly listeners = new Set<() => void>();

  attach(run: RunModel | null): void {
    this.run = run;
    this.state = run !== null ? run.timeline.stateAt(0) : initialView(0);
    this.tau = 0;
    this.carry = 0;
    this.emit();
  }

  /** Time the trace covers so far. */
  get horizon(): number {
    return this.run?.horizon ?? 0;
  }

  get length(): number {
    return this.run?.log.events.n ?? 0;
  }

  /** Advance by one animation frame of `dtMs` wall milliseconds. Returns whether anything changed. */
  tick(dtMs: number): boolean {
    const run = this.run;
    if (!this.playing || run === null) return false;
    const tl = run.timeline;
    const n = tl.length;
    if (this.mode === 'time') {
      const horizon = this.horizon;
      this.tau = Math.min(horizon, this.tau + (this.speed * dtMs) / 1000);
      this.state = tl.advance(this.state, tl.kAt(this.tau));
      if (this.tau >= horizon && run.status !== 'running') this.playing = false;
    } else {
      let k: number;
      if (this.mode === 'events') {
        this.carry += (this.eventsPerSecond * dtMs) / 1000;
        const whole = Math.floor(this.carry);
        this.carry -= whole;
        k = Math.min(n, this.state.k + whole);
      } else {
        // As fast as the page goes: a slice of events sized to leave the frame room to draw.
        k = Math.min(n, this.state.k + 20_000);
      }
      this.state = tl.advance(this.state, k);
      this.tau = this.state.t;
      if (k >= n && run.status !== 'running') this.playing = false;
    }
    this.emit();
    return true;
  }

  /** Show the moment after event k (k events applied). */
  seekEvent(k: number): void {
    if (this.run === null) return;
    this.state = this.run.timeline.stateAt(k);
    this.tau = this.state.t;
    this.emit();
  }

  /** Show time t: every event at or before t applied, packets drawn where they are at t. */
  seekTime(t: number): void {
    if (this.run === null) return;
    this.tau = Math.max(0, Math.min(t, this.horizon));
    this.state = this.run.timeline.stateAtTime(this.tau);
    this.emit();
  }

  step(by: 1 | -1): void {
    if (this.run === null) return;
    this.state = this.run.timeline.step(this.state, by);
    this.tau = this.state.t;
    this.emit();
  }

  /** Step to the next (or previous) transmission of a frame of connection `conn`. */
  stepConnection(conn: number, dir: 1 | -1 = 1): boolean {
    const run = this.run;
    if (run === null) return false;
    const ec = run.log.events.cols, fc = run.log.frames.cols;
    const n = run.log.events.n;
    for (let e = dir === 1 ? this.state.k : this.state.k - 2; e >= 0 && e < n; e += dir) {
      const kind = ec.kind[e];
      const f = ec.frame[e];
      if ((kind === Ev.SEND || kind === Ev.PHY || kind === Ev.TX) && f >= 0 && fc.conn[f] === conn) {
        this.seekEvent(e + 1);
        return true;
      }
    }
    return false;
  }

  on(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(): void {
    for (const fn of this.listeners) fn();
  }
}
