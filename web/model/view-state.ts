/**
 * ViewState: what the animation shows after the first `k` events of a
 * trace: where every live packet is (on a link or queued at a device: its
 * frame; held at a node after an arrival: that arrival event), the counters
 * each node shows on hover, and the latest drops.
 *
 * `applyEvent` is the one reducer: a ViewState after k events is the fold of
 * the first k events over `initialView`, whether reached by playing forward
 * or by restoring a snapshot and replaying from it (timeline.ts). States are
 * immer values: frozen, and sharing what did not change.
 *
 * Place encoding (a number per packet id): f >= 0 is frame f (queued at its
 * device before the frame's t0, on the medium from t0 to t1); -(e + 1) is
 * "held at the node of arrival event e" (the Internet cloud, a NIC's
 * processor, a router waiting for ARP).
 * Cost: O(1) per event on a working copy (native Map and arrays; immer
 * drafts cost ~2 us an event, too slow for millions), frozen by immer once
 * per step or snapshot.
 */
import { enableMapSet } from 'immer';
import { Ev, FINAL } from '../../src/inspect/trace-format';
import type { TraceLog } from '../../src/inspect/trace-log';

enableMapSet();

export interface ViewState {
  /** Events applied. */
  k: number;
  /** Time of the last applied event, ns (0 before any). */
  t: number;
  places: Map<number, number>;
  nodeTx: number[];
  nodeRx: number[];
  nodeDrops: number[];
  /** Event indexes of the latest drops, oldest first. */
  drops: number[];
}

export const RECENT_DROPS = 48;

export function initialView(nodes: number): ViewState {
  return { k: 0, t: 0, places: new Map(), nodeTx: new Array(nodes).fill(0), nodeRx: new Array(nodes).fill(0), nodeDrops: new Array(nodes).fill(0), drops: [] };
}

export const isHeld = (place: number): boolean => place < 0;
export const heldEvent = (place: number): number => -place - 1;

/** Apply event `e` of `log` to a mutable copy of the state after `e` events. */
export function applyEvent(s: ViewState, log: TraceLog, e: number): void {
  const c = log.events.cols;
  const pid = c.pid[e];
  const node = c.node[e];
  switch (c.kind[e]) {
    case Ev.TX:
      s.places.set(pid, c.frame[e]);
      if (node >= 0) s.nodeTx[node]++;
      break;
    case Ev.SEND:
      s.places.set(pid, c.frame[e]);
      if (node >= 0) s.nodeTx[node]++;
      break;
    case Ev.PHY:
      s.places.set(pid, c.frame[e]);
      break;
    case Ev.ARR:
      if (node >= 0) s.nodeRx[node]++;
      if ((c.y[e] & FINAL) !== 0) s.places.delete(pid);
      else s.places.set(pid, -(e + 1));
      break;
    case Ev.DROP:
      s.places.delete(pid);
      if (node >= 0) s.nodeDrops[node]++;
      s.drops.push(e);
      if (s.drops.length > RECENT_DROPS) s.drops.splice(0, s.drops.length - RECENT_DROPS);
      break;
    case Ev.END:
      s.places.delete(pid);
      break;
    default:
      break;
  }
  s.k = e + 1;
  s.t = c.t[e];
}

/** A plain (mutable, non-immer) copy, for folds in tests and for comparing states. */
export function plainView(s: ViewState): ViewState {
  return { k: s.k, t: s.t, places: new Map(s.places), nodeTx: [...s.nodeTx], nodeRx: [...s.nodeRx], nodeDrops: [...s.nodeDrops], drops: [...s.drops] };
}

/** Whether two states are the same (places compared as sets of entries). */
export function sameView(a: ViewState, b: ViewState): boolean {
  if (a.k !== b.k || a.t !== b.t || a.places.size !== b.places.size) return false;
  for (const [pid, place] of a.places) if (b.places.get(pid) !== place) return false;
  const eq = (x: number[], y: number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.nodeTx, b.nodeTx) && eq(a.nodeRx, b.nodeRx) && eq(a.nodeDrops, b.nodeDrops) && eq(a.drops, b.drops);
}
