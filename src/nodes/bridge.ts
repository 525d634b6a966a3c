/**
 * Bridge: an L2 learning switch as a device of its node (ns-3's
 * BridgeNetDevice). Its ports are ordinary devices (half-duplex CSMA cables as
 * in the ns-3 anchor, or full-duplex point-to-point links) taking every frame.
 *
 * Learning: the source MAC of each frame maps to its ingress port for
 * `agingNs` (ns-3: 300 s). Forwarding: broadcast and unknown destinations
 * are flooded to every other port; a known destination goes out of its port
 * only; a frame whose destination sits behind its own ingress port is
 * filtered. Forwarding adds no delay (as ns-3); each port's queue and medium
 * do the rest.
 *
 * The bridge is also a NetDevice of its node: frames addressed to the bridge
 * (or broadcast) go up to the node, so an L3 switch is an IpNode whose LAN
 * interface is its bridge; frames the node sends through the bridge are
 * switched like any other.
 *
 * Packet ownership: forwarding to one port reuses the packet; a flood sends
 * clones (new packet ids), since several copies then exist at once.
 */
import { SECOND } from '../engine';
import { BROADCAST_MAC, type Mac } from '../net/address';
import { CsmaDevice } from '../net/csma';
import { DropReason } from '../net/drop-reason';
import { NetDevice } from '../net/net-device';
import type { Network } from '../net/network';
import type { Packet } from '../net/packet';

class Learned {
  constructor(public port: number, public until: number) {}
}

export class BridgeDevice extends NetDevice {
  readonly linkType = 1;
  readonly ports: NetDevice[] = [];
  private readonly table = new Map<Mac, Learned>();
  agingNs = 300 * SECOND;
  /** Frames forwarded to one port, flooded, and filtered. */
  forwarded = 0;
  flooded = 0;
  filtered = 0;

  constructor(net: Network, name: string) {
    super(net, name, 1);
  }

  frameBytes(p: Packet): number {
    return p.ethernetBytes();
  }

  /** Make `dev` (already a device of the same node) a port of this bridge. */
  addPort(dev: NetDevice): void {
    const idx = this.ports.length;
    this.ports.push(dev);
    if (this.portMacs !== null) this.portMacs.add(dev.mac);
    else if (this.ports.length > 8) this.portMacs = new Set(this.ports.map((p) => p.mac));
    dev.onReceive = (_d, p) => this.portReceive(idx, p, false);
    if (dev instanceof CsmaDevice) {
      dev.promiscuous = true;
      dev.onPromiscuous = (_d, p, taken) => this.portReceive(idx, p, taken);
    }
  }

  /** A frame arrived on port `idx`; `shared` when another device also took this packet. */
  private portReceive(idx: number, p: Packet, shared: boolean): void {
    const now = this.net.now;
    const src = p.srcMac;
    const e = this.table.get(src);
    if (e === undefined) this.table.set(src, new Learned(idx, now + this.agingNs));
    else {
      e.port = idx;
      e.until = now + this.agingNs;
    }
    const dst = p.dstMac;
    if (dst === BROADCAST_MAC) {
      this.flood(p, idx, true);
      this.up && this.accept(p, p.ethernetBytes(), true);
      this.net.deliver(p);
      return;
    }
    if (dst === this.mac || this.isPortMac(dst)) {
      this.accept(p, p.ethernetBytes(), true);
      return;
    }
    this.switchFrame(p, idx, dst, shared);
  }

  private isPortMac(mac: Mac): boolean {
    // A scan for a few ports; a set for a big switch (1,000 ports: a scan per frame dominated).
    if (this.portMacs !== null) return this.portMacs.has(mac);
    const ps = this.ports;
    for (let i = 0; i < ps.length; i++) if (ps[i].mac === mac) return true;
    return false;
  }

  private portMacs: Set<Mac> | null = null;

  /** Forward by the learning table (ingress -1: from the node itself). */
  private switchFrame(p: Packet, ingress: number, dst: Mac, shared: boolean): void {
    const e = this.table.get(dst);
    if (e === undefined || e.until <= this.net.now) {
      this.flood(p, ingress, shared);
      return;
    }
    if (e.port === ingress) {
      this.filtered++;
      if (!shared) this.net.drop(p, DropReason.SAME_PORT, this.name);
      return;
    }
    this.forwarded++;
    this.ports[e.port].sendFrom(shared ? this.net.clonePacket(p) : p, p.srcMac, dst);
  }

  /**
   * Send to every port but `ingress`, in port order (as ns-3). Clones go to
   * all but the last port; the original goes to the last one unless `shared`.
   */
  private flood(p: Packet, ingress: number, shared: boolean): void {
    this.flooded++;
    const ps = this.ports;
    let last = -1;
    for (let i = ps.length - 1; i >= 0; i--) {
      if (i !== ingress && ps[i].up) { last = i; break; }
    }
    if (last < 0) {
      if (!shared) this.net.drop(p, DropReason.MAC_FILTERED, this.name);
      return;
    }
    const srcMac = p.srcMac, dstMac = p.dstMac;
    for (let i = 0; i < last; i++) {
      if (i === ingress || !ps[i].up) continue;
      ps[i].sendFrom(this.net.clonePacket(p), srcMac, dstMac);
    }
    ps[last].sendFrom(shared ? this.net.clonePacket(p) : p, srcMac, dstMac);
  }

  /** The node sends a frame into the bridge: switched like a frame from a port. */
  protected transmit(p: Packet): boolean {
    if (p.dstMac === BROADCAST_MAC) this.flood(p, -1, false);
    else this.switchFrame(p, -1, p.dstMac, false);
    return true;
  }

  /** MAC table size (learned, unexpired). */
  learnedCount(): number {
    let n = 0;
    for (const e of this.table.values()) if (e.until > this.net.now) n++;
    return n;
  }

  portOf(mac: Mac): number | undefined {
    const e = this.table.get(mac);
    return e !== undefined && e.until > this.net.now ? e.port : undefined;
  }

  packetsHeld(): number {
    return 0;
  }
}
