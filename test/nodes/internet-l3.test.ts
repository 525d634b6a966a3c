import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { DropReason } from '../../src/net/drop-reason';
import { Topology } from '../../src/nodes/topology';
import { UdpSocket } from '../../src/transport/udp-socket';
import type { InternetOptions } from '../../src/nodes/internet-cloud';
import { expectConserved } from '../helpers';

function wan(opts: Partial<InternetOptions>) {
  const topo = new Topology({ seed: 21 });
  const client = topo.host('client');
  const cloud = topo.internet('inet', opts);
  const server = topo.host('server');
  const fast = { rate: '10Gbps', delay: '0ns' };
  topo.pointToPoint(client, cloud, fast, '100.64.0.0/30');
  topo.pointToPoint(cloud, server, fast, '203.0.113.0/30');
  topo.populateRoutes();
  const arrivals: number[] = [];
  new UdpSocket(server).bind(7).onReceive = (p) => arrivals.push(topo.net.now - p.createdAt);
  const s = new UdpSocket(client).bind(0);
  return { topo, server, s, arrivals, cloud };
}

describe('Internet cloud', () => {
  it('loses packets with the given probability', () => {
    const N = 20_000, loss = 0.2;
    const { topo, server, s, arrivals, cloud } = wan({ delay: 10 * MS, loss });
    for (let i = 0; i < N; i++) topo.net.sim.schedule(i * 1000, () => s.send(s.newDatagram(server.address, 7, 50)));
    topo.net.sim.run();
    const lost = topo.net.dropped[DropReason.WAN_LOSS];
    expect(cloud.lost).toBe(lost);
    expect(Math.abs(lost - N * loss)).toBeLessThan(5 * Math.sqrt(N * loss * (1 - loss)));
    expect(arrivals.length).toBe(N - lost);
    expectConserved(topo.net);
  });

  it('adds its delay distribution: base + uniform jitter stays in bounds with the right mean', () => {
    const N = 5000;
    const { topo, server, s, arrivals } = wan({ delay: 20 * MS, jitter: 5 * MS, jitterKind: 'uniform' });
    for (let i = 0; i < N; i++) topo.net.sim.schedule(i * 10_000, () => s.send(s.newDatagram(server.address, 7, 50)));
    topo.net.sim.run();
    const min = Math.min(...arrivals), max = Math.max(...arrivals);
    const mean = arrivals.reduce((a, b) => a + b, 0) / N;
    expect(min).toBeGreaterThanOrEqual(15 * MS);
    expect(max).toBeLessThan(25.01 * MS);
    // Uniform(-5ms, 5ms): sd 2.89 ms, standard error of the mean 41 µs.
    expect(Math.abs(mean - 20 * MS)).toBeLessThan(5 * (5 * MS / Math.sqrt(3)) / Math.sqrt(N) + 0.01 * MS);
  });

  it('keeps order when asked, and limits the rate', () => {
    const { topo, server, s } = wan({ delay: 1 * MS, jitter: 2 * MS, jitterKind: 'normal', keepOrder: true, rate: 1e6 });
    const seqs: number[] = [];
    const sock = new UdpSocket(server).bind(8);
    sock.onReceive = (p) => seqs.push(p.appSeq);
    for (let i = 0; i < 200; i++) {
      topo.net.sim.schedule(i * 10_000, () => { // faster than the cloud drains
        const p = s.newDatagram(server.address, 8, 97); // 125 B datagram = 1 ms at 1 Mb/s
        p.appSeq = i;
        s.send(p);
      });
    }
    topo.net.sim.run();
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(topo.net.now).toBeGreaterThanOrEqual(200 * MS);
  });

  it('rejects impossible parameters', () => {
    expect(() => wan({ loss: 1.5 })).toThrow(/loss must be in \[0, 1\)/);
    expect(() => wan({ delay: -1 })).toThrow(/delay must be >= 0/);
  });
});

describe('L3 switch coupled to the Internet', () => {
  it('switches within its LAN and routes between the LAN and the WAN', () => {
    const topo = new Topology({ seed: 2 });
    const clients = [0, 1, 2].map((i) => topo.host(`client${i}`, 'client'));
    const cloud = topo.internet('inet', { delay: 10 * MS });
    const l3 = topo.l3Switch('l3');
    const servers = [0, 1, 2, 3].map((i) => topo.host(`server${i}`, 'server'));
    clients.forEach((c, i) => topo.pointToPoint(c, cloud, { rate: '100Mbps', delay: '1ms' }, `100.64.${i}.0/30`));
    topo.pointToPoint(cloud, l3, { rate: '1Gbps', delay: '1ms' }, '198.51.100.0/30');
    const lan = topo.switchedLan('lan', l3, servers, { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
    topo.populateRoutes();
    let fromClients = 0, fromServer = 0;
    servers.forEach((sv) => { new UdpSocket(sv).bind(7).onReceive = (p) => (p.srcIp === servers[0].address ? fromServer++ : fromClients++); });
    clients.forEach((c, i) => {
      const s = new UdpSocket(c).bind(0);
      servers.forEach((sv) => s.send(s.newDatagram(sv.address, 7, 100 + i)));
    });
    const s0 = new UdpSocket(servers[0]).bind(0);
    s0.send(s0.newDatagram(servers[3].address, 7, 10)); // inside the LAN: switched, not routed
    topo.net.sim.run();
    expect(fromClients).toBe(12);
    expect(fromServer).toBe(1);
    expect(l3.ipForwarded).toBe(12);
    expect(lan.bridge!.forwarded).toBeGreaterThan(0);
    expectConserved(topo.net);
  });
});
