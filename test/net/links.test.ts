import { describe, expect, it } from 'vitest';
import { MS, transmitTime } from '../../src/engine';
import { DropReason } from '../../src/net/drop-reason';
import { PPP_HEADER, IPV4_HEADER, UDP_HEADER, type Packet } from '../../src/net/packet';
import type { CsmaDevice } from '../../src/net/csma';
import { Topology } from '../../src/nodes/topology';
import type { QueueDiscSpec } from '../../src/nodes/traffic-control';
import { UdpSocket } from '../../src/transport/udp-socket';
import type { IpNode } from '../../src/nodes/ip-node';
import { expectConserved } from '../helpers';

function pair(rate = '100Mbps', delay = '5ms', queue?: number, queueDisc?: QueueDiscSpec) {
  const topo = new Topology({ seed: 3, queueDisc });
  const a = topo.host('a');
  const b = topo.host('b');
  const link = topo.pointToPoint(a, b, { rate, delay, queue }, '192.168.0.0/30');
  topo.populateRoutes();
  const sink = new UdpSocket(b).bind(7);
  const got: { t: number; p: Packet }[] = [];
  sink.onReceive = (p) => got.push({ t: topo.net.now, p });
  const src = new UdpSocket(a).bind(1000);
  return { topo, a, b, link, src, got };
}

describe('point-to-point link', () => {
  it('delivers after serialisation + propagation, to the nanosecond', () => {
    const { topo, b, src, got } = pair();
    const bytes = PPP_HEADER + IPV4_HEADER + UDP_HEADER + 64;
    expect(bytes).toBe(94);
    src.send(src.newDatagram(b.address, 7, 64));
    src.send(src.newDatagram(b.address, 7, 64)); // queued behind the first
    topo.net.sim.run();
    const tx = transmitTime(94, 100e6);
    expect(tx).toBe(7520);
    expect(got.map((g) => g.t)).toEqual([5 * MS + tx, 5 * MS + 2 * tx]);
    expectConserved(topo.net);
  });

  it('is full duplex: both directions at once do not wait for each other', () => {
    const { topo, a, b, src } = pair();
    const back = new UdpSocket(b).bind(2000);
    const seen: number[] = [];
    new UdpSocket(a).bind(7).onReceive = () => seen.push(topo.net.now);
    src.send(src.newDatagram(b.address, 7, 64));
    back.send(back.newDatagram(a.address, 7, 64));
    topo.net.sim.run();
    expect(seen).toEqual([5 * MS + 7520]);
  });

  it('drops at a full drop-tail queue with the reason recorded (no queue disc)', () => {
    const { topo, b, src, got } = pair('100Mbps', '5ms', 2, { kind: 'none' });
    for (let i = 0; i < 5; i++) src.send(src.newDatagram(b.address, 7, 64));
    topo.net.sim.run();
    expect(got.length).toBe(3); // one on the wire, two queued
    expect(topo.net.dropped[DropReason.QUEUE_FULL]).toBe(2);
    expectConserved(topo.net);
  });

  it('with the default queue disc the backlog waits above the full device queue instead', () => {
    const { topo, b, src, got } = pair('100Mbps', '5ms', 2);
    for (let i = 0; i < 5; i++) src.send(src.newDatagram(b.address, 7, 64));
    topo.net.sim.run();
    expect(got.length).toBe(5);
    const ids = got.map((g) => g.p.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y)); // in the order sent
    expect(topo.net.dropped[DropReason.QUEUE_FULL]).toBe(0);
    expectConserved(topo.net);
  });

  it('drops what a down link holds and what is sent to it', () => {
    const { topo, b, link, src, got } = pair();
    for (let i = 0; i < 3; i++) src.send(src.newDatagram(b.address, 7, 64));
    link.a.setUp(false); // one frame already on the wire, two queued
    src.send(src.newDatagram(b.address, 7, 64));
    topo.net.sim.run();
    expect(got.length).toBe(0);
    expect(topo.net.dropped[DropReason.LINK_DOWN]).toBe(4);
    expectConserved(topo.net);
  });
});

describe('hub (shared CSMA medium)', () => {
  function hubOf(n: number) {
    const topo = new Topology({ seed: 11 });
    const hosts = Array.from({ length: n }, (_, i) => topo.host(`h${i}`));
    const lan = topo.hub('hub', hosts, { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
    topo.populateRoutes();
    return { topo, hosts, lan };
  }

  it('never lets two transmissions overlap on the medium, and backs off', () => {
    const { topo, hosts, lan } = hubOf(5);
    const ch = lan.channels[0];
    const spans: [number, number][] = [];
    ch.transmitTrace.connect((_d, _p, txNs) => spans.push([topo.net.now, topo.net.now + txNs + ch.delay]));
    let received = 0;
    const socks = hosts.map((h: IpNode) => {
      const s = new UdpSocket(h).bind(7);
      s.onReceive = () => received++;
      return s;
    });
    // Everyone sends to everyone at t = 0 and again at 1 µs.
    for (const at of [0, 1000]) {
      topo.net.sim.schedule(at, () => {
        hosts.forEach((h, i) => hosts.forEach((g, j) => {
          if (i !== j) socks[i].send(socks[i].newDatagram(g.address, 7, 200));
        }));
      });
    }
    topo.net.sim.run();
    expect(received).toBe(2 * 5 * 4);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    const backoffs = lan.devices.reduce((s, d: CsmaDevice) => s + d.backoffs, 0);
    expect(backoffs).toBeGreaterThan(0);
    expectConserved(topo.net);
  });

  it('repeats every frame to every device; only the addressee keeps it', () => {
    const { topo, hosts, lan } = hubOf(4);
    new UdpSocket(hosts[1]).bind(7);
    const s = new UdpSocket(hosts[0]).bind(0);
    // Resolve ARP first, then count one unicast frame.
    s.send(s.newDatagram(hosts[1].address, 7, 10));
    topo.net.sim.run();
    const seen0 = lan.devices.map((d) => d.seenFrames);
    const rx0 = lan.devices.map((d) => d.rxFrames);
    s.send(s.newDatagram(hosts[1].address, 7, 10));
    topo.net.sim.run();
    expect(lan.devices.map((d, i) => d.seenFrames - seen0[i])).toEqual([0, 1, 1, 1]);
    expect(lan.devices.map((d, i) => d.rxFrames - rx0[i])).toEqual([0, 1, 0, 0]);
    expectConserved(topo.net);
  });
});

describe('CSMA device timing and events', () => {
  function cable(delay: string) {
    const topo = new Topology({ seed: 5 });
    const a = topo.host('a');
    const b = topo.host('b');
    const lan = topo.hub('cable', [a, b], { rate: '1Gbps', delay }, '10.0.1.0/24');
    topo.populateRoutes();
    const starts: number[] = [];
    lan.channels[0].transmitTrace.connect(() => starts.push(topo.net.now));
    const sink = new UdpSocket(b).bind(7);
    const got: number[] = [];
    sink.onReceive = () => got.push(topo.net.now);
    const src = new UdpSocket(a).bind(1000);
    // Resolve ARP first, so that what follows is data frames alone.
    src.send(src.newDatagram(b.address, 7, 10));
    topo.net.sim.run();
    starts.length = 0;
    got.length = 0;
    return { topo, a, b, lan, src, starts, got };
  }
  const frameNs = (payload: number) => transmitTime(14 + IPV4_HEADER + UDP_HEADER + payload + 4, 1e9);

  it('sends back to back after the interframe gap, and a lone frame costs one event', () => {
    const { topo, b, lan, src, starts, got } = cable('0ns');
    const gap = lan.channels[0].gapNs;
    expect(gap).toBe(96);
    const t0 = topo.net.now;
    const before = topo.net.sim.executed;
    src.send(src.newDatagram(b.address, 7, 1000));
    topo.net.sim.run();
    // The end of propagation, and nothing for the end of the frame or of the gap.
    expect(topo.net.sim.executed - before).toBe(1);
    expect(got).toEqual([t0 + frameNs(1000)]);
    const t1 = topo.net.now + 5000;
    topo.net.sim.schedule(5000, () => {
      for (let i = 0; i < 3; i++) src.send(src.newDatagram(b.address, 7, 1000));
    });
    topo.net.sim.run();
    // With no propagation delay the medium is idle when the gap ends: no backoff.
    const f = frameNs(1000);
    expect(starts.slice(1)).toEqual([t1, t1 + f + gap, t1 + 2 * (f + gap)]);
    expect(got.slice(1)).toEqual([t1 + f, t1 + 2 * f + gap, t1 + 3 * f + 2 * gap]);
    expectConserved(topo.net);
  });

  it('backs off when the gap ends before the propagation does, as ns-3', () => {
    const { topo, b, lan, src, starts } = cable('500ns');
    src.send(src.newDatagram(b.address, 7, 1000));
    src.send(src.newDatagram(b.address, 7, 1000));
    topo.net.sim.run();
    const dev = lan.devices[0];
    expect(dev.backoffs).toBeGreaterThanOrEqual(1);
    // The second frame starts on a whole backoff slot after the end of the first one's gap.
    const readyAt = starts[0] + frameNs(1000) + lan.channels[0].gapNs;
    expect(starts[1] > starts[0] + frameNs(1000) + 500).toBe(true);
    expect((starts[1] - readyAt) % 1000).toBe(0);
  });

  it('forgets a backoff when its device goes down: a frame sent after it is back up goes once', () => {
    const { topo, a, b, lan, src, got } = cable('500ns');
    const dev = lan.devices.find((d) => d.nodeId === a.id)!;
    const backoffs0 = dev.backoffs, frames0 = lan.channels[0].frames;
    src.send(src.newDatagram(b.address, 7, 1000));
    src.send(src.newDatagram(b.address, 7, 1000)); // waits, then backs off: the medium still carries the first
    topo.net.sim.run({ until: topo.net.now + frameNs(1000) + 200 });
    expect(dev.backoffs - backoffs0).toBe(1);
    dev.setUp(false); // drops the frame in backoff
    dev.setUp(true);
    src.send(src.newDatagram(b.address, 7, 1000));
    topo.net.sim.run();
    expect(got.length).toBe(2);
    expect(lan.channels[0].frames - frames0).toBe(2);
    expect(topo.net.dropsByReason()).toMatchObject({ 'link-down': 1 });
    expectConserved(topo.net);
  });
});

describe('device trace sources', () => {
  it('fire transmit, enqueue, dequeue, phy-tx and receive in order, and cost nothing when unused', () => {
    const { topo, b, link, src } = pair('100Mbps', '5ms');
    const log: string[] = [];
    const dev = link.a;
    expect(dev.enqueueTrace.active || dev.dequeueTrace.active).toBe(false);
    dev.txTrace.connect((p) => log.push(`tx ${p.payloadBytes}`));
    dev.enqueueTrace.connect((p) => log.push(`enq ${p.payloadBytes}`));
    dev.dequeueTrace.connect((p) => log.push(`deq ${p.payloadBytes}`));
    dev.phyTxTrace.connect((p) => log.push(`phy ${p.payloadBytes}`));
    link.b.rxTrace.connect((p) => log.push(`rx ${p.payloadBytes}`));
    src.send(src.newDatagram(b.address, 7, 10));
    src.send(src.newDatagram(b.address, 7, 20));
    topo.net.sim.run();
    expect(log).toEqual(['tx 10', 'phy 10', 'tx 20', 'enq 20', 'deq 20', 'phy 20', 'rx 10', 'rx 20']);
  });
});
