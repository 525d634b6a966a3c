/**
 * NetDevice: a network interface of a node, as ns-3's NetDevice. It owns a
 * MAC address, a transmit queue and counters; it hands received frames to its
 * node through `onReceive` (frames for its MAC or broadcast) and, when
 * `promiscuous`, also frames for other hosts (bridge ports, sniffers).
 *
 * Counters are plain numbers so that reading them costs nothing: `txFrames`
 * counts frames handed to the device for transmission (an ns-3 "hop"),
 * `seenFrames` every frame that reached the device, `rxFrames` those it
 * accepted (addressed to it, broadcast, or taken promiscuously).
 *
 * Flow control (ns-3's NetDeviceQueue Stop/Wake): a device with one
 * transmitter stops its transmit queue when a frame fills it (`txStopped`)
 * and, when a frame leaves a stopped queue, wakes the queue disc above it
 * (`txController`) in a zero-delay event, as ns-3's Wake schedules the
 * queue disc's Run. Without a queue disc the flag is never read and a frame
 * that finds the queue full is tail-dropped, as before.
 */
import type { Mac } from './address';
import { DropReason, type DropReasonCode } from './drop-reason';
import { DropTailQueue } from './drop-tail-queue';
import type { Network, PacketHolder } from './network';
import type { Packet } from './packet';
import { TraceSource } from './trace-source';

export type ReceiveHandler = (dev: NetDevice, p: Packet, forUs: boolean) => void;

/** What sits above a device's transmit queue and must hear of it (the root queue disc). */
export interface TxController {
  /** Bound once: scheduled (delay 0) when a stopped transmit queue has room again. */
  readonly onWake: () => void;
  /** The device went down for `reason`: drop everything held for it. */
  deviceDown(reason: DropReasonCode): void;
}

export abstract class NetDevice implements PacketHolder {
  readonly mac: Mac;
  readonly queue: DropTailQueue;
  /** Set by the owner (node or bridge). */
  onReceive: ReceiveHandler = () => {};
  promiscuous = false;
  up = true;
  /** Why frames end at this device while it is down: its link (a fault) or its whole node (a crash). */
  downReason: DropReasonCode = DropReason.LINK_DOWN;
  /** Position of this device in its node (set by the node). */
  ifIndex = -1;
  /** Id of the owning node (set by the node), for metrics. */
  nodeId = -1;

  txFrames = 0;
  txBytes = 0;
  rxFrames = 0;
  rxBytes = 0;
  seenFrames = 0;
  /** Time this device spent transmitting, ns (for utilisation). */
  busyNs = 0;
  /** PathFlag bits OR-ed into every packet this device transmits (its LAN). */
  lanBits = 0;
  /** Largest L3 datagram the device carries, bytes (ns-3's default for point-to-point and CSMA). */
  mtu = 1500;
  /** Flow control: the transmit queue has no room for another frame (ns-3's NetDeviceQueue::IsStopped). */
  txStopped = false;
  /** The queue disc above this device, if any (one per device: ns-3's root queue disc). */
  private txController: TxController | null = null;
  /** Frame handed to the device for transmission (its LAN bit already set). */
  readonly txTrace = new TraceSource<[Packet, NetDevice]>('tx');
  /** Frame begins transmission on the medium (what a sniffer on the device sees leave). */
  readonly phyTxTrace = new TraceSource<[Packet, NetDevice]>('phy-tx');
  /** Frame put in the device queue to wait for the transmitter. */
  readonly enqueueTrace = new TraceSource<[Packet, NetDevice]>('enqueue');
  /** Frame taken from the device queue for transmission. */
  readonly dequeueTrace = new TraceSource<[Packet, NetDevice]>('dequeue');
  /** Frame accepted by the device. */
  readonly rxTrace = new TraceSource<[Packet, NetDevice]>('rx');

  constructor(readonly net: Network, readonly name: string, queueCapacity = 100) {
    this.mac = net.macs.allocate();
    this.queue = new DropTailQueue(queueCapacity);
    net.registerHolder(this);
  }

  /** Link-layer type for pcap: 1 Ethernet, 9 PPP. */
  abstract readonly linkType: number;

  /** Frame size on this medium, bytes. */
  abstract frameBytes(p: Packet): number;

  /**
   * Whether this device's queue can stop and wake a queue disc above it (ns-3
   * installs a NetDeviceQueueInterface on point-to-point and CSMA devices, so
   * only they get a root queue disc). Devices with one transmitter that use
   * `queueOrStart` do.
   */
  get supportsFlowControl(): boolean {
    return false;
  }

  /** The queue disc above this device, or null. */
  get controller(): TxController | null {
    return this.txController;
  }

  /** Put `c` above this device (null removes it); a second one is an error, as in ns-3. */
  setController(c: TxController | null): void {
    if (c !== null && this.txController !== null && c !== this.txController) {
      throw new Error(`${this.name}: a root queue disc is already installed on this device; remove it first`);
    }
    if (c !== null && !this.supportsFlowControl) {
      throw new Error(`${this.name}: this device has no flow-controlled transmit queue; a queue disc cannot sit on it`);
    }
    this.txController = c;
  }

  /** Queue `p` for transmission to `dstMac`; false when dropped. */
  send(p: Packet, dstMac: Mac): boolean {
    return this.sendFrom(p, this.mac, dstMac);
  }

  /** Send with a given source MAC (a bridge forwarding keeps the original); false when dropped. */
  sendFrom(p: Packet, srcMac: Mac, dstMac: Mac): boolean {
    if (!this.up) {
      this.net.drop(p, this.downReason, this.name);
      return false;
    }
    p.srcMac = srcMac;
    p.dstMac = dstMac;
    return this.transmit(p);
  }

  /** Take a frame whose link header is set: queue it or put it on the medium. */
  protected abstract transmit(p: Packet): boolean;

  /**
   * For devices with one transmitter: queue `p` while `busy` (counted as a
   * hop once accepted, as ns-3 counts queue arrivals), else count it and
   * start it at once.
   */
  protected queueOrStart(p: Packet, busy: boolean): boolean {
    if (busy) {
      const q = this.queue;
      if (!q.enqueue(p)) {
        this.txStopped = true;
        this.net.drop(p, DropReason.QUEUE_FULL, this.name);
        return false;
      }
      // ns-3 stops the queue once it could not take one more frame.
      if (q.length >= q.capacity) this.txStopped = true;
    }
    this.countTx(p, this.frameBytes(p));
    if (!busy) this.startTransmission(p);
    else if (this.enqueueTrace.active) this.enqueueTrace.fire(p, this);
    return true;
  }

  /** The next queued frame, or null (fires the dequeue trace). */
  protected dequeueNext(): Packet | null {
    const p = this.queue.dequeue();
    if (p === null) return null;
    if (this.dequeueTrace.active) this.dequeueTrace.fire(p, this);
    if (this.txStopped) {
      // Room again: wake the queue disc in an event of its own, after what is
      // already due now (ns-3's NetDeviceQueue::Wake uses ScheduleNow).
      this.txStopped = false;
      if (this.txController !== null) this.net.sim.schedule(0, this.txController.onWake);
    }
    return p;
  }

  /** Put `p` on the medium now (devices that use queueOrStart). */
  protected startTransmission(_p: Packet): void {
    throw new Error(`${this.name}: startTransmission is not implemented by this device`);
  }

  /** Packets held: queued, being transmitted, or on the wire from this device. */
  abstract packetsHeld(): number;

  /** Bring the device up or down (`reason`: a link fault or its node going down); going down drops what it queued. */
  setUp(up: boolean, reason: DropReasonCode = DropReason.LINK_DOWN): void {
    if (this.up === up) return;
    this.up = up;
    if (!up) {
      this.downReason = reason;
      for (const p of this.queue.drain()) this.net.drop(p, reason, this.name);
      this.txStopped = false;
      if (this.txController !== null) this.txController.deviceDown(reason);
    }
  }

  /** Count a frame handed to this device (an ns-3 hop) and fire the traces. */
  protected countTx(p: Packet, bytes: number): void {
    this.txFrames++;
    this.txBytes += bytes;
    p.hops++;
    p.pathFlags |= this.lanBits;
    if (this.txTrace.active) this.txTrace.fire(p, this);
    if (this.net.txTrace.active) this.net.txTrace.fire(p, this.name);
  }

  /** Hand an arriving frame to the owner; counts it. */
  protected accept(p: Packet, bytes: number, forUs: boolean): void {
    this.rxFrames++;
    this.rxBytes += bytes;
    if (this.rxTrace.active) this.rxTrace.fire(p, this);
    this.onReceive(this, p, forUs);
  }
}
