/**
 * The visualizer's recorder against the simulator's own state: at every
 * engine event, the packets the trace says are queued at devices or on a
 * medium are exactly as many as the devices and media hold, the packets it
 * says are inside the Internet cloud are as many as the cloud holds, and
 * nothing it still shows is unaccounted for once the network is idle. So a
 * seek shows exactly the packets in flight at that instant. Also: its
 * response series ends at the bypass ratio the runner reports, and it
 * records the same frames as the claims suite's Recorder.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { FrameLog } from '../../src/inspect/frame-log';
import { Ev } from '../../src/inspect/trace-format';
import { TraceLog } from '../../src/inspect/trace-log';
import { Recorder } from '../../src/metrics/recorder';
import { InternetCloud } from '../../src/nodes/internet-cloud';
import { IpNode } from '../../src/nodes/ip-node';
import { buildSimulation, clusterView, type Simulation } from '../../src/scenario/build';
import { withDesign, type Scenario } from '../../src/scenario/load';
import { runSimulation } from '../../src/scenario/runner';
import { applyEvent, initialView, isHeld, heldEvent, type ViewState } from '../../web/model/view-state';

function scenario(name: string, design?: string): Scenario {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  if (design === undefined) return r.scenario;
  const d = withDesign(r.scenario, design as never);
  if (!d.ok) throw new Error('design');
  return d.scenario;
}

/** Packets the devices and media hold (queued, being sent, propagating). */
function heldByMedia(sim: Simulation): number {
  let n = 0;
  for (const d of sim.topo.devices()) n += d.packetsHeld();
  for (const lan of sim.lans) for (const ch of lan.channels) n += ch.packetsHeld();
  return n;
}

function arpPending(sim: Simulation): number {
  let n = 0;
  for (const node of sim.topo.nodes) if (node instanceof IpNode) for (const i of node.interfaces) n += i.arp?.packetsHeld() ?? 0;
  return n;
}

function heldByClouds(sim: Simulation): number {
  return sim.topo.nodes.filter((x): x is InternetCloud => x instanceof InternetCloud).reduce((a, c) => a + c.packetsHeld(), 0);
}

/** Step the engine to the end, folding the trace as it grows; check the view against the network at every event. */
function walk(s: Scenario, maxEngineEvents = 40_000): { checked: number; view: ViewState; log: TraceLog; sim: Simulation } {
  const sim = buildSimulation(s);
  const fl = new FrameLog(sim);
  const log = new TraceLog();
  const clouds = new Set(fl.index.map.nodes.flatMap((n, i) => (n.kind === 'internet' ? [i] : [])));
  const view = initialView(fl.index.map.nodes.length);
  let checked = 0;
  while (sim.sim.executed < maxEngineEvents && sim.sim.step()) {
    if (fl.events.n === 0) continue;
    log.append(fl.takeChunk());
    for (let e = view.k; e < log.events.n; e++) applyEvent(view, log, e);
    let onMedia = 0, inCloud = 0;
    for (const place of view.places.values()) {
      if (!isHeld(place)) onMedia++;
      else if (clouds.has(log.events.cols.node[heldEvent(place)])) inCloud++;
    }
    expect(onMedia, `queued or on a medium at engine event ${sim.sim.executed} (t=${sim.net.now})`).toBe(heldByMedia(sim));
    expect(inCloud, `inside the Internet cloud at engine event ${sim.sim.executed}`).toBe(heldByClouds(sim));
    // Held at other nodes: NIC and balancer processors, ARP, migrations, and a NIC's 1 us hand-over to its host.
    // The one thing the trace cannot show: a packet a host made that waits for its first ARP reply (no trace
    // source fires until it is handed to a device), so those are the only ones allowed to be missing.
    expect(view.places.size + arpPending(sim)).toBeGreaterThanOrEqual(sim.net.inFlight());
    checked++;
  }
  return { checked, view, log, sim };
}

describe('FrameLog: the trace accounts for every packet in flight', () => {
  it.each([
    ['l2-switch', undefined], ['hub', undefined], ['l3-switch', undefined], ['link-failure', undefined], ['crash-join', undefined],
    ['custom-topology', undefined], ['ns3-cluster-hub', undefined], ['l2-switch', 'lb-nat'], ['l2-switch', 'lb-dsr'],
    ['l2-switch', 'daisy-chain'], ['hub', 'no-forward'], ['hub', 'nic-forward-first-lan'],
  ])('%s (%s)', (name, design) => {
    const { checked, view, sim } = walk(scenario(name, design));
    expect(checked).toBeGreaterThan(1000);
    if (sim.sim.pending === 0) expect(view.places.size, 'idle network, yet the view still shows packets').toBe(sim.net.inFlight());
  });

  it('the response series ends at the runner\'s bypass ratio, and every frame has its transmission and arrival', () => {
    const sim = buildSimulation(scenario('hub'));
    const fl = new FrameLog(sim);
    const result = runSimulation(sim);
    const log = new TraceLog();
    log.append(fl.takeChunk());
    const r = log.responses;
    let bypassed = 0;
    for (let i = 0; i < r.n; i++) bypassed += r.cols.bypassed[i];
    expect(r.n).toBeGreaterThan(50);
    expect(bypassed / r.n).toBe(result.metrics['response-bypass']);
    const fc = log.frames.cols;
    const phy = new Set<number>(), arr = new Set<number>();
    for (let e = 0; e < log.events.n; e++) {
      if (log.events.cols.kind[e] === Ev.PHY || log.events.cols.kind[e] === Ev.SEND) phy.add(log.events.cols.frame[e]);
      if (log.events.cols.kind[e] === Ev.ARR) {
        const f = log.events.cols.frame[e];
        arr.add(f);
        expect(log.events.cols.t[e], `frame ${f} arrives when its medium said it would`).toBe(fc.t1[f]);
      }
    }
    const dropped = new Set<number>();
    for (let e = 0; e < log.events.n; e++) if (log.events.cols.kind[e] === Ev.DROP) dropped.add(log.events.cols.frame[e]);
    for (let f = 0; f < log.frames.n; f++) {
      expect(phy.has(f) || dropped.has(f), `frame ${f} never started and was not dropped`).toBe(true);
      if (phy.has(f)) expect(arr.has(f) || dropped.has(f) || fc.t1[f] > sim.net.now, `frame ${f} neither arrived nor was dropped`).toBe(true);
    }
  });

  it('records exactly the frames the claims suite\'s Recorder sees, with the same packet ids and times', () => {
    const a = buildSimulation(scenario('l2-switch'));
    const fl = new FrameLog(a);
    runSimulation(a);
    const log = new TraceLog();
    log.append(fl.takeChunk());
    const b = buildSimulation(scenario('l2-switch'));
    const rec = new Recorder(clusterView(b));
    runSimulation(b);
    expect(log.frames.n).toBe(rec.tx.length);
    const devs = fl.index.map.devices;
    for (let f = 0; f < log.frames.n; f++) {
      const x = rec.tx[f];
      expect([log.frames.cols.pid[f], log.frames.cols.tq[f], devs[log.frames.cols.dev[f]].name]).toEqual([x.pid, x.t, x.dev]);
    }
  });
});
