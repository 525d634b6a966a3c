/**
 * Measures over time, from a run's trace, for the charts: the response
 * bypass ratio (cumulative, and per time bin; counted exactly as the
 * runner's PathRecorder counts it, so at the end of a full recording it is
 * the run's `response-bypass`), request latencies completed so far with
 * their percentiles, requests each server's CPU completed, and each LAN's
 * utilisation (busy time of its media over media x time, as PathRecorder's
 * mean utilisation).
 *
 * Cost: per-bin sums and prefix sums are cached per trace length; a query
 * at time t is a binary search plus the bins up to t.
 */
import type { NetworkMap } from '../../src/inspect/network-map';
import type { TraceLog } from '../../src/inspect/trace-log';

export const BINS = 60;

export interface Measures {
  /** Bin width and edges span [0, horizon]. */
  binNs: number;
  horizon: number;
  /** Bins covered up to t (the last one may be partial). */
  upTo: number;
  bypassCum: (number | null)[];
  bypassBin: (number | null)[];
  /** Bypass ratio of the responses delivered up to t (null: none yet), and how many. */
  bypassNow: number | null;
  responsesNow: number;
  /** Whether the network has a cluster (without one there is no first device, so no bypass ratio). */
  cluster: boolean;
  latencies: number[];
  p50: number | null;
  p99: number | null;
  served: { name: string; count: number }[];
  /** Each LAN (by role, or by name when it has none) and its utilisation per bin. */
  lans: { role: string; util: number[] }[];
}

interface Cache {
  key: string;
  prefix: Int32Array;
  binNs: number;
  horizon: number;
  busy: Float64Array[];
  respBins: Int32Array;
  bypBins: Int32Array;
}

const caches = new WeakMap<TraceLog, Cache>();

function cacheOf(log: TraceLog, map: NetworkMap, horizon: number): Cache {
  const key = `${log.frames.n}/${log.responses.n}/${horizon}`;
  const old = caches.get(log);
  if (old !== undefined && old.key === key) return old;
  const r = log.responses;
  const prefix = new Int32Array(r.n + 1);
  for (let i = 0; i < r.n; i++) prefix[i + 1] = prefix[i] + r.cols.bypassed[i];
  const binNs = Math.max(1, horizon / BINS);
  const respBins = new Int32Array(BINS), bypBins = new Int32Array(BINS);
  for (let i = 0; i < r.n; i++) {
    const b = Math.min(BINS - 1, Math.floor(r.cols.t[i] / binNs));
    respBins[b]++;
    bypBins[b] += r.cols.bypassed[i];
  }
  const busy = map.lans.map(() => new Float64Array(BINS));
  const fc = log.frames.cols;
  for (let f = 0; f < log.frames.n; f++) {
    const t0 = fc.t0[f], t1 = fc.t1[f];
    if (!(t1 > t0)) continue;
    const link = map.links[map.devices[fc.dev[f]]?.link ?? -1];
    const li = link?.lanIndex ?? -1;
    if (li < 0) continue;
    // Split the frame's time on its medium over the bins it covers.
    for (let b = Math.floor(t0 / binNs); b < BINS && b * binNs < t1; b++) {
      const a = Math.max(t0, b * binNs), z = Math.min(t1, (b + 1) * binNs);
      if (z > a) busy[li][b] += z - a;
    }
  }
  // Frames from both ends of a cable share one half-duplex medium: divide by the media count.
  map.lans.forEach((lan, li) => {
    const ch = Math.max(1, lan.channels);
    for (let b = 0; b < BINS; b++) busy[li][b] /= ch * binNs;
  });
  const c = { key, prefix, binNs, horizon, busy, respBins, bypBins };
  caches.set(log, c);
  return c;
}

function nearestRank(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((q / 100) * sorted.length) - 1)];
}

export function measuresAt(log: TraceLog, map: NetworkMap, t: number, horizon: number): Measures {
  const c = cacheOf(log, map, Math.max(1, horizon));
  const r = log.responses;
  let lo = 0, hi = r.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r.cols.t[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  const upTo = Math.min(BINS, Math.floor(t / c.binNs) + 1);
  const bypassCum: (number | null)[] = [], bypassBin: (number | null)[] = [];
  let cr = 0, cb = 0;
  for (let b = 0; b < BINS; b++) {
    cr += c.respBins[b];
    cb += c.bypBins[b];
    bypassCum.push(cr > 0 ? cb / cr : null);
    bypassBin.push(c.respBins[b] > 0 ? c.bypBins[b] / c.respBins[b] : null);
  }
  const lat: number[] = [];
  const L = log.latencies;
  for (let i = 0; i < L.n && L.cols.t[i] <= t; i++) lat.push(L.cols.ns[i]);
  lat.sort((a, b) => a - b);
  const counts = new Map<number, number>();
  const S = log.served;
  for (let i = 0; i < S.n && S.cols.t[i] <= t; i++) counts.set(S.cols.server[i], (counts.get(S.cols.server[i]) ?? 0) + 1);
  const nServers = Math.max(map.members.length, ...[...counts.keys()].map((x) => x + 1), 0);
  const served = Array.from({ length: nServers }, (_, i) => ({ name: map.members[i] !== undefined ? map.nodes[map.members[i]].id : `server ${i}`, count: counts.get(i) ?? 0 }));
  return {
    binNs: c.binNs, horizon: c.horizon, upTo, bypassCum, bypassBin,
    bypassNow: lo > 0 && map.members.length > 0 ? c.prefix[lo] / lo : null, responsesNow: lo, cluster: map.members.length > 0,
    latencies: lat, p50: nearestRank(lat, 50), p99: nearestRank(lat, 99), served,
    lans: map.lans.map((l, i) => ({ role: l.role ?? l.name, util: Array.from(c.busy[i]) })),
  };
}
