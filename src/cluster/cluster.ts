/**
 * Cluster: builds one site of servers and the clients that use it, for one
 * of the six designs, always on the same topology:
 *
 *   clients --p2p-- Internet cloud --p2p-- edge --first LAN-- servers (+ balancer)
 *                                          servers --second LAN (back end)
 *                                          servers --third LAN (state exchange)
 *
 * The first LAN is a hub with a router, an L2 switch behind a router, or an
 * L3 switch coupled straight to the Internet (claims 22-24). The second and
 * third LANs are switches (or hubs). Designs:
 *   nic-forward            the claims: smart NICs forward over the second LAN
 *   nic-forward-first-lan  the same, forwarding back over the first LAN
 *   lb-nat                 a central NAT balancer, responses through it
 *   lb-dsr                 a central balancer tunnelling to servers, direct responses
 *   no-forward             each server serves what reaches it (DNS round robin)
 *   daisy-chain            Beamer-style stateless mux with daisy chaining
 */
import { MS } from '../engine';
import { PathFlag } from '../net/packet';
import type { Ipv4 } from '../net/address';
import { Cpu } from '../apps/cpu';
import type { Ipv4Interface, IpNode } from '../nodes/ip-node';
import type { InternetCloud, InternetOptions } from '../nodes/internet-cloud';
import type { Node } from '../nodes/node';
import { TcpLayer, type TcpOptions } from '../transport/tcp-layer';
import type { Dist } from '../apps/dist';
import { RequestStats } from '../apps/request-stats';
import { TcpRequestClient } from '../apps/tcp-request-client';
import { TcpServerApp } from '../apps/tcp-server-app';
import { Topology, type LinkOptions, type Lan } from '../nodes/topology';
import { Balancer, daisyChain, type BalancerOptions } from './balancer';
import type { Fault } from './fault';
import { LoadReporter, type ReportOptions } from './load-reporter';
import type { Member } from './member';
import { SmartNic, type NicOptions } from './smart-nic';

export type Design = 'nic-forward' | 'nic-forward-first-lan' | 'lb-nat' | 'lb-dsr' | 'no-forward' | 'daisy-chain';
export const DESIGNS: readonly Design[] = ['nic-forward', 'nic-forward-first-lan', 'lb-nat', 'lb-dsr', 'no-forward', 'daisy-chain'];
export type FirstLanKind = 'hub' | 'l2-switch' | 'l3-switch';

export interface WorkloadOptions {
  /** Requests each client sends. */
  requestsPerClient: number;
  arrival: 'poisson' | 'closed-loop';
  /** Mean gap between a client's requests (Poisson), ns. */
  meanIntervalNs: number;
  thinkTime: Dist;
  requestSize: Dist;
  responseSize: Dist;
  requestsPerConnection: number;
  /** Clients pick among the servers' addresses (DNS round robin) unless the design has a VIP. */
  servicePort: number;
}

export interface ClusterOptions {
  design: Design;
  firstLan: FirstLanKind;
  servers: number;
  clients: number;
  seed: number;
  run: number;
  clientLink: LinkOptions;
  siteLink: LinkOptions;
  lan: LinkOptions;
  secondLan: LinkOptions & { kind: 'switch' | 'hub' };
  thirdLan: LinkOptions & { kind: 'switch' | 'hub' };
  internet: Partial<InternetOptions>;
  workload: WorkloadOptions;
  /** Server CPU: cores and service time per request. */
  cpuCores: number;
  serviceTime: Dist;
  nic: Partial<NicOptions>;
  balancer: Partial<BalancerOptions>;
  reports: ReportOptions;
  tcp: Partial<TcpOptions>;
  faults: Fault[];
  /** Servers that start down and join later (listed with a 'join' fault). */
  standby: number[];
  /**
   * Start with first-LAN ARP caches filled between servers, edge and
   * balancer (a site in steady state), so that no design pays ARP start-up
   * losses (ns-3's 3-packet ARP queue drops a response burst otherwise).
   */
  warmArp: boolean;
}

export const CLUSTER_DEFAULTS: ClusterOptions = {
  design: 'nic-forward',
  firstLan: 'l2-switch',
  servers: 8,
  clients: 40,
  seed: 1,
  run: 1,
  clientLink: { rate: '100Mbps', delay: '1ms' },
  siteLink: { rate: '10Gbps', delay: '100us', queue: 1000 },
  lan: { rate: '1Gbps', delay: '500ns', queue: 1000 },
  secondLan: { rate: '1Gbps', delay: '500ns', queue: 1000, kind: 'switch' },
  thirdLan: { rate: '100Mbps', delay: '500ns', kind: 'switch' },
  internet: { delay: 10 * MS, jitter: 1 * MS, jitterKind: 'uniform' },
  workload: {
    requestsPerClient: 20, arrival: 'poisson', meanIntervalNs: 50 * MS,
    thinkTime: { kind: 'exponential', mean: 10 * MS },
    requestSize: { kind: 'constant', value: 200 },
    responseSize: { kind: 'constant', value: 20_000 },
    requestsPerConnection: 1, servicePort: 80,
  },
  cpuCores: 1,
  serviceTime: { kind: 'exponential', mean: 1 * MS },
  nic: {},
  balancer: {},
  reports: { periodNs: 10 * MS, bytes: 64, deadAfterNs: 35 * MS },
  tcp: {},
  faults: [],
  standby: [],
  warmArp: true,
};

export interface Cluster {
  opts: ClusterOptions;
  topo: Topology;
  internet: InternetCloud;
  /** The node that couples the first LAN to the Internet (router or L3 switch). */
  edge: IpNode;
  firstLan: Lan;
  secondLan: Lan;
  thirdLan: Lan;
  members: Member[];
  nics: SmartNic[];
  reporters: LoadReporter[];
  balancer: Balancer | null;
  servers: TcpServerApp[];
  cpus: Cpu[];
  clients: TcpRequestClient[];
  stats: RequestStats;
  /** The address clients send to (VIP designs) or null (clients pick a server). */
  vip: Ipv4 | null;
}

function merge(o: Partial<ClusterOptions>): ClusterOptions {
  return {
    ...CLUSTER_DEFAULTS, ...o,
    workload: { ...CLUSTER_DEFAULTS.workload, ...o.workload },
    reports: { ...CLUSTER_DEFAULTS.reports, ...o.reports },
  };
}

export function buildCluster(partial: Partial<ClusterOptions> = {}): Cluster {
  const o = merge(partial);
  if (!(o.servers >= 1 && Number.isInteger(o.servers))) throw new RangeError(`servers must be an integer >= 1, got ${o.servers}`);
  if (!(o.clients >= 1 && Number.isInteger(o.clients))) throw new RangeError(`clients must be an integer >= 1, got ${o.clients}`);
  const topo = new Topology({ seed: o.seed, run: o.run });
  const net = topo.net;
  const clientNodes = Array.from({ length: o.clients }, (_, i) => topo.host(`client${i}`, 'client'));
  const internet = topo.internet('internet', o.internet);
  const serverNodes = Array.from({ length: o.servers }, (_, i) => topo.host(`server${i}`, 'server'));
  clientNodes.forEach((c, i) => topo.pointToPoint(c, internet, o.clientLink, `100.${64 + (i >> 14)}.${(i >> 6) & 255}.${(i & 63) * 4}/30`));

  const usesBalancer = o.design === 'lb-nat' || o.design === 'lb-dsr' || o.design === 'daisy-chain';
  const lbNode = usesBalancer ? topo.host('balancer', 'balancer') : null;
  if (lbNode) lbNode.forwarding = true;
  const lanMembers: Node[] = [...serverNodes, ...(lbNode ? [lbNode] : [])];

  let edge: IpNode;
  let firstLan: Lan;
  if (o.firstLan === 'l3-switch') {
    const l3 = topo.l3Switch('l3-switch');
    edge = l3;
    topo.pointToPoint(internet, l3, o.siteLink, '198.51.100.0/30');
    firstLan = topo.switchedLan('first-lan', l3, lanMembers, o.lan, '10.0.0.0/16');
  } else {
    const router = topo.router('router');
    edge = router;
    topo.pointToPoint(internet, router, o.siteLink, '198.51.100.0/30');
    firstLan = o.firstLan === 'hub'
      ? topo.hub('first-lan', [router, ...lanMembers], o.lan, '10.0.0.0/16')
      : topo.switchedLan('first-lan', topo.l2Switch('l2-switch'), [router, ...lanMembers], o.lan, '10.0.0.0/16');
  }
  const mkLan = (name: string, l: LinkOptions & { kind: 'switch' | 'hub' }, cidr: string): Lan =>
    l.kind === 'hub' ? topo.hub(name, serverNodes, l, cidr) : topo.switchedLan(name, topo.l2Switch(`${name}-switch`), serverNodes, l, cidr);
  const secondLan = mkLan('second-lan', o.secondLan, '10.1.0.0/16');
  const thirdLan = mkLan('third-lan', o.thirdLan, '10.2.0.0/16');
  tagLan(topo, firstLan, PathFlag.FIRST_LAN);
  tagLan(topo, secondLan, PathFlag.SECOND_LAN);
  tagLan(topo, thirdLan, PathFlag.THIRD_LAN);
  topo.populateRoutes();

  const ifaceOn = (n: IpNode, lan: Lan): Ipv4Interface => n.interfaces.find((i) => i.network === lan.network && i.len === lan.len)!;
  const stats = new RequestStats();
  const cpus: Cpu[] = [];
  const servers: TcpServerApp[] = [];
  const members: Member[] = serverNodes.map((node, index) => {
    const tcp = new TcpLayer(node, o.tcp);
    const cpu = new Cpu(net.sim, o.cpuCores, `${node.name}/cpu`);
    const app = new TcpServerApp(node, tcp, { port: o.workload.servicePort, serviceTime: o.serviceTime, responseSize: o.workload.responseSize, cpu }, stats);
    cpus.push(cpu);
    servers.push(app);
    return {
      index, node, tcp, app,
      firstIface: ifaceOn(node, firstLan), secondIface: ifaceOn(node, secondLan), thirdIface: ifaceOn(node, thirdLan),
      load: () => cpu.load() + tcp.size,
    };
  });
  // The cluster knows its members: static neighbours on the back-end LANs.
  for (const m of members) for (const peer of members) {
    if (peer === m) continue;
    m.secondIface!.arp!.addStatic(peer.secondIface!.ip, peer.secondIface!.dev.mac);
    m.thirdIface!.arp?.addStatic(peer.thirdIface!.ip, peer.thirdIface!.dev.mac);
    if (o.design === 'nic-forward-first-lan') m.firstIface.arp!.addStatic(peer.firstIface.ip, peer.firstIface.dev.mac);
  }

  if (o.warmArp) {
    const lanNodes = [edge, ...(lbNode ? [lbNode] : []), ...serverNodes];
    const ifs = lanNodes.map((n) => ifaceOn(n, firstLan));
    for (const a of ifs) for (const b of ifs) if (a !== b) a.arp?.addStatic(b.ip, b.dev.mac);
  }

  const nics: SmartNic[] = [];
  const reporters: LoadReporter[] = [];
  let balancer: Balancer | null = null;
  let vip: Ipv4 | null = null;
  const nicDesign = o.design === 'nic-forward' || o.design === 'nic-forward-first-lan';
  if (nicDesign) {
    for (const m of members) {
      const nic = new SmartNic(m, members, {
        ...o.nic, servicePort: o.workload.servicePort,
        forwardVia: o.design === 'nic-forward' ? 'second-lan' : 'first-lan',
      }, o.tcp, o.reports.deadAfterNs);
      nics.push(nic);
    }
  }
  if (o.design === 'no-forward') {
    // An ordinary NIC is the first device of what reaches it, and answers go out through it.
    for (const m of members) {
      const myIp = m.firstIface.ip;
      m.firstIface.dev.txTrace.connect((p) => { if (p.srcIp === myIp) p.pathFlags |= PathFlag.FIRST_PROCESSED; });
    }
  }
  for (const m of members) {
    const r = new LoadReporter(m, nicDesign ? nics[m.index] : null, o.reports, members.length);
    reporters.push(r);
  }
  if (usesBalancer) {
    const lbIface = ifaceOn(lbNode!, firstLan);
    const mode = o.design === 'lb-nat' ? 'nat' : o.design === 'lb-dsr' ? 'dsr' : 'beamer';
    balancer = new Balancer(lbNode!, lbIface, members, { ...o.balancer, mode, servicePort: o.workload.servicePort });
    vip = lbIface.ip;
    for (const m of members) {
      if (mode === 'nat') {
        // Responses must come back through the balancer: it is the servers' only gateway.
        m.node.routes.removeWhere((r) => r.gateway !== 0);
        m.node.routes.add({ network: 0, len: 0, gateway: vip, iface: m.firstIface.index, metric: 0 });
      } else {
        m.node.addLoopback(vip);
        if (mode === 'beamer') m.node.setRxIntercept((p) => daisyChain(p, m, members, balancer!));
      }
    }
  }

  for (const app of servers) app.node.addApplication(app);
  for (const r of reporters) r.start();
  const targets = vip !== null ? [vip] : members.map((m) => m.firstIface.ip);
  const w = o.workload;
  const clients = clientNodes.map((c) => {
    const app = new TcpRequestClient(c, new TcpLayer(c, o.tcp), {
      servers: targets, port: w.servicePort, arrival: w.arrival, meanInterval: w.meanIntervalNs, thinkTime: w.thinkTime,
      requests: w.requestsPerClient, requestSize: w.requestSize, requestsPerConnection: w.requestsPerConnection,
    }, stats);
    c.addApplication(app);
    return app;
  });

  for (const s of o.standby) serverNodes[s].setUp(false);
  if (balancer !== null && o.standby.length > 0) balancer.assignBuckets(members.map((m) => m.index).filter((i) => !o.standby.includes(i)));
  for (const f of o.faults) scheduleFault(topo, members, balancer, f);
  return {
    opts: o, topo, internet, edge, firstLan, secondLan, thirdLan, members, nics, reporters, balancer,
    servers, cpus, clients, stats, vip,
  };
}

/** Mark every device of a LAN (hosts' and switch ports) with its PathFlag bit. */
function tagLan(topo: Topology, lan: Lan, bit: number): void {
  for (const d of lan.devices) d.lanBits = bit;
  const names = new Set(lan.channels.map((c) => c.name));
  for (const n of topo.nodes) for (const d of n.devices) {
    const ch = (d as { channel?: { name: string } }).channel;
    if (ch !== undefined && names.has(ch.name)) d.lanBits = bit;
  }
  if (lan.bridge) lan.bridge.lanBits = bit;
}

function scheduleFault(topo: Topology, members: Member[], lb: Balancer | null, f: Fault): void {
  const m = members[f.server];
  if (m === undefined) throw new RangeError(`fault at ${f.at} ns names server ${f.server}; servers are 0-${members.length - 1}`);
  topo.net.sim.scheduleAt(f.at, () => {
    if (f.kind === 'crash') {
      m.node.setUp(false);
      m.tcp.crash();
    }
    else if (f.kind === 'join') {
      m.node.setUp(true);
      if (lb !== null && lb.opts.mode === 'beamer') {
        // Beamer: the new server takes its share of buckets; each remembers its previous owner.
        for (let b = 0; b < lb.opts.buckets; b++) if (b % members.length === f.server) lb.reassign(b, f.server);
      }
      if (m.node.applications.length > 0) for (const a of m.node.applications) a.start();
    } else {
      const iface = f.lan === 'first' ? m.firstIface : f.lan === 'second' ? m.secondIface! : m.thirdIface!;
      iface.dev.setUp(f.kind === 'link-up');
    }
  });
}

