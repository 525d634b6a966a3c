import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decide, flowHash, hashPolicy, leastLoadedPolicy, localUnlessOverloaded, randomPolicy, roundRobin, type PlacementInput,
} from '../../src/cluster/placement';
import { StateTable } from '../../src/cluster/state-table';
import { ConnectionDirectory, DirectoryEntry, Holder } from '../../src/cluster/connection-directory';
import { decapsulate, encapsulate, isEncapsulated, referenceOf } from '../../src/cluster/encapsulation';
import { ENCAP_HEADER, EtherType, IpProtocol, Packet, PathFlag } from '../../src/net/packet';

const input = (over: Partial<PlacementInput>): PlacementInput => ({
  self: 0, candidates: [0, 1, 2, 3], loads: [5, 3, 3, 9], flowHash: 12345, u: 0, turn: 0, ...over,
});

describe('placement policies (pure)', () => {
  it('local-unless-overloaded keeps local under the threshold, else least loaded', () => {
    expect(localUnlessOverloaded(input({ loads: [2, 0, 0, 0] }), 4)).toBe(0);
    expect(localUnlessOverloaded(input({ loads: [4, 1, 0, 3] }), 4)).toBe(2);
    expect(localUnlessOverloaded(input({ loads: [4, 5, 6, 7] }), 4)).toBe(0); // nobody less loaded
  });

  it('least-loaded prefers itself on a tie, else a tied peer chosen by the draw', () => {
    expect(leastLoadedPolicy(input({ loads: [3, 3, 3, 9] }))).toBe(0);
    expect(leastLoadedPolicy(input({ u: 0 }))).toBe(1);
    expect(leastLoadedPolicy(input({ u: 0.99 }))).toBe(2);
  });

  it('hash is stable and moves only the removed server\'s connections (rendezvous)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1024, max: 65535 }), (ip, port) => {
      const h = flowHash(ip, port);
      const all = hashPolicy(input({ flowHash: h, candidates: [0, 1, 2, 3, 4] }));
      expect(hashPolicy(input({ flowHash: h, candidates: [0, 1, 2, 3, 4] }))).toBe(all);
      const gone = all === 3 ? 2 : 3;
      const fewer = hashPolicy(input({ flowHash: h, candidates: [0, 1, 2, 3, 4].filter((s) => s !== gone) }));
      expect(fewer).toBe(all); // a connection not on the removed server stays where it was
    }), { numRuns: 500 });
  });

  it('hash spreads connections evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[hashPolicy(input({ flowHash: flowHash(0x0a000000 + i, 40000 + (i % 7)) }))]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(5 * Math.sqrt(40_000 * 0.25 * 0.75));
  });

  it('round-robin cycles through the candidates, random follows the draw', () => {
    expect([0, 1, 2, 3, 4].map((turn) => roundRobin(input({ turn, candidates: [2, 0, 3] })))).toEqual([0, 2, 3, 0, 2]);
    expect(randomPolicy(input({ u: 0.74 }))).toBe(2);
    expect(decide('local', input({}), { threshold: 1 })).toBe(0);
  });
});

describe('state table', () => {
  it('holds reports with their arrival, forgets silent peers, and counts own placements', () => {
    const t = new StateTable(3, 0, 100);
    expect(t.alive(0)).toEqual([0]);
    t.update(1, 7, 10, 42, 'third-lan/server0');
    t.update(0, 99, 10, 43, 'x'); // own row is never stored
    expect(t.row(1, 50)).toMatchObject({ load: 7, at: 10, viaPacket: 42, viaDevice: 'third-lan/server0' });
    expect(t.alive(50)).toEqual([0, 1]);
    t.bump(1);
    expect(t.row(1, 50)!.load).toBe(8);
    expect(t.alive(111)).toEqual([0]); // 101 ns after the report: stale
  });
});

describe('connection directory and encapsulation', () => {
  it('finds entries by client end and server port', () => {
    const d = new ConnectionDirectory();
    const e = new DirectoryEntry(0x0a000001, 50000, 80, 0);
    d.add(e);
    expect(d.lookup(0x0a000001, 50000, 80)).toBe(e);
    expect(d.lookup(0x0a000001, 50001, 80)).toBeUndefined();
    expect(e.owner).toBe(Holder.NIC);
    e.owner = 2;
    expect(d.ownedBy(2)).toEqual([e]);
    expect(d.remove(0x0a000001, 50000, 80)).toBe(e);
    expect(d.size).toBe(0);
  });

  it('adds exactly one 16-byte header carrying the reference', () => {
    const p = new Packet(1, 0);
    Object.assign(p, { protocol: IpProtocol.TCP, srcIp: 0x64400001, srcPort: 50000, dstIp: 0x0a000002, dstPort: 80, payloadBytes: 300, pathFlags: PathFlag.FIRST_LAN });
    const before = p.ethernetBytes();
    encapsulate(p, 0x0a000005, 7);
    expect(isEncapsulated(p)).toBe(true);
    expect(p.etherType).toBe(EtherType.ENCAP);
    expect(p.ethernetBytes() - before).toBe(ENCAP_HEADER);
    expect(referenceOf(p)).toEqual({ clientIp: 0x64400001, clientPort: 50000, ownerIp: 0x0a000005, serverPort: 80, handle: 7 });
    expect(p.pathFlags & PathFlag.FIRST_LAN).toBe(0);
    expect(p.pathFlags & PathFlag.FORWARDED).not.toBe(0);
    decapsulate(p);
    expect(p.ethernetBytes()).toBe(before);
    expect(p.dstIp).toBe(0x0a000002); // the original packet, unchanged
  });
});
