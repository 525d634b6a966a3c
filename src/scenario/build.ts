/**
 * The one path from a validated scenario to a running network: the plan's
 * nodes, links and LANs become Topology calls, the workload becomes server
 * and client applications, the cluster's design is installed by its one
 * installer (cluster/install.ts), and the faults are scheduled.
 *
 * Order (it fixes event order at t = 0, hence every draw): nodes, links,
 * LANs, routes; servers' TCP, CPUs and applications; the cluster; server
 * applications start; load reports start; clients start; standby servers
 * go down; faults are scheduled.
 *
 * Cost: O(nodes + links); nothing here runs per event.
 */
import { Cpu } from '../apps/cpu';
import { RequestStats } from '../apps/request-stats';
import { TcpRequestClient } from '../apps/tcp-request-client';
import { TcpServerApp } from '../apps/tcp-server-app';
import { UdpReplyServer, UdpRequestClient } from '../apps/udp-request-reply';
import type { Dist } from '../apps/dist';
import {
  BALANCER_DESIGNS, installCluster, serverJoined, startStandby, type ClusterConfig, type ClusterParts, type ServerHost,
} from '../cluster/install';
import type { Simulator } from '../engine';
import type { Ipv4 } from '../net/address';
import type { CsmaDevice } from '../net/csma';
import type { NetDevice } from '../net/net-device';
import type { Network } from '../net/network';
import { PathFlag } from '../net/packet';
import type { BridgeDevice } from '../nodes/bridge';
import { InternetCloud } from '../nodes/internet-cloud';
import { IpNode } from '../nodes/ip-node';
import type { Node } from '../nodes/node';
import { Topology, type Lan } from '../nodes/topology';
import { TcpLayer, type TcpOptions } from '../transport/tcp-layer';
import { workloadNodes, type Scenario } from './load';
import type { ClusterSpec, FaultSpec, GraphNode } from './schema';
import type { DetectorOptions } from '../cluster/failure-detector';

/** The devices at the two ends of one planned link or cable (b null: a tap on a hub's medium). */
export interface LinkDevices {
  /** Index of the link in the graph's `links`. */
  link: number;
  a: string;
  b: string;
  aDev: NetDevice;
  bDev: NetDevice | null;
  /** The hub whose medium this is a tap on (null: a cable or a point-to-point link). */
  hub: string | null;
}

export interface Simulation {
  scenario: Scenario;
  run: number;
  topo: Topology;
  net: Network;
  sim: Simulator;
  /** Nodes by id (a group's members by their own ids; hubs are media, not nodes). */
  nodes: Map<string, Node>;
  lans: Lan[];
  links: LinkDevices[];
  stats: RequestStats;
  /** TCP workloads: the server and client applications, in the order of the workload's nodes. */
  servers: TcpServerApp[];
  clients: TcpRequestClient[];
  /** UDP workloads. */
  udpServers: UdpReplyServer[];
  udpClients: UdpRequestClient[];
  /** The CPU of each workload server, in order. */
  cpus: Cpu[];
  /** Every host TCP layer (servers' and clients'). */
  tcpLayers: TcpLayer[];
  cluster: ClusterParts | null;
  /** Requests the workload will issue in all. */
  totalRequests: number;
  /** The service port. */
  servicePort: number;
}

export interface BuildOptions {
  /** Run number (replication) for the random streams; default 1. */
  run?: number;
}

const LAN_BIT = { first: PathFlag.FIRST_LAN, second: PathFlag.SECOND_LAN, third: PathFlag.THIRD_LAN } as const;

export function tcpOptions(s: Scenario): Partial<TcpOptions> {
  const t = s.tcp;
  const c = t.cubic;
  return {
    congestionControl: t.congestionControl, recovery: t.recovery, mss: t.segmentSize, initialCwnd: t.initialCwnd,
    ...(t.initialSsThresh !== undefined ? { initialSsThresh: t.initialSsThresh } : {}),
    sndBufSize: t.sendBuffer, rcvBufSize: t.receiveBuffer, sack: t.sack, windowScaling: t.windowScaling, timestamps: t.timestamps,
    limitedTransmit: t.limitedTransmit, noDelay: t.noDelay, initialRtt: t.initialRtt, minRto: t.minRto, clockGranularity: t.clockGranularity,
    connTimeout: t.connTimeout, synRetries: t.synRetries, dataRetries: t.dataRetries, delayedAckCount: t.delayedAckCount,
    delayedAckTimeout: t.delayedAckTimeout, persistTimeout: t.persistTimeout, timeWait: t.timeWait,
    cubic: {
      beta: c.beta, c: c.c, fastConvergence: c.fastConvergence, hystart: c.hystart, hystartLowWindow: c.hystartLowWindow,
      hystartDetect: c.hystartDetect === 'train' ? 1 : c.hystartDetect === 'delay' ? 2 : 3, hystartMinSamples: c.hystartMinSamples,
      hystartAckDelta: c.hystartAckDelta, hystartDelayMin: c.hystartDelayMin, hystartDelayMax: c.hystartDelayMax, cubicDelta: c.cubicDelta, cntClamp: c.cntClamp,
    },
  };
}

function makeNode(topo: Topology, id: string, spec: GraphNode): Node | null {
  switch (spec.kind) {
    case 'client': case 'host': case 'server': return topo.host(id, spec.kind);
    case 'balancer': return topo.host(id, 'balancer');
    case 'router': return topo.router(id);
    case 'l2-switch': return topo.l2Switch(id);
    case 'l3-switch': return topo.l3Switch(id);
    case 'internet': return topo.internet(id, {
      delay: spec.delay, jitter: spec.jitter, jitterKind: spec.jitterKind, loss: spec.loss, duplicate: spec.duplicate,
      rate: spec.rate ?? Infinity, keepOrder: spec.keepOrder,
    });
    case 'hub': return null;
  }
}

/** The failure detector a scenario's reports ask for. */
export function detectorOptions(r: ClusterSpec['reports']): DetectorOptions {
  const d = r.detector;
  switch (d.kind) {
    case 'timeout': return { kind: 'timeout', deadAfterNs: r.deadAfter };
    case 'probe': return { kind: 'probe', deadAfterNs: r.deadAfter, probes: d.probes, probeTimeoutNs: d.probeTimeout };
    case 'phi': return { kind: 'phi', deadAfterNs: r.deadAfter, threshold: d.threshold, minStdNs: d.minStd, window: d.window, acceptablePauseNs: d.acceptablePause };
  }
}

/** Build the network, applications, cluster and faults of `s` for run `opts.run`. */
export function buildSimulation(s: Scenario, opts: BuildOptions = {}): Simulation {
  const run = opts.run ?? 1;
  const topo = new Topology({ seed: s.seed, run, queueDisc: s.trafficControl });
  const plan = s.plan;
  const nodes = new Map<string, Node>();
  for (const n of plan.nodes) {
    const node = makeNode(topo, n.id, n.spec);
    if (node !== null) nodes.set(n.id, node);
  }
  const links: LinkDevices[] = [];
  const names = new Set<string>();
  for (const p of plan.p2p) {
    let name = `${p.a}->${p.b}`;
    for (let k = 2; names.has(name); k++) name = `${p.a}->${p.b}#${k}`;
    names.add(name);
    const l = topo.pointToPoint(nodes.get(p.a)!, nodes.get(p.b)!, { rate: p.rate, delay: p.delay, queue: p.queue, loss: p.loss }, { a: p.aIp, b: p.bIp, len: p.len }, name);
    links.push({ link: p.link, a: p.a, b: p.b, aDev: l.a, bDev: l.b, hub: null });
  }
  const lans: Lan[] = plan.lans.map((pl) => buildLan(topo, nodes, pl, links));
  topo.populateRoutes();
  lans.forEach((lan) => {
    if (lan.role === null) return;
    const bit = LAN_BIT[lan.role];
    for (const d of lan.ports) d.lanBits = bit;
    for (const b of lan.bridges) b.lanBits = bit;
  });
  return install(s, run, topo, nodes, lans, links);
}

function buildLan(topo: Topology, nodes: Map<string, Node>, pl: Scenario['plan']['lans'][number], links: LinkDevices[]): Lan {
  const lan = topo.lan(pl.name, pl.role, pl.network, pl.len);
  const hubs = new Map<string, ReturnType<Topology['csmaChannel']>>();
  const devOf = new Map<string, NetDevice>();
  const isSwitch = (id: string): boolean => (nodes.get(id) as Partial<{ bridge: BridgeDevice }> | undefined)?.bridge !== undefined;
  const port = (id: string): string => `${id}/port${(nodes.get(id) as Node & { bridge: BridgeDevice }).bridge.ports.length}`;
  for (const c of pl.cables) {
    if (c.hub !== null) {
      let ch = hubs.get(c.hub);
      if (ch === undefined) hubs.set(c.hub, (ch = topo.csmaChannel(lan, c.hub, c.rate, c.delay)));
      const x = c.a === c.hub ? c.b : c.a;
      const dev = topo.attach(lan, nodes.get(x)!, ch, `${c.hub}/${x}`, c.queue);
      if (!isSwitch(x)) devOf.set(x, dev);
      links.push({ link: c.link, a: c.a, b: c.b, aDev: dev, bDev: null, hub: c.hub });
      continue;
    }
    const host = !isSwitch(c.a) ? c.a : !isSwitch(c.b) ? c.b : null;
    const ch = topo.csmaChannel(lan, host !== null ? `${pl.name}/${host}` : `${pl.name}/${c.a}-${c.b}`, c.rate, c.delay);
    const end = (id: string): CsmaDevice => {
      if (isSwitch(id)) return topo.attach(lan, nodes.get(id)!, ch, port(id), c.queue);
      const dev = topo.attach(lan, nodes.get(id)!, ch, `${pl.name}/${id}`, c.queue);
      devOf.set(id, dev);
      return dev;
    };
    // The host side first, as ns-3's helpers install it.
    const [first, second] = host === c.b ? [c.b, c.a] : [c.a, c.b];
    const d1 = end(first), d2 = end(second);
    links.push({ link: c.link, a: c.a, b: c.b, aDev: first === c.a ? d1 : d2, bDev: first === c.a ? d2 : d1, hub: null });
  }
  for (const i of pl.ifaces) {
    const node = nodes.get(i.node)!;
    const dev = isSwitch(i.node) ? (node as Node & { bridge: BridgeDevice }).bridge : devOf.get(i.node)!;
    topo.address(lan, node, dev, i.ip);
  }
  return lan;
}

function install(s: Scenario, run: number, topo: Topology, nodes: Map<string, Node>, lans: Lan[], links: LinkDevices[]): Simulation {
  const net = topo.net;
  const w = s.workload;
  const tcpOpts = tcpOptions(s);
  const stats = new RequestStats();
  const { clients: clientIds, servers: serverIds } = workloadNodes(s);
  const serverNodes = serverIds.map((id) => nodes.get(id) as IpNode);
  const clientNodes = clientIds.map((id) => nodes.get(id) as IpNode);
  const specOf = (id: string): GraphNode => s.plan.byId.get(id)!.spec;
  const serverOpts = (id: string): { cores: number; serviceTime: Dist } => {
    const sp = specOf(id);
    return sp.kind === 'server' ? { cores: sp.cores, serviceTime: sp.serviceTime } : { cores: 1, serviceTime: { kind: 'constant', value: 0 } };
  };
  const sim: Simulation = {
    scenario: s, run, topo, net, sim: net.sim, nodes, lans, links, stats, servers: [], clients: [], udpServers: [], udpClients: [],
    cpus: [], tcpLayers: [], cluster: null, totalRequests: 0, servicePort: w.port,
  };
  const hosts: ServerHost[] = [];
  if (w.transport === 'tcp') {
    serverNodes.forEach((node) => {
      const tcp = new TcpLayer(node, tcpOpts);
      const o = serverOpts(node.name);
      const cpu = new Cpu(net.sim, o.cores, `${node.name}/cpu`);
      const app = new TcpServerApp(node, tcp, {
        port: w.port, serviceTime: o.serviceTime, responseSize: w.responseSize, cpu, closeAfter: w.serverClose === 'after-response' ? 'response' : 'client',
      }, stats);
      sim.cpus.push(cpu);
      sim.servers.push(app);
      sim.tcpLayers.push(tcp);
      hosts.push({ node, tcp, app, load: () => cpu.load() + tcp.size });
    });
  }
  if (s.cluster !== null) {
    const c = s.cluster;
    const byRole = (r: string): Lan | null => lans.find((l) => l.role === r) ?? null;
    const firstLan = byRole('first')!;
    const firstNodes = firstLan.ifaces.map((i) => (i === undefined ? null : topo.nodes[i.dev.nodeId] as IpNode));
    const edge = firstNodes.find((n) => n !== null && (n.kind === 'router' || n.kind === 'l3-switch'))!;
    const balancerNode = BALANCER_DESIGNS.includes(c.design) ? firstNodes.find((n) => n !== null && n.kind === 'balancer') ?? null : null;
    const cfg: ClusterConfig = {
      design: c.design, servicePort: w.port, tcp: tcpOpts, warmArp: c.warmArp,
      nic: {
        policy: c.nic.policy as ClusterConfig['nic']['policy'], threshold: c.nic.threshold, processingNs: c.nic.processing, bufferPackets: c.nic.bufferPackets,
        decideAt: c.nic.decideAt, migrationBytes: c.nic.migrationSize, localHandoffNs: c.nic.localHandoff,
        migrationTimeoutNs: c.nic.migrationTimeout, migrationRetries: c.nic.migrationRetries,
      },
      balancer: { processingNs: c.balancer.processing, bufferPackets: c.balancer.bufferPackets, buckets: c.balancer.buckets },
      reports: { periodNs: c.reports.period, bytes: c.reports.size, exchange: c.reports.exchange },
      detector: detectorOptions(c.reports),
    };
    sim.cluster = installCluster({ edge, firstLan, secondLan: byRole('second'), thirdLan: byRole('third')!, servers: hosts, balancerNode }, cfg);
  }
  // Servers start, then the load reports, then the clients.
  for (const app of sim.servers) app.node.addApplication(app);
  if (w.transport === 'udp') {
    for (const node of serverNodes) sim.udpServers.push(node.addApplication(new UdpReplyServer(node, w.responseSize, stats, w.port)));
  }
  for (const r of sim.cluster?.reporters ?? []) r.start();
  const targets: Ipv4[] = sim.cluster !== null
    ? (sim.cluster.vip !== null ? [sim.cluster.vip] : sim.cluster.members.map((m) => m.firstIface.ip))
    : serverNodes.map((n) => n.address);
  installClients(sim, clientNodes, targets, tcpOpts);
  if (sim.cluster !== null) {
    const standby = s.cluster!.standby.map((id) => serverIds.indexOf(id));
    startStandby(sim.cluster, standby);
  }
  for (const f of s.faults) scheduleFault(sim, f, serverIds);
  return sim;
}

function installClients(sim: Simulation, clientNodes: IpNode[], targets: Ipv4[], tcpOpts: Partial<TcpOptions>): void {
  const s = sim.scenario;
  const w = s.workload;
  const start = w.start;
  const perClient = clientNodes.map(() => ({ at: [] as number[], requestBytes: [] as (number | null)[], responseBytes: [] as (number | null)[] }));
  for (const r of s.trace ?? []) {
    const c = perClient[r.client];
    c.at.push(r.at);
    c.requestBytes.push(r.requestBytes);
    c.responseBytes.push(r.responseBytes);
  }
  clientNodes.forEach((node, i) => {
    const requests = s.trace !== null ? perClient[i].at.length : w.requestsPerClient;
    sim.totalRequests += requests;
    if (w.transport === 'udp') {
      const meanIntervalNs = w.arrival.kind === 'poisson' ? w.arrival.meanInterval : 0;
      sim.udpClients.push(node.addApplication(new UdpRequestClient(node, {
        servers: targets, requests, meanIntervalNs, requestSize: w.requestSize, port: w.port,
      }, sim.stats), start));
      return;
    }
    const tcp = new TcpLayer(node, tcpOpts);
    sim.tcpLayers.push(tcp);
    const a = w.arrival;
    sim.clients.push(node.addApplication(new TcpRequestClient(node, tcp, {
      servers: targets, port: w.port, arrival: a.kind, requests, requestSize: w.requestSize,
      requestsPerConnection: w.requestsPerConnection, deadline: w.deadline,
      meanInterval: a.kind === 'poisson' ? a.meanInterval : undefined,
      thinkTime: a.kind === 'closed-loop' ? a.think : undefined,
      schedule: a.kind === 'trace' ? perClient[i] : undefined,
    }, sim.stats), start));
  });
}

/** The device of `node` that a link fault names (by LAN role or by the node at the other end). */
function faultDevice(sim: Simulation, f: FaultSpec & { lan?: string; peer?: string }): NetDevice {
  if (f.lan !== undefined) {
    const lan = sim.lans.find((l) => l.role === f.lan)!;
    const node = sim.nodes.get(f.node)!;
    return lan.ports.find((d) => node.devices.includes(d))!;
  }
  const l = sim.links.find((x) => (x.a === f.node && x.b === f.peer) || (x.b === f.node && x.a === f.peer))!;
  return l.a === f.node ? l.aDev : l.bDev ?? l.aDev;
}

function scheduleFault(sim: Simulation, f: FaultSpec, serverIds: string[]): void {
  const node = sim.nodes.get(f.node)!;
  const member = serverIds.indexOf(f.node);
  const act = (): void => {
    switch (f.kind) {
      case 'crash': {
        node.setUp(false);
        const tcp = (node as IpNode).l4?.[6];
        if (tcp instanceof TcpLayer) tcp.crash();
        return;
      }
      case 'join':
        node.setUp(true);
        if (sim.cluster !== null && member >= 0) serverJoined(sim.cluster, member);
        for (const a of node.applications) a.start();
        return;
      case 'link-down':
      case 'link-up':
        faultDevice(sim, f).setUp(f.kind === 'link-up');
        return;
      case 'cpu-load': {
        const cpu = sim.cpus[member]; // the loader checked that the node is a workload server
        for (let j = 0; j < f.jobs; j++) cpu.submit(f.jobTime, () => {}, null);
      }
    }
  };
  // At t = 0 the fault is part of the starting state: applied now, before any event.
  if (f.at === 0 && f.kind === 'cpu-load') act();
  else sim.net.sim.scheduleAt(f.at, act);
}

/** A simulation of a cluster seen as one record (what the claims' evidence and the recorder read). */
export type ClusterView = ClusterParts & Pick<Simulation, 'topo' | 'servers' | 'clients' | 'cpus' | 'stats' | 'servicePort'> & {
  sim: Simulation;
  /** The Internet cloud, when the network has one. */
  internet: InternetCloud | null;
};

/** The cluster of `sim` with the parts of the simulation its measures need; throws when there is no cluster. */
export function clusterView(sim: Simulation): ClusterView {
  if (sim.cluster === null) throw new RangeError(`${sim.scenario.name}: the network has no cluster`);
  const internet = sim.topo.nodes.find((n): n is InternetCloud => n instanceof InternetCloud) ?? null;
  return { ...sim.cluster, topo: sim.topo, servers: sim.servers, clients: sim.clients, cpus: sim.cpus, stats: sim.stats, servicePort: sim.servicePort, sim, internet };
}
