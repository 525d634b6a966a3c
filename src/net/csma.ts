/**
 * Shared half-duplex medium (ns-3's CsmaChannel + CsmaNetDevice): a hub when
 * many devices attach, a half-duplex cable when two do (the ports of an L2
 * switch in the ns-3 anchor).
 *
 * Channel: IDLE -> BUSY for the frame time plus the propagation delay -> IDLE.
 * One transmitter at a time. A device that finds the channel not IDLE backs
 * off a whole number of 1 µs slots drawn uniformly from [1, 2^min(retry,10)-1]
 * (truncated, as ns-3's Backoff) and gives up after 1000 retries. After a
 * frame the transmitter waits an interframe gap of 96 bit times.
 *
 * Events: ns-3 spends three on a frame (transmit complete, propagation
 * complete, end of the gap). Here the channel schedules the end of
 * propagation when the frame starts, and the device keeps the end of its gap
 * as a time (`readyAt`) that it schedules an event for only when a frame is
 * waiting in its queue; a frame offered after that time starts at once. The
 * times are ns-3's; what differs is how an exact tie between the end of a
 * propagation and another event at the same nanosecond is broken (in
 * scheduling order, the end of propagation is now scheduled earlier).
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

const IDLE = 0, BUSY = 1;
// Device: READY; SENDING (a frame or the gap after it, until readyAt); BACKOFF.
const READY = 0, SENDING = 1, BACKOFF = 2;

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

  /**
   * Carry `p` from `src` for `txNs` plus the propagation delay; the caller
   * checked that the channel is IDLE. The channel holds the frame from now.
   */
  transmitStart(src: CsmaDevice, p: Packet, bytes: number, txNs: number): void {
    this.state = BUSY;
    this.src = src;
    this.propagating = p;
    this.frames++;
    this.bytes += bytes;
    this.busyNs += txNs + this.delay;
    if (this.transmitTrace.active) this.transmitTrace.fire(src, p, txNs);
    this.net.sim.schedule(txNs + this.delay, this.onPropagated, p);
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
  /** End of the interframe gap after the frame being sent, ns (while SENDING). */
  private readyAt = 0;
  /** An event is scheduled at readyAt to send what waits in the queue. */
  private wakePending = false;
  /** The pending backoff retry while in BACKOFF (cancelled if the device goes down). */
  private retryHandle = -1;
  /** The frame this device is trying to send (between backoffs); the channel holds it once it is on the medium. */
  private current: Packet | null = null;
  private retries = 0;
  /** Transmissions abandoned after too many backoffs, and backoffs taken. */
  backoffs = 0;
  readonly slotNs = 1 * US;
  readonly maxRetries = 1000;
  private readonly rng: RandomStream;
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
    let state = this.txState;
    // The gap after the last frame is over and nothing waits: ready now.
    if (state === SENDING && !this.wakePending && this.net.sim.now >= this.readyAt) this.txState = state = READY;
    const ok = this.queueOrStart(p, state !== READY);
    if (ok && state === SENDING) this.wakeAtReady();
    return ok;
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
      this.retryHandle = this.net.sim.schedule(slots * this.slotNs, this.onRetry);
      return;
    }
    const bytes = p.ethernetBytes();
    const t = transmitTime(bytes, ch.rate);
    this.current = null;
    ch.transmitStart(this, p, bytes, t);
    if (this.phyTxTrace.active) this.phyTxTrace.fire(p, this);
    this.retries = 0;
    this.txState = SENDING;
    this.busyNs += t;
    this.readyAt = this.net.sim.now + t + ch.gapNs;
    if (this.queue.length > 0) this.wakeAtReady();
  }

  /** A frame waits while SENDING: wake at the end of the gap (one event however many wait). */
  private wakeAtReady(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    this.net.sim.schedule(this.readyAt - this.net.sim.now, this.onReady);
  }

  private ready(): void {
    this.wakePending = false;
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
      // The retry must not fire: a frame offered after the device comes back
      // up would otherwise be started twice.
      this.net.sim.cancel(this.retryHandle);
      this.net.drop(this.current, reason, this.name);
      this.current = null;
      this.txState = READY;
    }
  }

  packetsHeld(): number {
    return this.queue.length + (this.current !== null ? 1 : 0);
  }
}
