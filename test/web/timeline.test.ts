/**
 * Time travel: the state after k events is the same whether it was reached
 * by playing forward event by event, by restoring the nearest snapshot and
 * replaying, by seeking to a time, or by stepping back from further on; and
 * a snapshot is immutable (restoring it after playing on gives it back as it
 * was).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { FrameLog } from '../../src/inspect/frame-log';
import { TraceLog } from '../../src/inspect/trace-log';
import { buildSimulation } from '../../src/scenario/build';
import { runSimulation } from '../../src/scenario/runner';
import { Timeline } from '../../web/model/timeline';
import { applyEvent, initialView, plainView, sameView, type ViewState } from '../../web/model/view-state';

let log: TraceLog;
let nodes: number;
/** The state after every k events, by a plain fold: the reference. */
const live: ViewState[] = [];

beforeAll(() => {
  const r = loadScenarioFile('l2-switch');
  if (!r.ok) throw new Error('scenario');
  const sim = buildSimulation(r.scenario);
  const fl = new FrameLog(sim);
  runSimulation(sim, { chunkEvents: 500, onProgress: () => log.append(fl.takeChunk()) });
  log.append(fl.takeChunk());
  nodes = fl.index.map.nodes.length;
  const s = initialView(nodes);
  live.push(plainView(s));
  for (let e = 0; e < log.events.n; e++) {
    applyEvent(s, log, e);
    live.push(plainView(s));
  }
});
log = new TraceLog();

describe('Timeline', () => {
  it('restoring a snapshot and replaying gives the live state, for every k', () => {
    const tl = new Timeline(log, nodes, 64);
    tl.extend();
    expect(tl.snapshotCount).toBe(Math.floor(log.events.n / 64) + 1);
    for (let k = 0; k <= log.events.n; k++) expect(sameView(tl.stateAt(k), live[k]), `k=${k}`).toBe(true);
  });

  it('seek to t then step equals running to t and one event more; step back after a seek equals running to the event before', () => {
    const tl = new Timeline(log, nodes, 100);
    tl.extend();
    const end = log.events.cols.t[log.events.n - 1];
    for (let i = 1; i < 200; i++) {
      const t = Math.floor((end * i) / 200);
      const s = tl.stateAtTime(t);
      const k = s.k;
      expect(sameView(s, live[k])).toBe(true);
      // every event at or before t is applied, none after
      if (k > 0) expect(log.events.cols.t[k - 1]).toBeLessThanOrEqual(t);
      if (k < log.events.n) expect(log.events.cols.t[k]).toBeGreaterThan(t);
      if (k < log.events.n) expect(sameView(tl.step(s, 1), live[k + 1])).toBe(true);
      if (k > 0) expect(sameView(tl.step(s, -1), live[k - 1])).toBe(true);
    }
  });

  it('a state played forward from a snapshot leaves the snapshot as it was (immer values are frozen)', () => {
    const tl = new Timeline(log, nodes, 128);
    tl.extend();
    const snap = tl.stateAt(1280);
    const before = plainView(snap);
    const later = tl.advance(snap, 2600);
    expect(Object.isFrozen(snap) && Object.isFrozen(snap.nodeTx)).toBe(true);
    expect(() => (snap.nodeTx as number[]).push(1)).toThrow();
    expect(sameView(snap, before)).toBe(true);
    expect(sameView(later, live[2600])).toBe(true);
    expect(sameView(tl.stateAt(1280), before)).toBe(true);
  });

  it('snapshots are built in bounded slices as the trace grows, each call making progress even when the stride outgrows the slice', () => {
    const tl = new Timeline(log, nodes, 256);
    let calls = 0;
    while (!tl.extend(512)) calls++;
    expect(calls).toBeGreaterThanOrEqual(Math.floor(log.events.n / 512) - 1);
    expect(sameView(tl.stateAt(log.events.n), live[log.events.n])).toBe(true);
    const thin = new Timeline(log, nodes, 16, 4);
    let n = 0;
    while (!thin.extend(8)) expect(++n).toBeLessThan(log.events.n);
    expect(thin.stride).toBeGreaterThan(8);
    expect(sameView(thin.stateAt(log.events.n - 1), live[log.events.n - 1])).toBe(true);
  });

  it('on a long trace, snapshots thin out (twice the stride) and every restore still equals the live state', () => {
    const tl = new Timeline(log, nodes, 32, 8);
    tl.extend();
    expect(tl.snapshotCount).toBeLessThanOrEqual(8);
    expect(tl.stride).toBeGreaterThanOrEqual(Math.floor(log.events.n / 8));
    for (let k = 0; k <= log.events.n; k += 97) expect(sameView(tl.stateAt(k), live[k]), `k=${k}`).toBe(true);
    log.compact();
    expect(sameView(tl.stateAt(log.events.n), live[log.events.n])).toBe(true);
  });

  it('the trace holds packets in flight mid-run: some on links, some held at nodes', () => {
    const mid = live[Math.floor(log.events.n / 2)];
    expect(mid.places.size).toBeGreaterThan(0);
    expect(live[log.events.n].places.size).toBe(0);
  });
});
