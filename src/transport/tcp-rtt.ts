/**
 * RTT estimation and the retransmission timeout of RFC 6298: the first
 * sample sets SRTT = R and RTTVAR = R/2; later ones move them by 1/8 and
 * 1/4; RTO = SRTT + 4·RTTVAR, clamped to [minRto, maxRto]. Which segments
 * may be sampled (Karn's rule) is the socket's business; this only folds a
 * sample into the TCB.
 *
 * Cost: a few flops per sample, no allocation.
 */
import type { Tcb } from './tcb';

export interface RtoBounds {
  minRto: number;
  maxRto: number;
}

/** Fold the round-trip sample `r` (ns) into `t.srtt`, `t.rttvar` and `t.rto`. */
export function rtoAfterSample(t: Tcb, r: number, o: RtoBounds): void {
  if (t.srtt === 0) {
    t.srtt = r;
    t.rttvar = r / 2;
  } else {
    t.rttvar = 0.75 * t.rttvar + 0.25 * Math.abs(t.srtt - r);
    t.srtt = 0.875 * t.srtt + 0.125 * r;
  }
  t.rto = Math.min(o.maxRto, Math.max(o.minRto, Math.round(t.srtt + 4 * t.rttvar)));
}
