/**
 * The TCP goal workload: N clients on their own access links to an Internet
 * cloud (delay, jitter, loss), the cloud linked to a site router, the router
 * and M servers on one LAN (a hub or an L2 switch). Every server runs a
 * TcpServerApp on a CPU of `cores` cores; every client a TcpRequestClient.
 *
 *   client_i --p2p (access)-- internet --p2p (core)-- router --LAN-- server_j
 *
 * Addresses: access links 100.64.0.0/30 each (client .1, cloud .2), core link
 * 198.51.100.0/30, LAN 10.0.0.0/16 with the router first. Built only from
 * the Topology helpers, so a bench and the tests see the same network.
 * Cost: O(N + M) setup; routes by `populateRoutes`.
 */
import { MS, parseRate, parseTime, US } from '../engine';
import { SubnetAllocator } from '../net/address';
import { Cpu } from '../apps/cpu';
import type { Dist } from '../apps/dist';
import type { InternetCloud, InternetOptions } from './internet-cloud';
import type { IpNode } from './ip-node';
import { TcpLayer, type TcpOptions } from '../transport/tcp-layer';
import { TCP_REQUEST_PORT } from '../apps/tcp-messages';
import { TcpRequestClient } from '../apps/tcp-request-client';
import { TcpServerApp } from '../apps/tcp-server-app';
import { RequestStats } from '../apps/request-stats';
import { type Lan, type P2pLink, Topology, type Duration, type Rate } from './topology';

export interface TcpWorkloadOptions {
  clients: number;
  servers: number;
  lan: 'hub' | 'switch';
  requestsPerClient: number;
  arrival: 'poisson' | 'closed-loop';
  /** Poisson: mean gap between one client's requests, ns. */
  meanInterval: number;
  /** Closed loop: think time before each request, ns. */
  thinkTime: Dist;
  requestSize: Dist;
  responseSize: Dist;
  /** CPU time per request, ns. */
  serviceTime: Dist;
  requestsPerConnection: number;
  cores: number;
  port: number;
  accessRate: Rate;
  accessDelay: Duration;
  coreRate: Rate;
  coreDelay: Duration;
  lanRate: Rate;
  lanDelay: Duration;
  /** Device queue, packets, on every link. */
  queue: number;
  internet: Partial<InternetOptions>;
  tcp: Partial<TcpOptions>;
  keepLatencies: boolean;
  seed: number;
  run: number;
}

export const TCP_WORKLOAD_DEFAULTS: TcpWorkloadOptions = {
  clients: 100, servers: 20, lan: 'hub', requestsPerClient: 5, arrival: 'poisson', meanInterval: 10 * MS,
  thinkTime: { kind: 'exponential', mean: 10 * MS },
  requestSize: { kind: 'constant', value: 200 },
  responseSize: { kind: 'constant', value: 4000 },
  serviceTime: { kind: 'exponential', mean: 100 * US },
  requestsPerConnection: 1, cores: 1, port: TCP_REQUEST_PORT,
  accessRate: '100Mbps', accessDelay: '1ms', coreRate: '10Gbps', coreDelay: '1ms', lanRate: '1Gbps', lanDelay: '500ns',
  queue: 1000,
  internet: { delay: 20 * MS, jitter: 2 * MS, jitterKind: 'uniform', loss: 0.01 },
  tcp: {}, keepLatencies: true, seed: 1, run: 1,
};

export interface TcpWorkload {
  topo: Topology;
  cloud: InternetCloud;
  router: IpNode;
  clients: IpNode[];
  servers: IpNode[];
  /** Access link of each client (`a` is the client's device). */
  clientLinks: P2pLink[];
  coreLink: P2pLink;
  /** The site LAN; devices[0] is the router's, devices[1 + j] server j's. */
  lan: Lan;
  clientTcp: TcpLayer[];
  serverTcp: TcpLayer[];
  clientApps: TcpRequestClient[];
  serverApps: TcpServerApp[];
  cpus: Cpu[];
  stats: RequestStats;
  /** Sum of the one-way propagation delays client -> server (links + cloud base delay), ns. */
  oneWayDelayNs: number;
}

export function buildTcpWorkload(opts: Partial<TcpWorkloadOptions> = {}): TcpWorkload {
  const o: TcpWorkloadOptions = { ...TCP_WORKLOAD_DEFAULTS, ...opts };
  if (o.lan !== 'hub' && o.lan !== 'switch') throw new RangeError(`tcp workload: lan "${String(o.lan)}" is not valid; expected "hub" or "switch"`);
  if (!(Number.isInteger(o.clients) && o.clients >= 1)) throw new RangeError(`tcp workload: clients must be an integer >= 1, got ${o.clients}`);
  if (!(Number.isInteger(o.servers) && o.servers >= 1 && o.servers <= 65000)) {
    throw new RangeError(`tcp workload: servers must be an integer in 1-65000 (one /16 LAN), got ${o.servers}`);
  }
  if (o.clients > 1 << 20) throw new RangeError(`tcp workload: clients must be <= ${1 << 20} (100.64.0.0/10 in /30s), got ${o.clients}`);
  const link = (rate: Rate, delay: Duration) => {
    parseRate(rate);
    parseTime(delay);
    return { rate, delay, queue: o.queue };
  };
  const access = link(o.accessRate, o.accessDelay);
  const core = link(o.coreRate, o.coreDelay);
  const lanLink = link(o.lanRate, o.lanDelay);

  const topo = new Topology({ seed: o.seed, run: o.run });
  const clients = Array.from({ length: o.clients }, (_, i) => topo.host(`client${i}`, 'client'));
  const cloud = topo.internet('internet', o.internet);
  const router = topo.router('router');
  const servers = Array.from({ length: o.servers }, (_, j) => topo.host(`server${j}`, 'server'));
  const accessAlloc = new SubnetAllocator('100.64.0.0', 30);
  const clientLinks = clients.map((c) => topo.pointToPoint(c, cloud, access, accessAlloc));
  const coreLink = topo.pointToPoint(cloud, router, core, '198.51.100.0/30');
  const lan = o.lan === 'hub'
    ? topo.hub('lan', [router, ...servers], lanLink, '10.0.0.0/16')
    : topo.switchedLan('lan', topo.l2Switch('switch'), [router, ...servers], lanLink, '10.0.0.0/16');
  topo.populateRoutes();

  const stats = new RequestStats();
  const serverTcp = servers.map((s) => new TcpLayer(s, o.tcp));
  const cpus = servers.map((s) => new Cpu(topo.net.sim, o.cores, `${s.name}/cpu`));
  const serverApps = servers.map((s, j) => s.addApplication(new TcpServerApp(s, serverTcp[j], {
    port: o.port, serviceTime: o.serviceTime, responseSize: o.responseSize, cpu: cpus[j],
  }, stats)));
  const addrs = servers.map((s) => s.address);
  const clientTcp = clients.map((c) => new TcpLayer(c, o.tcp));
  const clientApps = clients.map((c, i) => c.addApplication(new TcpRequestClient(c, clientTcp[i], {
    servers: addrs, port: o.port, arrival: o.arrival, meanInterval: o.meanInterval, thinkTime: o.thinkTime,
    requests: o.requestsPerClient, requestSize: o.requestSize, requestsPerConnection: o.requestsPerConnection,
  }, stats)));
  const oneWayDelayNs = parseTime(o.accessDelay) + (o.internet.delay ?? 0) + parseTime(o.coreDelay) + parseTime(o.lanDelay);
  return {
    topo, cloud, router, clients, servers, clientLinks, coreLink, lan, clientTcp, serverTcp,
    clientApps, serverApps, cpus, stats, oneWayDelayNs,
  };
}
