import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decide, flowHash, hashPolicy, leastLoadedPolicy, localUnlessOverloaded, randomPolicy, roundRobin, type PlacementInput,
} from '../../src/cluster/placement';
import { StateTable } from '../../src/cluster/state-table';
import { exchangePlan, type ExchangeOptions } from '../../src/cluster/load-reporter';
import { stretchDetector } from '../../src/cluster/install';
import { FailureDetector, type DetectorOptions } from '../../src/cluster/failure-detector';
import type { Member } from '../../src/cluster/member';
import { Network } from '../../src/net/network';
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
  it('holds reports with their arrival, offers only usable peers, and counts own placements', () => {
    const usable = new Set<number>();
    const t = new StateTable(3, 0, (i) => usable.has(i));
    expect(t.alive(0)).toEqual([0]);
    t.update(1, 7, 10, 42, 'third-lan/server0');
    t.update(0, 99, 10, 43, 'x'); // own row is never stored
    expect(t.row(1)).toMatchObject({ load: 7, at: 10, viaPacket: 42, viaDevice: 'third-lan/server0' });
    expect(t.alive(0)).toEqual([0]); // not usable yet (the detector has not heard it)
    usable.add(1);
    expect(t.alive(0)).toEqual([0, 1]);
    t.bump(1);
    expect(t.row(1, 50)!.load).toBe(8);
    usable.delete(1);
    expect(t.row(1, 60)).toBeUndefined(); // suspected: kept, but not for decisions
    expect(t.row(1)).toBeDefined();
    t.forget(1);
    expect(t.row(1)).toBeUndefined();
  });

  it('with a freshness bound, offers only peers reported within it, in index order, each once', () => {
    const t = new StateTable(6, 2, () => true, 100);
    t.update(5, 1, 0, 1, 'd');
    t.update(1, 1, 10, 2, 'd');
    t.update(4, 1, 50, 3, 'd');
    t.update(1, 2, 60, 4, 'd'); // a second report of server1
    expect(t.alive(60)).toEqual([2, 1, 4, 5]);
    expect(t.alive(105)).toEqual([2, 1, 4]); // server5's report (t=0) is older than 100
    expect(t.alive(155)).toEqual([2, 1]); // server4's (t=50) is too old; server1's newer one (t=60) keeps it
    expect(t.alive(161)).toEqual([2]); // every report is older than 100
    t.update(3, 1, 170, 5, 'd');
    expect(t.alive(170)).toEqual([2, 3]);
    // Many arrivals later the list compacts, and still answers alike.
    for (let k = 0; k < 500; k++) t.update(k % 2 === 0 ? 0 : 4, 1, 200 + k, 6 + k, 'd');
    expect(t.alive(699)).toEqual([2, 0, 4]);
    expect(t.alive(800)).toEqual([2]);
  });
});

describe('report exchanges', () => {
  const opts = (exchange: ExchangeOptions) => ({ periodNs: 10, bytes: 64, exchange });
  it('plans the period, fanout and gap of each kind for a cluster size', () => {
    expect(exchangePlan(opts({ kind: 'all-to-all' }), 100, 'w')).toEqual({ periodNs: 10, fanout: 99, broadcast: true, gapNs: 10, freshNs: Infinity });
    expect(exchangePlan(opts({ kind: 'scaled-period', referenceServers: 25 }), 100, 'w')).toMatchObject({ periodNs: 40, broadcast: true, gapNs: 40 });
    expect(exchangePlan(opts({ kind: 'scaled-period', referenceServers: 25 }), 10, 'w').periodNs).toBe(10); // below the reference: unchanged
    expect(exchangePlan(opts({ kind: 'sampled', fanout: 3, freshPeriods: 2 }), 100, 'w')).toEqual({ periodNs: 10, fanout: 3, broadcast: false, gapNs: 330, freshNs: 20 });
    expect(exchangePlan(opts({ kind: 'sampled', fanout: 9, freshPeriods: 2 }), 4, 'w')).toMatchObject({ fanout: 3, gapNs: 10 });
  });

  it('stretches the detector by the gap between two reports of a server at a peer', () => {
    const plan = exchangePlan(opts({ kind: 'sampled', fanout: 3, freshPeriods: 2 }), 100, 'w');
    expect(stretchDetector({ kind: 'probe', deadAfterNs: 35, probes: 3, probeTimeoutNs: 1 }, plan, 10)).toEqual({ kind: 'probe', deadAfterNs: 35 * 33, probes: 3, probeTimeoutNs: 1 });
    expect(stretchDetector({ kind: 'phi', deadAfterNs: 35, threshold: 8, minStdNs: 1, window: 4, acceptablePauseNs: 2 }, plan, 10)).toMatchObject({ deadAfterNs: 35 * 33, acceptablePauseNs: 66 });
    const same = { kind: 'timeout', deadAfterNs: 35 } as const;
    expect(stretchDetector(same, exchangePlan(opts({ kind: 'all-to-all' }), 100, 'w'), 10)).toBe(same);
  });
});

describe('failure detectors', () => {
  const members = (up: boolean[]) => up.map((u) => ({ node: { up: u } })) as unknown as Member[];
  function detector(opts: DetectorOptions, up = [true, true, true]) {
    const net = new Network();
    const probes: number[] = [], forgotten: number[] = [];
    const d = new FailureDetector(net, 0, members(up), opts, { probe: (i) => probes.push(i), forget: (i) => forgotten.push(i) });
    return { net, d, probes, forgotten };
  }
  const runTo = (net: Network, t: number): void => { net.sim.run({ until: t }); };

  it('timeout: a peer silent for deadAfter is gone, and counted a false death when its node was up', () => {
    const { net, d, forgotten } = detector({ kind: 'timeout', deadAfterNs: 100 }, [true, true, false]);
    d.heard(1, 0);
    d.heard(2, 0);
    d.check(100);
    expect(forgotten).toEqual([]);
    runTo(net, 101);
    d.check(101);
    expect(forgotten).toEqual([1, 2]);
    expect(d.forgottenWhileUp).toBe(1); // server1 was up: a false death; server2 was down
    d.heard(1, 150);
    expect(d.usable(1)).toBe(true);
    expect(d.rejoined).toBe(1);
  });

  it('probe: silence only suspects; an answer clears it; unanswered probes forget', () => {
    const { net, d, probes, forgotten } = detector({ kind: 'probe', deadAfterNs: 100, probes: 3, probeTimeoutNs: 10 });
    d.heard(1, 0);
    d.heard(2, 0);
    runTo(net, 101);
    d.check(101);
    expect(probes).toEqual([1, 2]);
    expect(d.usable(1)).toBe(false); // suspected: no new connections
    expect(d.isGone(1)).toBe(false);
    d.probeAnswered(1, 105);
    expect(d.usable(1)).toBe(true);
    runTo(net, 200);
    expect(probes.filter((i) => i === 2)).toHaveLength(3);
    expect(forgotten).toEqual([2]); // three probes 10 ns apart went unanswered
    expect(d.suspicions).toBe(2);
    expect(d.cleared).toBe(1);
  });

  it('timeout: forgets exactly the peers a scan of every last-heard time finds, over many arrivals in any order', () => {
    // The detector keeps the peers in the order they were last heard; a brute-force scan is the reference.
    const n = 40, dead = 300;
    const { d, forgotten } = detector({ kind: 'timeout', deadAfterNs: dead }, new Array(n).fill(true));
    const last = new Array<number>(n).fill(-1);
    const expected: number[] = [];
    let x = 7;
    const draw = (k: number): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % k; }; // xorshift32
    for (let t = 0; t < 20_000; t += 10) {
      for (let k = draw(4); k > 0; k--) {
        const i = 1 + draw(n - 1); // peer 0 is the detector itself
        d.heard(i, t);
        last[i] = t;
      }
      if (t % 50 === 0) {
        d.check(t);
        for (let i = 1; i < n; i++) {
          if (last[i] >= 0 && t - last[i] > dead) {
            expected.push(i);
            last[i] = -1; // forgotten until heard again
          }
        }
        expect(forgotten).toEqual(expected);
      }
    }
    expect(expected.length).toBeGreaterThan(20);
    expect(d.rejoined).toBeGreaterThan(0);
  });

  it('phi: judges the silence against the peer\'s own report gaps', () => {
    const { d, forgotten } = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 20, window: 20, acceptablePauseNs: 0 });
    for (let t = 0; t <= 1000; t += 100) d.heard(1, t); // regular gaps of 100
    expect(d.phi(1, 1100)).toBeLessThan(1); // due now: not suspicious
    d.check(1130);
    expect(forgotten).toEqual([]); // 1.5 deviations late
    expect(d.phi(1, 1300)).toBeGreaterThan(8); // two reports missed, 10 deviations: gone
    d.check(1300);
    expect(forgotten).toEqual([1]);
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
