import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { parseIpv4 } from '../../src/net/address';
import { DropReason } from '../../src/net/drop-reason';
import { RoutingTable } from '../../src/nodes/routing-table';
import { Topology } from '../../src/nodes/topology';
import { UdpSocket } from '../../src/transport/udp-socket';
import { expectConserved } from '../helpers';

describe('L2 learning switch', () => {
  it('floods unknown and broadcast frames, then forwards learned ones to one port', () => {
    const topo = new Topology({ seed: 5 });
    const sw = topo.l2Switch('sw');
    const hosts = [0, 1, 2, 3].map((i) => topo.host(`h${i}`));
    const lan = topo.switchedLan('lan', sw, hosts, { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
    topo.populateRoutes();
    const portTx = () => sw.bridge.ports.map((p) => p.txFrames);
    new UdpSocket(hosts[2]).bind(7);
    const s = new UdpSocket(hosts[0]).bind(0);
    s.send(s.newDatagram(hosts[2].address, 7, 100));
    topo.net.sim.run();
    // ARP request flooded to ports 1-3; the reply goes to port 0 only (h0
    // learned) and the datagram to port 2 only (h2 learned from its reply).
    expect(portTx()).toEqual([1, 1, 2, 1]);
    expect(sw.bridge.flooded).toBe(1);
    expect(sw.bridge.portOf(lan.devices[0].mac)).toBe(0);
    expect(sw.bridge.portOf(lan.devices[2].mac)).toBe(2);
    const before = portTx();
    s.send(s.newDatagram(hosts[2].address, 7, 100));
    topo.net.sim.run();
    expect(portTx().map((n, i) => n - before[i])).toEqual([0, 0, 1, 0]);
    expectConserved(topo.net);
  });

  it('ages out learned addresses and floods again', () => {
    const topo = new Topology({ seed: 5 });
    const sw = topo.l2Switch('sw');
    const hosts = [0, 1, 2].map((i) => topo.host(`h${i}`));
    topo.switchedLan('lan', sw, hosts, { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
    sw.bridge.agingNs = 50 * MS;
    topo.populateRoutes();
    new UdpSocket(hosts[1]).bind(7);
    const s = new UdpSocket(hosts[0]).bind(0);
    s.send(s.newDatagram(hosts[1].address, 7, 100));
    // Not to the end: ARP's wait-reply timer (1 s after the lookup, as ns-3's) would outlive the aging.
    topo.net.sim.run({ until: 20 * MS });
    expect(sw.bridge.learnedCount()).toBe(2);
    topo.net.sim.run({ until: topo.net.now + 60 * MS });
    expect(sw.bridge.learnedCount()).toBe(0);
    const flooded = sw.bridge.flooded;
    s.send(s.newDatagram(hosts[1].address, 7, 100)); // ARP still alive at h0; switch forgot h1
    topo.net.sim.run();
    expect(sw.bridge.flooded).toBe(flooded + 1);
    expectConserved(topo.net);
  });
});

describe('routing', () => {
  it('gives a multi-homed host one default route through the router most of its remote subnets are behind', () => {
    const topo = new Topology({ seed: 1 });
    const link = { rate: '1Gbps', delay: '1ms' };
    const r = topo.router('r'), r2 = topo.router('r2');
    const clients = [0, 1, 2, 3].map((i) => topo.host(`c${i}`));
    clients.forEach((c, i) => topo.pointToPoint(c, r, link, `10.9.${i}.0/30`));
    const s0 = topo.host('s0'), s1 = topo.host('s1'), s2 = topo.host('s2');
    topo.hub('front', [r, s0, s1, s2], link, '10.0.0.0/24');
    topo.hub('back', [s0, s1], link, '10.1.0.0/24');
    // s2 also sits on a LAN with a second router, behind which is one more subnet.
    const far = topo.host('far');
    topo.hub('side', [s2, r2], link, '10.2.0.0/24');
    topo.pointToPoint(r2, far, link, '10.3.0.0/30');
    topo.populateRoutes();
    const rFront = parseIpv4('10.0.0.1');
    // s0: two connected subnets and one default route via r, not one route per client link.
    expect(s0.routes.size).toBe(3);
    expect(s0.routes.lookup(parseIpv4('10.9.3.1'))).toMatchObject({ network: 0, len: 0, gateway: rFront });
    expect(s0.routes.lookup(parseIpv4('10.1.0.3'))!.gateway).toBe(0);
    // s2 has two routers: the default goes via r (4 client subnets), the far subnet keeps its own route via r2.
    expect(s2.routes.lookup(parseIpv4('10.9.0.1'))).toMatchObject({ len: 0, gateway: rFront });
    expect(s2.routes.lookup(parseIpv4('10.3.0.2'))).toMatchObject({ network: parseIpv4('10.3.0.0'), len: 30, gateway: parseIpv4('10.2.0.2') });
    // The router keeps a route per subnet it reaches (hosts do not forward, so not the back LAN).
    expect(r.routes.size).toBe(5);
    expect(r.routes.lookup(parseIpv4('10.1.0.2'))).toBeUndefined();
    let got = 0;
    new UdpSocket(clients[3]).bind(7).onReceive = () => { got++; };
    new UdpSocket(far).bind(7).onReceive = () => { got++; };
    const s = new UdpSocket(s2).bind(0);
    s.send(s.newDatagram(clients[3].address, 7, 100));
    s.send(s.newDatagram(far.address, 7, 100));
    topo.net.sim.run();
    expect(got).toBe(2);
    expectConserved(topo.net);
  });

  it('longest-prefix match picks the most specific route', () => {
    const rt = new RoutingTable();
    rt.add({ network: 0, len: 0, gateway: 1, iface: 0, metric: 1 });
    rt.add({ network: parseIpv4('10.0.0.0'), len: 8, gateway: 2, iface: 1, metric: 1 });
    rt.add({ network: parseIpv4('10.1.0.0'), len: 16, gateway: 3, iface: 2, metric: 1 });
    rt.add({ network: parseIpv4('10.1.2.3'), len: 32, gateway: 4, iface: 3, metric: 1 });
    expect(rt.lookup(parseIpv4('10.1.2.3'))!.gateway).toBe(4);
    expect(rt.lookup(parseIpv4('10.1.2.4'))!.gateway).toBe(3);
    expect(rt.lookup(parseIpv4('10.2.0.1'))!.gateway).toBe(2);
    expect(rt.lookup(parseIpv4('192.168.1.1'))!.gateway).toBe(1);
    expect(rt.size).toBe(4);
  });

  it('keeps a lone network of a length and a map once a second arrives: replace, remove and list alike', () => {
    const rt = new RoutingTable();
    const a = parseIpv4('10.1.0.0'), b = parseIpv4('10.2.0.0'), c = parseIpv4('10.3.0.0');
    rt.add({ network: a + 7, len: 16, gateway: 1, iface: 0, metric: 2 }); // host bits masked off
    expect(rt.has(a, 16)).toBe(true);
    expect(rt.lookup(a + 9)!.gateway).toBe(1);
    rt.add({ network: a, len: 16, gateway: 2, iface: 0, metric: 3 }); // a worse metric: kept out
    expect(rt.lookup(a + 9)!.gateway).toBe(1);
    rt.add({ network: a, len: 16, gateway: 3, iface: 0, metric: 2 }); // as good: replaces
    expect(rt.lookup(a + 9)!.gateway).toBe(3);
    rt.add({ network: b, len: 16, gateway: 4, iface: 1, metric: 1 });
    rt.add({ network: c, len: 16, gateway: 5, iface: 1, metric: 1 });
    rt.add({ network: 0, len: 0, gateway: 9, iface: 2, metric: 1 });
    expect([a, b, c, parseIpv4('10.4.0.1')].map((x) => rt.lookup(x + 1)!.gateway)).toEqual([3, 4, 5, 9]);
    expect(rt.size).toBe(4);
    expect(rt.removeWhere((r) => r.iface === 1)).toBe(2);
    expect([a, b, c].map((x) => rt.lookup(x + 1)!.gateway)).toEqual([3, 9, 9]);
    expect(rt.removeWhere((r) => r.gateway === 3)).toBe(1);
    expect(rt.has(a, 16)).toBe(false);
    expect(rt.routes()).toEqual([{ network: 0, len: 0, gateway: 9, iface: 2, metric: 1 }]);
    rt.add({ network: b, len: 16, gateway: 6, iface: 1, metric: 1 }); // the length comes back
    expect(rt.lookup(b + 1)!.gateway).toBe(6);
    expect(rt.size).toBe(2);
  });

  function chain() {
    // a --p2p-- r1 --p2p-- r2 --p2p-- b
    const topo = new Topology({ seed: 1 });
    const a = topo.host('a'), b = topo.host('b');
    const r1 = topo.router('r1'), r2 = topo.router('r2');
    const link = { rate: '1Gbps', delay: '1ms' };
    topo.pointToPoint(a, r1, link, '10.1.0.0/30');
    topo.pointToPoint(r1, r2, link, '10.2.0.0/30');
    topo.pointToPoint(r2, b, link, '10.3.0.0/30');
    topo.populateRoutes();
    return { topo, a, b, r1, r2 };
  }

  it('fills routes by shortest path and forwards across routers', () => {
    const { topo, a, b, r1 } = chain();
    const r = r1.routes.lookup(b.address)!;
    expect(r.metric).toBe(1); // one more router (r2) to cross
    expect(r.gateway).toBe(parseIpv4('10.2.0.2'));
    let got = 0;
    new UdpSocket(b).bind(7).onReceive = (p) => { got++; expect(p.ttl).toBe(62); };
    const s = new UdpSocket(a).bind(0);
    s.send(s.newDatagram(b.address, 7, 10));
    topo.net.sim.run();
    expect(got).toBe(1);
    expect(topo.net.now).toBeGreaterThanOrEqual(3 * MS); // three 1 ms links
    expect(topo.net.now).toBeLessThan(3.01 * MS);
    expectConserved(topo.net);
  });

  it('drops when the TTL runs out, and when no route exists', () => {
    const { topo, a, b, r2 } = chain();
    new UdpSocket(b).bind(7);
    const s = new UdpSocket(a).bind(0);
    const p = s.newDatagram(b.address, 7, 10);
    p.ttl = 2; // r1 makes it 1, r2 makes it 0
    s.send(p);
    topo.net.sim.run();
    expect(topo.net.dropped[DropReason.TTL_EXPIRED]).toBe(1);
    r2.routes.add({ network: parseIpv4('172.16.0.0'), len: 12, gateway: 0, iface: 0, metric: 0 });
    const q = s.newDatagram(parseIpv4('192.0.2.1'), 7, 10); // a's default route -> r1, r1 has none
    s.send(q);
    topo.net.sim.run();
    expect(topo.net.dropped[DropReason.NO_ROUTE]).toBe(1);
    expectConserved(topo.net);
  });
});

describe('ARP (ns-3 semantics)', () => {
  function lan() {
    const topo = new Topology({ seed: 9 });
    const hosts = [0, 1].map((i) => topo.host(`h${i}`));
    const l = topo.hub('hub', hosts, { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
    topo.populateRoutes();
    return { topo, hosts, l };
  }

  it('queues 3 packets while resolving after a jitter of at most 10 ms, drops the rest', () => {
    const { topo, hosts, l } = lan();
    const times: number[] = [];
    new UdpSocket(hosts[1]).bind(7).onReceive = () => times.push(topo.net.now);
    const s = new UdpSocket(hosts[0]).bind(0);
    for (let i = 0; i < 5; i++) s.send(s.newDatagram(hosts[1].address, 7, 10));
    topo.net.sim.run();
    expect(times.length).toBe(3);
    expect(topo.net.dropped[DropReason.ARP_PENDING_FULL]).toBe(2);
    expect(times[0]).toBeLessThan(10 * MS + 10_000);
    expect(l.ifaces[0]!.arp!.lookup(hosts[1].address)).toBe(l.devices[1].mac);
    // The request did not teach h1 the address of h0 (ns-3 learns from replies only).
    expect(l.ifaces[1]!.arp!.lookup(hosts[0].address)).toBeUndefined();
    expectConserved(topo.net);
  });

  it('gives up after its retries and drops what waited', () => {
    const { topo, hosts } = lan();
    const s = new UdpSocket(hosts[0]).bind(0);
    s.send(s.newDatagram(parseIpv4('10.0.0.99'), 7, 10)); // nobody has it
    topo.net.sim.run();
    expect(topo.net.dropped[DropReason.ARP_FAILED]).toBe(1);
    // 1 + 3 retries, 1 s apart on the cache's timer, which ns-3 starts at the lookup (not after the jitter).
    expect(topo.net.now).toBe(4000 * MS);
    expectConserved(topo.net);
  });
});
