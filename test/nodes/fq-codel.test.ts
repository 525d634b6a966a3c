/**
 * FqCoDel and CoDel against ns-3 3.37's own numbers: the flow hash (values
 * printed by ns-3's Hash32 / QueueDiscItem::Hash), CoDel's fixed-point
 * control law (values from ns-3's NewtonStep/ControlLaw arithmetic), DRR
 * fairness and new-flow priority, and the fattest-flow batch drop.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { DropReason } from '../../src/net/drop-reason';
import { Network } from '../../src/net/network';
import { IpProtocol, Packet } from '../../src/net/packet';
import { connectPointToPoint, type PointToPointDevice } from '../../src/net/point-to-point';
import { CoDel, codelTime, controlLaw, newtonStep } from '../../src/nodes/codel';
import { arpFlowHash, ipv4FlowHash, murmur3 } from '../../src/nodes/flow-hash';
import { FqCoDelQueueDisc, type FqCoDelParams } from '../../src/nodes/fq-codel-queue-disc';
import { expectConserved } from '../helpers';

const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

describe('flow hash (ns-3 Hash32 = MurmurHash3 x86_32, seed 0x8BADF00D)', () => {
  it('gives the values ns-3 3.37 prints for the same bytes', () => {
    const b = new Uint8Array(32);
    for (let i = 0; i < 32; i++) b[i] = (i * 37 + 11) & 0xff;
    const ns3: [number, number][] = [[0, 2117788537], [1, 3422976972], [3, 1677106199], [4, 3810907392], [5, 1173062887], [17, 1945462155], [25, 2341938085]];
    for (const [len, h] of ns3) expect(murmur3(b, len)).toBe(h);
  });

  it('hashes the IPv4 5-tuple and ARP items as Ipv4QueueDiscItem and ArpQueueDiscItem do', () => {
    // Printed by ns-3 3.37 for the same headers.
    expect(ipv4FlowHash(ip(10, 128, 0, 1), ip(10, 0, 0, 2), 17, 49153, 9, 0)).toBe(3288893373);
    expect(ipv4FlowHash(ip(10, 0, 0, 3), ip(10, 128, 0, 1), 6, 80, 49153, 12345)).toBe(1879639862);
    expect(arpFlowHash(ip(10, 0, 0, 1), ip(10, 0, 0, 2), 1, 0xffff_ffff_ffff, 1, 0)).toBe(1182536227);
    expect(arpFlowHash(ip(10, 0, 0, 2), ip(10, 0, 0, 1), 2, 1, 2, 7)).toBe(492903253);
  });

  it('folds the tuple exactly as hashing its 17 serialised bytes', () => {
    const b = new Uint8Array(17);
    for (const [s, d, pr, sp, dp, pert] of [[1, 2, 17, 3, 4, 5], [0xffffffff, 0x80000001, 6, 65535, 1, 0xdeadbeef], [ip(10, 0, 0, 9), 7, 4, 0, 0, 99]]) {
      const v = new DataView(b.buffer);
      v.setUint32(0, s);
      v.setUint32(4, d);
      b[8] = pr;
      v.setUint16(9, sp);
      v.setUint16(11, dp);
      v.setUint32(13, pert);
      expect(ipv4FlowHash(s, d, pr, sp, dp, pert)).toBe(murmur3(b, 17));
    }
  });
});

describe('CoDel (ns-3 fixed-point arithmetic)', () => {
  it('refines 1/sqrt(count) and spaces drops as ns-3 does', () => {
    // The sequence ns-3's NewtonStep + ControlLaw produce from drop_next = 4e9 (interval 97656 units).
    let r = 0xffff, t = 4_000_000_000;
    const seen: [number, number, number][] = [];
    for (let c = 1; c <= 5; c++) {
      r = newtonStep(r, c);
      t = controlLaw(t, 97656, r);
      seen.push([c, r, t]);
    }
    expect(seen).toEqual([[1, 65535, 4000097654], [2, 32769, 4000146483], [3, 36864, 4000201414], [4, 31968, 4000249049], [5, 28935, 4000292165]]);
    expect(codelTime(5 * MS)).toBe(4882);
    expect(codelTime(100 * MS)).toBe(97656);
  });

  const sink = (drops: number[]) => ({ codelDrop: (p: Packet) => { drops.push(p.id); } });
  /** A packet of 1000 L3 bytes. */
  const pkt = (id: number): Packet => {
    const p = new Packet(id, 0);
    p.payloadBytes = 980;
    return p;
  };

  it('does not drop below target, nor when fewer than minBytes would remain', () => {
    const c = new CoDel();
    const q = c;
    const drops: number[] = [];
    // 4 ms sojourn: below the 5 ms target.
    for (let i = 0; i < 50; i++) q.push(pkt(i), i * MS);
    for (let i = 0; i < 50; i++) expect(c.dequeue(i * MS + 4 * MS, sink(drops))?.id).toBe(i);
    expect(drops).toEqual([]);
    // 50 ms sojourn but a single 1000-byte packet each time: nothing left behind, so no drop.
    for (let i = 0; i < 50; i++) {
      q.push(pkt(100 + i), i * 10 * MS);
      expect(c.dequeue(i * 10 * MS + 50 * MS, sink(drops))?.id).toBe(100 + i);
    }
    expect(drops).toEqual([]);
    expect(c.dropping).toBe(false);
  });

  it('enters the dropping state only after sojourn stayed above target for an interval, then follows the control law', () => {
    const c = new CoDel();
    const q = c;
    const drops: number[] = [];
    const dropTimes: number[] = [];
    const dropNext: number[] = [];
    let id = 0;
    // A standing queue: every packet has waited at least 20 ms, and 10 packets of 1000 B stay behind it.
    for (let k = 0; k < 10; k++) q.push(pkt(id++), 0);
    for (let now = 20 * MS; now <= 600 * MS; now += 1 * MS) {
      while (q.length < 11) q.push(pkt(id++), now - 20 * MS);
      const before = drops.length;
      c.dequeue(now, sink(drops));
      if (drops.length > before) {
        dropTimes.push(now);
        dropNext.push(c.dropNext);
      }
    }
    // Above target since 20 ms: the first drop comes once now > 20 ms + interval (strictly, in 1024-ns units).
    expect(dropTimes[0]).toBe(121 * MS);
    expect(c.count).toBeGreaterThan(4);
    expect(c.dropping).toBe(true);
    // drop_next = now + interval, then += interval * (ns-3's 1/sqrt(count) estimate): 97654, then 48829, 54931, 47635 units.
    expect(dropNext[0] - codelTime(dropTimes[0])).toBe(97654);
    expect(dropNext.slice(1, 4).map((d, i) => d - dropNext[i])).toEqual([48829, 54931, 47635]);
    // Each drop happens at the first step at or after drop_next.
    for (let k = 1; k < 4; k++) {
      expect(codelTime(dropTimes[k])).toBeGreaterThanOrEqual(dropNext[k - 1]);
      expect(codelTime(dropTimes[k] - MS)).toBeLessThan(dropNext[k - 1]);
    }
  });

  it('leaves the dropping state when sojourn falls below target, and resumes near the last rate soon after', () => {
    const c = new CoDel();
    const q = c;
    const drops: number[] = [];
    let id = 0;
    let now = 0;
    // One packet leaves a millisecond; the queue is kept at `n` packets, so sojourn is about n - 1 ms.
    const step = (n: number): void => {
      while (q.length < n) q.push(pkt(id++), now);
      c.dequeue(now, sink(drops));
      now += MS;
    };
    while (now <= 800 * MS) step(21);
    expect(c.count).toBeGreaterThan(5);
    for (let k = 0; k < 40 && c.dropping; k++) step(3); // ~2 ms sojourn, 2000 B still queued
    expect(c.dropping).toBe(false);
    const count = c.count, lastCount = c.lastCount;
    expect(count - lastCount).toBeGreaterThan(1);
    const dropped = drops.length;
    // Above target again within 16 intervals: count restarts at count - lastcount, not at 1.
    for (let k = 0; k < 300 && !c.dropping; k++) step(21);
    expect(c.dropping).toBe(true);
    expect(drops.length).toBe(dropped + 1);
    expect(c.count).toBe(count - lastCount);
    expect(c.lastCount).toBe(count - lastCount);
  });
});

function flowPacket(net: Network | null, src: number, srcPort: number, payload: number): Packet {
  // null: a probe for classification only, outside the network's ledger.
  const p = net !== null ? net.newPacket() : new Packet(0, 0);
  p.protocol = IpProtocol.UDP;
  p.srcIp = src;
  p.dstIp = ip(10, 0, 0, 1);
  p.srcPort = srcPort;
  p.dstPort = 9;
  p.payloadBytes = payload;
  return p;
}

/** A disc on a slow link whose device queue holds one frame, so the disc decides the order. */
function discOnLink(params: Partial<FqCoDelParams> = {}, rate = 1e6): { net: Network; disc: FqCoDelQueueDisc; dev: PointToPointDevice; out: Packet[] } {
  const net = new Network({ seed: 1 });
  const [a, b] = connectPointToPoint(net, 'a', 'b', { rate, delay: 0, queue: 1 });
  const out: Packet[] = [];
  b.onReceive = (_d, p) => {
    out.push(p);
    net.deliver(p);
  };
  const disc = new FqCoDelQueueDisc(net, 'a/qdisc', params);
  disc.attach(a);
  return { net, disc, dev: a, out };
}

describe('FqCoDelQueueDisc', () => {
  it('takes its quantum from the device MTU and starts with ns-3 3.37 defaults', () => {
    const { disc } = discOnLink();
    expect(disc.quantum).toBe(1500);
    expect(disc.params).toMatchObject({ flows: 1024, dropBatchSize: 64, limitPackets: 10240, perturbation: 0, targetNs: 5 * MS, intervalNs: 100 * MS, minBytes: 1500, setAssociativeHash: false });
  });

  it('classifies by 5-tuple hash modulo 1024', () => {
    const { disc } = discOnLink();
    const p = flowPacket(null, ip(10, 128, 0, 1), 49153, 10);
    p.dstIp = ip(10, 0, 0, 2);
    expect(disc.bucketOf(p)).toBe(3288893373 % 1024);
  });

  it('shares the link by bytes between backlogged flows (DRR, quantum 1500)', () => {
    const { net, disc, out } = discOnLink({ targetNs: 10_000 * MS }); // CoDel out of the way
    const A = ip(10, 128, 0, 1), B = ip(10, 128, 0, 5);
    expect(disc.bucketOf(flowPacket(null, A, 1, 0))).not.toBe(disc.bucketOf(flowPacket(null, B, 1, 0)));
    // A: 1472-byte payloads (1500 B datagrams); B: 472-byte payloads (500 B datagrams). All at once.
    for (let i = 0; i < 40; i++) disc.send(flowPacket(net, A, 1, 1472), 0);
    for (let i = 0; i < 120; i++) disc.send(flowPacket(net, B, 1, 472), 0);
    net.sim.run({ until: 400 * MS });
    const bytes = (src: number): number => out.filter((p) => p.srcIp === src).reduce((s, p) => s + p.ipBytes(), 0);
    // 400 ms of a 1 Mb/s link: ~33 kB, shared equally within one quantum.
    expect(bytes(A) + bytes(B)).toBeGreaterThan(30_000);
    expect(Math.abs(bytes(A) - bytes(B))).toBeLessThanOrEqual(1500 + 500);
    net.sim.run();
    expect(out.length).toBe(160);
    expectConserved(net);
  });

  it('serves a new flow before the backlog of an old one', () => {
    const { net, disc, out } = discOnLink();
    const A = ip(10, 128, 0, 1), B = ip(10, 128, 0, 5);
    for (let i = 0; i < 30; i++) disc.send(flowPacket(net, A, 1, 472), 0);
    net.sim.run({ until: 50 * MS }); // A is now an old flow with a backlog
    const sentBefore = out.length;
    const b = flowPacket(net, B, 1, 100);
    disc.send(b, 0);
    net.sim.run();
    // In flight: one frame on the wire and one in the one-slot device queue; then B.
    expect(out.indexOf(b)).toBe(sentBefore + 2);
    expect(out.length).toBe(31);
  });

  it('over its limit drops from the head of the fattest flow: half its bytes, at most DropBatchSize', () => {
    const { net, disc, dev } = discOnLink({ limitPackets: 20 });
    const drops: Packet[] = [];
    disc.dropTrace.connect((p, reason) => {
      expect(reason).toBe(DropReason.QDISC_OVERLIMIT);
      drops.push(p);
    });
    const A = ip(10, 128, 0, 1), B = ip(10, 128, 0, 5);
    const a: Packet[] = [];
    // First packet starts on the wire, the second fills the device queue; the rest wait in the disc.
    for (let i = 0; i < 2; i++) disc.send(flowPacket(net, B, 1, 72), 0);
    expect(dev.txStopped).toBe(true);
    for (let i = 0; i < 14; i++) {
      const p = flowPacket(net, A, 1, 972); // 1000 B datagrams
      a.push(p);
      disc.send(p, 0);
    }
    for (let i = 0; i < 6; i++) disc.send(flowPacket(net, B, 1, 72), 0); // 100 B
    expect(disc.nPackets).toBe(20);
    expect(drops.length).toBe(0);
    const extra = flowPacket(net, B, 1, 72);
    disc.send(extra, 0); // 21 > 20: A holds 14000 B, the most; drop its head until >= 7000 B
    expect(drops).toEqual(a.slice(0, 7));
    expect(disc.nPackets).toBe(14);
    expect(net.dropped[DropReason.QDISC_OVERLIMIT]).toBe(7);
    net.sim.run();
    expectConserved(net);
  });

  it('once busy with many flows live, breaks fattest-flow ties and purges by creation order, not by bucket', () => {
    const { net, disc, dev } = discOnLink({ limitPackets: 60, dropBatchSize: 1 });
    // Busy: past the packets after which a disc with many flows trades its Map for a dense table.
    for (let i = 0; i < 5000; i++) {
      disc.send(flowPacket(net, 1, 1, 0), 0);
      net.sim.run();
    }
    disc.send(flowPacket(net, 1, 1, 72), 0);
    disc.send(flowPacket(net, 1, 1, 72), 0);
    expect(dev.txStopped).toBe(true);
    // 30 flows, created in the reverse of their bucket order (more than a Map holds before the table goes dense).
    const srcs = Array.from({ length: 30 }, (_, i) => ip(10, 128, 1, i + 2))
      .sort((x, y) => disc.bucketOf(flowPacket(null, y, 1, 0)) - disc.bucketOf(flowPacket(null, x, 1, 0)));
    const bucket = (src: number): number => disc.bucketOf(flowPacket(null, src, 1, 0));
    expect(new Set(srcs.map(bucket)).size).toBe(30);
    const first: Packet[] = [];
    for (const src of srcs) {
      for (let k = 0; k < 2; k++) {
        const p = flowPacket(net, src, 1, 972);
        if (src === srcs[0]) first.push(p);
        disc.send(p, 0);
      }
    }
    expect(disc.nPackets).toBe(60);
    const dropped: Packet[] = [];
    disc.dropTrace.connect((p) => dropped.push(p));
    disc.send(flowPacket(net, srcs[29], 2, 972), 0); // 61 > 60: every flow holds 2000 B; the first created loses its head
    expect(dropped).toEqual([first[0]]);
    expect(disc.flowLength(bucket(srcs[0]))).toBe(1);
    // The device goes down: what the disc holds ends in creation order of its flows.
    const order: number[] = [];
    net.dropTrace.connect((p, reason) => { if (reason === DropReason.LINK_DOWN && p.srcPort === 1 && p.srcIp !== 1) order.push(p.srcIp); });
    dev.setUp(false);
    expect([...new Set(order)]).toEqual(srcs);
    expectConserved(net);
  });

  it('limits the batch to DropBatchSize', () => {
    const { net, disc } = discOnLink({ limitPackets: 20, dropBatchSize: 3 });
    disc.send(flowPacket(net, 1, 1, 72), 0);
    disc.send(flowPacket(net, 1, 1, 72), 0);
    for (let i = 0; i < 15; i++) disc.send(flowPacket(net, 7, 1, 972), 0);
    for (let i = 0; i < 6; i++) disc.send(flowPacket(net, 8, 1, 972), 0);
    expect(disc.overlimitDrops).toBe(3); // not the 8 that half of the fat flow's 15000 bytes would take
    expect(disc.nPackets).toBe(18);
    expect(disc.flowLength(disc.bucketOf(flowPacket(null, 7, 1, 0)))).toBe(12);
    net.sim.run();
    expectConserved(net);
  });

  it('a single flow over the limit is tail-dropped by its own queue, as ns-3 (its CoDel disc has the same limit)', () => {
    const { net, disc } = discOnLink({ limitPackets: 20 });
    disc.send(flowPacket(net, 1, 1, 72), 0);
    disc.send(flowPacket(net, 1, 1, 72), 0);
    for (let i = 0; i < 25; i++) disc.send(flowPacket(net, 7, 1, 972), 0);
    expect(disc.overlimitDrops).toBe(5);
    expect(disc.nPackets).toBe(20);
    net.sim.run();
    expectConserved(net);
  });

  it('forgets flow queues that went idle in a fresh state, unless told to keep them as ns-3 does', () => {
    for (const keep of [false, true]) {
      const { net, disc } = discOnLink({ keepInactiveFlows: keep }, 1e9);
      // 50 flows one after another, each of 4 x 1000 B (more than a quantum, so each ends on the old list).
      for (let i = 0; i < 50; i++) {
        for (let k = 0; k < 4; k++) disc.send(flowPacket(net, 100 + i, 1, 972), 0);
        net.sim.run();
      }
      // A flow goes inactive once found empty on the old list (as in ns-3); then it is forgotten.
      const buckets = new Set(Array.from({ length: 50 }, (_, i) => disc.bucketOf(flowPacket(null, 100 + i, 1, 0))));
      expect(buckets.size).toBeGreaterThan(40);
      if (keep) expect(disc.flowCount).toBe(buckets.size);
      else expect(disc.flowCount).toBeLessThanOrEqual(2);
      expect(disc.flowsCreated).toBe(keep ? buckets.size : 50);
      expectConserved(net);
    }
  });

  it('keeps only a slot for an empty flow left on the old list, and its queue once it holds packets again', () => {
    const { net, disc, out } = discOnLink({}, 1e9);
    // Each flow sends one packet while the link is busy with the one before, so each ends empty on
    // the old list: nothing walks the old list while the new one has a flow with a packet (as ns-3).
    const n = 60;
    for (let i = 0; i < n; i++) {
      disc.send(flowPacket(net, 200 + i, 1, 972), 0);
      net.sim.run({ until: net.sim.now + 9_000 });
    }
    net.sim.run();
    const buckets = new Set(Array.from({ length: n }, (_, i) => disc.bucketOf(flowPacket(null, 200 + i, 1, 0))));
    expect(out.length).toBe(n);
    expect(disc.flowCount).toBeGreaterThan(buckets.size / 2); // most still on the old list, as in ns-3
    expect(disc.queueCount).toBe(0); // but none holds a queue
    // Packets for one of them and for a new flow while the link is busy: the old flow gets no jump to
    // the new list, so the new flow's packet goes first though it came later.
    const busy = [flowPacket(net, 998, 1, 972), flowPacket(net, 998, 1, 972), flowPacket(net, 998, 1, 972)];
    for (const p of busy) disc.send(p, 0);
    const old = flowPacket(net, 200 + n - 2, 1, 972); // one of the last: a walk of the old list starts at its head
    const fresh = flowPacket(net, 999, 1, 972);
    disc.send(old, 0);
    disc.send(fresh, 0);
    expect(disc.nPackets).toBeGreaterThanOrEqual(2);
    expect(disc.queueCount).toBeGreaterThanOrEqual(2);
    net.sim.run();
    expect(out.slice(-3)).toEqual([fresh, old, busy[2]]); // the busy flow spent its deficit: it is old too, and behind
    expect(disc.queueCount).toBe(0);
    expectConserved(net);
  });

  it('keeps a flow whose CoDel state a fresh one would not have', () => {
    const { net, disc } = discOnLink();
    let sent = 0;
    const tick = (): void => {
      disc.send(flowPacket(net, 9, 1, 472), 0);
      if (++sent < 300) net.sim.schedule(3 * MS, tick);
    };
    tick();
    net.sim.run();
    expect(disc.codelDrops).toBeGreaterThan(1);
    // Drained, inactive, but count - lastcount > 1 would let CoDel resume near its last rate: kept.
    expect(disc.flowCount).toBe(1);
  });

  it('lets CoDel drop in a flow whose sojourn stays above target', () => {
    // 1 Mb/s, 500 B datagrams every 3 ms: 1.33 Mb/s offered; the standing queue grows for a second.
    const { net, disc, out } = discOnLink();
    let sent = 0;
    const tick = (): void => {
      disc.send(flowPacket(net, 9, 1, 472), 0);
      if (++sent < 400) net.sim.schedule(3 * MS, tick);
    };
    tick();
    net.sim.run();
    expect(disc.codelDrops).toBeGreaterThan(0);
    expect(net.dropped[DropReason.QDISC_CODEL]).toBe(disc.codelDrops);
    expect(out.length + disc.codelDrops).toBe(400);
    expectConserved(net);
  });
});
