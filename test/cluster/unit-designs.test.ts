/**
 * The designs on a three-server site: the balancer's choices and rewrites,
 * the Beamer bucket table and daisy chaining, what each installer wires
 * (static ARP, routes, loopback VIPs, intercepts), standby and join, and
 * the load reporter's exchanges. Short runs and direct calls, milliseconds
 * each (docs/MUTATION.md).
 */
import { describe, expect, it } from 'vitest';
import { Balancer, BALANCER_DEFAULTS, daisyChain, tunnel } from '../../src/cluster/balancer';
import { BALANCER_DESIGNS, DESIGNS, installCluster, isDesign, serverJoined, startStandby, type ClusterConfig, type ServerHost } from '../../src/cluster/install';
import { exchangePlan, LoadReporter, REPORT_PORT, type ReportOptions } from '../../src/cluster/load-reporter';
import { forwardAddress } from '../../src/cluster/member';
import { CLUSTER_PORT } from '../../src/cluster/smart-nic';
import { flowHash } from '../../src/cluster/placement';
import type { Metrics } from '../../src/metrics/catalog';
import { IpProtocol, PathFlag, TcpFlag, type Packet } from '../../src/net/packet';
import type { IpNode } from '../../src/nodes/ip-node';
import type { ScenarioInput, SiteInput } from '../../src/scenario/schema';
import { runSimulation } from '../../src/scenario/runner';
import { simulationOf } from '../helpers';

const REST: Omit<ScenarioInput, 'network'> = {
  seed: 11,
  workload: { requestsPerClient: 3, arrival: { kind: 'poisson', meanInterval: '4ms' }, requestSize: '300B', responseSize: '6kB', deadline: '2s' },
};
const SITE: SiteInput = { servers: 3, clients: 3, reports: { period: '1ms', deadAfter: '4ms' } };

function build(site: SiteInput = {}, rest: Omit<ScenarioInput, 'network'> = REST) {
  const sim = simulationOf({ ...rest, network: { site: { ...SITE, ...site } } });
  return { sim, c: sim.cluster!, net: sim.net };
}
const clientIp = (sim: ReturnType<typeof build>['sim'], i = 0): number => (sim.nodes.get(`client${i}`) as IpNode).interfaces[0].ip;

function segment(net: ReturnType<typeof build>['net'], over: Partial<Packet>): Packet {
  return Object.assign(net.newPacket(), { protocol: IpProtocol.TCP, srcPort: 40000, dstPort: 80, ...over });
}

describe('every design serves a short run', () => {
  // Each test makes its own run (tens of ms), not one shared at collection time or memoised:
  // mutation testing counts a run's coverage for the test that makes it, and runs only those.
  const runs = {
    get(design: string): { m: Metrics; b: ReturnType<typeof build> } {
      const b = build({ design: design as SiteInput['design'] });
      return { m: runSimulation(b.sim).metrics, b };
    },
  };

  it.each(DESIGNS)('%s: all requests complete, no connection left open, packets conserved', (design) => {
    const { m } = runs.get(design)!;
    expect(m['requests-issued']).toBe(9);
    expect(m['requests-completed']).toBe(9);
    expect(m['open-connections']).toBe(0);
    expect(m.conserved).toBe(1);
  });

  it('lb-nat: both directions cross the balancer; least connections spreads the connections', () => {
    const { m, b } = runs.get('lb-nat')!;
    const lb = b.c.balancer!;
    expect(m['response-bypass']).toBe(0);
    expect(lb.inbound).toBeGreaterThan(0);
    expect(lb.outbound).toBeGreaterThan(0);
    expect(lb.processor.processed).toBe(lb.inbound + lb.outbound);
    expect(b.sim.cpus.map((x) => x.completed)).toEqual([3, 3, 3]);
    expect(b.c.vip).toBe(lb.vip);
    expect(lb.mode).toBe('nat');
  });

  it('lb-dsr: requests are tunnelled, responses bypass the balancer', () => {
    const { m, b } = runs.get('lb-dsr')!;
    const lb = b.c.balancer!;
    expect(m['response-bypass']).toBe(1);
    expect(lb.outbound).toBe(0);
    expect(lb.processor.processed).toBe(lb.inbound);
    expect(b.sim.cpus.map((x) => x.completed)).toEqual([3, 3, 3]);
  });

  it('daisy-chain: requests follow the bucket table; nothing needs chaining without a join', () => {
    const { m, b } = runs.get('daisy-chain')!;
    const lb = b.c.balancer!;
    expect(m['response-bypass']).toBe(1);
    expect(lb.daisyChained).toBe(0);
    expect(lb.outbound).toBe(0);
  });

  it('no-forward: nothing forwarded, each response leaves through its first device', () => {
    const { m, b } = runs.get('no-forward')!;
    expect(b.c.nics).toEqual([]);
    expect(b.c.balancer).toBeNull();
    expect(m['forwarded-requests'] ?? 0).toBe(0);
    expect(m['response-bypass']).toBe(0);
  });

  it('nic-forward-first-lan forwards over the first LAN, nic-forward over the second', () => {
    const first = runs.get('nic-forward-first-lan')!, second = runs.get('nic-forward')!;
    expect(first.b.c.nics[0].via).toBe('first');
    expect(second.b.c.nics[0].via).toBe('second');
    expect(first.m['forwarded-first-lan-bytes']!).toBeGreaterThan(0);
    expect(second.m['forwarded-first-lan-bytes']).toBe(0);
    expect(second.m['second-lan-bytes']!).toBeGreaterThan(0);
  });
});

describe('Balancer', () => {
  it('refuses what it cannot run, and merges its options over the defaults', () => {
    const { c } = build({ design: 'lb-dsr' });
    const lb = c.balancer!;
    expect(lb.opts).toEqual(BALANCER_DEFAULTS);
    const node = { name: 'lb', net: lb.node.net, setRxIntercept: () => {} } as unknown as IpNode;
    const make = (opts: object, mode = 'dsr', members = c.members) => () => new Balancer(node, lb.iface, members, opts, mode as never, 80);
    expect(make({}, 'maglev')).toThrow('lb: balancer mode "maglev" is not nat, dsr or beamer');
    expect(make({ processingNs: -1 })).toThrow('lb: processingNs must be a finite number >= 0, got -1');
    expect(make({ processingNs: Infinity })).toThrow(RangeError);
    expect(make({ bufferPackets: 0 })).toThrow('lb: bufferPackets must be an integer >= 1, got 0');
    expect(make({ bufferPackets: 1.5 })).toThrow(RangeError);
    expect(make({ buckets: 0 })).toThrow('lb: buckets must be an integer >= 1, got 0');
    expect(make({ buckets: 2.5 })).toThrow(RangeError);
    expect(make({}, 'dsr', [])).toThrow('lb: a balancer needs at least one server');
    expect(make({ processingNs: 0, bufferPackets: 1, buckets: 1 }, 'nat')).not.toThrow();
    expect(make({}, 'beamer')).not.toThrow();
  });

  it('intercepts only TCP for the VIP and service port, and in NAT the servers\' answers', () => {
    for (const mode of ['nat', 'dsr'] as const) {
      const { c, net } = build({ design: mode === 'nat' ? 'lb-nat' : 'lb-dsr' });
      const lb = c.balancer!;
      const intercept = (p: Packet): boolean => (lb as unknown as { intercept(p: Packet): boolean }).intercept(p);
      expect(intercept(segment(net, { dstIp: lb.vip }))).toBe(true);
      expect(intercept(segment(net, { dstIp: lb.vip, protocol: IpProtocol.UDP }))).toBe(false);
      expect(intercept(segment(net, { dstIp: lb.vip, dstPort: 81 }))).toBe(false);
      expect(intercept(segment(net, { dstIp: c.members[0].firstIface.ip }))).toBe(false);
      const answer = segment(net, { srcIp: c.members[1].firstIface.ip, srcPort: 80, dstPort: 40000, dstIp: 0x64400001 });
      expect(intercept(answer)).toBe(mode === 'nat');
      expect(intercept(segment(net, { srcIp: 0x0a0a0a0a, srcPort: 80, dstPort: 40000, dstIp: 0x64400001 }))).toBe(false);
      expect(intercept(segment(net, { srcIp: c.members[1].firstIface.ip, srcPort: 81, dstPort: 40000, dstIp: 0x64400001 }))).toBe(false);
    }
  });

  /** An lb-nat site's balancer, its packet handler, the servers it picked in order, and the client's address. */
  function natBalancer() {
    const { c, net, sim } = build({ design: 'lb-nat' });
    const lb = c.balancer!;
    const handle = (p: Packet): void => (lb as unknown as { handle(p: Packet): void }).handle(p);
    const picks: number[] = [];
    lb.pickTrace.connect((_ip, _port, s) => picks.push(s));
    return { c, net, lb, handle, picks, ip: clientIp(sim) };
  }

  it('NAT: rewrites the destination to the least-connected server (sticky), and answers back to the VIP', () => {
    const { c, net, lb, handle, picks, ip } = natBalancer();
    const p1 = segment(net, { srcIp: ip, srcPort: 1, dstIp: lb.vip, tcpFlags: TcpFlag.SYN, pathFlags: PathFlag.SECOND_LAN | PathFlag.THIRD_LAN });
    handle(p1);
    expect(p1.dstIp).toBe(c.members[0].firstIface.ip);
    expect(p1.pathFlags & (PathFlag.SECOND_LAN | PathFlag.THIRD_LAN)).toBe(0); // cleared (it is on the first LAN now)
    expect(p1.pathFlags & (PathFlag.FORWARDED | PathFlag.FIRST_PROCESSED)).toBe(PathFlag.FORWARDED | PathFlag.FIRST_PROCESSED);
    for (const port of [2, 3, 4]) handle(segment(net, { srcIp: ip, srcPort: port, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    expect(picks).toEqual([0, 1, 2, 0]);
    const again = segment(net, { srcIp: ip, srcPort: 2, dstIp: lb.vip, tcpFlags: TcpFlag.ACK });
    handle(again);
    expect(again.dstIp).toBe(c.members[1].firstIface.ip); // sticky
    expect(picks).toHaveLength(4);
    // Server 1's client closes (twice: a retransmitted FIN): its count drops once, so it is picked next.
    handle(segment(net, { srcIp: ip, srcPort: 2, dstIp: lb.vip, tcpFlags: TcpFlag.FIN | TcpFlag.ACK }));
    handle(segment(net, { srcIp: ip, srcPort: 2, dstIp: lb.vip, tcpFlags: TcpFlag.FIN | TcpFlag.ACK }));
    handle(segment(net, { srcIp: ip, srcPort: 5, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    handle(segment(net, { srcIp: ip, srcPort: 6, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    expect(picks).toEqual([0, 1, 2, 0, 1, 1]); // counts [2,0,1] after the FIN, then [2,1,1]: ties go to the lowest index
    handle(segment(net, { srcIp: ip, srcPort: 3, dstIp: lb.vip, tcpFlags: TcpFlag.RST }));
    handle(segment(net, { srcIp: ip, srcPort: 7, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    expect(picks[6]).toBe(2);
    handle(segment(net, { srcIp: ip, srcPort: 8, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    expect(picks[7]).toBe(2); // counts [2,2,1]: the repeated FIN took one off, not two
    expect(lb.inbound).toBe(12);
    const back = segment(net, { srcIp: c.members[1].firstIface.ip, srcPort: 80, dstIp: ip, dstPort: 2 });
    handle(back);
    expect(back.srcIp).toBe(lb.vip);
    expect(lb.outbound).toBe(1);
    expect(back.pathFlags & PathFlag.FIRST_PROCESSED).not.toBe(0);
  });

  it('NAT: a repeated FIN lowers the count once even while the server has other connections', () => {
    const { net, lb, handle, picks, ip } = natBalancer();
    const syn = (port: number): void => handle(segment(net, { srcIp: ip, srcPort: port, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    for (const port of [1, 2, 3, 4, 5]) syn(port); // servers 0 1 2 0 1: counts [2, 2, 1]
    handle(segment(net, { srcIp: ip, srcPort: 2, dstIp: lb.vip, tcpFlags: TcpFlag.FIN | TcpFlag.ACK }));
    handle(segment(net, { srcIp: ip, srcPort: 2, dstIp: lb.vip, tcpFlags: TcpFlag.FIN | TcpFlag.ACK }));
    syn(6); // counts [2, 1, 1]: server 1
    syn(7); // counts [2, 2, 1]: server 2
    expect(picks).toEqual([0, 1, 2, 0, 1, 1, 2]);
  });

  it('DSR: tunnels to the chosen server from the VIP, the inner packet unchanged', () => {
    const { c, net, sim } = build({ design: 'lb-dsr' });
    const lb = c.balancer!;
    const p = segment(net, { srcIp: clientIp(sim), dstIp: lb.vip, tcpFlags: TcpFlag.SYN, pathFlags: PathFlag.SECOND_LAN | PathFlag.THIRD_LAN });
    (lb as unknown as { handle(p: Packet): void }).handle(p);
    expect([p.tunnel, p.outerSrcIp, p.outerDstIp, p.dstIp]).toEqual([true, lb.vip, c.members[0].firstIface.ip, lb.vip]);
    expect(p.pathFlags & (PathFlag.SECOND_LAN | PathFlag.THIRD_LAN)).toBe(0);
    expect(p.pathFlags & PathFlag.FORWARDED).not.toBe(0);
    const q = Object.assign(net.newPacket(), { pathFlags: PathFlag.SECOND_LAN | PathFlag.FIRST_SEEN });
    tunnel(q, 1, 2);
    expect([q.tunnel, q.outerSrcIp, q.outerDstIp, q.pathFlags]).toEqual([true, 1, 2, PathFlag.FIRST_SEEN | PathFlag.FORWARDED]);
  });

  it('Beamer: buckets spread round the servers, a flow goes by its bucket, and a moved bucket remembers its owner', () => {
    const { c, net, sim } = build({ design: 'daisy-chain', balancer: { buckets: 7 } });
    const lb = c.balancer!;
    expect([...lb.bucketOwner]).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect([...lb.bucketPrev]).toEqual([-1, -1, -1, -1, -1, -1, -1]);
    const ip = clientIp(sim);
    expect(lb.bucketOf(ip, 1234)).toBe(flowHash(ip, 1234) % 7);
    const p = segment(net, { srcIp: ip, srcPort: 1234, dstIp: lb.vip, tcpFlags: TcpFlag.SYN });
    (lb as unknown as { handle(p: Packet): void }).handle(p);
    expect(p.outerDstIp).toBe(c.members[lb.bucketOwner[lb.bucketOf(ip, 1234)]].firstIface.ip);
    lb.reassign(4, 1);
    expect(lb.bucketPrev[4]).toBe(-1); // already its owner: nothing moves
    lb.reassign(4, 2);
    expect([lb.bucketOwner[4], lb.bucketPrev[4]]).toEqual([2, 1]);
    lb.assignBuckets([2, 0]);
    expect([...lb.bucketOwner]).toEqual([2, 0, 2, 0, 2, 0, 2]);
    expect(lb.bucketPrev.every((x) => x === -1)).toBe(true);
  });

  it('daisy chaining passes on only tunnelled non-SYN TCP for this server that it lacks, to the bucket\'s previous owner', () => {
    const { c, net, sim } = build({ design: 'daisy-chain', balancer: { buckets: 1 } });
    const lb = c.balancer!;
    const [m0, m1] = c.members;
    const ip = clientIp(sim);
    const sent: Packet[] = [];
    m1.node.output = (p: Packet) => { sent.push(p); };
    const tunnelled = (over: Partial<Packet> = {}): Packet => segment(net, { srcIp: ip, dstIp: lb.vip, tcpFlags: TcpFlag.ACK, tunnel: true, outerSrcIp: lb.vip, outerDstIp: m1.firstIface.ip, ...over });
    lb.reassign(0, 1); // bucket 0: 0 -> 1
    const p = tunnelled();
    expect(daisyChain(p, m1, c.members, lb)).toBe(true);
    expect([p.outerSrcIp, p.outerDstIp]).toEqual([m1.firstIface.ip, m0.firstIface.ip]);
    expect(sent).toEqual([p]);
    expect(lb.daisyChained).toBe(1);
    expect(daisyChain(tunnelled({ tcpFlags: TcpFlag.SYN }), m1, c.members, lb)).toBe(false);
    expect(daisyChain(tunnelled({ tunnel: false }), m1, c.members, lb)).toBe(false);
    expect(daisyChain(tunnelled({ outerDstIp: m0.firstIface.ip }), m1, c.members, lb)).toBe(false);
    expect(daisyChain(tunnelled({ protocol: IpProtocol.UDP }), m1, c.members, lb)).toBe(false);
    expect(daisyChain(tunnelled(), m0, c.members, lb)).toBe(false); // previous owner is itself... (outer dst is m1: not for m0)
    lb.assignBuckets([1]);
    expect(daisyChain(tunnelled(), m1, c.members, lb)).toBe(false); // no previous owner
    lb.assignBuckets([0]);
    lb.reassign(0, 1);
    lb.bucketPrev[0] = 1;
    expect(daisyChain(tunnelled(), m1, c.members, lb)).toBe(false); // the previous owner is this server
    expect(lb.daisyChained).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('a server that has the connection keeps the packet', () => {
    const { c, net, sim } = build({ design: 'daisy-chain', balancer: { buckets: 1 } });
    const lb = c.balancer!;
    const m1 = c.members[1];
    net.sim.run({ until: 1000 });
    const ip = clientIp(sim);
    m1.tcp.receive(segment(net, { srcIp: ip, srcPort: 40000, dstIp: lb.vip, tcpFlags: TcpFlag.SYN }));
    lb.reassign(0, 1);
    const p = segment(net, { srcIp: ip, srcPort: 40000, dstIp: lb.vip, tcpFlags: TcpFlag.ACK, tunnel: true, outerDstIp: m1.firstIface.ip });
    expect(daisyChain(p, m1, c.members, lb)).toBe(false);
  });
});

describe('installCluster', () => {
  it('knows its designs', () => {
    expect(DESIGNS.filter(isDesign)).toEqual([...DESIGNS]);
    expect(isDesign('bogus')).toBe(false);
    expect(BALANCER_DESIGNS).toEqual(['lb-nat', 'lb-dsr', 'daisy-chain']);
  });

  it('wires static neighbours on the back-end LANs, and on the first LAN only for the first-LAN ablation or warm ARP', () => {
    for (const [design, warmArp] of [['nic-forward', false], ['nic-forward-first-lan', false], ['no-forward', true]] as const) {
      const { c } = build({ design, warmArp });
      const [a, b] = c.members;
      expect(a.secondIface!.arp!.lookup(b.secondIface!.ip)).toBe(b.secondIface!.dev.mac);
      expect(a.thirdIface!.arp!.lookup(b.thirdIface!.ip)).toBe(b.thirdIface!.dev.mac);
      expect(a.thirdIface!.arp!.lookup(a.thirdIface!.ip)).toBeUndefined();
      const firstKnown = a.firstIface.arp!.lookup(b.firstIface.ip);
      expect(firstKnown).toBe(design === 'nic-forward' ? undefined : b.firstIface.dev.mac);
      const edge = c.edge.interfaces.find((i) => c.firstLan.ifaces.includes(i))!;
      expect(a.firstIface.arp!.lookup(edge.ip)).toBe(warmArp ? edge.dev.mac : undefined);
    }
  });

  it('warm ARP covers the balancer too, and nobody holds an entry for itself', () => {
    const { c } = build({ design: 'lb-dsr', warmArp: true });
    const lbIface = c.balancer!.iface;
    for (const m of c.members) {
      expect(m.firstIface.arp!.lookup(lbIface.ip)).toBe(lbIface.dev.mac);
      expect(m.firstIface.arp!.lookup(m.firstIface.ip)).toBeUndefined();
    }
    expect(lbIface.arp!.lookup(c.members[2].firstIface.ip)).toBe(c.members[2].firstIface.dev.mac);
  });

  it('NAT makes the balancer the servers\' only gateway; DSR and Beamer give them the VIP on loopback', () => {
    const nat = build({ design: 'lb-nat' }).c;
    expect(nat.balancer!.node.forwarding).toBe(true);
    for (const m of nat.members) {
      const gw = m.node.routes.routes().filter((r) => r.gateway !== 0);
      expect(gw).toEqual([expect.objectContaining({ network: 0, len: 0, gateway: nat.vip, iface: m.firstIface.index })]);
      expect(m.node.routes.lookup(m.firstIface.ip)).toMatchObject({ gateway: 0, iface: m.firstIface.index }); // its own subnets stay connected
      expect(m.node.loopbackAddresses).toEqual([]);
    }
    for (const design of ['lb-dsr', 'daisy-chain'] as const) {
      const c = build({ design }).c;
      for (const m of c.members) {
        expect(m.node.loopbackAddresses).toEqual([c.vip]);
        expect(m.node.routes.routes().some((r) => r.gateway === c.vip)).toBe(false);
      }
    }
  });

  it('refuses sites it cannot build on, naming what is missing', () => {
    const { sim, c } = build({ design: 'no-forward' });
    const hosts: ServerHost[] = c.members.map((m) => ({ node: m.node, tcp: m.tcp, app: m.app, load: m.load }));
    const cfg: ClusterConfig = {
      design: 'lb-dsr', servicePort: 80, nic: {}, balancer: {}, reports: { periodNs: 1e6, bytes: 64, exchange: { kind: 'all-to-all' } }, tcp: {},
      detector: { kind: 'timeout', deadAfterNs: 4e6 }, warmArp: false,
    };
    const site = { ...c, servers: hosts, balancerNode: null };
    expect(() => installCluster(site, cfg)).toThrow('design lb-dsr needs a balancer node on the first LAN');
    expect(() => installCluster({ ...site, servers: [] }, cfg)).toThrow('cluster: a cluster needs at least one server');
    expect(() => installCluster({ ...site, balancerNode: c.members[0].node === undefined ? null : (sim.nodes.get('client0') as IpNode) }, cfg)).toThrow('client0: the balancer has no interface on the first LAN');
    expect(() => installCluster({ ...site, thirdLan: { ...site.thirdLan, ifaces: [] } }, { ...cfg, design: 'no-forward' })).toThrow('server0: a cluster server needs interfaces on the first and third LANs');
    expect(() => installCluster({ ...site, firstLan: { ...site.firstLan, ifaces: [] } }, { ...cfg, design: 'no-forward' })).toThrow('server0: a cluster server needs interfaces on the first and third LANs');
    expect(() => installCluster(site, { ...cfg, design: 'bogus' as never })).toThrow('cluster: design "bogus" is not one of nic-forward, nic-forward-first-lan, lb-nat, lb-dsr, no-forward, daisy-chain');
    expect(() => installCluster(site, { ...cfg, design: 'no-forward', reports: { ...cfg.reports, periodNs: -1 } })).toThrow('cluster/reports: the report period must be > 0 ns, got -1');
  });

  it('no-forward marks what leaves a server with its own address as processed by its first device', () => {
    const { c, net } = build({ design: 'no-forward' });
    const m = c.members[0];
    const mine = segment(net, { srcIp: m.firstIface.ip, dstIp: 1 });
    const other = segment(net, { srcIp: 12345, dstIp: 1 });
    m.firstIface.dev.txTrace.fire(mine, m.firstIface.dev);
    m.firstIface.dev.txTrace.fire(other, m.firstIface.dev);
    expect(mine.pathFlags & PathFlag.FIRST_PROCESSED).not.toBe(0);
    expect(other.pathFlags & PathFlag.FIRST_PROCESSED).toBe(0);
  });

  it('a smart NIC marks its own TCP leaving the first LAN as processed, not its UDP or others\' packets', () => {
    const { c, net } = build({ design: 'nic-forward' });
    const m = c.members[0];
    const tcp = segment(net, { srcIp: m.firstIface.ip, dstIp: 1 });
    const udp = segment(net, { srcIp: m.firstIface.ip, dstIp: 1, protocol: IpProtocol.UDP });
    const other = segment(net, { srcIp: 12345, dstIp: 1 });
    for (const p of [tcp, udp, other]) m.firstIface.dev.txTrace.fire(p, m.firstIface.dev);
    expect([tcp, udp, other].map((p) => (p.pathFlags & PathFlag.FIRST_PROCESSED) !== 0)).toEqual([true, false, false]);
  });

  it('on a hub, a smart NIC marks its own TCP it overhears as seen', () => {
    const { c, net } = build({ design: 'nic-forward', firstLan: { kind: 'hub' } });
    const m = c.members[0];
    const dev = m.firstIface.dev as unknown as { overheardTrace: { fire(p: Packet): void } };
    const tcp = segment(net, { srcIp: m.firstIface.ip, dstIp: 1 });
    const udp = segment(net, { srcIp: m.firstIface.ip, dstIp: 1, protocol: IpProtocol.UDP });
    const other = segment(net, { srcIp: 12345, dstIp: 1 });
    for (const p of [tcp, udp, other]) dev.overheardTrace.fire(p);
    expect([tcp, udp, other].map((p) => (p.pathFlags & PathFlag.FIRST_SEEN) !== 0)).toEqual([true, false, false]);
  });
});

describe('standby and join', () => {
  it('standby servers start down and out of the bucket table; a join hands the newcomer its buckets', () => {
    const { c } = build({ design: 'daisy-chain', balancer: { buckets: 6 } });
    startStandby(c, [2]);
    expect(c.members.map((m) => m.node.up)).toEqual([true, true, false]);
    expect([...c.balancer!.bucketOwner]).toEqual([0, 1, 0, 1, 0, 1]);
    expect(() => startStandby(c, [3])).toThrow('cluster: standby server 3 does not exist; servers are 0-2');
    expect(() => startStandby(c, [-1])).toThrow(RangeError);
    expect(() => startStandby(c, [0.5])).toThrow(RangeError);
    const other = build({ design: 'daisy-chain', balancer: { buckets: 4 } }).c;
    startStandby(other, [0]);
    expect([...other.balancer!.bucketOwner]).toEqual([1, 2, 1, 2]);
    serverJoined(c, 2);
    expect([...c.balancer!.bucketOwner]).toEqual([0, 1, 2, 1, 0, 2]);
    expect([...c.balancer!.bucketPrev]).toEqual([-1, -1, 0, -1, -1, 1]);
  });

  it('no standby leaves the table alone; a join without a Beamer balancer changes nothing', () => {
    const { c } = build({ design: 'daisy-chain', balancer: { buckets: 4 } });
    c.balancer!.reassign(0, 2);
    startStandby(c, []);
    expect(c.balancer!.bucketPrev[0]).toBe(0); // not re-spread
    const dsr = build({ design: 'lb-dsr', balancer: { buckets: 4 } }).c;
    startStandby(dsr, [1]);
    serverJoined(dsr, 1);
    expect(dsr.balancer!.bucketPrev.every((x) => x === -1)).toBe(true);
    serverJoined(build({ design: 'nic-forward' }).c, 1);
  });
});

describe('a cluster with no second LAN (a graph network)', () => {
  it.each(['no-forward', 'nic-forward-first-lan'] as const)('%s: builds, knows no second-LAN interface, and serves', (design) => {
    const sim = simulationOf({
      seed: 1,
      network: {
        nodes: [{ id: 'c', kind: 'client', count: 2 }, { id: 'r', kind: 'router' }, { id: 'first', kind: 'l2-switch', lan: 'first' }, { id: 'third', kind: 'l2-switch', lan: 'third' }, { id: 's', kind: 'server', count: 2 }],
        links: [{ a: 'c', b: 'r', rate: '100Mbps', delay: '1ms' }, { a: 'r', b: 'first', rate: '1Gbps', delay: '1us' }, { a: 's', b: 'first', rate: '1Gbps', delay: '1us' }, { a: 's', b: 'third', rate: '1Gbps', delay: '1us' }],
        cluster: { design, nic: { policy: 'round-robin' }, reports: { period: '1ms', deadAfter: '4ms' } },
      },
      workload: { requestsPerClient: 3, arrival: { kind: 'poisson', meanInterval: '3ms' }, requestSize: '300B', responseSize: '3kB' },
    });
    const c = sim.cluster!;
    expect(c.secondLan).toBeNull();
    expect(c.members.map((m) => m.secondIface)).toEqual([null, null]);
    const r = runSimulation(sim);
    expect(r.metrics['requests-completed']).toBe(6);
    expect(r.metrics.conserved).toBe(1);
    if (design === 'nic-forward-first-lan') expect(c.nics[0].forwarded + c.nics[1].forwarded).toBeGreaterThan(0);
  });
});

describe('a Beamer server joining mid-run', () => {
  it('packets of connections whose bucket moved follow the previous owner, and every request completes', () => {
    const { sim, c } = build({ design: 'daisy-chain', standby: ['server2'], clients: 8 }, {
      seed: 5, workload: { requestsPerClient: 4, arrival: { kind: 'poisson', meanInterval: '15ms' }, requestSize: '300B', responseSize: '30kB', deadline: '2s' },
      faults: [{ at: '40ms', kind: 'join', node: 'server2' }],
    });
    runSimulation(sim);
    expect(sim.stats.completed).toBe(sim.stats.issued);
    expect(c.balancer!.daisyChained).toBeGreaterThan(0);
    expect(sim.cpus[2].completed).toBeGreaterThan(0);
  });
});

describe('the control channel and member addresses', () => {
  it('forwardAddress: the second-LAN address when forwarding there and there is one, else the first', () => {
    const { c } = build();
    const m = c.members[1];
    expect(forwardAddress(m, 'second')).toBe(m.secondIface!.ip);
    expect(forwardAddress(m, 'first')).toBe(m.firstIface.ip);
    expect(forwardAddress({ ...m, secondIface: null }, 'second')).toBe(m.firstIface.ip);
  });

  it('sends a datagram to the peer\'s forwarding address from its own interface, and counts both ends', () => {
    const { c, net } = build();
    const [n0, n1] = c.nics;
    const ch0 = (n0 as unknown as { control: { send(to: number, msg: unknown, bytes: number): void; sent: number; received: number } }).control;
    const ch1 = (n1 as unknown as { control: { sent: number; received: number } }).control;
    const out: Packet[] = [];
    c.members[0].secondIface!.dev.txTrace.connect((p) => out.push(p));
    ch0.send(1, { kind: 'probe', from: 0 }, 40);
    net.sim.run({ until: net.now + 1e6 });
    expect(out[0]).toMatchObject({ srcIp: c.members[0].secondIface!.ip, dstIp: c.members[1].secondIface!.ip, dstPort: CLUSTER_PORT, payloadBytes: 40, appData: { kind: 'probe', from: 0 } });
    expect(ch0.sent).toBe(1);
    expect((ch0 as unknown as { socket: { sent: number } }).socket.sent).toBe(1); // the socket's own count too
    expect(ch1.received).toBe(1);
    expect(ch1.sent).toBe(1); // its probe-ack
    expect(ch0.received).toBe(1);
  });
});

describe('LoadReporter', () => {
  const opts = (over: Partial<ReportOptions> = {}): ReportOptions => ({ periodNs: 1e6, bytes: 64, exchange: { kind: 'all-to-all' }, ...over });

  it('validates its options, naming where and what', () => {
    expect(() => exchangePlan(opts({ bytes: 0 }), 4, 'w')).toThrow('w: a report\'s size must be an integer >= 1 byte, got 0');
    expect(() => exchangePlan(opts({ bytes: 1.5 }), 4, 'w')).toThrow(RangeError);
    expect(() => exchangePlan(opts({ periodNs: Number.NaN }), 4, 'w')).toThrow('w: the report period must be > 0 ns, got NaN');
    expect(() => exchangePlan(opts({ exchange: undefined as never }), 4, 'w')).toThrow('w: exchange kind "undefined" is not one of all-to-all, scaled-period, sampled');
    expect(() => exchangePlan(opts({ exchange: { kind: 'sampled', fanout: 1.5, freshPeriods: 1 } }), 4, 'w')).toThrow(RangeError);
    expect(() => exchangePlan(opts({ exchange: { kind: 'sampled', fanout: 1, freshPeriods: 0 } }), 4, 'w')).toThrow(RangeError);
    expect(() => exchangePlan(opts({ exchange: { kind: 'scaled-period', referenceServers: 0 } }), 4, 'w')).toThrow(RangeError);
    expect(() => exchangePlan(opts({ bytes: 1, exchange: { kind: 'sampled', fanout: 1, freshPeriods: 0.5 } }), 4, 'w')).not.toThrow();
    expect(() => exchangePlan(opts({ exchange: { kind: 'scaled-period', referenceServers: 1 } }), 4, 'w')).not.toThrow();
  });

  it('needs a third-LAN interface', () => {
    const { c } = build();
    expect(() => new LoadReporter({ ...c.members[0], thirdIface: null }, c.members, null, opts(), exchangePlan(opts(), c.members.length, 'w'))).toThrow('server0: load reports need a third-LAN interface');
  });

  function heard(site: SiteInput, untilNs: number) {
    const { c, net } = build(site, { seed: 2 });
    const log: { at: number; to: number; from: number; load: number; device: string; viaPort: number }[] = [];
    for (const n of c.nics) {
      const orig = n.reportArrived.bind(n);
      n.reportArrived = (server, load, p, device) => { log.push({ at: net.now, to: n.self.index, from: server, load, device, viaPort: p.dstPort }); orig(server, load, p, device); };
    }
    net.sim.run({ until: untilNs });
    return { c, net, log };
  }

  it('all-to-all: one broadcast a period from a random phase, each peer hearing the sender\'s own load', () => {
    const { c, log } = heard({ servers: 3, reports: { period: '1ms', deadAfter: '4ms' } }, 10.5e6);
    const sent = c.reporters.map((r) => r.sent);
    for (const r of c.reporters) {
      expect(r.plan.broadcast).toBe(true);
      expect([10, 11]).toContain(r.sent); // first report in [0, 1 ms), then every 1 ms
      expect(r.received).toBe(sent.reduce((a, b) => a + b, 0) - r.sent);
      expect(r.loadNow()).toBe(c.members[r.member.index].load());
    }
    for (const to of [0, 1, 2]) for (const from of [0, 1, 2]) {
      const got = log.filter((x) => x.to === to && x.from === from);
      expect(got).toHaveLength(to === from ? 0 : sent[from]);
      for (let k = 1; k < got.length; k++) expect(got[k].at - got[k - 1].at).toBeCloseTo(1e6, -3);
    }
    expect(log.every((x) => x.viaPort === REPORT_PORT && x.load === 0 && x.device === c.members[x.to].thirdIface!.dev.name)).toBe(true);
    expect(new Set(log.filter((x) => x.from === 0).map((x) => Math.round(x.at % 1e6))).size).toBe(1);
    const phase = (from: number): number => Math.round(log.find((x) => x.from === from)!.at % 1e6);
    expect(new Set([0, 1, 2].map(phase)).size).toBe(3); // each server has its own random phase
    expect(c.nics[0].state.reportsReceived).toBe(sent[1] + sent[2]);
  });

  it('each reporter draws from its own random stream: what another draws does not change it', () => {
    const rng = (r: LoadReporter): { random(): number } => (r as unknown as { rng: { random(): number } }).rng;
    const alone = build({ servers: 2 }, { seed: 2 }).c.reporters;
    const first = rng(alone[0]).random();
    const after = build({ servers: 2 }, { seed: 2 }).c.reporters;
    rng(after[1]).random();
    expect(rng(after[0]).random()).toBe(first);
    expect(rng(alone[1]).random()).not.toBe(first);
  });

  it('a report carries the load the server has when it is sent', () => {
    const { c, net } = build({ servers: 2 }, { seed: 2 });
    c.members[1].load = () => 42;
    const got: number[] = [];
    const orig = c.nics[0].reportArrived.bind(c.nics[0]);
    c.nics[0].reportArrived = (s, load, p, d) => { got.push(load); orig(s, load, p, d); };
    net.sim.run({ until: 3e6 });
    expect(got.length).toBeGreaterThan(1);
    expect(got.every((x) => x === 42)).toBe(true);
    expect(c.nics[0].state.row(1)!.load).toBe(42);
  });

  it('sampled: each round sends to every peer exactly once, fanout a period, unicast', () => {
    const { c, log } = heard({ servers: 4, reports: { period: '1ms', deadAfter: '4ms', exchange: { kind: 'sampled', fanout: 1, freshPeriods: 3 } } }, 12.5e6);
    const r0 = c.reporters[0];
    expect(r0.plan).toMatchObject({ broadcast: false, fanout: 1 });
    expect(r0.sent).toBe(12);
    const order = log.filter((x) => x.from === 0).sort((a, b) => a.at - b.at).map((x) => x.to);
    expect(order).toHaveLength(12);
    for (let round = 0; round < 4; round++) expect(order.slice(round * 3, round * 3 + 3).sort()).toEqual([1, 2, 3]);
    expect(new Set([0, 1, 2, 3].map((k) => order.slice(k * 3, k * 3 + 3).join()))).not.toEqual(new Set([order.slice(0, 3).join()])); // rounds are reshuffled
  });

  it('sampled with fanout 2 on 3 servers: both peers every period', () => {
    const { c, log } = heard({ servers: 3, reports: { period: '1ms', deadAfter: '4ms', exchange: { kind: 'sampled', fanout: 2, freshPeriods: 3 } } }, 5.5e6);
    expect(c.reporters[0].sent).toBe(10);
    expect(log.filter((x) => x.from === 0 && x.to === 1)).toHaveLength(5);
    expect(log.filter((x) => x.from === 0 && x.to === 2)).toHaveLength(5);
  });

  it('a server that is down sends nothing but keeps its clock, and reports again once up', () => {
    const { c, net } = build({ servers: 2 }, { seed: 2 });
    c.members[1].node.setUp(false);
    net.sim.run({ until: 5e6 });
    expect(c.reporters[1].sent).toBe(0);
    c.members[1].node.setUp(true);
    net.sim.run({ until: 10e6 });
    expect(c.reporters[1].sent).toBe(5);
  });

  it('each period the smart NIC\'s detector looks for silent peers', () => {
    const { c, net } = build({ servers: 2, reports: { period: '1ms', deadAfter: '2ms', detector: { kind: 'timeout' } } }, { seed: 2 });
    net.sim.run({ until: 3e6 });
    expect(c.nics[0].detector.usable(1)).toBe(true);
    c.reporters[1].member.node.setUp(false);
    net.sim.run({ until: 8e6 });
    expect(c.nics[0].detector.forgotten).toBe(1);
    expect(c.nics[0].state.row(1)).toBeUndefined();
  });
});
