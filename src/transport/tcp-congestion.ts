/**
 * Congestion control and loss recovery, pluggable as in ns-3: a
 * `CongestionOps` grows the window and picks ssthresh after a loss; a
 * `RecoveryOps` sets the window during fast recovery. The algorithms keep
 * no state of their own (it is in the TCB, so it migrates with the
 * connection); an instance carries only its configuration.
 *
 * - NewReno (RFC 5681, ns-3's TcpNewReno): slow start adds one segment per
 *   ACK that acknowledges new data; congestion avoidance adds MSS²/cwnd per
 *   ACK; ssthresh = max(2·MSS, flight/2).
 * - CUBIC (RFC 9438 as ns-3 3.37's TcpCubic): slow start counts bytes
 *   (ABC, standing in for Linux's quick ACKs), the cubic window
 *   W(t) = C·(t − K)³ + Wmax with the ACK counter of Linux, fast
 *   convergence, β = 0.7, and HyStart (ACK train and delay increase, from a
 *   window of 16 segments, on the smoothed RTT).
 * - PRR (RFC 6937, ns-3's TcpPrrRecovery with the slow-start reduction
 *   bound) and classic recovery (cwnd = ssthresh).
 *
 * Where ns-3's integer types decide a result (uint32 wrap-around, double to
 * uint32 truncation), the same arithmetic is done here.
 */
import type { CongState, Tcb } from './tcb';

/** ns-3's Time::Min(), as a finite mark that sorts before every time. */
export const NEVER = -1e18;
const UINT32_MAX = 4294967295;

/** double -> uint32 as the compiled C++ does it (through a signed 64-bit conversion). */
function u32d(x: number): number {
  if (!(x >= 0)) return x > -2147483648 ? (Math.trunc(x) >>> 0) : 0;
  if (x >= 9.223372036854776e18) return 0;
  return Math.trunc(x) % 4294967296;
}

export interface CongestionOps {
  /** netsim name ('cubic', 'newreno') and the ns-3 TypeId it reproduces. */
  readonly name: string;
  readonly ns3Name: string;
  /** The per-connection state, as a plain record. */
  initState(): Record<string, number | boolean>;
  getSsThresh(t: Tcb, bytesInFlight: number): number;
  increaseWindow(t: Tcb, segsAcked: number, now: number): void;
  pktsAcked(t: Tcb, segsAcked: number, rtt: number, now: number): void;
  congestionStateSet(t: Tcb, s: CongState, now: number): void;
}

export class NewReno implements CongestionOps {
  readonly name = 'newreno';
  readonly ns3Name = 'ns3::TcpNewReno';

  initState(): Record<string, number | boolean> {
    return {};
  }

  /** One segment per ACK of new data; returns the ACKed segments left unused. */
  slowStart(t: Tcb, segsAcked: number): number {
    if (segsAcked >= 1) {
      t.cwnd += t.mss;
      return segsAcked - 1;
    }
    return 0;
  }

  congestionAvoidance(t: Tcb, segsAcked: number): void {
    if (segsAcked > 0) t.cwnd += Math.trunc(Math.max(1, (t.mss * t.mss) / t.cwnd));
  }

  increaseWindow(t: Tcb, segsAcked: number): void {
    if (t.cwnd < t.ssThresh) segsAcked = this.slowStart(t, segsAcked);
    if (t.cwnd >= t.ssThresh) this.congestionAvoidance(t, segsAcked);
  }

  getSsThresh(t: Tcb, bytesInFlight: number): number {
    return Math.max(2 * t.mss, Math.floor(bytesInFlight / 2));
  }

  pktsAcked(): void {}
  congestionStateSet(): void {}
}

export interface CubicOptions {
  fastConvergence: boolean;
  beta: number;
  c: number;
  hystart: boolean;
  /** Segments. */
  hystartLowWindow: number;
  /** 1 ACK train, 2 delay, 3 both. */
  hystartDetect: number;
  hystartMinSamples: number;
  /** ns. */
  hystartAckDelta: number;
  hystartDelayMin: number;
  hystartDelayMax: number;
  cubicDelta: number;
  cntClamp: number;
}

/** ns-3 3.37's TcpCubic attribute defaults. */
export const CUBIC_DEFAULTS: CubicOptions = {
  fastConvergence: true, beta: 0.7, c: 0.4, hystart: true, hystartLowWindow: 16, hystartDetect: 3,
  hystartMinSamples: 8, hystartAckDelta: 2e6, hystartDelayMin: 4e6, hystartDelayMax: 1000e6, cubicDelta: 10e6, cntClamp: 20,
};

interface CubicState {
  cWndCnt: number;
  lastMaxCwnd: number;
  bicOriginPoint: number;
  bicK: number;
  delayMin: number;
  epochStart: number;
  found: boolean;
  roundStart: number;
  endSeq: number;
  lastAck: number;
  currRtt: number;
  sampleCnt: number;
}

export class Cubic implements CongestionOps {
  readonly name = 'cubic';
  readonly ns3Name = 'ns3::TcpCubic';
  constructor(readonly o: CubicOptions = CUBIC_DEFAULTS) {}

  initState(): Record<string, number | boolean> {
    const s: CubicState = {
      cWndCnt: 0, lastMaxCwnd: 0, bicOriginPoint: 0, bicK: 0, delayMin: NEVER, epochStart: NEVER, found: false,
      roundStart: NEVER, endSeq: 0, lastAck: NEVER, currRtt: NEVER, sampleCnt: 0,
    };
    return s as unknown as Record<string, number | boolean>;
  }

  private st(t: Tcb): CubicState {
    return t.ccState as unknown as CubicState;
  }

  private hystartReset(t: Tcb, now: number): void {
    const s = this.st(t);
    s.roundStart = s.lastAck = now;
    s.endSeq = t.sndMax;
    s.currRtt = NEVER;
    s.sampleCnt = 0;
  }

  increaseWindow(t: Tcb, segsAcked: number, now: number): void {
    const s = this.st(t);
    if (t.cwnd < t.ssThresh) {
      if (this.o.hystart && t.lastAckedSeq > s.endSeq) this.hystartReset(t, now);
      t.cwnd = (t.cwnd + segsAcked * t.mss) >>> 0;
      segsAcked = 0;
    }
    if (t.cwnd >= t.ssThresh && segsAcked > 0) {
      s.cWndCnt += segsAcked;
      const cnt = this.update(t, now);
      if (s.cWndCnt >= cnt) {
        t.cwnd += t.mss;
        s.cWndCnt -= cnt;
      }
    }
  }

  private update(t: Tcb, now: number): number {
    const s = this.st(t);
    const o = this.o;
    const segCwnd = Math.floor(t.cwnd / t.mss);
    if (s.epochStart === NEVER) {
      s.epochStart = now;
      if (s.lastMaxCwnd <= segCwnd) {
        s.bicK = 0;
        s.bicOriginPoint = segCwnd;
      } else {
        s.bicK = Math.pow((s.lastMaxCwnd - segCwnd) / o.c, 1 / 3);
        s.bicOriginPoint = s.lastMaxCwnd;
      }
    }
    const tS = (now + (s.delayMin === NEVER ? 0 : s.delayMin) - s.epochStart) / 1e9;
    const offs = tS < s.bicK ? s.bicK - tS : tS - s.bicK;
    const delta = u32d(o.c * offs * offs * offs);
    const bicTarget = tS < s.bicK ? (s.bicOriginPoint - delta) >>> 0 : (s.bicOriginPoint + delta) >>> 0;
    let cnt = bicTarget > segCwnd ? Math.floor(segCwnd / (bicTarget - segCwnd)) : (100 * segCwnd) >>> 0;
    if (s.lastMaxCwnd === 0 && cnt > o.cntClamp) cnt = o.cntClamp;
    return Math.max(cnt, 2);
  }

  pktsAcked(t: Tcb, _segsAcked: number, rtt: number, now: number): void {
    const s = this.st(t);
    if (s.epochStart !== NEVER && now - s.epochStart < this.o.cubicDelta) return;
    if (s.delayMin === NEVER || s.delayMin > rtt) s.delayMin = rtt;
    if (this.o.hystart && t.cwnd <= t.ssThresh && t.cwnd >= this.o.hystartLowWindow * t.mss) this.hystartUpdate(t, rtt, now);
  }

  private hystartUpdate(t: Tcb, delay: number, now: number): void {
    const s = this.st(t);
    const o = this.o;
    // ns-3 keeps `found` as a bool and tests it against the detection bits.
    const detect = o.hystartDetect;
    if (((s.found ? 1 : 0) & detect) !== 0) return;
    if (now - s.lastAck <= o.hystartAckDelta) {
      s.lastAck = now;
      if (now - s.roundStart > s.delayMin) s.found = true;
    }
    if (s.sampleCnt < o.hystartMinSamples) {
      if (s.currRtt === NEVER || s.currRtt > delay) s.currRtt = delay;
      s.sampleCnt++;
    } else if (s.currRtt > s.delayMin + Math.min(o.hystartDelayMax, Math.max(o.hystartDelayMin, s.delayMin))) {
      s.found = true;
    }
    if (((s.found ? 1 : 0) & detect) !== 0) t.ssThresh = t.cwnd;
  }

  getSsThresh(t: Tcb): number {
    const s = this.st(t);
    const segCwnd = Math.floor(t.cwnd / t.mss);
    if (segCwnd < s.lastMaxCwnd && this.o.fastConvergence) s.lastMaxCwnd = u32d((segCwnd * (1 + this.o.beta)) / 2);
    else s.lastMaxCwnd = segCwnd;
    s.epochStart = NEVER;
    return Math.max(u32d(segCwnd * this.o.beta), 2) * t.mss;
  }

  congestionStateSet(t: Tcb, state: CongState, now: number): void {
    if (state !== 'loss') return;
    const s = this.st(t);
    s.lastMaxCwnd = 0;
    s.bicOriginPoint = 0;
    s.bicK = 0;
    s.delayMin = NEVER;
    s.found = false;
    this.hystartReset(t, now);
  }
}

export type CongestionName = 'cubic' | 'newreno';

export function congestionOps(name: CongestionName, cubic: CubicOptions = CUBIC_DEFAULTS): CongestionOps {
  return name === 'newreno' ? new NewReno() : new Cubic(cubic);
}

// ------------------------------------------------------------ recovery

export type RecoveryName = 'prr' | 'classic';

/** Entering fast recovery: `unAck` is the data outstanding, `delivered` what this ACK delivered. */
export function enterRecovery(t: Tcb, dupAcks: number, unAck: number, delivered: number): void {
  if (t.recovery === 'classic') {
    t.cwnd = t.ssThresh;
    return;
  }
  t.prrOut = 0;
  t.prrDelivered = 0;
  t.recoveryFlightSize = unAck;
  doRecovery(t, delivered);
  void dupAcks;
}

/** An ACK during recovery: PRR paces the window down to ssthresh (slow-start reduction bound). */
export function doRecovery(t: Tcb, delivered: number): void {
  if (t.recovery === 'classic') return;
  t.prrDelivered = (t.prrDelivered + delivered) >>> 0;
  const inFlight = t.inFlight;
  let sendCount: number;
  if (inFlight > t.ssThresh) {
    sendCount = Math.trunc(Math.ceil((Math.imul(t.prrDelivered, t.ssThresh) >>> 0) / t.recoveryFlightSize) - t.prrOut);
  } else {
    let limit: number;
    if (t.retransDataAcked) {
      const d = (t.prrDelivered - t.prrOut) >>> 0;
      limit = ((Math.max(d, delivered) + t.mss) >>> 0) | 0;
    } else {
      limit = delivered | 0;
    }
    sendCount = Math.min(limit, ((t.ssThresh - inFlight) >>> 0) | 0);
  }
  sendCount = Math.max(sendCount, t.prrOut > 0 ? 0 : t.mss);
  t.cwnd = (inFlight + sendCount) >>> 0;
}

export function recoverySent(t: Tcb, bytes: number): void {
  if (t.recovery !== 'classic') t.prrOut = (t.prrOut + bytes) >>> 0;
}

export const SSTHRESH_INFINITE = UINT32_MAX;
