/**
 * Installing a design on a built site: one installer per design, each the
 * only place that design's behaviour is wired (the scenario builder calls
 * `installCluster` once the topology, the servers' TCP, CPUs and socket
 * applications exist).
 *
 *   nic-forward            the claims: smart NICs forward over the second LAN
 *   nic-forward-first-lan  the same, forwarding back over the first LAN (ablation)
 *   lb-nat                 a central NAT balancer, responses through it (LVS-NAT)
 *   lb-dsr                 a central balancer tunnelling to servers, direct responses (LVS-TUN, Maglev, Katran)
 *   no-forward             each server serves what reaches it (DNS round robin)
 *   daisy-chain            Beamer-style stateless mux with daisy chaining
 *
 * Every design shares: the servers know each other on the second and third
 * LANs (static ARP), optionally warm first-LAN ARP caches, and load reports
 * over the third LAN.
 */
import type { Ipv4 } from '../net/address';
import { PathFlag } from '../net/packet';
import type { Ipv4Interface, IpNode } from '../nodes/ip-node';
import type { Lan } from '../nodes/topology';
import type { TcpLayer, TcpOptions } from '../transport/tcp-layer';
import { Balancer, daisyChain, type BalancerMode, type BalancerOptions } from './balancer';
import type { DetectorOptions } from './failure-detector';
import { exchangePlan, LoadReporter, type ExchangePlan, type ReportOptions } from './load-reporter';
import type { Member, SocketApplication } from './member';
import { SmartNic, type NicOptions } from './smart-nic';

export const DESIGNS = ['nic-forward', 'nic-forward-first-lan', 'lb-nat', 'lb-dsr', 'no-forward', 'daisy-chain'] as const;
export type Design = (typeof DESIGNS)[number];

/** Designs with a central balancer on the first LAN. */
export const BALANCER_DESIGNS: readonly Design[] = ['lb-nat', 'lb-dsr', 'daisy-chain'];

export function isDesign(x: string): x is Design {
  return (DESIGNS as readonly string[]).includes(x);
}

/** A server host as the builder made it. */
export interface ServerHost {
  node: IpNode;
  tcp: TcpLayer;
  app: SocketApplication;
  /** The server's own load (jobs at its CPU plus open connections). */
  load: () => number;
}

export interface ClusterConfig {
  design: Design;
  servicePort: number;
  nic: Partial<NicOptions>;
  balancer: Partial<BalancerOptions>;
  reports: ReportOptions;
  /** How smart NICs decide that a peer is gone. */
  detector: DetectorOptions;
  tcp: Partial<TcpOptions>;
  warmArp: boolean;
}

export interface ClusterSite {
  /** The node coupling the first LAN to the Internet (router or L3 switch). */
  edge: IpNode;
  firstLan: Lan;
  secondLan: Lan | null;
  thirdLan: Lan;
  servers: ServerHost[];
  /** The balancer node on the first LAN (designs with one). */
  balancerNode: IpNode | null;
}

export interface ClusterParts {
  design: Design;
  edge: IpNode;
  firstLan: Lan;
  secondLan: Lan | null;
  thirdLan: Lan;
  members: Member[];
  nics: SmartNic[];
  reporters: LoadReporter[];
  /** What the load-report exchange means at this size (period, fanout, freshness), computed once. */
  exchange: ExchangePlan;
  balancer: Balancer | null;
  /** The address clients send to (balancer designs) or null (clients pick a server). */
  vip: Ipv4 | null;
}

function ifaceOn(n: IpNode, lan: Lan | null): Ipv4Interface | null {
  if (lan === null) return null;
  return lan.ifaces.find((i) => i !== undefined && n.interfaces.includes(i)) ?? null;
}

/** Every interface of `ifs` knows every other's MAC without asking (one shared table). */
function shareNeighbours(ifs: readonly Ipv4Interface[]): void {
  const table = new Map(ifs.map((i) => [i.ip, i.dev.mac] as const));
  for (const i of ifs) i.arp?.useNeighbours(table);
}

type Installer = (parts: ClusterParts, site: ClusterSite, cfg: ClusterConfig) => void;

const INSTALLERS: Record<Design, Installer> = {
  'nic-forward': (p, _s, c) => installNicForward(p, c, 'second'),
  'nic-forward-first-lan': (p, _s, c) => installNicForward(p, c, 'first'),
  'lb-nat': (p, s, c) => installBalancer(p, s, c, 'nat'),
  'lb-dsr': (p, s, c) => installBalancer(p, s, c, 'dsr'),
  'daisy-chain': (p, s, c) => installBalancer(p, s, c, 'beamer'),
  'no-forward': (p) => installNoForward(p),
};

export function installCluster(site: ClusterSite, cfg: ClusterConfig): ClusterParts {
  if (!isDesign(cfg.design)) throw new RangeError(`cluster: design "${String(cfg.design)}" is not one of ${DESIGNS.join(', ')}`);
  if (site.servers.length === 0) throw new RangeError('cluster: a cluster needs at least one server');
  const members: Member[] = site.servers.map((s, index) => {
    const firstIface = ifaceOn(s.node, site.firstLan);
    const thirdIface = ifaceOn(s.node, site.thirdLan);
    if (firstIface === null || thirdIface === null) throw new RangeError(`${s.node.name}: a cluster server needs interfaces on the first and third LANs`);
    return { index, node: s.node, tcp: s.tcp, app: s.app, firstIface, secondIface: ifaceOn(s.node, site.secondLan), thirdIface, load: s.load };
  });
  const parts: ClusterParts = {
    design: cfg.design, edge: site.edge, firstLan: site.firstLan, secondLan: site.secondLan, thirdLan: site.thirdLan,
    members, nics: [], reporters: [], exchange: exchangePlan(cfg.reports, members.length, 'cluster/reports'), balancer: null, vip: null,
  };
  // The cluster knows its members: static neighbours on the back-end LANs,
  // one table a LAN that every member's cache there shares.
  shareNeighbours(members.flatMap((m) => (m.secondIface !== null ? [m.secondIface] : [])));
  shareNeighbours(members.map((m) => m.thirdIface!));
  if (cfg.warmArp) {
    const lanNodes = [site.edge, ...(site.balancerNode !== null ? [site.balancerNode] : []), ...members.map((m) => m.node)];
    shareNeighbours(lanNodes.map((n) => ifaceOn(n, site.firstLan)).filter((i): i is Ipv4Interface => i !== null));
  } else if (cfg.design === 'nic-forward-first-lan') shareNeighbours(members.map((m) => m.firstIface));
  INSTALLERS[cfg.design](parts, site, cfg);
  for (const m of members) parts.reporters.push(new LoadReporter(m, members, parts.nics[m.index] ?? null, cfg.reports, parts.exchange));
  return parts;
}

/** The claims: a smart NIC in every server, forwarding over `via`. */
function installNicForward(parts: ClusterParts, cfg: ClusterConfig, via: 'second' | 'first'): void {
  const plan = parts.exchange;
  const detector = stretchDetector(cfg.detector, plan, cfg.reports.periodNs);
  for (const m of parts.members) {
    parts.nics.push(new SmartNic(m, parts.members, cfg.nic, { servicePort: cfg.servicePort, via, tcp: cfg.tcp, detector, freshNs: plan.freshNs }));
  }
}

/**
 * The detector for an exchange: its silence bounds (deadAfter, and phi's
 * grace) are set for one report a period; an exchange whose reports reach a
 * peer once per `gapNs` stretches them by gapNs / periodNs.
 */
export function stretchDetector(d: DetectorOptions, plan: ExchangePlan, periodNs: number): DetectorOptions {
  const f = plan.gapNs / periodNs;
  if (f === 1) return d;
  return d.kind === 'phi' ? { ...d, deadAfterNs: d.deadAfterNs * f, acceptablePauseNs: d.acceptablePauseNs * f } : { ...d, deadAfterNs: d.deadAfterNs * f };
}

/** An ordinary NIC is the first device of what reaches it, and answers go out through it. */
function installNoForward(parts: ClusterParts): void {
  for (const m of parts.members) {
    const myIp = m.firstIface.ip;
    m.firstIface.dev.txTrace.connect((p) => { if (p.srcIp === myIp) p.pathFlags |= PathFlag.FIRST_PROCESSED; });
  }
}

/** A central balancer on the first LAN owning the service address. */
function installBalancer(parts: ClusterParts, site: ClusterSite, cfg: ClusterConfig, mode: BalancerMode): void {
  const node = site.balancerNode;
  if (node === null) throw new RangeError(`design ${cfg.design} needs a balancer node on the first LAN`);
  const iface = ifaceOn(node, site.firstLan);
  if (iface === null) throw new RangeError(`${node.name}: the balancer has no interface on the first LAN`);
  node.forwarding = true;
  const lb = new Balancer(node, iface, parts.members, cfg.balancer, mode, cfg.servicePort);
  parts.balancer = lb;
  parts.vip = lb.vip;
  for (const m of parts.members) {
    if (mode === 'nat') {
      // Responses must come back through the balancer: it is the servers' only gateway.
      m.node.routes.removeWhere((r) => r.gateway !== 0);
      m.node.routes.add({ network: 0, len: 0, gateway: lb.vip, iface: m.firstIface.index, metric: 0 });
    } else {
      m.node.addLoopback(lb.vip);
      if (mode === 'beamer') m.node.setRxIntercept((p) => daisyChain(p, m, parts.members, lb));
    }
  }
}

/** Servers that start down: out of the balancer's bucket table until they join. */
export function startStandby(parts: ClusterParts, standby: readonly number[]): void {
  for (const s of standby) {
    if (!(Number.isInteger(s) && s >= 0 && s < parts.members.length)) {
      throw new RangeError(`cluster: standby server ${s} does not exist; servers are 0-${parts.members.length - 1}`);
    }
  }
  for (const s of standby) parts.members[s].node.setUp(false);
  if (parts.balancer !== null && standby.length > 0) {
    parts.balancer.assignBuckets(parts.members.map((m) => m.index).filter((i) => !standby.includes(i)));
  }
}

/** Server `index` joined: a Beamer balancer hands it its share of buckets, each remembering its previous owner. */
export function serverJoined(parts: ClusterParts, index: number): void {
  const lb = parts.balancer;
  if (lb === null || lb.mode !== 'beamer') return;
  for (let b = 0; b < lb.opts.buckets; b++) if (b % parts.members.length === index) lb.reassign(b, index);
}
