/**
 * Presets: scenario descriptions made in code, for the networks that tests
 * and benchmarks build often. Each returns a description (the same form as
 * a scenario file), which goes through the same loader and builder as a
 * file does; nothing here builds a network by another path.
 *
 *  - `siteScenario`: a cluster site;
 *  - `ns3ClusterScenario`: the network and UDP workload of the ns-3 anchor
 *    cluster_bench.cc, from the anchor's own flags;
 *  - `ns3TcpScenario`: the network and TCP workload of the ns-3 anchor
 *    tcp_bench.cc, from the anchor's own flags;
 *  - `tcpWorkloadScenario`: clients behind an Internet cloud, a router and a
 *    LAN of servers, with no cluster (the TCP tests' network).
 */
import { SECOND } from '../engine';
import { ScenarioError } from './errors';
import { loadScenarioValue, type LoadOptions, type Scenario } from './load';
import type { ScenarioInput, SiteInput, TrafficControlSpec } from './schema';
import { formatDuration } from './units';

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `over` merged into `base`: objects key by key, anything else (arrays too) replaced. Neither is modified. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlain(base) || !isPlain(over)) return (over === undefined ? base : over) as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = v === undefined ? out[k] : deepMerge(out[k], v);
  return out as T;
}

/** A scenario description whose network is the site `site`, with the rest of the description beside it. */
export function siteScenario(site: SiteInput = {}, rest: Omit<ScenarioInput, 'network'> = {}): ScenarioInput {
  return { ...rest, network: { site } };
}

/** Load a description or throw a ScenarioError listing every problem (for code that builds its own). */
export function mustLoad(description: unknown, opts: LoadOptions = {}): Scenario {
  const r = loadScenarioValue(description, { file: '<preset>', ...opts });
  if (!r.ok) throw new ScenarioError(r.problems);
  return r.scenario;
}

/** The anchor's flags (cluster_bench.cc), in its own units: seconds for `interval`, bytes for sizes. */
export interface Ns3ClusterFlags {
  variant: 'hub' | 'switch';
  clients: number;
  servers: number;
  requests: number;
  interval: number;
  reqSize: number;
  respSize: number;
  wanRate: string;
  wanDelay: string;
  lanRate: string;
  lanDelay: string;
  seed: number;
  run: number;
  /** The root queue disc on IP devices, as the anchors' --qdisc: 'default' (ns-3's FqCoDel), 'none', or another kind with its defaults. */
  qdisc?: 'default' | TrafficControlSpec['kind'];
}

/** The scenario's `trafficControl` for an anchor's --qdisc (absent: the default, FqCoDel). */
function trafficControlOf(qdisc: Ns3ClusterFlags['qdisc']): { trafficControl?: { kind: TrafficControlSpec['kind'] } } {
  return qdisc === undefined || qdisc === 'default' ? {} : { trafficControl: { kind: qdisc } };
}

export const NS3_CLUSTER_DEFAULTS: Ns3ClusterFlags = {
  variant: 'hub', clients: 100, servers: 20, requests: 1000, interval: 0.01, reqSize: 64, respSize: 512,
  wanRate: '100Mbps', wanDelay: '5ms', lanRate: '1Gbps', lanDelay: '500ns', seed: 1, run: 1,
};

/**
 * The plain client/server cluster of the ns-3 anchor:
 *
 *   client_i --p2p (wanRate, wanDelay)-- router --LAN (lanRate, lanDelay)-- servers
 *
 * `hub`: one shared medium for router and servers; `switch`: an L2 learning
 * switch with one half-duplex cable per host. Addresses as the anchor:
 * clients on 10.128.0.0/30 links (client .1, router .2), the LAN 10.0.0.0/9
 * with the router first. Workload: UDP request/reply.
 */
export function ns3ClusterScenario(flags: Partial<Ns3ClusterFlags> = {}): ScenarioInput {
  const o = { ...NS3_CLUSTER_DEFAULTS, ...flags };
  return {
    name: `ns3-cluster-${o.variant}`,
    description: `The plain UDP cluster of ns-3's cluster_bench.cc (${o.variant}): ${o.clients} clients, ${o.servers} servers, ${o.requests} requests each.`,
    seed: o.seed,
    network: ns3AnchorNetwork(o),
    ...trafficControlOf(o.qdisc),
    workload: {
      transport: 'udp', requestsPerClient: o.requests,
      arrival: { kind: 'poisson', meanInterval: formatDuration(Math.round(o.interval * SECOND)) },
      requestSize: `${o.reqSize}B`, responseSize: `${o.respSize}B`,
    },
  };
}

/** The anchors' network: clients on their own links to a router, the router and the servers on a hub or behind a switch. */
function ns3AnchorNetwork(o: Ns3ClusterFlags, extra: { queuePackets?: number; clientLoss?: number; serviceTime?: string } = {}): ScenarioInput['network'] {
  const lan = o.variant === 'hub'
    ? { id: 'lan', kind: 'hub' as const, rate: o.lanRate, delay: o.lanDelay, subnet: '10.0.0.0/9' }
    : { id: 'lan', kind: 'l2-switch' as const, subnet: '10.0.0.0/9' };
  const q = extra.queuePackets !== undefined ? { queuePackets: extra.queuePackets } : {};
  const cable = o.variant === 'hub' ? q : { rate: o.lanRate, delay: o.lanDelay, ...q };
  return {
    nodes: [
      { id: 'client', kind: 'client', count: o.clients },
      { id: 'router', kind: 'router' },
      lan,
      { id: 'server', kind: 'server', count: o.servers, ...(extra.serviceTime !== undefined ? { serviceTime: extra.serviceTime } : {}) },
    ],
    links: [
      { a: 'client', b: 'router', rate: o.wanRate, delay: o.wanDelay, subnet: '10.128.0.0/10', ...q, ...(extra.clientLoss ? { loss: extra.clientLoss } : {}) },
      { a: 'router', b: lan.id, ...cable },
      { a: 'server', b: lan.id, ...cable },
    ],
  };
}

/** The TCP anchor's flags (tcp_bench.cc), in its own units; unset TCP flags keep netsim's defaults (ns-3 3.37's). */
export interface Ns3TcpFlags extends Omit<Ns3ClusterFlags, 'requests'> {
  requests: number;
  /** Loss probability on each client link, at both ends. */
  loss: number;
  /** Simulated-time limit, s. */
  stop: number;
  tcp?: 'cubic' | 'newreno';
  segSize?: number;
  initCwnd?: number;
  sack?: boolean;
  delAckCount?: number;
  /** Minimum RTO, as a netsim duration ("200ms"). */
  minRto?: string;
  /** Any other TCP option, as the scenario's `tcp` section writes it. */
  tcpExtra?: Record<string, unknown>;
  /** The device queue of every link, packets (ns-3's DropTailQueue MaxSize, 100). */
  queuePackets?: number;
}

export const NS3_TCP_DEFAULTS: Ns3TcpFlags = {
  ...NS3_CLUSTER_DEFAULTS, requests: 5, interval: 0.1, reqSize: 300, respSize: 40000, loss: 0, stop: 600, qdisc: 'default',
};

/**
 * The network and workload of the ns-3 TCP anchor (tcp_bench.cc): the
 * cluster anchor's clients, router and hub or switch, each request a new
 * TCP connection (request, response, close): the server closes right after
 * its response, the client once it has the whole response. `loss` loses
 * frames on both ends of every client link.
 */
export function ns3TcpScenario(flags: Partial<Ns3TcpFlags> = {}): ScenarioInput {
  const o = { ...NS3_TCP_DEFAULTS, ...flags };
  const tcp: Plain = { ...o.tcpExtra };
  if (o.tcp !== undefined) tcp.congestionControl = o.tcp;
  if (o.segSize !== undefined) tcp.segmentSize = `${o.segSize}B`;
  if (o.initCwnd !== undefined) tcp.initialCwnd = o.initCwnd;
  if (o.sack !== undefined) tcp.sack = o.sack;
  if (o.delAckCount !== undefined) tcp.delayedAckCount = o.delAckCount;
  if (o.minRto !== undefined) tcp.minRto = o.minRto;
  return {
    name: `ns3-tcp-${o.variant}`,
    description: `The TCP request/response network of ns-3's tcp_bench.cc (${o.variant}): ${o.clients} clients, ${o.servers} servers, ${o.requests} connections each.`,
    seed: o.seed,
    network: ns3AnchorNetwork(o, { queuePackets: o.queuePackets, clientLoss: o.loss, serviceTime: '0s' }),
    ...trafficControlOf(o.qdisc),
    tcp,
    workload: {
      transport: 'tcp', requestsPerClient: o.requests, serverClose: 'after-response',
      arrival: { kind: 'poisson', meanInterval: formatDuration(Math.round(o.interval * SECOND)) },
      requestSize: `${o.reqSize}B`, responseSize: `${o.respSize}B`,
    },
    stop: { at: formatDuration(Math.round(o.stop * SECOND)), requests: o.clients * o.requests },
  };
}

export interface TcpWorkloadShape {
  clients: number;
  servers: number;
  lan: 'hub' | 'switch';
  access: { rate: string; delay: string };
  core: { rate: string; delay: string };
  lanLink: { rate: string; delay: string };
  /** Device queue on every link, packets. */
  queuePackets: number;
  /** The Internet cloud's options, as a scenario writes them. */
  internet: Record<string, unknown>;
  /** CPU of each server. */
  cores: number;
  serviceTime: unknown;
}

export const TCP_WORKLOAD_SHAPE: TcpWorkloadShape = {
  clients: 100, servers: 20, lan: 'hub', access: { rate: '100Mbps', delay: '1ms' }, core: { rate: '10Gbps', delay: '1ms' },
  lanLink: { rate: '1Gbps', delay: '500ns' }, queuePackets: 1000,
  internet: { delay: '20ms', jitter: '2ms', jitterKind: 'uniform', loss: 0.01 },
  cores: 1, serviceTime: { kind: 'exponential', mean: '100us' },
};

/**
 * A plain TCP request/response network (no cluster): N clients on access
 * links to an Internet cloud, the cloud linked to a site router, the router
 * and M servers on one LAN (a hub or an L2 switch).
 *
 *   client_i --p2p (access)-- internet --p2p (core)-- router --LAN-- server_j
 *
 * Addresses: access links 100.64.0.0/10 in /30s (client .1, cloud .2), the
 * core link 198.51.100.0/30, the LAN 10.0.0.0/16 with the router first.
 * `rest` (workload, tcp, seed, ...) is deep-merged into the description.
 */
export function tcpWorkloadScenario(shape: Partial<TcpWorkloadShape> = {}, rest: Omit<ScenarioInput, 'network'> = {}): ScenarioInput {
  const o = { ...TCP_WORKLOAD_SHAPE, ...shape };
  const q = o.queuePackets;
  const lan = o.lan === 'hub'
    ? { id: 'lan', kind: 'hub' as const, rate: o.lanLink.rate, delay: o.lanLink.delay, subnet: '10.0.0.0/16' }
    : { id: 'switch', kind: 'l2-switch' as const, subnet: '10.0.0.0/16' };
  const cable = o.lan === 'hub' ? { queuePackets: q } : { ...o.lanLink, queuePackets: q };
  return deepMerge<ScenarioInput>({
    name: `tcp-workload-${o.lan}`,
    network: {
      nodes: [
        { id: 'client', kind: 'client', count: o.clients },
        { id: 'internet', kind: 'internet', ...o.internet },
        { id: 'router', kind: 'router' },
        { id: 'server', kind: 'server', count: o.servers, cores: o.cores, serviceTime: o.serviceTime as never },
        lan,
      ],
      links: [
        { a: 'client', b: 'internet', ...o.access, queuePackets: q, subnet: '100.64.0.0/10' },
        { a: 'internet', b: 'router', ...o.core, queuePackets: q, subnet: '198.51.100.0/30' },
        { a: 'router', b: lan.id, ...cable },
        { a: 'server', b: lan.id, ...cable },
      ],
    },
  }, rest);
}
