/**
 * Replay: the simulation of a recorded run rebuilt and re-run to any moment
 * (the simulation is deterministic: same scenario, seed and run number, same
 * events), so the inspector can read what a trace does not keep: every
 * field of a packet's headers at each hop, and each node's tables at that
 * moment. Going forward continues the same simulation; going back rebuilds
 * it from the start.
 *
 * While it runs, a ring of the last `ringSize` frames keeps a snapshot of
 * each frame's packet as it was handed to its device (numbered as the
 * recording numbered them), and the packets themselves, so a packet in
 * flight at the moment can be shown hop by hop and as it is now.
 *
 * Cost: re-running to a moment costs the run up to it (once per backward
 * move); each frame costs one snapshot object while replaying.
 */
import { attachPcap } from '../net/pcap-writer';
import type { Packet } from '../net/packet';
import { buildSimulation, type Simulation } from '../scenario/build';
import type { Scenario } from '../scenario/load';
import { FrameLog } from './frame-log';
import { snapshotPacket, type PacketSnapshot } from './header-stack';
import { nodeTables, type InfoTable } from './node-tables';

export interface FrameSnapshot { frame: number; dev: number; t: number; fields: PacketSnapshot }

export class Replay {
  private sim!: Simulation;
  private counter!: FrameLog;
  private ring: (FrameSnapshot | undefined)[] = [];
  private packets: (Packet | undefined)[] = [];
  /** Times the simulation was built (1 + backward moves). */
  builds = 0;

  constructor(readonly scenario: Scenario, readonly run = 1, readonly ringSize = 65_536) {
    this.rebuild();
  }

  private rebuild(): void {
    this.sim = buildSimulation(this.scenario, { run: this.run });
    this.ring = new Array(this.ringSize);
    this.packets = new Array(this.ringSize);
    this.counter = new FrameLog(this.sim, {
      countOnly: true,
      onFrame: (frame, p, dev) => {
        const slot = frame % this.ringSize;
        this.ring[slot] = { frame, dev, t: this.sim.net.now, fields: snapshotPacket(p) };
        this.packets[slot] = p;
      },
    });
    this.builds++;
  }

  /** Engine events executed so far. */
  get executed(): number {
    return this.sim.sim.executed;
  }

  get now(): number {
    return this.sim.net.now;
  }

  get simulation(): Simulation {
    return this.sim;
  }

  /** Run to exactly `exec` engine events (rebuilding when that is in the past). */
  to(exec: number): void {
    if (exec < this.sim.sim.executed) this.rebuild();
    const left = exec - this.sim.sim.executed;
    if (left > 0) this.sim.sim.run({ maxEvents: left });
  }

  /** The packet of frame `f` as its device got it (null: outside the ring). */
  frame(f: number): FrameSnapshot | null {
    const x = this.ring[f % this.ringSize];
    return x !== undefined && x.frame === f ? x : null;
  }

  /** The packet of frame `f` as it is now (null: outside the ring, or not that packet any more). */
  packetNow(f: number, pid: number): PacketSnapshot | null {
    const x = this.ring[f % this.ringSize];
    const p = this.packets[f % this.ringSize];
    return x !== undefined && x.frame === f && p !== undefined && p.id === pid ? snapshotPacket(p) : null;
  }

  tables(node: number): InfoTable[] {
    return nodeTables(this.sim, this.counter.index, node);
  }
}

/** A pcap file of device `dev` (NetworkMap index) from the start up to `exec` engine events: a fresh run with a writer attached. */
export function pcapOf(scenario: Scenario, dev: number, exec: number, run = 1): Uint8Array {
  const sim = buildSimulation(scenario, { run });
  const d = sim.topo.devices()[dev];
  if (d === undefined) throw new RangeError(`no device ${dev} (the network has ${sim.topo.devices().length})`);
  const w = attachPcap(d);
  sim.sim.run({ maxEvents: exec });
  return w.bytes();
}
