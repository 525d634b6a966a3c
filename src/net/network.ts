/**
 * Network: the shared context of one simulated network.
 *
 * Holds the simulator, the random streams, packet id allocation, the packet
 * ledger (created / delivered / dropped by reason) and the network-wide trace
 * sources. Devices and nodes keep a reference to it; nothing here is global,
 * so several networks can run side by side (the design comparison does).
 */
import { RandomStreams, Simulator } from '../engine';
import { MacAllocator } from './address';
import { DROP_REASON_NAMES, type DropReasonCode } from './drop-reason';
import { Packet } from './packet';
import { TraceSource } from './trace-source';

export interface NetworkOptions {
  seed?: number;
  run?: number;
}

/** Something that holds packets in flight and can count them (queues, wires, caches). */
export interface PacketHolder {
  packetsHeld(): number;
}

export class Network {
  readonly sim: Simulator;
  readonly streams: RandomStreams;
  readonly macs = new MacAllocator();
  private nextPacketId = 1;

  /** Packets created, delivered to their final consumer, and dropped by reason. */
  created = 0;
  delivered = 0;
  /** Transport connections open on every node now (transports keep it; the runner's drain waits for 0). */
  openConnections = 0;
  readonly dropped: Float64Array = new Float64Array(DROP_REASON_NAMES.length);

  /** Every packet drop: (packet, reason, where). */
  readonly dropTrace = new TraceSource<[Packet, DropReasonCode, string]>('drop');
  /** Every frame handed to a device for transmission: (packet, device name). */
  readonly txTrace = new TraceSource<[Packet, string]>('tx');

  private readonly holders: PacketHolder[] = [];

  constructor(opts: NetworkOptions = {}) {
    this.sim = new Simulator();
    this.streams = new RandomStreams(opts.seed ?? 1, opts.run ?? 1);
  }

  get now(): number {
    return this.sim.now;
  }

  newPacket(): Packet {
    this.created++;
    return new Packet(this.nextPacketId++, this.sim.now);
  }

  clonePacket(p: Packet): Packet {
    this.created++;
    return p.cloneAs(this.nextPacketId++, this.sim.now);
  }

  /** The packet reached its final consumer (socket, ARP, cluster logic). Counted once. */
  deliver(p: Packet): void {
    if (p.settled) return;
    p.settled = true;
    this.delivered++;
  }

  /** The packet ends here for `reason`. Counted once, and only if not already delivered. */
  drop(p: Packet, reason: DropReasonCode, where: string): void {
    if (p.settled) return;
    p.settled = true;
    this.dropped[reason]++;
    if (this.dropTrace.active) this.dropTrace.fire(p, reason, where);
  }

  registerHolder(h: PacketHolder): void {
    this.holders.push(h);
  }

  totalDropped(): number {
    let s = 0;
    for (let i = 0; i < this.dropped.length; i++) s += this.dropped[i];
    return s;
  }

  /** Packets currently held by queues, wires, ARP caches, clouds and buffers. */
  inFlight(): number {
    let s = 0;
    for (const h of this.holders) s += h.packetsHeld();
    return s;
  }

  /** Drops by reason name, only reasons that occurred. */
  dropsByReason(): Record<string, number> {
    const out: Record<string, number> = {};
    this.dropped.forEach((n, i) => { if (n > 0) out[DROP_REASON_NAMES[i]] = n; });
    return out;
  }

  /**
   * The conservation law: every packet created was delivered, dropped with a
   * reason, or is still held somewhere. Returns a description of the
   * imbalance, or null when it holds.
   */
  conservationError(): string | null {
    const dropped = this.totalDropped();
    const held = this.inFlight();
    if (this.created === this.delivered + dropped + held) return null;
    return `packet conservation broken: created ${this.created} != delivered ${this.delivered} + dropped ${dropped} + in flight ${held}`;
  }
}
