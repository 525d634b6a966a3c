/**
 * The traffic-control layer: where root queue discs sit, flow control
 * between a disc and its device (stop when the device queue fills, wake when
 * a frame leaves), pfifo_fast and CoDel discs, ARP through the disc, and
 * what a device going down or a node crashing does to what a disc holds.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { DropReason } from '../../src/net/drop-reason';
import { Network } from '../../src/net/network';
import { EtherType, IpProtocol, Packet } from '../../src/net/packet';
import { connectPointToPoint } from '../../src/net/point-to-point';
import { CoDelQueueDisc } from '../../src/nodes/codel-queue-disc';
import { FqCoDelQueueDisc } from '../../src/nodes/fq-codel-queue-disc';
import { PfifoFastQueueDisc } from '../../src/nodes/pfifo-fast-queue-disc';
import type { QueueDisc } from '../../src/nodes/queue-disc';
import { Topology } from '../../src/nodes/topology';
import { UdpSocket } from '../../src/transport/udp-socket';
import { expectConserved } from '../helpers';

function udp(net: Network, src: number, payload = 472, priority = 0): Packet {
  const p = net.newPacket();
  p.protocol = IpProtocol.UDP;
  p.srcIp = src;
  p.dstIp = 0x0a000001;
  p.srcPort = 1;
  p.dstPort = 9;
  p.payloadBytes = payload;
  p.priority = priority;
  return p;
}

/** A disc on a 1 Mb/s link whose device queue holds `queue` frames. */
function link<D extends QueueDisc>(make: (net: Network) => D, queue = 3) {
  const net = new Network({ seed: 1 });
  const [a, b] = connectPointToPoint(net, 'a', 'b', { rate: 1e6, delay: 0, queue });
  const out: Packet[] = [];
  b.onReceive = (_d, p) => {
    out.push(p);
    net.deliver(p);
  };
  const disc = make(net);
  disc.attach(a);
  return { net, dev: a, disc, out };
}

describe('flow control between a queue disc and its device', () => {
  it('stops the disc while the device queue is full and wakes it as frames leave: nothing lost or reordered', () => {
    const { net, dev, disc, out } = link((n) => new FqCoDelQueueDisc(n, 'q', { targetNs: 10_000 * MS }));
    const sent: Packet[] = [];
    for (let i = 0; i < 20; i++) {
      const p = udp(net, 7);
      sent.push(p);
      disc.send(p, 0);
    }
    // One frame on the wire, three in the device queue (now stopped), sixteen waiting in the disc.
    expect(dev.queue.length).toBe(3);
    expect(dev.txStopped).toBe(true);
    expect(disc.nPackets).toBe(16);
    expect(dev.txFrames).toBe(4); // hops count frames the device took, not packets in the disc
    const refills: number[] = [];
    dev.enqueueTrace.connect(() => refills.push(net.now));
    const leaves: number[] = [];
    dev.dequeueTrace.connect(() => leaves.push(net.now));
    net.sim.run();
    expect(out).toEqual(sent);
    // Every frame that left the device queue was replaced by the disc at the same instant.
    expect(refills.slice(0, 16)).toEqual(leaves.slice(0, 16));
    expect(dev.queue.peak).toBe(3);
    expect(net.dropped[DropReason.QUEUE_FULL]).toBe(0);
    expect(disc.sent).toBe(20);
    expect(dev.txStopped).toBe(false);
    expectConserved(net);
  });

  it('counts what the disc holds as in flight, so conservation holds mid-run', () => {
    const { net, disc } = link((n) => new FqCoDelQueueDisc(n, 'q'));
    for (let i = 0; i < 10; i++) disc.send(udp(net, 7), 0);
    expect(disc.packetsHeld()).toBe(6);
    expect(net.inFlight()).toBe(10);
    expectConserved(net);
    net.sim.run({ until: 10 * MS });
    expectConserved(net);
  });

  it('without a disc the device queue tail-drops (ns-3 with the queue disc uninstalled)', () => {
    const net = new Network({ seed: 1 });
    const [a, b] = connectPointToPoint(net, 'a', 'b', { rate: 1e6, delay: 0, queue: 3 });
    b.onReceive = (_d, p) => net.deliver(p);
    for (let i = 0; i < 10; i++) a.send(udp(net, 7), 0);
    expect(net.dropped[DropReason.QUEUE_FULL]).toBe(6);
    net.sim.run();
    expectConserved(net);
  });

  it('refuses a second disc on a device, and discs on devices without a flow-controlled queue', () => {
    const { net, dev } = link((n) => new FqCoDelQueueDisc(n, 'q'));
    expect(() => new FqCoDelQueueDisc(net, 'q2').attach(dev)).toThrow(/already installed/);
    const topo = new Topology();
    const sw = topo.l3Switch('sw');
    expect(() => new FqCoDelQueueDisc(topo.net, 'q3').attach(sw.bridge)).toThrow(/no flow-controlled transmit queue/);
  });
});

describe('pfifo_fast and CoDel discs', () => {
  it('pfifo_fast serves band 0 before 1 before 2, by socket priority (prio2band)', () => {
    const { net, disc, out } = link((n) => new PfifoFastQueueDisc(n, 'q'), 1);
    const first = udp(net, 1);
    disc.send(first, 0); // on the wire
    disc.send(udp(net, 1), 0); // fills the one-slot device queue
    const p2 = udp(net, 2, 100, 1); // priority 1 -> band 2
    const p1 = udp(net, 3, 100, 0); // priority 0 -> band 1
    const p0 = udp(net, 4, 100, 6); // priority 6 -> band 0
    for (const p of [p2, p1, p0]) disc.send(p, 0);
    net.sim.run();
    expect(out.slice(2)).toEqual([p0, p1, p2]);
    expectConserved(net);
  });

  it('pfifo_fast refuses what arrives when it holds its limit (1000 packets by default)', () => {
    expect(new PfifoFastQueueDisc(new Network(), 'x').params.limitPackets).toBe(1000);
    const { net, disc } = link((n) => new PfifoFastQueueDisc(n, 'q', { limitPackets: 5 }), 1);
    for (let i = 0; i < 10; i++) disc.send(udp(net, 1), 0);
    expect(disc.nPackets).toBe(5);
    expect(disc.overlimitDrops).toBe(3); // 10 = 1 on the wire + 1 in the device + 5 held + 3 refused
    expect(net.dropped[DropReason.QDISC_OVERLIMIT]).toBe(3);
    net.sim.run();
    expectConserved(net);
  });

  it('CoDel alone keeps a standing queue near target by dropping, and has a byte limit of 1.5 MB by default', () => {
    expect(new CoDelQueueDisc(new Network(), 'x').params.limitBytes).toBe(1_500_000);
    const { net, disc, out } = link((n) => new CoDelQueueDisc(n, 'q'), 1);
    let sent = 0;
    const tick = (): void => {
      disc.send(udp(net, 1), 0);
      if (++sent < 400) net.sim.schedule(3 * MS, tick);
    };
    tick();
    net.sim.run();
    expect(disc.codelDrops).toBeGreaterThan(10);
    expect(out.length + disc.codelDrops).toBe(400);
    expectConserved(net);
  });
});

describe('a device going down, a node crashing', () => {
  it('drops what the disc holds with the link-down reason, and what is sent while down', () => {
    const { net, dev, disc } = link((n) => new FqCoDelQueueDisc(n, 'q'));
    for (let i = 0; i < 10; i++) disc.send(udp(net, 7), 0);
    expect(disc.packetsHeld()).toBe(6);
    dev.setUp(false);
    expect(disc.packetsHeld()).toBe(0);
    // 3 from the device queue and 6 from the disc; the frame on the wire ends at the far side.
    expect(net.dropped[DropReason.LINK_DOWN]).toBe(9);
    expect(disc.drops).toBe(0); // a device going down is not a queue-disc drop
    disc.send(udp(net, 7), 0);
    expect(net.dropped[DropReason.LINK_DOWN]).toBe(10);
    net.sim.run();
    expectConserved(net);
  });

  it('a crashed node drops what its discs hold as node-down', () => {
    const topo = new Topology({ seed: 2 });
    const a = topo.host('a');
    const b = topo.host('b');
    topo.pointToPoint(a, b, { rate: '1Mbps', delay: '1ms', queue: 2 }, '10.1.0.0/30');
    topo.populateRoutes();
    new UdpSocket(b).bind(7);
    const s = new UdpSocket(a).bind(0);
    for (let i = 0; i < 10; i++) s.send(s.newDatagram(b.address, 7, 500));
    const disc = a.interfaces[0].qdisc!;
    expect(disc.packetsHeld()).toBe(7);
    a.setUp(false);
    expect(disc.packetsHeld()).toBe(0);
    expect(topo.net.dropped[DropReason.NODE_DOWN]).toBe(9);
    topo.net.sim.run();
    expectConserved(topo.net);
  });
});

describe('where the topology puts root queue discs', () => {
  it('FqCoDel on every IP device with a flow-controlled queue, none on switch ports or bridges', () => {
    const topo = new Topology({ seed: 1 });
    const r = topo.router('r');
    const c = topo.host('c', 'client');
    const sw = topo.l2Switch('sw');
    const l3 = topo.l3Switch('l3');
    const servers = [topo.host('s0', 'server'), topo.host('s1', 'server')];
    topo.pointToPoint(c, r, { rate: '10Mbps', delay: '1ms' }, '10.128.0.0/30');
    const lan = topo.switchedLan('lan', sw, [r, ...servers], { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
    const l3lan = topo.switchedLan('lan3', l3, [topo.host('h', 'host')], { rate: '1Gbps', delay: '500ns' }, '10.2.0.0/24');
    const discs = topo.queueDiscs();
    expect(discs.every((d) => d instanceof FqCoDelQueueDisc)).toBe(true);
    // c's and r's point-to-point devices, r's and the servers' LAN devices, h's LAN device.
    expect(discs.length).toBe(2 + 3 + 1);
    for (const p of [...lan.ports, ...l3lan.ports]) {
      const isHost = lan.devices.includes(p) || l3lan.devices.includes(p);
      expect(p.controller !== null).toBe(isHost);
    }
    expect(l3.interfaces[0].qdisc).toBeNull(); // the L3 switch's address is on its bridge
    expect(l3.interfaces[0].out).toBe(l3.bridge);
  });

  it('takes another kind or none, before or after building', () => {
    const make = (o: ConstructorParameters<typeof Topology>[0]) => {
      const topo = new Topology(o);
      const a = topo.host('a'), b = topo.host('b');
      topo.hub('lan', [a, b], { rate: '1Gbps', delay: '500ns' }, '10.0.0.0/24');
      return topo;
    };
    expect(make({ queueDisc: { kind: 'none' } }).queueDiscs()).toEqual([]);
    expect(make({ queueDisc: { kind: 'pfifo-fast', limitPackets: 50 } }).queueDiscs().map((d) => d.kind)).toEqual(['pfifo-fast', 'pfifo-fast']);
    const t = make({ queueDisc: { kind: 'fq-codel', flows: 64, target: '2ms', interval: '50ms', quota: 8 } });
    const d = t.queueDiscs()[0] as FqCoDelQueueDisc;
    expect(d.params).toMatchObject({ flows: 64, targetNs: 2 * MS, intervalNs: 50 * MS });
    expect(d.quota).toBe(8);
    t.setQueueDisc({ kind: 'codel' });
    expect(t.queueDiscs().map((x) => x.kind)).toEqual(['codel', 'codel']);
    t.setQueueDisc({ kind: 'none' });
    expect(t.queueDiscs()).toEqual([]);
    const ifs = (t.node('a') as ReturnType<Topology['host']>).interfaces[0];
    expect(ifs.out).toBe(ifs.dev);
    expect(ifs.arp!.out).toBe(ifs.dev);
  });

  it('names the bad field of a queue disc spec', () => {
    expect(() => new Topology({ queueDisc: { kind: 'fq-codel', flows: 0 } })).toThrow(/flows must be an integer >= 1/);
    expect(() => new Topology({ queueDisc: { kind: 'fq-codel', target: 0 } })).toThrow(/target must be a duration > 0/);
    expect(() => new Topology({ queueDisc: { kind: 'codel', interval: '-1ms' } })).toThrow(/negative/);
    expect(() => new Topology({ queueDisc: { kind: 'pfifo-fast', limitPackets: 1.5 } })).toThrow(/limitPackets/);
    expect(() => new Topology({ queueDisc: { kind: 'fifo' } as never })).toThrow(/none, fq-codel, codel, pfifo-fast/);
    expect(() => new Topology({ queueDisc: { kind: 'fq-codel', setAssociativeHash: true, flows: 100 } })).toThrow(/multiple of setWays/);
  });
});

describe('ARP through the queue disc', () => {
  it('an ARP request is a new flow: it leaves before the backlog of an old flow', () => {
    const topo = new Topology({ seed: 4 });
    const hosts = [0, 1, 2].map((i) => topo.host(`h${i}`));
    const lan = topo.hub('lan', hosts, { rate: '10Mbps', delay: '500ns', queue: 2 }, '10.0.0.0/24');
    topo.populateRoutes();
    new UdpSocket(hosts[1]).bind(7);
    new UdpSocket(hosts[2]).bind(7);
    const s = new UdpSocket(hosts[0]).bind(0);
    const arp = lan.ifaces[0]!.arp!;
    arp.addStatic(hosts[1].address, lan.devices[1].mac);
    const frames: { t: number; arp: boolean }[] = [];
    lan.devices[0].phyTxTrace.connect((p) => frames.push({ t: topo.net.now, arp: p.etherType === EtherType.ARP }));
    for (let i = 0; i < 40; i++) s.send(s.newDatagram(hosts[1].address, 7, 1000)); // ~33 ms of backlog at 10 Mb/s
    s.send(s.newDatagram(hosts[2].address, 7, 100)); // needs ARP
    topo.net.sim.run();
    const req = frames.findIndex((f) => f.arp);
    // Sent after the jitter (a whole number of ms, under 10 ms) behind at most the frames already in the device, not behind the backlog.
    expect(req).toBeGreaterThan(0);
    expect(frames[req].t).toBeLessThan(12 * MS);
    expect(frames.slice(req + 1).some((f) => !f.arp)).toBe(true);
    expect(topo.net.dropped[DropReason.ARP_PENDING_FULL]).toBe(0);
    expectConserved(topo.net);
  });
});

describe('queue disc traces', () => {
  it('fire for enqueue, dequeue and drop when connected, and cost a flag read when not', () => {
    const { net, disc } = link((n) => new PfifoFastQueueDisc(n, 'q', { limitPackets: 2 }), 1);
    expect(disc.enqueueTrace.active || disc.dequeueTrace.active || disc.dropTrace.active).toBe(false);
    const seen: string[] = [];
    disc.enqueueTrace.connect((p) => seen.push(`enq ${p.srcIp}`));
    disc.dequeueTrace.connect((p) => seen.push(`deq ${p.srcIp}`));
    const off = disc.dropTrace.connect((p, r) => seen.push(`drop ${p.srcIp} ${r}`));
    for (let i = 1; i <= 5; i++) disc.send(udp(net, i), 0);
    expect(seen).toEqual(['enq 1', 'deq 1', 'enq 2', 'deq 2', 'enq 3', 'enq 4', `drop 5 ${DropReason.QDISC_OVERLIMIT}`]);
    off();
    expect(disc.dropTrace.active).toBe(false);
    net.sim.run();
    expectConserved(net);
  });
});
