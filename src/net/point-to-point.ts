/**
 * Point-to-point full-duplex link (ns-3's PointToPointNetDevice + channel).
 *
 * Each direction is independent. A device transmits one frame at a time
 * (READY/BUSY): the frame occupies the transmitter for size*8/rate and
 * arrives at the peer after that plus the propagation delay. Frames carry a
 * 2-byte PPP header. Two events per frame: transmit-complete and arrival.
 */
import { transmitTime } from '../engine';
import { DropReason } from './drop-reason';
import { NetDevice } from './net-device';
import type { Network } from './network';
import type { Packet } from './packet';
import type { RandomStream } from '../engine';

export interface PointToPointOptions {
  rate: number; // bits/s
  delay: number; // ns
  queue?: number; // packets
  /** Probability that a frame is lost as it arrives, at each end (default 0). */
  loss?: number;
}

export class PointToPointDevice extends NetDevice {
  readonly linkType = 9;
  peer!: PointToPointDevice;
  private busy = false;
  private inTransit = 0;
  private readonly onTxDone: () => void;
  readonly onArrive: (p: Packet) => void;
  /** Receive error model (ns-3's RateErrorModel, packet unit): each arriving frame is lost with this probability. */
  private lossRate = 0;
  private lossRng: RandomStream | null = null;
  /** Frames lost by the receive error model. */
  lossDrops = 0;

  constructor(net: Network, name: string, readonly rate: number, readonly delay: number, queue = 100) {
    super(net, name, queue);
    // Bound once per device so that scheduling passes no new closure.
    this.onTxDone = () => this.txDone();
    this.onArrive = (p: Packet) => this.arrive(p);
  }

  /** Lose each arriving frame with probability `rate`, drawing from the device's own stream. */
  setReceiveLoss(rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${this.name}: loss must be a probability in [0, 1], got ${rate}`);
    this.lossRate = rate;
    this.lossRng = rate > 0 ? this.net.streams.stream(`loss/${this.name}`) : null;
  }

  frameBytes(p: Packet): number {
    return p.pppBytes();
  }

  override get supportsFlowControl(): boolean {
    return true;
  }

  protected transmit(p: Packet): boolean {
    return this.queueOrStart(p, this.busy);
  }

  protected override startTransmission(p: Packet): void {
    this.start(p);
  }

  private start(p: Packet): void {
    const t = transmitTime(p.pppBytes(), this.rate);
    this.busy = true;
    this.busyNs += t;
    if (this.phyTxTrace.active) this.phyTxTrace.fire(p, this);
    this.inTransit++;
    const sim = this.net.sim;
    sim.schedule(t, this.onTxDone);
    sim.schedule(t + this.delay, this.peer.onArrive, p);
  }

  private txDone(): void {
    this.busy = false;
    const next = this.dequeueNext();
    if (next !== null) this.start(next);
  }

  private arrive(p: Packet): void {
    this.peer.inTransit--;
    this.seenFrames++;
    if (!this.up || !this.peer.up) {
      this.net.drop(p, !this.up ? this.downReason : this.peer.downReason, this.name);
      return;
    }
    if (this.lossRng !== null && this.lossRng.random() < this.lossRate) {
      this.lossDrops++;
      this.net.drop(p, DropReason.LINK_LOSS, this.name);
      return;
    }
    this.accept(p, p.pppBytes(), true);
  }

  packetsHeld(): number {
    return this.queue.length + this.inTransit;
  }
}

/** Create both ends of a point-to-point link. */
export function connectPointToPoint(
  net: Network, nameA: string, nameB: string, o: PointToPointOptions,
): [PointToPointDevice, PointToPointDevice] {
  if (!(o.rate > 0)) throw new RangeError(`point-to-point ${nameA}<->${nameB}: rate must be > 0 bits/s, got ${o.rate}`);
  if (!(o.delay >= 0)) throw new RangeError(`point-to-point ${nameA}<->${nameB}: delay must be >= 0 ns, got ${o.delay}`);
  const a = new PointToPointDevice(net, nameA, o.rate, o.delay, o.queue);
  const b = new PointToPointDevice(net, nameB, o.rate, o.delay, o.queue);
  a.peer = b;
  b.peer = a;
  if ((o.loss ?? 0) > 0) {
    a.setReceiveLoss(o.loss!);
    b.setReceiveLoss(o.loss!);
  }
  return [a, b];
}
