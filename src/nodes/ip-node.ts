/**
 * IpNode: a node with an IPv4 stack: a host when it does not forward, a
 * router when it does (ns-3's Ipv4L3Protocol with forwarding on or off).
 *
 * Receive path: device -> (ARP | IPv4 | encapsulation hook) -> local delivery
 * to the transport inserted for the packet's protocol number, or forwarding
 * (TTL decrement, longest-prefix match, ARP on the way out). Send path:
 * route lookup -> ARP (Ethernet-like devices) or straight to the device
 * (point-to-point). No per-packet allocation beyond the packet.
 *
 * Traffic control: every frame an interface sends (IPv4 and ARP alike)
 * leaves through `iface.out`, the root queue disc of its device when one is
 * installed (queue-disc.ts; the Topology installs FqCoDel on every IP device
 * with a flow-controlled queue, as ns-3's Ipv4AddressHelper does), or the
 * device itself.
 *
 * The layers above plug in as ns-3's Ipv4L3Protocol::Insert does: a
 * transport (UDP, TCP; see transport/) registers itself with `insertL4`, so
 * IP never imports a socket type. Two hooks intercept, and so hold one
 * handler each (a second writer is an error, not a silent overwrite):
 * `rxIntercept` for a device that takes packets before the host does (the
 * cluster's smart NIC, a balancer), `encapHandler` for the encapsulation
 * EtherType. Observers use the devices' trace sources instead.
 */
import { IPV4_BROADCAST, type Ipv4, prefixMask } from '../net/address';
import { DropReason } from '../net/drop-reason';
import type { NetDevice } from '../net/net-device';
import type { Network } from '../net/network';
import { EtherType, type Packet } from '../net/packet';
import { PointToPointDevice } from '../net/point-to-point';
import { ArpCache, NS3_ARP_DEFAULTS, type ArpOptions } from './arp-cache';
import { Node, type NodeKind } from './node';
import type { LinkSender, QueueDisc } from './queue-disc';
import { RoutingTable } from './routing-table';

export interface Ipv4Interface {
  index: number;
  dev: NetDevice;
  ip: Ipv4;
  len: number;
  mask: number;
  network: Ipv4;
  /** null on point-to-point devices (no ARP on PPP). */
  arp: ArpCache | null;
  /** The root queue disc on `dev`, or null (packets go straight to the device queue). */
  qdisc: QueueDisc | null;
  /** Where frames for `dev` go: `qdisc` when there is one, else `dev`. */
  out: LinkSender;
}

/** A transport protocol of a node (UDP, TCP), as ns-3's IpL4Protocol. */
export interface L4Protocol {
  readonly protocolNumber: number;
  /** A datagram for this node carrying this protocol. */
  receive(p: Packet, iface: Ipv4Interface): void;
}

export type RxIntercept = (p: Packet, iface: Ipv4Interface) => boolean;
export type EncapHandler = (p: Packet, iface: Ipv4Interface) => void;

export class IpNode extends Node {
  readonly interfaces: Ipv4Interface[] = [];
  /** Interface of each device, by device ifIndex (undefined: not an IP device). */
  private readonly ifaceOfDev: (Ipv4Interface | undefined)[] = [];
  readonly routes = new RoutingTable();
  forwarding: boolean;
  /** Transports by IP protocol number; a plain growing array (most nodes use 6 and 17 only). */
  readonly l4: (L4Protocol | undefined)[] = [];
  private rxInterceptFn: RxIntercept | null = null;
  private encapHandlerFn: EncapHandler | null = null;
  arpOptions: ArpOptions = NS3_ARP_DEFAULTS;
  private nextIpId = 0;

  ipRx = 0;
  ipForwarded = 0;
  ipDelivered = 0;

  constructor(net: Network, name: string, kind: NodeKind, forwarding: boolean) {
    super(net, name, kind);
    this.forwarding = forwarding;
  }

  /** Register a transport for its protocol number (one per number). */
  insertL4(t: L4Protocol): void {
    if (this.l4[t.protocolNumber] !== undefined) {
      throw new Error(`${this.name}: a transport for IP protocol ${t.protocolNumber} is already installed`);
    }
    this.l4[t.protocolNumber] = t;
  }

  /** The one device that takes arriving IPv4 packets before the stack (returns true when it consumed one). */
  setRxIntercept(fn: RxIntercept): void {
    if (this.rxInterceptFn !== null) throw new Error(`${this.name}: an rx intercept is already installed (a node has one smart NIC or balancer)`);
    this.rxInterceptFn = fn;
  }

  /** The one handler of encapsulated frames (the cluster's owner side). */
  setEncapHandler(fn: EncapHandler): void {
    if (this.encapHandlerFn !== null) throw new Error(`${this.name}: an encapsulation handler is already installed`);
    this.encapHandlerFn = fn;
  }

  /** Put IPv4 address `ip`/`len` on `dev` (which must belong to this node). */
  addInterface(dev: NetDevice, ip: Ipv4, len: number): Ipv4Interface {
    if (this.devices[dev.ifIndex] !== dev) throw new Error(`${this.name}: device ${dev.name} is not on this node`);
    const mask = prefixMask(len);
    const iface: Ipv4Interface = {
      index: this.interfaces.length, dev, ip, len, mask, network: (ip & mask) >>> 0, arp: null, qdisc: null, out: dev,
    };
    if (!(dev instanceof PointToPointDevice)) iface.arp = new ArpCache(this.net, dev, () => iface.ip, this.arpOptions);
    this.interfaces.push(iface);
    this.ifaceOfDev[dev.ifIndex] = iface;
    if (this.localSet !== null) this.localSet.add(ip);
    else if (this.interfaces.length > 8) this.localSet = new Set([...this.interfaces.map((i) => i.ip), ...this.loopbackAddresses]);
    dev.onReceive = (d, p, forUs) => this.receiveFrame(d, p, forUs);
    this.routes.add({ network: ip, len, gateway: 0, iface: iface.index, metric: 0 });
    return iface;
  }

  /**
   * Put `disc` on the device of `iface` as its root queue disc, replacing
   * the one there (which must be empty), or remove it (null), as ns-3's
   * TrafficControlHelper Install/Uninstall. ARP on the interface sends
   * through it too.
   */
  setQueueDisc(iface: Ipv4Interface, disc: QueueDisc | null): void {
    if (this.interfaces[iface.index] !== iface) throw new Error(`${this.name}: interface ${iface.index} is not an interface of this node`);
    if (iface.qdisc !== null) iface.qdisc.detach();
    iface.qdisc = null;
    if (disc !== null) {
      disc.attach(iface.dev);
      iface.qdisc = disc;
    }
    iface.out = iface.qdisc ?? iface.dev;
    if (iface.arp !== null) iface.arp.out = iface.out;
  }

  interfaceOf(dev: NetDevice): Ipv4Interface | undefined {
    return this.ifaceOfDev[dev.ifIndex];
  }

  /** Extra addresses this node answers to on no interface (a VIP on loopback, as LVS-DR/TUN servers have). */
  readonly loopbackAddresses: Ipv4[] = [];
  /** All local addresses, for nodes with many interfaces (a router facing 100k client links). */
  private localSet: Set<Ipv4> | null = null;

  /** Answer to `ip` on loopback too. */
  addLoopback(ip: Ipv4): void {
    this.loopbackAddresses.push(ip);
    this.localSet?.add(ip);
  }

  isLocalAddress(ip: Ipv4): boolean {
    // A scan is fastest for the usual one to four interfaces; past eight, a set.
    if (this.localSet !== null) return this.localSet.has(ip);
    const ifs = this.interfaces;
    for (let i = 0; i < ifs.length; i++) if (ifs[i].ip === ip) return true;
    const lo = this.loopbackAddresses;
    for (let i = 0; i < lo.length; i++) if (lo[i] === ip) return true;
    return false;
  }

  /** The address of the interface a packet to `dst` would leave through. */
  sourceAddressFor(dst: Ipv4): Ipv4 {
    const r = this.routes.lookup(dst);
    return r !== undefined ? this.interfaces[r.iface].ip : this.interfaces.length > 0 ? this.interfaces[0].ip : 0;
  }

  /** The primary (first) address of this node. */
  get address(): Ipv4 {
    return this.interfaces.length > 0 ? this.interfaces[0].ip : 0;
  }

  private receiveFrame(dev: NetDevice, p: Packet, _forUs: boolean): void {
    const iface = this.ifaceOfDev[dev.ifIndex]!;
    if (!this.up) {
      this.net.drop(p, DropReason.NODE_DOWN, this.name);
      return;
    }
    const et = p.etherType;
    if (et === EtherType.IPV4) {
      this.ipReceive(p, iface);
    } else if (et === EtherType.ARP) {
      if (iface.arp !== null) iface.arp.receive(p);
      else this.net.deliver(p);
    } else if (et === EtherType.ENCAP && this.encapHandlerFn !== null) {
      this.encapHandlerFn(p, iface);
    } else {
      this.net.drop(p, DropReason.NOT_FOR_US, this.name);
    }
  }

  /** An IPv4 packet arrived on `iface`. */
  ipReceive(p: Packet, iface: Ipv4Interface): void {
    this.ipRx++;
    if (this.rxInterceptFn !== null && this.rxInterceptFn(p, iface)) return;
    const dst = p.tunnel ? p.outerDstIp : p.dstIp;
    if (dst === IPV4_BROADCAST || this.isLocalAddress(dst) || dst === ((iface.network | ~iface.mask) >>> 0)) {
      this.localDeliver(p, iface);
      return;
    }
    if (!this.forwarding) {
      this.net.drop(p, DropReason.NOT_FOR_US, this.name);
      return;
    }
    this.forward(p);
  }

  /** Hand a packet addressed to this node to its transport. */
  localDeliver(p: Packet, iface: Ipv4Interface): void {
    if (p.tunnel) {
      // IP-in-IP: strip the outer header and handle the inner datagram.
      p.tunnel = false;
      this.ipReceive(p, iface);
      return;
    }
    this.ipDelivered++;
    const t = this.l4[p.protocol];
    if (t === undefined) {
      this.net.drop(p, DropReason.NO_SOCKET, this.name);
      return;
    }
    t.receive(p, iface);
  }

  forward(p: Packet): void {
    if (--p.ttl <= 0) {
      this.net.drop(p, DropReason.TTL_EXPIRED, this.name);
      return;
    }
    this.ipForwarded++;
    this.output(p);
  }

  /** Send a locally generated packet. */
  sendIp(p: Packet): void {
    if (!this.up) {
      this.net.drop(p, DropReason.NODE_DOWN, this.name);
      return;
    }
    if (p.ipId === 0) p.ipId = ++this.nextIpId & 0xffff;
    this.output(p);
  }

  /** Route and transmit (the address the route lookup uses is the outer one when tunnelled). */
  output(p: Packet): void {
    const dst = p.tunnel ? p.outerDstIp : p.dstIp;
    const r = this.routes.lookup(dst);
    if (r === undefined) {
      this.net.drop(p, DropReason.NO_ROUTE, this.name);
      return;
    }
    this.outputVia(p, this.interfaces[r.iface], r.gateway !== 0 ? r.gateway : dst);
  }

  /** Transmit through `iface` to next hop `nextHop`. */
  outputVia(p: Packet, iface: Ipv4Interface, nextHop: Ipv4): void {
    if (iface.arp === null) {
      iface.out.send(p, 0);
      return;
    }
    if (nextHop === IPV4_BROADCAST) {
      iface.out.send(p, 0xffff_ffff_ffff);
      return;
    }
    iface.arp.resolveAndSend(p, nextHop);
  }
}
