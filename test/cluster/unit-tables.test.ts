/**
 * The claim's small steps as pure functions and tiny classes: the state
 * table's rows and freshness window, the connection directory's counting,
 * the encapsulation header's fields, and each placement policy's ties and
 * boundaries (docs/MUTATION.md: what a wrong implementation would change).
 */
import { describe, expect, it } from 'vitest';
import { ConnectionDirectory, DirectoryEntry, Holder } from '../../src/cluster/connection-directory';
import { decapsulate, encapsulate, isEncapsulated, referenceOf } from '../../src/cluster/encapsulation';
import {
  decide, flowHash, hashPolicy, leastLoadedPolicy, localUnlessOverloaded, POLICY_NAMES, randomPolicy, roundRobin, type PlacementInput,
} from '../../src/cluster/placement';
import { TimedFifo } from '../../src/cluster/timed-fifo';
import { StateTable } from '../../src/cluster/state-table';
import { mix32 } from '../../src/nodes/flow-hash';
import { ENCAP_FORWARDED, EncapHeader, EtherType, Packet, PathFlag } from '../../src/net/packet';

describe('TimedFifo', () => {
  it('gives entries back oldest first and drops those before a bound', () => {
    const q = new TimedFifo();
    expect(q.length).toBe(0);
    expect(q.oldestTime()).toBe(Infinity);
    q.push(7, 1);
    q.push(8, 5);
    q.push(9, 5);
    expect([q.oldestId(), q.oldestTime(), q.length]).toEqual([7, 1, 3]);
    q.dropBefore(5);
    expect([q.oldestId(), q.idAt(1), q.length]).toEqual([8, 9, 2]);
    q.dropBefore(6);
    expect(q.length).toBe(0);
  });

  it('holds no more slots than its peak of live entries, in order across the ring\'s wrap', () => {
    const q = new TimedFifo();
    // A sliding window of 5 live entries over 10,000 pushes: the ring stays at 8 slots.
    for (let k = 0; k < 10_000; k++) {
      q.push(k, k);
      q.dropBefore(k - 4);
      expect([q.length, q.oldestId(), q.idAt(q.length - 1)]).toEqual([Math.min(5, k + 1), Math.max(0, k - 4), k]);
    }
    expect(q.capacity).toBe(8);
    // Growing while wrapped keeps the order.
    for (let k = 10_000; k < 10_020; k++) q.push(k * 2 ** 33, k); // ids above 2^32 (connection keys)
    expect(q.capacity).toBe(32);
    expect(q.length).toBe(25);
    expect(Array.from({ length: 25 }, (_, k) => q.idAt(k))).toEqual([
      ...Array.from({ length: 5 }, (_, k) => 9995 + k), ...Array.from({ length: 20 }, (_, k) => (10_000 + k) * 2 ** 33)]);
    q.dropBefore(Infinity);
    expect([q.length, q.oldestTime()]).toEqual([0, Infinity]);
  });
});

describe('StateTable', () => {
  it('ignores reports from itself or from outside the table, and counts the rest', () => {
    const t = new StateTable(3, 1, () => true);
    t.update(-1, 5, 0, 1, 'd');
    t.update(3, 5, 0, 1, 'd');
    t.update(1, 5, 0, 1, 'd');
    expect(t.reportsReceived).toBe(0);
    expect([0, 1, 2].map((i) => t.row(i))).toEqual([undefined, undefined, undefined]);
    t.update(2, 5, 0, 1, 'd');
    t.update(0, 4, 0, 2, 'e');
    expect(t.reportsReceived).toBe(2);
    expect(t.alive(0)).toEqual([1, 0, 2]);
    expect(t.size).toBe(3);
    expect(t.self).toBe(1);
  });

  it('a later report replaces every field of the row', () => {
    const t = new StateTable(2, 0, () => true);
    t.update(1, 5, 10, 1, 'a');
    expect(t.row(1)).toEqual({ load: 5, at: 10, viaPacket: 1, viaDevice: 'a' });
    t.update(1, 2, 20, 7, 'b');
    expect(t.row(1)).toEqual({ load: 2, at: 20, viaPacket: 7, viaDevice: 'b' });
    expect(t.rows()).toEqual([[1, { load: 2, at: 20, viaPacket: 7, viaDevice: 'b' }]]);
    expect([t.has(0), t.has(1), t.has(2), t.has(-1)]).toEqual([false, true, false, false]);
    t.bump(1);
    t.bump(1);
    expect(t.row(1)!.load).toBe(4);
    t.update(1, 0, 30, 8, 'b');
    expect(t.row(1)!.load).toBe(0); // the report resets the bumps
  });

  it('bumping or forgetting an unknown row changes nothing', () => {
    const t = new StateTable(3, 0, () => true);
    t.bump(2);
    expect(t.row(2)).toBeUndefined();
    t.forget(2);
    expect(t.alive(0)).toEqual([0]);
  });

  it('without a freshness bound, any report age will do; usable decides', () => {
    const usable = new Set([1, 3]);
    const t = new StateTable(4, 2, (i) => usable.has(i));
    for (const i of [0, 1, 3]) t.update(i, 1, 0, i, 'd');
    expect(t.alive(1e15)).toEqual([2, 1, 3]);
    expect(t.row(0, 5)).toBeUndefined();
    expect(t.row(0)).toBeDefined();
    expect(t.row(1, 5)).toBeDefined();
  });

  it('with a freshness bound, a report exactly freshNs old still counts; one unusable peer is skipped', () => {
    const usable = new Set([0, 1, 3, 4]);
    const t = new StateTable(5, 2, (i) => usable.has(i), 100);
    t.update(4, 1, 0, 1, 'd');
    t.update(3, 1, 0, 1, 'd');
    t.update(1, 1, 50, 1, 'd');
    t.update(0, 1, 60, 1, 'd');
    expect(t.alive(100)).toEqual([2, 0, 1, 3, 4]);
    usable.delete(3);
    expect(t.alive(100)).toEqual([2, 0, 1, 4]);
    expect(t.alive(101)).toEqual([2, 0, 1]);
    t.forget(1);
    expect(t.alive(101)).toEqual([2, 0]);
    expect(t.alive(161)).toEqual([2]);
  });

  it('sorts only when more than one peer is offered, and then by index', () => {
    const t = new StateTable(4, 3, () => true, 100);
    t.update(2, 1, 0, 1, 'd');
    expect(t.alive(0)).toEqual([3, 2]);
    t.update(0, 1, 1, 1, 'd');
    t.update(1, 1, 2, 1, 'd');
    expect(t.alive(2)).toEqual([3, 0, 1, 2]);
  });

  it('puts itself first and the peers in index order however many report, in whatever order', () => {
    const t = new StateTable(80, 37, () => true, 1000);
    const order = Array.from({ length: 80 }, (_, i) => (i * 29) % 80).filter((i) => i !== 37);
    order.forEach((i, k) => t.update(i, 1, k, k, 'd'));
    expect(t.alive(100)).toEqual([37, ...Array.from({ length: 80 }, (_, i) => i).filter((i) => i !== 37)]);
  });

  it('answers alike across many arrivals, and keeps no more of them than a freshNs window', () => {
    const t = new StateTable(3, 0, () => true, 10);
    for (let k = 0; k < 3000; k++) t.update(1 + (k % 2), 1, k, k, 'd');
    expect(t.alive(2999)).toEqual([0, 1, 2]);
    expect(t.alive(3009)).toEqual([0, 2]); // server2's last report (t=2999) is the only one within 10
    expect(t.alive(3010)).toEqual([0]);
    expect((t as unknown as { recent: TimedFifo }).recent.capacity).toBeLessThanOrEqual(16); // 11 reports within 10 ns
  });
});

describe('ConnectionDirectory', () => {
  it('a new entry: held by the NIC, not migrating, no handle, nothing pending', () => {
    const e = new DirectoryEntry(1, 2, 80, 5);
    expect([e.owner, e.migrating, e.handle, e.pending, e.createdAt]).toEqual([Holder.NIC, false, 0, [], 5]);
    expect(Holder).toEqual({ NIC: -2, LOCAL: -1 });
  });

  it('counts each connection once, per server port, and removes only what it has', () => {
    const d = new ConnectionDirectory();
    const a = new DirectoryEntry(1, 2, 80, 0);
    d.add(a);
    d.add(new DirectoryEntry(1, 2, 80, 0)); // the same connection again: replaced
    expect(d.size).toBe(1);
    d.add(new DirectoryEntry(1, 2, 443, 0));
    d.add(new DirectoryEntry(1, 3, 80, 0));
    expect(d.size).toBe(3);
    expect(d.lookup(1, 2, 443)).toBeDefined();
    expect(d.lookup(1, 2, 8080)).toBeUndefined();
    expect(d.remove(1, 2, 8080)).toBeUndefined();
    expect(d.remove(9, 2, 80)).toBeUndefined();
    expect(d.size).toBe(3);
    expect(d.remove(1, 2, 80)).not.toBe(a);
    expect(d.remove(1, 2, 80)).toBeUndefined();
    expect(d.size).toBe(2);
  });

  it('lists what one owner holds over every port, and counts the held packets', () => {
    const d = new ConnectionDirectory();
    const es = [new DirectoryEntry(1, 1, 80, 0), new DirectoryEntry(1, 2, 443, 0), new DirectoryEntry(1, 3, 80, 0)];
    es[0].owner = 4;
    es[1].owner = 4;
    es[2].owner = Holder.LOCAL;
    es[0].pending = [new Packet(1, 0), new Packet(2, 0)];
    es[2].pending = [new Packet(3, 0)];
    for (const e of es) d.add(e);
    expect(d.ownedBy(4)).toEqual([es[0], es[1]]);
    expect(d.ownedBy(Holder.LOCAL)).toEqual([es[2]]);
    expect(d.ownedBy(5)).toEqual([]);
    expect(d.packetsHeld()).toBe(3);
  });
});

describe('encapsulation', () => {
  it('sets the forwarded flag and every field of the reference; only that flag makes a packet encapsulated', () => {
    const p = new Packet(1, 0);
    Object.assign(p, { srcIp: 11, srcPort: 22, dstIp: 33, dstPort: 80, pathFlags: PathFlag.SECOND_LAN | PathFlag.THIRD_LAN | PathFlag.FIRST_SEEN });
    expect(isEncapsulated(p)).toBe(false);
    encapsulate(p, 44, 0);
    expect(p.encap!.flags).toBe(ENCAP_FORWARDED);
    expect(referenceOf(p)).toEqual({ clientIp: 11, clientPort: 22, ownerIp: 44, serverPort: 80, handle: 0 });
    expect(p.pathFlags).toBe(PathFlag.FIRST_SEEN | PathFlag.FORWARDED);
    expect(isEncapsulated(p)).toBe(true);
    const e = p.encap!;
    p.encap = new EncapHeader(0, e.clientIp, e.clientPort, e.ownerIp, e.serverPort, e.handle);
    expect(isEncapsulated(p)).toBe(false);
    p.encap = new EncapHeader(ENCAP_FORWARDED | 2, e.clientIp, e.clientPort, e.ownerIp, e.serverPort, e.handle);
    expect(isEncapsulated(p)).toBe(true);
    decapsulate(p);
    expect(p.etherType).toBe(EtherType.IPV4);
    expect(isEncapsulated(p)).toBe(false);
    expect(p.encap!.ownerIp).toBe(44); // the reference stays readable after unwrapping
  });
});

describe('placement policies', () => {
  const x = (over: Partial<PlacementInput>): PlacementInput => ({ self: 0, candidates: [0, 1, 2, 3], loads: [5, 3, 3, 9], flowHash: 1, u: 0, turn: 0, ...over });

  it('local-unless-overloaded: at the threshold it looks elsewhere', () => {
    expect(localUnlessOverloaded(x({ loads: [3, 0, 0, 0] }), 4)).toBe(0);
    expect(localUnlessOverloaded(x({ loads: [4, 9, 1, 9] }), 4)).toBe(2);
    expect(localUnlessOverloaded(x({ loads: [4, 9, 9, 9] }), 4)).toBe(0);
    expect(decide('local-unless-overloaded', x({ loads: [4, 9, 1, 9] }), { threshold: 5 })).toBe(0);
    expect(decide('local-unless-overloaded', x({ loads: [4, 9, 1, 9] }), { threshold: 4 })).toBe(2);
  });

  it('least-loaded: the minimum wins wherever it is; ties among peers by the draw, clamped below 1', () => {
    expect(leastLoadedPolicy(x({ loads: [5, 9, 9, 1] }))).toBe(3);
    expect(leastLoadedPolicy(x({ loads: [5, 1, 9, 9] }))).toBe(1);
    expect(leastLoadedPolicy(x({ loads: [0, 1, 1, 1] }))).toBe(0);
    const ties = x({ loads: [5, 2, 9, 2] });
    expect(leastLoadedPolicy({ ...ties, u: 0 })).toBe(1);
    expect(leastLoadedPolicy({ ...ties, u: 0.49 })).toBe(1);
    expect(leastLoadedPolicy({ ...ties, u: 0.5 })).toBe(3);
    expect(leastLoadedPolicy({ ...ties, u: 1 })).toBe(3); // clamped to the last tie
    expect(leastLoadedPolicy(x({ candidates: [2, 0, 1], loads: [1, 1, 4] }))).toBe(0); // c[0] is self; a tie between peers 0, 1
    expect(leastLoadedPolicy(x({ candidates: [2, 0, 1], loads: [1, 1, 4], u: 0.7 }))).toBe(1);
    expect(leastLoadedPolicy(x({ candidates: [0], loads: [7] }))).toBe(0);
    expect(decide('least-loaded', x({ loads: [5, 9, 9, 1] }), { threshold: 0 })).toBe(3);
  });

  it('hash: the highest weight among the candidates, as rendezvous hashing defines it', () => {
    for (let f = 0; f < 200; f++) {
      const h = flowHash(0x0a000000 + f, 1000 + f);
      const cands = [3, 0, 2];
      const w = (s: number): number => mix32(h ^ Math.imul(s + 1, 0x9e3779b1));
      const best = [...cands].sort((a, b) => w(b) - w(a) || a - b)[0];
      expect(hashPolicy(x({ flowHash: h, candidates: cands }))).toBe(best);
      expect(decide('hash', x({ flowHash: h, candidates: cands }), { threshold: 0 })).toBe(best);
    }
    expect(flowHash(1, 2)).toBe(mix32((1 ^ Math.imul(2, 0x27d4eb2d)) >>> 0));
    expect(flowHash(1, 2)).not.toBe(flowHash(2, 1));
  });

  it('round-robin: over the candidates in index order, without reordering them', () => {
    const cands = [3, 1, 2];
    expect([0, 1, 2, 3, 4].map((turn) => roundRobin(x({ candidates: cands, turn })))).toEqual([1, 2, 3, 1, 2]);
    expect(cands).toEqual([3, 1, 2]);
    expect(decide('round-robin', x({ candidates: cands, turn: 1 }), { threshold: 0 })).toBe(2);
  });

  it('random: the draw picks a candidate by position, clamped below 1', () => {
    expect(randomPolicy(x({ u: 0 }))).toBe(0);
    expect(randomPolicy(x({ u: 0.25 }))).toBe(1);
    expect(randomPolicy(x({ u: 0.99 }))).toBe(3);
    expect(randomPolicy(x({ u: 1 }))).toBe(3);
    expect(decide('random', x({ u: 0.5 }), { threshold: 0 })).toBe(2);
  });

  it('local: always itself; every policy name is known', () => {
    expect(decide('local', x({ self: 2, candidates: [2, 0], loads: [0, 0, 99] }), { threshold: 0 })).toBe(2);
    expect(POLICY_NAMES).toEqual(['local-unless-overloaded', 'least-loaded', 'hash', 'round-robin', 'random', 'local']);
  });
});
