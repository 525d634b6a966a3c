/**
 * QueueDisc: a root queue disc between IPv4 (and ARP) and one device, as
 * ns-3's TrafficControlLayer + QueueDisc. IP hands every packet for the
 * device to `send` (ns-3's TrafficControlLayer::Send): the disc enqueues it
 * and runs.
 *
 * Running (ns-3's QueueDisc::Run / Restart / Transmit): take one packet
 * (the requeued one first), hand it to the device, repeat until the disc is
 * empty, the device's queue is stopped, or `quota` (64) packets went out in
 * one run. A packet taken while the device refuses is requeued and goes
 * first next time. Flow control: the device stops its queue when a frame
 * fills it (100 packets by default) and, when a frame leaves, schedules
 * `onWake` (delay 0), which runs the disc again. So under load the device
 * queue stays full and the backlog waits here, where the disc's algorithm
 * (FqCoDel by default) decides what goes next and what is dropped.
 *
 * Counting: a packet is a hop only once the device accepts it; while in the
 * disc it is held (`packetsHeld`, for conservation). Drops are recorded with
 * the disc's reasons (qdisc-overlimit, qdisc-codel); a device going down
 * drops what the disc holds with the device's down reason.
 *
 * Subclasses (pfifo_fast, CoDel, FqCoDel) implement doEnqueue/doDequeue and
 * keep the counts through packetEnqueued/packetDequeued/drop helpers. Traces
 * (enqueue, dequeue = handed to the device, drop) cost one flag read when
 * nobody listens. Nothing is allocated per packet.
 */
import type { Mac } from '../net/address';
import { DropReason, type DropReasonCode } from '../net/drop-reason';
import type { NetDevice, TxController } from '../net/net-device';
import type { Network, PacketHolder } from '../net/network';
import type { Packet } from '../net/packet';
import { TraceSource } from '../net/trace-source';

/** Where IP hands a frame for one device: the device itself, or the queue disc above it. */
export interface LinkSender {
  send(p: Packet, dstMac: Mac): boolean;
}

/** ns-3's QueueDisc "Quota": packets one run may send. */
export const QUEUE_DISC_QUOTA = 64;

export abstract class QueueDisc implements TxController, PacketHolder, LinkSender {
  /** The kind, as the topology option names it ('fq-codel', 'codel', 'pfifo-fast'). */
  abstract readonly kind: string;
  /** The device below (set by attach). */
  dev: NetDevice | null = null;
  /** Packets and bytes (L3 sizes) held, not counting a requeued packet (as ns-3's GetNPackets). */
  nPackets = 0;
  nBytes = 0;
  /** Packets given to `send`, accepted, handed to the device, and requeued. */
  received = 0;
  enqueued = 0;
  sent = 0;
  requeues = 0;
  /** Drops by the disc's own reasons (a device going down is counted under its down reason, not here). */
  overlimitDrops = 0;
  codelDrops = 0;
  /** Largest number of packets held at once. */
  peak = 0;
  /** Packets one run may hand to the device. */
  quota = QUEUE_DISC_QUOTA;
  /** Packet accepted into the disc. */
  readonly enqueueTrace = new TraceSource<[Packet, QueueDisc]>('qdisc-enqueue');
  /** Packet handed from the disc to the device. */
  readonly dequeueTrace = new TraceSource<[Packet, QueueDisc]>('qdisc-dequeue');
  /** Packet dropped by the disc: (packet, reason, disc). */
  readonly dropTrace = new TraceSource<[Packet, DropReasonCode, QueueDisc]>('qdisc-drop');
  /** Bound once, so that the device's wake event passes no new closure. */
  readonly onWake: () => void;
  private running = false;
  private requeued: Packet | null = null;
  private readonly where: string;

  constructor(readonly net: Network, readonly name: string) {
    this.onWake = () => this.run();
    this.where = name;
    net.registerHolder(this);
  }

  /** Drops by the disc (ns-3's nTotalDroppedPackets of a root disc). */
  get drops(): number {
    return this.overlimitDrops + this.codelDrops;
  }

  /** Sit on `dev` (which must support flow control and have no other disc). */
  attach(dev: NetDevice): void {
    if (this.dev !== null) throw new Error(`${this.name}: this queue disc already sits on ${this.dev.name}`);
    dev.setController(this);
    this.dev = dev;
    this.configure(dev);
  }

  /** Leave the device (the disc must be empty). */
  detach(): void {
    if (this.dev === null) return;
    if (this.packetsHeld() > 0) throw new Error(`${this.name}: cannot remove a queue disc that holds ${this.packetsHeld()} packets`);
    this.dev.setController(null);
    this.dev = null;
  }

  /** Settle parameters that depend on the device (FqCoDel's quantum = its MTU). */
  protected configure(_dev: NetDevice): void {}

  /** IP's entry point (ns-3's TrafficControlLayer::Send): enqueue `p` for `dstMac` and run. False when `p` was dropped on the way in. */
  send(p: Packet, dstMac: Mac): boolean {
    const dev = this.dev!;
    if (!dev.up) {
      this.net.drop(p, dev.downReason, dev.name);
      return false;
    }
    // The link header is written now, so the disc keeps no side record of where a packet goes.
    p.srcMac = dev.mac;
    p.dstMac = dstMac;
    this.received++;
    this.doEnqueue(p, p.linkPayloadBytes(), this.net.sim.now);
    this.run();
    // Nothing is delivered synchronously, so a settled packet is one the disc dropped.
    return !p.settled;
  }

  /** Add `p` (of `size` L3 bytes, at `now` ns); may drop it or others. */
  protected abstract doEnqueue(p: Packet, size: number, now: number): void;

  /** The next packet to send, or null (may drop packets on the way). */
  protected abstract doDequeue(now: number): Packet | null;

  /** Remove every held packet into `out` (device down), with no algorithm applied. */
  protected abstract purge(out: Packet[]): void;

  /** ns-3's Run: send while packets remain, the device takes them, and the quota lasts. */
  run(): void {
    if (this.running) return;
    this.running = true;
    let quota = this.quota;
    while (this.restart()) {
      if (--quota <= 0) break;
    }
    this.running = false;
  }

  private restart(): boolean {
    const dev = this.dev!;
    let p: Packet | null = null;
    if (this.requeued !== null) {
      if (!dev.txStopped) {
        p = this.requeued;
        this.requeued = null;
      }
    } else if (!dev.txStopped) {
      p = this.doDequeue(this.net.sim.now);
    }
    if (p === null) return false;
    return this.transmit(p, dev);
  }

  private transmit(p: Packet, dev: NetDevice): boolean {
    if (dev.txStopped) {
      this.requeued = p;
      this.requeues++;
      return false;
    }
    this.sent++;
    if (this.dequeueTrace.active) this.dequeueTrace.fire(p, this);
    dev.send(p, p.dstMac);
    return this.nPackets > 0 && !dev.txStopped;
  }

  /** The device went down: what the disc holds ends with the device's reason. */
  deviceDown(reason: DropReasonCode): void {
    const out: Packet[] = [];
    if (this.requeued !== null) out.push(this.requeued);
    this.requeued = null;
    this.purge(out);
    this.nPackets = 0;
    this.nBytes = 0;
    const where = this.dev?.name ?? this.name;
    for (const p of out) this.net.drop(p, reason, where);
  }

  packetsHeld(): number {
    return this.nPackets + (this.requeued !== null ? 1 : 0);
  }

  // ---- bookkeeping for subclasses -------------------------------------

  protected packetEnqueued(p: Packet, size: number): void {
    this.enqueued++;
    this.nBytes += size;
    if (++this.nPackets > this.peak) this.peak = this.nPackets;
    if (this.enqueueTrace.active) this.enqueueTrace.fire(p, this);
  }

  /** `p` left an internal queue to be sent. */
  protected packetDequeued(size: number): void {
    this.nPackets--;
    this.nBytes -= size;
  }

  /** `p` was refused on the way in. */
  protected dropBeforeEnqueue(p: Packet, reason: DropReasonCode): void {
    this.countDrop(reason);
    if (this.dropTrace.active) this.dropTrace.fire(p, reason, this);
    this.net.drop(p, reason, this.where);
  }

  /** `p` (of `size` bytes) was taken out of an internal queue and dropped. */
  protected dropAfterDequeue(p: Packet, size: number, reason: DropReasonCode): void {
    this.nPackets--;
    this.nBytes -= size;
    this.countDrop(reason);
    if (this.dropTrace.active) this.dropTrace.fire(p, reason, this);
    this.net.drop(p, reason, this.where);
  }

  private countDrop(reason: DropReasonCode): void {
    if (reason === DropReason.QDISC_CODEL) this.codelDrops++;
    else this.overlimitDrops++;
  }
}
