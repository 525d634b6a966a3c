/**
 * Topology: the typed builder that every network in netsim is made with, in
 * the manner of ns-3's helpers: the scenario layer calls it (one path from a
 * description to a network), and unit tests call it directly. It creates
 * nodes, wires devices and links, assigns addresses and fills routing
 * tables, and keeps the lists that metrics and fault injection need: each
 * LAN records every device on it (`ports`), so nothing has to find them by
 * name.
 *
 * Routes are filled as ns-3's global routing does: every forwarding node (and
 * every multi-homed host) gets a shortest-path (hop count) route to every
 * subnet; a single-homed host gets its connected route and a default route
 * through a forwarding node on its subnet.
 *
 * Traffic control as ns-3's Ipv4AddressHelper::Assign: every device that
 * gets an IPv4 address and has a flow-controlled queue (point-to-point,
 * CSMA; not a bridge, so never a switch port) gets a root queue disc of the
 * kind `queueDisc` names, FqCoDel with ns-3 3.37's defaults unless told
 * otherwise; `setQueueDisc` replaces them all later (before traffic starts).
 */
import { rateBps, timeNs } from '../engine';
import { formatIpv4, parseCidr, prefixMask, SubnetAllocator, type Ipv4 } from '../net/address';
import { CsmaChannel, CsmaDevice } from '../net/csma';
import type { NetDevice } from '../net/net-device';
import { Network, type NetworkOptions } from '../net/network';
import { connectPointToPoint, type PointToPointDevice } from '../net/point-to-point';
import { BridgeDevice } from './bridge';
import { InternetCloud, type InternetOptions } from './internet-cloud';
import { IpNode, type Ipv4Interface } from './ip-node';
import type { Route } from './routing-table';
import { Node, type NodeKind } from './node';
import type { QueueDisc } from './queue-disc';
import { createQueueDisc, DEFAULT_QUEUE_DISC, type QueueDiscSpec } from './traffic-control';

/** bits/s, or a string with its unit ("1Gbps"). */
export type Rate = number | string;
/** ns, or a string with its unit ("500ns"). */
export type Duration = number | string;

export interface LinkOptions {
  rate: Rate;
  delay: Duration;
  /** Device queue, packets (default 100, as ns-3). */
  queue?: number;
  /** Point-to-point: probability that a frame is lost as it arrives at either end (ns-3's RateErrorModel, packet unit, on both devices). */
  loss?: number;
}

/** Where addresses come from: a CIDR handed out in order, a shared allocator, or the two ends' addresses. */
export type Addressing = string | SubnetAllocator | { a: Ipv4; b: Ipv4; len: number };

/** Which of the cluster's LANs a LAN is (null: none, a plain network's LAN). */
export type LanRole = 'first' | 'second' | 'third';

export interface P2pLink {
  a: PointToPointDevice;
  b: PointToPointDevice;
  aIface?: Ipv4Interface;
  bIface?: Ipv4Interface;
}

export interface Lan {
  name: string;
  role: LanRole | null;
  /** The shared channels (hubs) and cables of this LAN. */
  channels: CsmaChannel[];
  /** Host-side device of each attached node, in the order given. */
  devices: CsmaDevice[];
  ifaces: (Ipv4Interface | undefined)[];
  /** The bridges (switches) of this LAN; `bridge` is the first. */
  bridges: BridgeDevice[];
  bridge?: BridgeDevice;
  /** Every device on this LAN's media: hosts' and switch ports. */
  ports: CsmaDevice[];
  network: Ipv4;
  len: number;
}

export interface TopologyOptions extends NetworkOptions {
  /** Root queue disc of every IP device (default: FqCoDel with ns-3 3.37's defaults; { kind: 'none' } for none). */
  queueDisc?: QueueDiscSpec;
}

function allocatorOf(a: string | SubnetAllocator): SubnetAllocator {
  if (typeof a !== 'string') return a;
  const { network, len } = parseCidr(a);
  return new SubnetAllocator(formatIpv4(network), len);
}

export class Topology {
  readonly net: Network;
  readonly nodes: Node[] = [];
  readonly links: P2pLink[] = [];
  readonly lans: Lan[] = [];
  private readonly byName = new Map<string, Node>();
  /** The root queue disc that IP devices get when addressed. */
  queueDisc: QueueDiscSpec;

  constructor(opts: TopologyOptions = {}) {
    this.net = new Network(opts);
    this.queueDisc = opts.queueDisc ?? DEFAULT_QUEUE_DISC;
    // Fail at construction on a bad spec, not at the first address.
    createQueueDisc(new Network(), 'topology', this.queueDisc)?.detach();
  }

  private add<N extends Node>(n: N): N {
    if (this.byName.has(n.name)) throw new Error(`topology: a node named "${n.name}" already exists`);
    this.byName.set(n.name, n);
    this.nodes.push(n);
    return n;
  }

  node(name: string): Node {
    const n = this.byName.get(name);
    if (!n) throw new Error(`topology: no node named "${name}"; known nodes: ${[...this.byName.keys()].slice(0, 20).join(', ')}`);
    return n;
  }

  host(name: string, kind: NodeKind = 'host'): IpNode {
    return this.add(new IpNode(this.net, name, kind, false));
  }

  router(name: string): IpNode {
    return this.add(new IpNode(this.net, name, 'router', true));
  }

  /** An L2 learning switch: a node holding only a bridge. */
  l2Switch(name: string): Node & { bridge: BridgeDevice } {
    const n = this.add(new Node(this.net, name, 'l2-switch')) as Node & { bridge: BridgeDevice };
    n.bridge = n.addDevice(new BridgeDevice(this.net, `${name}/bridge`));
    return n;
  }

  /** An L3 switch: switches within its LAN, routes between its LAN and other links. */
  l3Switch(name: string): IpNode & { bridge: BridgeDevice } {
    const n = this.add(new IpNode(this.net, name, 'l3-switch', true)) as IpNode & { bridge: BridgeDevice };
    n.bridge = n.addDevice(new BridgeDevice(this.net, `${name}/bridge`));
    return n;
  }

  internet(name: string, opts: Partial<InternetOptions> = {}): InternetCloud {
    return this.add(new InternetCloud(this.net, name, opts));
  }

  /** A full-duplex point-to-point link; IP nodes get addresses from `addressing` (a /30 each by default). */
  pointToPoint(a: Node, b: Node, o: LinkOptions, addressing?: Addressing, name = `${a.name}->${b.name}`): P2pLink {
    if (a === b) throw new RangeError(`topology: a link joins two nodes; both ends are ${a.name}`);
    this.owns(a);
    this.owns(b);
    const back = name === `${a.name}->${b.name}` ? `${b.name}->${a.name}` : `${name}/back`;
    const [da, db] = connectPointToPoint(this.net, name, back, {
      rate: rateBps(o.rate), delay: timeNs(o.delay), queue: o.queue, loss: o.loss,
    });
    a.addDevice(da);
    b.addDevice(db);
    const link: P2pLink = { a: da, b: db };
    if (addressing !== undefined && typeof addressing === 'object' && 'a' in addressing) {
      if (a instanceof IpNode) link.aIface = this.assign(a, da, addressing.a, addressing.len);
      if (b instanceof IpNode) link.bIface = this.assign(b, db, addressing.b, addressing.len);
    } else if (addressing !== undefined) {
      const alloc = allocatorOf(addressing);
      if (a instanceof IpNode) link.aIface = this.assign(a, da, alloc.host(), alloc.len);
      if (b instanceof IpNode) link.bIface = this.assign(b, db, alloc.host(), alloc.len);
      if (typeof addressing !== 'string') alloc.newNetwork();
    }
    this.links.push(link);
    return link;
  }

  /** Every address handed out, and to whom: one address, one interface. */
  private readonly assigned = new Map<Ipv4, string>();

  /** Put `ip`/`len` on `dev` of IP node `node`, refusing an address already in use or outside its subnet's hosts. */
  private assign(node: IpNode, dev: NetDevice, ip: Ipv4, len: number): Ipv4Interface {
    if (!(Number.isInteger(len) && len >= 1 && len <= 30)) throw new RangeError(`topology: ${node.name}: prefix /${len} holds no hosts; use /1 to /30`);
    const mask = prefixMask(len);
    const host = (ip & ~mask) >>> 0;
    if (host === 0 || host === (~mask >>> 0)) {
      throw new RangeError(`topology: ${node.name}: ${formatIpv4(ip)}/${len} is the network or broadcast address of its subnet, not a host`);
    }
    const other = this.assigned.get(ip);
    if (other !== undefined) throw new RangeError(`topology: ${formatIpv4(ip)} is already the address of ${other}; ${node.name} needs another (two links on one subnet?)`);
    this.assigned.set(ip, `${node.name} (${dev.name})`);
    const iface = node.addInterface(dev, ip, len);
    this.installQueueDisc(node, iface, this.queueDisc);
    return iface;
  }

  private installQueueDisc(node: IpNode, iface: Ipv4Interface, spec: QueueDiscSpec): void {
    if (!iface.dev.supportsFlowControl) return;
    node.setQueueDisc(iface, createQueueDisc(this.net, iface.dev.name, spec));
  }

  /**
   * Put a root queue disc of kind `spec` on every IP device with a
   * flow-controlled queue (or on those `filter` accepts), replacing what is
   * there, as ns-3's TrafficControlHelper Uninstall + Install; later
   * addresses get it too. Call it before traffic starts: a disc that holds
   * packets cannot be removed.
   */
  setQueueDisc(spec: QueueDiscSpec, filter?: (node: IpNode, iface: Ipv4Interface) => boolean): void {
    createQueueDisc(new Network(), 'topology', spec);
    if (filter === undefined) this.queueDisc = spec;
    for (const n of this.nodes) {
      if (!(n instanceof IpNode)) continue;
      for (const iface of n.interfaces) if (filter === undefined || filter(n, iface)) this.installQueueDisc(n, iface, spec);
    }
  }

  /** Every root queue disc installed now. */
  queueDiscs(): QueueDisc[] {
    const out: QueueDisc[] = [];
    for (const n of this.nodes) if (n instanceof IpNode) for (const i of n.interfaces) if (i.qdisc !== null) out.push(i.qdisc);
    return out;
  }

  private owns(n: Node): void {
    if (this.byName.get(n.name) !== n) throw new RangeError(`topology: node ${n.name} belongs to another topology`);
  }

  /** An empty LAN record (its media and devices are added with csmaChannel and attach). */
  lan(name: string, role: LanRole | null, network: Ipv4, len: number): Lan {
    const lan: Lan = { name, role, channels: [], devices: [], ifaces: [], bridges: [], ports: [], network, len };
    this.lans.push(lan);
    return lan;
  }

  /** A shared half-duplex medium of `lan` (a hub, or one cable). */
  csmaChannel(lan: Lan, name: string, rate: number, delay: number): CsmaChannel {
    const ch = new CsmaChannel(this.net, name, rate, delay);
    lan.channels.push(ch);
    return ch;
  }

  /**
   * Attach `node` to `ch` with a new device named `devName`. A switch's
   * device becomes a port of its bridge (whose LAN this then is); another
   * node's is a host-side device of the LAN.
   */
  attach(lan: Lan, node: Node, ch: CsmaChannel, devName: string, queue?: number): CsmaDevice {
    this.owns(node);
    const dev = node.addDevice(new CsmaDevice(this.net, devName, ch, queue));
    lan.ports.push(dev);
    const bridge = (node as Partial<{ bridge: BridgeDevice }>).bridge;
    if (bridge !== undefined) {
      bridge.addPort(dev);
      if (!lan.bridges.includes(bridge)) lan.bridges.push(bridge);
      lan.bridge ??= bridge;
    } else lan.devices.push(dev);
    return dev;
  }

  /** Put `ip`/`len` on `dev` of `node` (an IpNode; a switch's bridge for an L3 switch) and record it on `lan`. */
  address(lan: Lan, node: Node, dev: NetDevice, ip: Ipv4): Ipv4Interface {
    if (!(node instanceof IpNode)) throw new RangeError(`topology: ${node.name} is not an IP node; it cannot have an address`);
    const iface = this.assign(node, dev, ip, lan.len);
    lan.ifaces.push(iface);
    return iface;
  }

  /** A hub: one shared half-duplex medium that every node in `members` attaches to. */
  hub(name: string, members: Node[], o: LinkOptions, addressing: string | SubnetAllocator, role: LanRole | null = null): Lan {
    const alloc = allocatorOf(addressing);
    const lan = this.lan(name, role, alloc.current.network, alloc.len);
    const ch = this.csmaChannel(lan, name, rateBps(o.rate), timeNs(o.delay));
    for (const m of members) {
      const dev = this.attach(lan, m, ch, `${name}/${m.name}`, o.queue);
      if (m instanceof IpNode) this.address(lan, m, dev, alloc.host());
      else lan.ifaces.push(undefined);
    }
    return lan;
  }

  /**
   * A switched LAN: each member gets its own half-duplex cable to a port of
   * `sw` (as the ns-3 anchor's BridgeNetDevice over 2-device CSMA channels).
   * An L3 switch takes the first address of the subnet on its bridge.
   */
  switchedLan(name: string, sw: Node & { bridge: BridgeDevice }, members: Node[], o: LinkOptions, addressing: string | SubnetAllocator, role: LanRole | null = null): Lan {
    const alloc = allocatorOf(addressing);
    const lan = this.lan(name, role, alloc.current.network, alloc.len);
    lan.bridges.push(sw.bridge);
    lan.bridge = sw.bridge;
    if (sw instanceof IpNode) this.assign(sw, sw.bridge, alloc.host(), alloc.len);
    const rate = rateBps(o.rate), delay = timeNs(o.delay);
    for (const m of members) {
      const ch = this.csmaChannel(lan, `${name}/${m.name}`, rate, delay);
      const dev = this.attach(lan, m, ch, `${name}/${m.name}`, o.queue);
      this.attach(lan, sw, ch, `${name}/${sw.name}-port${sw.bridge.ports.length}`, o.queue);
      if (m instanceof IpNode) this.address(lan, m, dev, alloc.host());
      else lan.ifaces.push(undefined);
    }
    return lan;
  }

  /** Every device of every node. */
  devices(): NetDevice[] {
    return this.nodes.flatMap((n) => n.devices);
  }

  /** Frames handed to devices for transmission (the ns-3 anchor's "hops"). */
  hops(): number {
    let h = 0;
    for (const n of this.nodes) for (const d of n.devices) h += d.txFrames;
    return h;
  }

  /** Fill routing tables by hop-count shortest paths, as ns-3's global routing. */
  populateRoutes(): void {
    const ipNodes = this.nodes.filter((n): n is IpNode => n instanceof IpNode);
    // Subnet -> interfaces on it.
    const subnets = new Map<number, { network: Ipv4; len: number; members: { node: IpNode; iface: Ipv4Interface }[] }>();
    for (const n of ipNodes) {
      for (const iface of n.interfaces) {
        const key = iface.network * 64 + iface.len;
        let s = subnets.get(key);
        if (!s) subnets.set(key, (s = { network: iface.network, len: iface.len, members: [] }));
        s.members.push({ node: n, iface });
      }
    }
    const subnetsOf = new Map<IpNode, number[]>();
    for (const [key, s] of subnets) for (const m of s.members) {
      const l = subnetsOf.get(m.node) ?? [];
      l.push(key);
      subnetsOf.set(m.node, l);
    }
    const reachOf = new Map<IpNode, Set<number>>();
    for (const src of ipNodes) {
      const mine = subnetsOf.get(src) ?? [];
      const ifaceFor = new Map<number, Ipv4Interface>(src.interfaces.map((i) => [i.network * 64 + i.len, i]));
      if (!src.forwarding && src.interfaces.length <= 1) {
        // Single-homed host: default route through a forwarding neighbour.
        for (const key of mine) {
          const gw = subnets.get(key)!.members.find((m) => m.node !== src && m.node.forwarding);
          if (gw) {
            const iface = ifaceFor.get(key)!;
            src.routes.add({ network: 0, len: 0, gateway: gw.iface.ip, iface: iface.index, metric: 1 });
            break;
          }
        }
        continue;
      }
      if (!src.forwarding && this.routeThroughOnlyRouter(src, mine, subnets, subnetsOf, ifaceFor, reachOf)) continue;
      // BFS over nodes; a route leaves through the first hop of the path.
      type Hop = { iface: number; gateway: Ipv4; dist: number };
      const firstHop = new Map<IpNode, Hop>();
      const queue: IpNode[] = [];
      for (const key of mine) {
        const s = subnets.get(key)!;
        const out = ifaceFor.get(key)!;
        for (const m of s.members) {
          if (m.node === src || firstHop.has(m.node)) continue;
          firstHop.set(m.node, { iface: out.index, gateway: m.iface.ip, dist: 1 });
          queue.push(m.node);
        }
      }
      const reached = new Set<number>(mine);
      const found: Route[] = [];
      for (let qi = 0; qi < queue.length; qi++) {
        const n = queue[qi];
        if (!n.forwarding) continue; // a host's other subnets are not reachable through it
        const hop = firstHop.get(n)!;
        for (const key of subnetsOf.get(n) ?? []) {
          if (!reached.has(key)) {
            reached.add(key);
            const s = subnets.get(key)!;
            found.push({ network: s.network, len: s.len, gateway: hop.gateway, iface: hop.iface, metric: hop.dist });
          }
          for (const m of subnets.get(key)!.members) {
            if (m.node === src || firstHop.has(m.node)) continue;
            firstHop.set(m.node, { ...hop, dist: hop.dist + 1 });
            queue.push(m.node);
          }
        }
      }
      for (const r of src.forwarding ? found : withDefaultRoute(found)) src.routes.add(r);
    }
  }

  /**
   * The common case of a multi-homed host (a cluster server on three LANs)
   * whose subnets hold one router: every remote subnet is reached through
   * it, so the host's routes are one default route, as the BFS and
   * `withDefaultRoute` would make them, without walking every subnet once
   * per host (at 1,000 servers and 100 k client links, 10^8 steps). What
   * the router reaches is walked once per router. Returns false (the BFS
   * decides) for any other shape, or when fewer than two remote subnets
   * would leave no default route.
   */
  private routeThroughOnlyRouter(
    src: IpNode, mine: readonly number[], subnets: ReadonlyMap<number, { members: { node: IpNode; iface: Ipv4Interface }[] }>,
    subnetsOf: ReadonlyMap<IpNode, number[]>, ifaceFor: ReadonlyMap<number, Ipv4Interface>, reachOf: Map<IpNode, Set<number>>,
  ): boolean {
    let gw: { node: IpNode; iface: Ipv4Interface } | null = null, via = -1;
    for (const key of mine) {
      for (const m of subnets.get(key)!.members) {
        if (m.node === src || !m.node.forwarding) continue;
        if (gw !== null) return false; // two routers, or one on two of src's subnets
        gw = m;
        via = key;
      }
    }
    if (gw === null) return false;
    let reach = reachOf.get(gw.node);
    if (reach === undefined) {
      reach = new Set<number>();
      const seen = new Set<IpNode>([gw.node]);
      const queue = [gw.node];
      for (let qi = 0; qi < queue.length; qi++) {
        for (const key of subnetsOf.get(queue[qi]) ?? []) {
          reach.add(key);
          for (const m of subnets.get(key)!.members) {
            if (m.node.forwarding && !seen.has(m.node)) { seen.add(m.node); queue.push(m.node); }
          }
        }
      }
      reachOf.set(gw.node, reach);
    }
    let remote = reach.size;
    for (const key of mine) if (reach.has(key)) remote--;
    if (remote < 2) return false;
    const direct = (subnetsOf.get(gw.node) ?? []).some((k) => !mine.includes(k));
    src.routes.add({ network: 0, len: 0, gateway: gw.iface.ip, iface: ifaceFor.get(via)!.index, metric: direct ? 1 : 2 });
    return true;
  }

  /** Add a static route to `node`. */
  addRoute(node: IpNode, cidr: string, gateway: Ipv4, iface: number, metric = 0): void {
    const { network, len } = parseCidr(cidr);
    if (iface < 0 || iface >= node.interfaces.length) {
      throw new RangeError(`${node.name}: interface ${iface} does not exist (0-${node.interfaces.length - 1})`);
    }
    node.routes.add({ network, len, gateway, iface, metric });
  }
}

/**
 * A multi-homed host's routes as a host keeps them: the next hop most of
 * them share becomes its default route, and only routes through another
 * next hop stay. Forwarding is the same for every reachable address; a
 * cluster server on three LANs keeps its few back-end routes instead of
 * one per client subnet (at 1,000 servers and 100 k clients, 10^8 routes).
 */
function withDefaultRoute(routes: Route[]): Route[] {
  if (routes.length < 2) return routes;
  const hopOf = (r: Route): number => r.iface * 2 ** 32 + r.gateway;
  const count = new Map<number, number>();
  let best = -1, bestN = 0;
  for (const r of routes) {
    const k = hopOf(r);
    const n = (count.get(k) ?? 0) + 1;
    count.set(k, n);
    if (n > bestN) { best = k; bestN = n; }
  }
  if (bestN < 2) return routes;
  const via = routes.find((r) => hopOf(r) === best)!;
  return [
    { network: 0, len: 0, gateway: via.gateway, iface: via.iface, metric: via.metric },
    ...routes.filter((r) => hopOf(r) !== best),
  ];
}
