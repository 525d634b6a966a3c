/**
 * RTT estimation (RFC 6298, Jacobson/Karels) in integer nanoseconds with
 * gains 1/8 and 1/4, as ns-3's RttMeanDeviation: the first sample sets
 * SRTT = R and RTTVAR = R/2; later ones shift by 3 and 2 bits (flooring, as
 * an arithmetic shift does). RTO = max(minRto, SRTT + max(G, 4·RTTVAR))
 * with clock granularity G; an RTO doubles on each timeout up to 60 s.
 *
 * Cost: a few integer operations per sample, no allocation.
 */
import type { Tcb } from './tcb';

export interface RtoOptions {
  minRto: number;
  clockGranularity: number;
  initialRtt: number;
}

/** The RTO ns-3 caps a doubled timeout at, ns. */
export const MAX_RTO = 60e9;

/** Fold the round-trip sample `m` (ns, > 0) into the estimator. */
export function rttMeasurement(t: Tcb, m: number): void {
  if (t.rttSamples === 0) {
    t.srtt = m;
    t.rttvar = Math.floor(m / 2);
  } else {
    let delta = m - t.srtt;
    t.srtt = Math.floor((t.srtt * 8 + delta) / 8);
    if (delta < 0) delta = -delta;
    delta -= t.rttvar;
    t.rttvar = Math.floor((t.rttvar * 4 + delta) / 4);
  }
  t.rttSamples++;
}

/** RFC 6298 (2.4) as ns-3 computes it after a sample, a new ACK or any segment sent. */
export function computeRto(t: Tcb, o: RtoOptions): number {
  return Math.max(t.srtt + Math.max(o.clockGranularity, 4 * t.rttvar), o.minRto);
}

/** Back to the state before any sample (a new connection attempt). */
export function resetRtt(t: Tcb, o: RtoOptions): void {
  t.srtt = o.initialRtt;
  t.rttvar = 0;
  t.rttSamples = 0;
}
