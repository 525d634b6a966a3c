/**
 * FailureDetector: which peers a first device may still place connections on,
 * from the load reports that reach it over the third LAN.
 *
 *  - `timeout`: a peer silent for `deadAfterNs` is gone (the old rule). On a
 *    busy third LAN, reports queue behind each other and a live server can
 *    look dead: its connections are then lost for nothing.
 *  - `probe` (the default, in the manner of SWIM's suspicion): a peer silent
 *    for `deadAfterNs` is only suspected: no new connection goes to it, and
 *    it is asked directly over the back-end LAN (a probe; a probe-ack
 *    answers). Only `probes` unanswered probes, `probeTimeoutNs` apart, make
 *    it gone. A late report or an answer clears the suspicion.
 *  - `phi` (Hayashibara's phi-accrual detector): each peer's report
 *    inter-arrival times give a mean and deviation; the suspicion level
 *    phi = -log10 P(a report later than this) grows with the silence, and a
 *    peer is gone when it passes `threshold` (8: a chance of 1e-8 that a live
 *    peer is this late), after `acceptablePauseNs` of grace beyond the mean
 *    gap (a burst on a busy LAN delays many reports at once, which no
 *    history of gaps predicts). It adapts to a loaded LAN's slower reports.
 *
 * Forgetting is final until the peer is heard again (it rejoins). The
 * counters say how often a peer was suspected, how often a suspicion was
 * cleared, how often a peer was forgotten, and how often one was forgotten
 * while its node was in fact up (a false death: a measure, never an input).
 *
 * Cost: O(1) per report; `check` walks only the peers silent for longer
 * than deadAfter since the last check (the peers in the order they were last
 * heard, a linked list through two arrays: a report moves its sender to the
 * back), so a thousand-server cluster does not pay O(peers) per period and
 * server, and holds one entry a peer however long deadAfter is (a queue of
 * every arrival held 100 s of them under the sampled exchange, 4,000 a
 * server); phi judges every peer against its own gaps and scans them all.
 */
import type { Network } from '../net/network';
import { TraceSource } from '../net/trace-source';
import type { Member } from './member';

export type DetectorOptions =
  | { kind: 'timeout'; deadAfterNs: number }
  | { kind: 'probe'; deadAfterNs: number; probes: number; probeTimeoutNs: number }
  | { kind: 'phi'; threshold: number; minStdNs: number; window: number; acceptablePauseNs: number; deadAfterNs: number };

const UNKNOWN = 0, ALIVE = 1, SUSPECT = 2, GONE = 3;
/** prev/next of a peer not on the heard list. */
const UNLINKED = -2;

export interface DetectorEvents {
  /** Ask peer `index` whether it is alive (probe kind). */
  probe(index: number): void;
  /** Peer `index` is gone: forget it and what it held. */
  forget(index: number): void;
}

export class FailureDetector {
  private readonly status: Uint8Array;
  private readonly lastHeard: Float64Array;
  private readonly probesSent: Int32Array;
  private readonly probeTimer: Float64Array;
  // phi: per peer, a ring of the last `window` inter-arrival times and their sums.
  private readonly gaps: Float64Array;
  private readonly gapCount: Int32Array;
  private readonly gapSum: Float64Array;
  private readonly gapSq: Float64Array;
  suspicions = 0;
  cleared = 0;
  forgotten = 0;
  /** Peers forgotten while their node was up (false deaths). */
  forgottenWhileUp = 0;
  /** Peers heard again after being forgotten. */
  rejoined = 0;
  /** A peer was forgotten: (index, time). */
  readonly forgetTrace = new TraceSource<[number, number]>('detector-forget');
  // The peers heard since they were last checked, least recently heard first
  // (not for phi): prev/next indices, -1 at the ends; a peer off the list has
  // prev === next === UNLINKED.
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = -1;
  private tail = -1;
  private readonly overdueNow: number[] = [];

  constructor(
    readonly net: Network, readonly self: number, readonly members: readonly Member[], readonly opts: DetectorOptions,
    private readonly events: DetectorEvents,
  ) {
    const n = members.length;
    if (!(opts.deadAfterNs > 0)) throw new RangeError(`failure detector: deadAfterNs must be > 0, got ${opts.deadAfterNs}`);
    if (opts.kind === 'probe' && !(Number.isInteger(opts.probes) && opts.probes >= 1 && opts.probeTimeoutNs > 0)) {
      throw new RangeError(`failure detector: probe needs probes >= 1 and probeTimeoutNs > 0, got ${opts.probes} and ${opts.probeTimeoutNs}`);
    }
    if (opts.kind === 'phi' && !(opts.threshold > 0 && opts.minStdNs > 0 && Number.isInteger(opts.window) && opts.window >= 2)) {
      throw new RangeError('failure detector: phi needs threshold > 0, minStdNs > 0 and window >= 2');
    }
    this.status = new Uint8Array(n);
    this.lastHeard = new Float64Array(n);
    this.probesSent = new Int32Array(n);
    this.probeTimer = new Float64Array(n).fill(-1);
    const w = opts.kind === 'phi' ? opts.window : 0;
    this.gaps = new Float64Array(n * w);
    // The gap statistics only for phi: at 1,000 servers they are 20 MB the other kinds never read.
    const g = opts.kind === 'phi' ? n : 0;
    this.gapCount = new Int32Array(g);
    this.gapSum = new Float64Array(g);
    this.gapSq = new Float64Array(g);
    this.prev = new Int32Array(opts.kind === 'phi' ? 0 : n).fill(UNLINKED);
    this.next = new Int32Array(opts.kind === 'phi' ? 0 : n).fill(UNLINKED);
  }

  /** A report (or any sign of life) from peer `i` arrived at `now` (the clock: it never decreases). */
  heard(i: number, now: number): void {
    if (i === this.self) return;
    const st = this.status[i];
    if (this.opts.kind === 'phi' && st !== UNKNOWN && st !== GONE) this.addGap(i, now - this.lastHeard[i]);
    this.lastHeard[i] = now;
    this.noteHeard(i);
    if (st === SUSPECT) this.clear(i);
    else if (st === GONE) this.rejoined++;
    this.status[i] = ALIVE;
  }

  /** Move peer `i` (heard at lastHeard[i], the latest time yet) to the back of the list. */
  private noteHeard(i: number): void {
    if (this.opts.kind === 'phi') return;
    if (this.tail === i) return;
    this.unlink(i);
    this.prev[i] = this.tail;
    this.next[i] = -1;
    if (this.tail >= 0) this.next[this.tail] = i;
    else this.head = i;
    this.tail = i;
  }

  private unlink(i: number): void {
    const p = this.prev[i];
    if (p === UNLINKED) return;
    const n = this.next[i];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.prev[i] = UNLINKED;
    this.next[i] = UNLINKED;
  }

  /** Whether decisions may place connections on peer `i`. */
  usable(i: number): boolean {
    return this.status[i] === ALIVE;
  }

  /** Whether peer `i` is out of the table (forgotten, or never heard). */
  isGone(i: number): boolean {
    return this.status[i] === GONE || this.status[i] === UNKNOWN;
  }

  /** Once a report period: suspect or forget the peers that fell silent. */
  check(now: number): void {
    if (this.opts.kind === 'phi') {
      for (let i = 0; i < this.status.length; i++) if (this.status[i] === ALIVE && this.overdue(i, now)) this.forget(i);
      return;
    }
    // The peers whose latest arrival is older than deadAfter, in index order (as a scan of them all would take them).
    const due = this.overdueNow;
    due.length = 0;
    const oldest = now - this.opts.deadAfterNs;
    while (this.head >= 0 && this.lastHeard[this.head] < oldest) {
      const i = this.head;
      if (this.status[i] === ALIVE) due.push(i);
      this.unlink(i);
    }
    if (due.length > 1) due.sort((a, b) => a - b);
    for (const i of due) {
      if (this.status[i] !== ALIVE) continue;
      if (this.opts.kind === 'probe') this.suspect(i);
      else this.forget(i);
    }
  }

  /** Peer `i` answered a probe. */
  probeAnswered(i: number, now: number): void {
    if (this.status[i] !== SUSPECT) return;
    this.lastHeard[i] = now;
    this.noteHeard(i);
    this.status[i] = ALIVE;
    this.clear(i);
  }

  /** The suspicion level of peer `i` now (phi; for the other kinds, silence over deadAfter). */
  phi(i: number, now: number): number {
    const elapsed = now - this.lastHeard[i];
    if (this.opts.kind !== 'phi' || this.gapCount[i] < 2) return elapsed / this.opts.deadAfterNs;
    const n = Math.min(this.gapCount[i], this.opts.window);
    const mean = this.gapSum[i] / n + this.opts.acceptablePauseNs;
    const sd = Math.max(this.opts.minStdNs, Math.sqrt(Math.max(0, this.gapSq[i] / n - mean * mean)));
    // P(a gap longer than `elapsed`) for a normal law, by the logistic approximation of its tail.
    const y = (elapsed - mean) / sd;
    const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    const pLater = elapsed > mean ? e / (1 + e) : 1 - 1 / (1 + e);
    return pLater <= 0 ? Infinity : -Math.log10(pLater);
  }

  private overdue(i: number, now: number): boolean {
    if (this.opts.kind === 'phi' && this.gapCount[i] >= 2) return this.phi(i, now) > this.opts.threshold;
    return now - this.lastHeard[i] > this.opts.deadAfterNs;
  }

  private addGap(i: number, gap: number): void {
    const w = (this.opts as { window: number }).window;
    const slot = i * w + (this.gapCount[i] % w);
    if (this.gapCount[i] >= w) {
      const old = this.gaps[slot];
      this.gapSum[i] -= old;
      this.gapSq[i] -= old * old;
    }
    this.gaps[slot] = gap;
    this.gapSum[i] += gap;
    this.gapSq[i] += gap * gap;
    this.gapCount[i]++;
  }

  private suspect(i: number): void {
    this.status[i] = SUSPECT;
    this.suspicions++;
    this.probesSent[i] = 0;
    this.sendProbe(i);
  }

  private sendProbe(i: number): void {
    const o = this.opts as Extract<DetectorOptions, { kind: 'probe' }>;
    this.probesSent[i]++;
    this.events.probe(i);
    this.probeTimer[i] = this.net.sim.schedule(o.probeTimeoutNs, () => this.probeTimedOut(i));
  }

  private probeTimedOut(i: number): void {
    this.probeTimer[i] = -1;
    if (this.status[i] !== SUSPECT) return;
    const o = this.opts as Extract<DetectorOptions, { kind: 'probe' }>;
    if (this.probesSent[i] < o.probes) this.sendProbe(i);
    else this.forget(i);
  }

  private clear(i: number): void {
    this.cleared++;
    if (this.probeTimer[i] >= 0) this.net.sim.cancel(this.probeTimer[i]);
    this.probeTimer[i] = -1;
  }

  private forget(i: number): void {
    this.status[i] = GONE;
    this.forgotten++;
    if (this.members[i].node.up) this.forgottenWhileUp++;
    if (this.opts.kind === 'phi') {
      this.gapCount[i] = 0;
      this.gapSum[i] = 0;
      this.gapSq[i] = 0;
    }
    if (this.forgetTrace.active) this.forgetTrace.fire(i, this.net.now);
    this.events.forget(i);
  }
}
