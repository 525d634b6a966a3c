/**
 * Shared half-duplex medium (ns-3's CsmaChannel + CsmaNetDevice): a hub when
 * many devices attach, a half-duplex cable when two do (the ports of an L2
 * switch in the ns-3 anchor).
 *
 * Channel: IDLE -> TRANSMITTING (frame time) -> PROPAGATING (delay) -> IDLE.
 * One transmitter at a time. A device that finds the channel not IDLE backs
 * off a whole number of 1 µs slots drawn uniformly from [1, 2^min(retry,10)-1]
 * (truncated, as ns-3's Backoff) and gives up after 1000 retries. After a
 * frame the transmitter waits an interframe gap of 96 bit times.
 *
 * When propagation ends every other attached device gets the frame in one
 * event (ns-3 schedules one event per device); each keeps it if addressed to
 * its MAC or broadcast, or takes it promiscuously; the rest only *see* it.
 * The channel returns to IDLE after the deliveries, as in ns-3, so a device
 * answering at once still finds it busy and backs off one slot.
 *
 * Ethernet framing: 14 B header + payload padded to 46 B + 4 B FCS.
 */
import { transmitTime, US } from '../engine';
import type { RandomStream } from '../engine';
import { BROADCAST_MAC } from './address';
import { DropReason, type DropReasonCode } from './drop-reason';
import { NetDevice } from './net-device';
import type { Network, PacketHolder } from './network';
import type { Packet } from './packet';
import { TraceSource } from './trace-source';

const IDLE = 0, TRANSMITTING = 1, PROPAGATING = 2;
const READY = 0, BUSY = 1, GAP = 2, BACKOFF = 3;

export interface CsmaOptions {
  rate: number; // bits/s
  delay: number; // ns
  queue?: number; // packets per device
}

export class CsmaChannel implements PacketHolder {
  readonly devices: CsmaDevice[] = [];
  state = IDLE;
  private src: CsmaDevice | null = null;
  private propagating: Packet | null = null;
  /** Frames carried and time spent not IDLE, ns (for utilisation). */
  frames = 0;
  bytes = 0;
  busyNs = 0;
  readonly onPropagated: (p: Packet) => void;
  readonly gapNs: number;
  /** A device seized the medium: (device, packet, transmit time ns). */
  readonly transmitTrace = new TraceSource<[CsmaDevice, Packet, number]>('transmit');

  constructor(readonly net: Network, readonly name: string, readonly rate: number, readonly delay: number) {
    if (!(rate > 0)) throw new RangeError(`channel ${name}: rate must be > 0 bits/s, got ${rate}`);
    if (!(delay >= 0)) throw new RangeError(`channel ${name}: delay must be >= 0 ns, got ${delay}`);
    this.gapNs = transmitTime(12, rate);
    this.onPropagated = (p: Packet) => this.propagated(p);
    net.registerHolder(this);
  }

  attach(dev: CsmaDevice): void {
    this.devices.push(dev);
  }

  /** Begin carrying `p` from `src`; the caller checked that the channel is IDLE. */
  transmitStart(src: CsmaDevice, p: Packet, bytes: number, txNs: number): void {
    this.state = TRANSMITTING;
    this.src = src;
    this.frames++;
    this.bytes += bytes;
    this.busyNs += txNs + this.delay;
    if (this.transmitTrace.active) this.transmitTrace.fire(src, p, txNs);
  }

  transmitEnd(p: Packet): void {
    this.state = PROPAGATING;
    this.propagating = p;
    this.net.sim.schedule(this.delay, this.onPropagated, p);
  }

  private propagated(p: Packet): void {
    const src = this.src;
    // Read the destination once: a receiver that forwards the packet at once
    // (a router) rewrites its MAC fields before the loop has finished.
    const dst = p.dstMac;
    const bytes = p.ethernetBytes();
    const broadcast = dst === BROADCAST_MAC;
    const devs = this.devices;
    let owner: CsmaDevice | null = null;
    let downOwner: CsmaDevice | null = null;
    let promiscuous = false;
    for (let i = 0; i < devs.length; i++) {
      const d = devs[i];
      if (d === src) continue;
      if (!d.up) {
        if (broadcast || d.mac === dst) downOwner = d;
        continue;
      }
      d.seenFrames++;
      if (!broadcast && d.mac === dst) owner = d;
      else if (d.promiscuous) promiscuous = true;
      else if (!broadcast && d.overheardTrace.active) d.overheardTrace.fire(p, d);
    }
    // Promiscuous devices first (bridge ports, sniffers), told whether another
    // device takes the frame, so they record and copy it before the addressee
    // (a router, say) rewrites its headers to forward it.
    if (promiscuous && !broadcast) {
      for (let i = 0; i < devs.length; i++) {
        const d = devs[i];
        if (d !== src && d.up && d.promiscuous && d !== owner) d.receivePromiscuous(p, bytes, owner !== null);
      }
    }
    let taken = owner !== null || promiscuous;
    if (owner !== null) owner.receiveFrame(p, bytes, true);
    else if (broadcast) {
      for (let i = 0; i < devs.length; i++) {
        const d = devs[i];
        if (d !== src && d.up) {
          taken = true;
          d.receiveFrame(p, bytes, true);
        }
      }
    }
    // Nobody on the segment took it (filtered by MAC, or every receiver down).
    if (!taken) this.net.drop(p, downOwner !== null ? downOwner.downReason : DropReason.MAC_FILTERED, this.name);
    this.propagating = null;
    this.src = null;
    this.state = IDLE;
  }

  packetsHeld(): number {
    return this.propagating !== null ? 1 : 0;
  }

  isIdle(): boolean {
    return this.state === IDLE;
  }
}

export class CsmaDevice extends NetDevice {
  readonly linkType = 1;
  private txState = READY;
  private current: Packet | null = null;
  private retries = 0;
  /** Transmissions abandoned after too many backoffs, and backoffs taken. */
  backoffs = 0;
  readonly slotNs = 1 * US;
  readonly maxRetries = 1000;
  private readonly rng: RandomStream;
  private readonly onTxComplete: () => void;
  private readonly onReady: () => void;
  private readonly onRetry: () => void;
  /**
   * Promiscuous receive: (packet, takenByAnother). Bridge ports and sniffers
   * set it; a frame someone else took must be cloned before it is forwarded.
   */
  onPromiscuous: (dev: CsmaDevice, p: Packet, takenByAnother: boolean) => void = () => {};
  /** Frames for other hosts that this device hears on the medium and filters out. */
  readonly overheardTrace = new TraceSource<[Packet, CsmaDevice]>('overheard');

  constructor(net: Network, name: string, readonly channel: CsmaChannel, queue = 100) {
    super(net, name, queue);
    this.rng = net.streams.stream(`csma-backoff/${name}`);
    this.onTxComplete = () => this.txComplete();
    this.onReady = () => this.ready();
    this.onRetry = () => this.transmitStart();
    channel.attach(this);
  }

  frameBytes(p: Packet): number {
    return p.ethernetBytes();
  }

  override get supportsFlowControl(): boolean {
    return true;
  }

  protected transmit(p: Packet): boolean {
    return this.queueOrStart(p, this.txState !== READY);
  }

  protected override startTransmission(p: Packet): void {
    this.current = p;
    this.transmitStart();
  }

  private transmitStart(): void {
    const p = this.current!;
    const ch = this.channel;
    if (!ch.isIdle()) {
      this.txState = BACKOFF;
      if (this.retries >= this.maxRetries) {
        this.current = null;
        this.retries = 0;
        this.txState = READY;
        this.net.drop(p, DropReason.BACKOFF_LIMIT, this.name);
        this.next();
        return;
      }
      this.retries++;
      this.backoffs++;
      const ceiling = this.retries > 10 ? 10 : this.retries;
      let maxSlot = 2 ** ceiling - 1;
      if (maxSlot > 1000) maxSlot = 1000;
      const slots = Math.floor(this.rng.uniform(1, maxSlot));
      this.net.sim.schedule(slots * this.slotNs, this.onRetry);
      return;
    }
    const bytes = p.ethernetBytes();
    const t = transmitTime(bytes, ch.rate);
    ch.transmitStart(this, p, bytes, t);
    if (this.phyTxTrace.active) this.phyTxTrace.fire(p, this);
    this.retries = 0;
    this.txState = BUSY;
    this.busyNs += t;
    this.net.sim.schedule(t, this.onTxComplete);
  }

  private txComplete(): void {
    this.txState = GAP;
    const p = this.current!;
    this.current = null;
    this.channel.transmitEnd(p);
    this.net.sim.schedule(this.channel.gapNs, this.onReady);
  }

  private ready(): void {
    this.txState = READY;
    this.next();
  }

  private next(): void {
    const p = this.dequeueNext();
    if (p !== null) {
      this.current = p;
      this.transmitStart();
    }
  }

  /** Called by the channel for frames addressed to this device or broadcast. */
  receiveFrame(p: Packet, bytes: number, forUs: boolean): void {
    this.accept(p, bytes, forUs);
  }

  /** Called by the channel for frames addressed elsewhere when promiscuous. */
  receivePromiscuous(p: Packet, bytes: number, takenByAnother: boolean): void {
    this.rxFrames++;
    this.rxBytes += bytes;
    if (this.rxTrace.active) this.rxTrace.fire(p, this);
    this.onPromiscuous(this, p, takenByAnother);
  }

  override setUp(up: boolean, reason: DropReasonCode = DropReason.LINK_DOWN): void {
    super.setUp(up, reason);
    if (!up && this.current !== null && this.txState === BACKOFF) {
      this.net.drop(this.current, reason, this.name);
      this.current = null;
      this.txState = READY;
    }
  }

  packetsHeld(): number {
    return this.queue.length + (this.current !== null ? 1 : 0);
  }
}
