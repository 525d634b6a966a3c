/**
 * The plain client/server cluster of the ns-3 anchor (cluster_bench.cc),
 * built with the Topology helpers from the same parameters:
 *
 *   client_i --p2p (wanRate, wanDelay)-- router --LAN (lanRate, lanDelay)-- servers
 *
 * LAN variant `hub`: one shared medium for router and servers; `switch`: an
 * L2 learning switch with one half-duplex cable per host. Addresses as the
 * anchor: clients on 10.128.0.0/30 links (client .1, router .2), LAN
 * 10.0.0.0/9 with the router first. Workload: UDP request/reply.
 */
import { parseRate, parseTime } from '../engine';
import { SubnetAllocator } from '../net/address';
import type { IpNode } from './ip-node';
import { Topology } from './topology';
import { UdpReplyServer, UdpRequestClient, UdpRequestStats } from '../apps/udp-request-reply';

export interface PlainClusterOptions {
  variant: 'hub' | 'switch';
  clients: number;
  servers: number;
  requests: number;
  /** Mean gap between a client's requests, seconds (ns-3 flag units). */
  interval: number;
  reqSize: number;
  respSize: number;
  wanRate: string;
  wanDelay: string;
  lanRate: string;
  lanDelay: string;
  seed: number;
  run: number;
}

export const PLAIN_CLUSTER_DEFAULTS: PlainClusterOptions = {
  variant: 'hub', clients: 100, servers: 20, requests: 1000, interval: 0.01, reqSize: 64, respSize: 512,
  wanRate: '100Mbps', wanDelay: '5ms', lanRate: '1Gbps', lanDelay: '500ns', seed: 1, run: 1,
};

export interface PlainCluster {
  topo: Topology;
  router: IpNode;
  clients: IpNode[];
  servers: IpNode[];
  stats: UdpRequestStats;
}

export function buildPlainCluster(opts: Partial<PlainClusterOptions> = {}): PlainCluster {
  const o = { ...PLAIN_CLUSTER_DEFAULTS, ...opts };
  if (o.variant !== 'hub' && o.variant !== 'switch') throw new RangeError(`variant "${o.variant}" is not valid: expected hub or switch`);
  if (!(o.clients >= 1 && o.servers >= 1)) throw new RangeError('need at least one client and one server');
  parseRate(o.wanRate); parseRate(o.lanRate); parseTime(o.wanDelay); parseTime(o.lanDelay);
  const topo = new Topology({ seed: o.seed, run: o.run });
  const clients = Array.from({ length: o.clients }, (_, i) => topo.host(`client${i}`, 'client'));
  const router = topo.router('router');
  const servers = Array.from({ length: o.servers }, (_, i) => topo.host(`server${i}`, 'server'));
  const wan = new SubnetAllocator('10.128.0.0', 30);
  for (const c of clients) topo.pointToPoint(c, router, { rate: o.wanRate, delay: o.wanDelay }, wan);
  const lanOpts = { rate: o.lanRate, delay: o.lanDelay };
  if (o.variant === 'hub') topo.hub('lan', [router, ...servers], lanOpts, '10.0.0.0/9');
  else topo.switchedLan('lan', topo.l2Switch('switch'), [router, ...servers], lanOpts, '10.0.0.0/9');
  topo.populateRoutes();

  const stats = new UdpRequestStats();
  const serverAddrs = servers.map((s) => s.address);
  for (const s of servers) s.addApplication(new UdpReplyServer(s, o.respSize, stats));
  for (const c of clients) {
    c.addApplication(new UdpRequestClient(c, serverAddrs, o.requests, parseTime(o.interval), o.reqSize, stats));
  }
  return { topo, router, clients, servers, stats };
}
