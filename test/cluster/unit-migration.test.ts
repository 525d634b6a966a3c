/**
 * Migrator, FailureDetector and PacketProcessor on a bare Network, with a
 * recording channel and fake hosts: retransmission with doubling timeouts,
 * taking a connection back, acknowledging each copy and importing once;
 * the detectors' state machines; the processor's queue and busy log.
 */
import { describe, expect, it } from 'vitest';
import { DirectoryEntry } from '../../src/cluster/connection-directory';
import type { ClusterMessage, ControlChannel } from '../../src/cluster/control-channel';
import { FailureDetector, type DetectorOptions } from '../../src/cluster/failure-detector';
import type { Member } from '../../src/cluster/member';
import { Migrator } from '../../src/cluster/migration';
import { PacketProcessor } from '../../src/cluster/packet-processor';
import { DropReason } from '../../src/net/drop-reason';
import { Network } from '../../src/net/network';
import type { Packet } from '../../src/net/packet';
import type { Tcb } from '../../src/transport/tcb';

const tcbOf = (port: number, iss: number): Tcb => ({ remoteIp: 0x64400001, remotePort: port, localPort: 80, iss }) as unknown as Tcb;

function migrator(opts = { bytes: 256, timeoutNs: 100, retries: 2 }) {
  const net = new Network();
  const sent: { to: number; msg: ClusterMessage; bytes: number; at: number }[] = [];
  const channel = { send: (to: number, msg: ClusterMessage, bytes: number) => sent.push({ to, msg, bytes, at: net.now }) } as unknown as ControlChannel;
  const imported: Tcb[] = [];
  const adopted: unknown[] = [];
  const live = new Map<number, { tcb: Tcb; handle: number }>();
  const self = {
    index: 3,
    tcp: {
      importConnection: (t: Tcb) => { imported.push(t); const s = { tcb: t, handle: 10 + imported.length }; live.set(t.remotePort, s); return s; },
      find: (_lp: number, _ip: number, port: number) => live.get(port),
    },
    app: { adopt: (s: unknown) => adopted.push(s) },
  } as unknown as Member;
  const acked: { e: DirectoryEntry; owner: number; rtt: number; handle: number }[] = [];
  const failed: { e: DirectoryEntry; tcb: Tcb }[] = [];
  const m = new Migrator(net, self, opts, channel, { acked: (e, owner, rtt, handle) => acked.push({ e, owner, rtt, handle }), failed: (e, tcb) => failed.push({ e, tcb }) });
  return { net, m, sent, imported, adopted, live, acked, failed };
}

describe('Migrator, sending side', () => {
  it('sends the TCB to the owner and, acknowledged, reports the round trip and the handle', () => {
    const { net, m, sent, acked } = migrator();
    const e = new DirectoryEntry(0x64400001, 5000, 80, 0);
    const tcb = tcbOf(5000, 77);
    net.sim.run({ until: 10 });
    m.start(e, tcb, 1);
    expect(m.started).toBe(1);
    expect(m.pending).toBe(1);
    expect(sent).toEqual([{ to: 1, msg: { kind: 'migrate', tcb, from: 3 }, bytes: 256, at: 10 }]);
    net.sim.run({ until: 60 });
    m.acknowledge({ clientIp: 0x64400001, clientPort: 5000, iss: 77, handle: 9 });
    expect(acked).toEqual([{ e, owner: 1, rtt: 50, handle: 9 }]);
    expect(m.acknowledged).toBe(1);
    expect(m.pending).toBe(0);
    expect(m.rttSumNs).toBe(50);
    expect(m.rttMaxNs).toBe(50);
    net.sim.run({ until: 10_000 });
    expect(sent).toHaveLength(1); // the timer was cancelled
    m.acknowledge({ clientIp: 0x64400001, clientPort: 5000, iss: 77, handle: 9 }); // a duplicate
    expect(acked).toHaveLength(1);
  });

  it('keeps the largest and the sum of round trips', () => {
    const { net, m } = migrator();
    m.start(new DirectoryEntry(1, 1, 80, 0), tcbOf(1, 1), 1);
    m.start(new DirectoryEntry(1, 2, 80, 0), tcbOf(2, 2), 1);
    net.sim.run({ until: 30 });
    m.acknowledge({ clientIp: 1, clientPort: 2, iss: 2, handle: 1 });
    net.sim.run({ until: 50 });
    m.acknowledge({ clientIp: 1, clientPort: 1, iss: 1, handle: 1 });
    expect(m.rttSumNs).toBe(80);
    expect(m.rttMaxNs).toBe(50);
    expect(m.acknowledged).toBe(2);
    m.start(new DirectoryEntry(1, 3, 80, 0), tcbOf(3, 3), 1);
    net.sim.run({ until: 60 });
    m.acknowledge({ clientIp: 1, clientPort: 3, iss: 3, handle: 1 }); // 10 ns: the largest stays
    expect(m.rttMaxNs).toBe(50);
    expect(m.rttSumNs).toBe(90);
  });

  it('ignores an acknowledgement for another incarnation (ISS) of the end point', () => {
    const { net, m, acked } = migrator();
    m.start(new DirectoryEntry(0x64400001, 5000, 80, 0), tcbOf(5000, 77), 1);
    m.acknowledge({ clientIp: 0x64400001, clientPort: 5000, iss: 78, handle: 9 });
    m.acknowledge({ clientIp: 0x64400001, clientPort: 5001, iss: 77, handle: 9 });
    m.acknowledge({ clientIp: 0x64400002, clientPort: 5000, iss: 77, handle: 9 });
    expect(acked).toEqual([]);
    expect(m.pending).toBe(1);
    net.sim.run({ until: 50 });
  });

  it('retransmits after timeout, 2x, 4x ..., and after the last retry gives the connection back', () => {
    const { net, m, sent, failed } = migrator({ bytes: 100, timeoutNs: 100, retries: 2 });
    const e = new DirectoryEntry(0x64400001, 5000, 80, 0);
    const tcb = tcbOf(5000, 77);
    m.start(e, tcb, 2);
    net.sim.run({ until: 99 });
    expect(sent.map((s) => s.at)).toEqual([0]);
    net.sim.run({ until: 100 });
    expect(sent.map((s) => s.at)).toEqual([0, 100]);
    net.sim.run({ until: 299 });
    expect(sent.map((s) => s.at)).toEqual([0, 100]);
    net.sim.run({ until: 300 });
    expect(sent.map((s) => s.at)).toEqual([0, 100, 300]);
    expect(m.retransmitted).toBe(2);
    net.sim.run({ until: 699 });
    expect(failed).toEqual([]);
    net.sim.run({ until: 700 });
    expect(failed).toEqual([{ e, tcb }]);
    expect(m.failed).toBe(1);
    expect(m.pending).toBe(0);
    expect(sent.every((s) => s.to === 2 && s.bytes === 100)).toBe(true);
    m.acknowledge({ clientIp: 0x64400001, clientPort: 5000, iss: 77, handle: 1 }); // too late
    expect(m.acknowledged).toBe(0);
  });

  it('with no retries, gives up after one timeout', () => {
    const { net, m, sent, failed } = migrator({ bytes: 1, timeoutNs: 100, retries: 0 });
    m.start(new DirectoryEntry(1, 1, 80, 0), tcbOf(1, 1), 1);
    net.sim.run({ until: 1000 });
    expect(sent).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(m.retransmitted).toBe(0);
  });
});

describe('Migrator, receiving side', () => {
  it('imports a TCB once, hands it to the application, and acknowledges every copy with the live handle', () => {
    const { m, sent, imported, adopted } = migrator();
    const tcb = tcbOf(5000, 77);
    m.receive({ kind: 'migrate', tcb, from: 1 });
    m.receive({ kind: 'migrate', tcb, from: 1 });
    expect(imported).toEqual([tcb]);
    expect(adopted).toHaveLength(1);
    const ack = { kind: 'migrate-ack', clientIp: 0x64400001, clientPort: 5000, serverPort: 80, iss: 77, handle: 11, from: 3 };
    expect(sent).toEqual([{ to: 1, msg: ack, bytes: 16, at: 0 }, { to: 1, msg: ack, bytes: 16, at: 0 }]);
  });

  it('a new incarnation of the end point is imported again; an acknowledgement names no handle when the live TCB is another', () => {
    const { m, sent, imported, live } = migrator();
    m.receive({ kind: 'migrate', tcb: tcbOf(5000, 77), from: 1 });
    m.receive({ kind: 'migrate', tcb: tcbOf(5000, 78), from: 2 });
    expect(imported.map((t) => t.iss)).toEqual([77, 78]);
    expect(sent.map((s) => [s.to, (s.msg as { handle: number }).handle])).toEqual([[1, 11], [2, 12]]);
    live.delete(5000);
    m.receive({ kind: 'migrate', tcb: tcbOf(5000, 78), from: 2 });
    expect((sent[2].msg as { handle: number }).handle).toBe(0); // closed since: no handle
    live.set(5000, { tcb: tcbOf(5000, 1), handle: 4 });
    m.receive({ kind: 'migrate', tcb: tcbOf(5000, 78), from: 2 });
    expect((sent[3].msg as { handle: number }).handle).toBe(0); // another connection on that end point
  });

  it('prunes remembered imports older than the retry window once it holds 1024', () => {
    const { net, m, imported } = migrator({ bytes: 1, timeoutNs: 10, retries: 1 }); // window 10 * 2^2 = 40 ns
    for (let i = 0; i < 1024; i++) m.receive({ kind: 'migrate', tcb: tcbOf(i, 1), from: 1 });
    net.sim.run({ until: 40 });
    m.receive({ kind: 'migrate', tcb: tcbOf(2000, 1), from: 1 }); // 1024 held, none older than 40: nothing pruned
    m.receive({ kind: 'migrate', tcb: tcbOf(0, 1), from: 1 });
    expect(imported).toHaveLength(1025); // a copy of port 0 is still recognised
    net.sim.run({ until: 41 });
    m.receive({ kind: 'migrate', tcb: tcbOf(2001, 1), from: 1 }); // prunes the first 1024
    m.receive({ kind: 'migrate', tcb: tcbOf(0, 1), from: 1 }); // forgotten: imported again
    m.receive({ kind: 'migrate', tcb: tcbOf(2000, 1), from: 1 }); // arrived at 40: kept
    expect(imported.map((t) => t.remotePort).slice(1025)).toEqual([2001, 0]);
  });
});

describe('FailureDetector', () => {
  const members = (up: boolean[]) => up.map((u) => ({ node: { up: u } })) as unknown as Member[];
  function detector(opts: DetectorOptions, up = [true, true, true], self = 0) {
    const net = new Network();
    const probes: number[] = [], forgotten: number[] = [];
    const d = new FailureDetector(net, self, members(up), opts, { probe: (i) => probes.push(i), forget: (i) => forgotten.push(i) });
    return { net, d, probes, forgotten };
  }

  it('refuses options it cannot run, naming them', () => {
    const bad = (o: unknown) => () => detector(o as DetectorOptions);
    expect(bad({ kind: 'timeout', deadAfterNs: 0 })).toThrow('failure detector: deadAfterNs must be > 0, got 0');
    expect(bad({ kind: 'timeout', deadAfterNs: Number.NaN })).toThrow(RangeError);
    expect(bad({ kind: 'probe', deadAfterNs: 1, probes: 0, probeTimeoutNs: 1 })).toThrow('failure detector: probe needs probes >= 1 and probeTimeoutNs > 0, got 0 and 1');
    expect(bad({ kind: 'probe', deadAfterNs: 1, probes: 1.5, probeTimeoutNs: 1 })).toThrow(RangeError);
    expect(bad({ kind: 'probe', deadAfterNs: 1, probes: 1, probeTimeoutNs: 0 })).toThrow(RangeError);
    expect(bad({ kind: 'probe', deadAfterNs: 1, probes: 1, probeTimeoutNs: 1 })).not.toThrow();
    const phi = { kind: 'phi', deadAfterNs: 1, threshold: 8, minStdNs: 1, window: 2, acceptablePauseNs: 0 };
    expect(bad(phi)).not.toThrow();
    expect(bad({ ...phi, threshold: 0 })).toThrow('failure detector: phi needs threshold > 0, minStdNs > 0 and window >= 2');
    expect(bad({ ...phi, minStdNs: 0 })).toThrow(RangeError);
    expect(bad({ ...phi, window: 1 })).toThrow(RangeError);
    expect(bad({ ...phi, window: 2.5 })).toThrow(RangeError);
    expect(bad({ kind: 'timeout', deadAfterNs: 1, window: 1, threshold: 0 })).not.toThrow(); // phi's bounds are phi's only
  });

  it('a peer never heard is gone and unusable; itself is never judged', () => {
    const { d, forgotten } = detector({ kind: 'timeout', deadAfterNs: 10 });
    expect(d.isGone(1)).toBe(true);
    expect(d.usable(1)).toBe(false);
    d.heard(0, 0);
    expect(d.usable(0)).toBe(false);
    d.check(1000);
    expect(forgotten).toEqual([]);
    d.heard(1, 0);
    expect(d.isGone(1)).toBe(false);
    expect(d.usable(1)).toBe(true);
    expect(d.rejoined).toBe(0);
  });

  it('timeout: judged strictly after deadAfter from the last report; forgotten once; false deaths counted; the trace fires', () => {
    const { net, d, forgotten } = detector({ kind: 'timeout', deadAfterNs: 100 }, [true, true, false]);
    const traced: [number, number][] = [];
    d.forgetTrace.connect((i, t) => traced.push([i, t]));
    d.heard(2, 0); // times as the clock gives them: never decreasing
    d.heard(1, 50);
    d.check(100);
    expect(forgotten).toEqual([]);
    d.check(101);
    expect(forgotten).toEqual([2]);
    d.check(150);
    expect(forgotten).toEqual([2]);
    d.check(151);
    expect(forgotten).toEqual([2, 1]);
    d.check(1000);
    expect(forgotten).toEqual([2, 1]);
    expect(d.forgotten).toBe(2);
    expect(d.forgottenWhileUp).toBe(1);
    expect(d.suspicions).toBe(0);
    expect(traced).toEqual([[2, net.now], [1, net.now]]);
    expect(d.isGone(1)).toBe(true);
    d.heard(1, 2000);
    expect(d.rejoined).toBe(1);
    expect(d.usable(1)).toBe(true);
  });

  it('probe: a late report clears a suspicion and cancels its probe timer', () => {
    const { net, d, probes, forgotten } = detector({ kind: 'probe', deadAfterNs: 100, probes: 2, probeTimeoutNs: 10 });
    d.heard(1, 0);
    net.sim.run({ until: 101 });
    d.check(101);
    expect(probes).toEqual([1]);
    expect(d.suspicions).toBe(1);
    expect(d.usable(1)).toBe(false);
    d.heard(1, 105);
    expect(d.cleared).toBe(1);
    expect(d.usable(1)).toBe(true);
    net.sim.run({ until: 1000 });
    expect(probes).toEqual([1]);
    expect(forgotten).toEqual([]);
    d.check(206);
    expect(d.suspicions).toBe(2);
    d.probeAnswered(2, 210); // not suspected: nothing
    expect(d.cleared).toBe(1);
    d.probeAnswered(1, 210);
    expect(d.cleared).toBe(2);
    d.check(300);
    expect(d.suspicions).toBe(2); // heard at 210 by the answer
    d.check(311);
    expect(d.suspicions).toBe(3);
  });

  it('probe: sends exactly `probes` probes, probeTimeout apart, then forgets', () => {
    const { net, d, probes, forgotten } = detector({ kind: 'probe', deadAfterNs: 100, probes: 3, probeTimeoutNs: 10 });
    const at: number[] = [];
    d.heard(1, 0);
    net.sim.run({ until: 101 });
    const orig = probes.push.bind(probes);
    probes.push = (...x: number[]) => { at.push(net.now); return orig(...x); };
    d.check(101);
    net.sim.run({ until: 120 });
    expect(forgotten).toEqual([]);
    net.sim.run({ until: 131 });
    expect(at).toEqual([101, 111, 121]);
    expect(forgotten).toEqual([1]);
    expect(d.isGone(1)).toBe(true);
    expect(d.forgottenWhileUp).toBe(1);
  });

  it('probe: a suspicion cleared cancels its probe timer, so a new suspicion gets its full count of probes', () => {
    const { net, d, probes, forgotten } = detector({ kind: 'probe', deadAfterNs: 3, probes: 2, probeTimeoutNs: 10 });
    d.heard(1, 0); // no event scheduled before: the first probe timer is event 0
    net.sim.run({ until: 5 });
    d.check(5); // suspected; probe timer due at 15
    d.heard(1, 6); // cleared: that timer must go
    net.sim.run({ until: 10 });
    d.check(10); // suspected again; probes at 10 and 20, forgotten at 30
    net.sim.run({ until: 29 });
    expect(probes).toEqual([1, 1, 1]);
    expect(forgotten).toEqual([]);
    net.sim.run({ until: 30 });
    expect(forgotten).toEqual([1]);
  });

  it('phi: with fewer than two gaps, deadAfter rules, not the threshold', () => {
    const { d, forgotten } = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 3, minStdNs: 10, window: 3, acceptablePauseNs: 0 });
    d.heard(1, 0);
    d.heard(1, 100);
    d.check(1100);
    expect(forgotten).toEqual([]);
    d.check(1101); // 1001 ns of silence: over deadAfter, though only 1.001 "phi"
    expect(forgotten).toEqual([1]);
  });

  it('phi: forgets only above the threshold, not at it', () => {
    const opts = { kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 10, window: 5, acceptablePauseNs: 0 } as const;
    const gaps = (d: FailureDetector): void => { for (const t of [0, 100, 200, 300]) d.heard(1, t); };
    const a = detector(opts).d;
    gaps(a);
    const at = a.phi(1, 345);
    const b = detector({ ...opts, threshold: at });
    gaps(b.d);
    b.d.check(345);
    expect(b.forgotten).toEqual([]);
    b.d.check(346);
    expect(b.forgotten).toEqual([1]);
  });

  it('phi: far beyond the mean stays finite, far before it is zero', () => {
    const { d } = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 10, window: 5, acceptablePauseNs: 0 });
    for (const t of [0, 100, 200, 300]) d.heard(1, t); // gaps of 100, sd: minStd 10
    const late = d.phi(1, 500); // ten deviations late
    const y = 10, e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    expect(late).toBeCloseTo(-Math.log10(e / (1 + e)), 6);
    expect(Number.isFinite(late)).toBe(true);
    const tight = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 1, window: 5, acceptablePauseNs: 0 }).d;
    for (const t of [0, 100, 200, 300]) tight.heard(1, t);
    expect(tight.phi(1, 300)).toBeCloseTo(0, 12); // a hundred deviations early: P(later) = 1, not NaN
  });

  it('phi: each peer keeps its own window of gaps, peer 0 too', () => {
    const { d } = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 1, window: 2, acceptablePauseNs: 0 }, [true, true, true], 2);
    for (const t of [0, 1000, 1010, 1020, 1030]) d.heard(0, t);
    for (const t of [0, 500, 1000, 1500]) d.heard(1, t);
    expect(d.phi(0, 1040)).toBeCloseTo(0.30103, 3);
    expect(d.phi(1, 2000)).toBeCloseTo(0.30103, 3);
  });

  it('phi: keeps a window of gaps, starts judging after two, and forgets past the threshold', () => {
    const opts = { kind: 'phi', deadAfterNs: 1000, threshold: 3, minStdNs: 10, window: 3, acceptablePauseNs: 0 } as const;
    const { d, forgotten } = detector(opts);
    d.heard(1, 0);
    expect(d.phi(1, 500)).toBe(0.5); // no gaps yet: silence over deadAfter
    d.heard(1, 100);
    expect(d.phi(1, 600)).toBe(0.5);
    d.check(1000);
    expect(forgotten).toEqual([]); // one gap: still deadAfter's rule (1100 - 100 = 1000, not over)
    d.heard(1, 200);
    expect(d.phi(1, 300)).toBeCloseTo(0.30103, 3); // due now: P = 1/2
    expect(d.phi(1, 250)).toBeLessThan(d.phi(1, 300));
    expect(d.phi(1, 350)).toBeGreaterThan(3);
    d.check(330);
    expect(forgotten).toEqual([]);
    d.check(350);
    expect(forgotten).toEqual([1]);
    // Forgetting clears the history: heard again, deadAfter rules until two gaps are known.
    d.heard(1, 400);
    d.heard(1, 410);
    expect(d.phi(1, 910)).toBe(0.5);
    d.heard(1, 420);
    expect(d.phi(1, 430)).toBeCloseTo(0.30103, 3);
  });

  it('phi: the window forgets old gaps, and the acceptable pause shifts the mean', () => {
    const { d } = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 1, window: 2, acceptablePauseNs: 0 });
    d.heard(1, 0);
    d.heard(1, 1000); // gap 1000
    d.heard(1, 1010); // gap 10
    d.heard(1, 1020); // gap 10: the 1000 has left the window
    expect(d.phi(1, 1030)).toBeCloseTo(0.30103, 3);
    expect(d.phi(1, 1100)).toBe(Infinity);
    const paused = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 1, window: 4, acceptablePauseNs: 50 }).d;
    for (const t of [0, 10, 20]) paused.heard(1, t);
    expect(paused.phi(1, 80)).toBeCloseTo(0.30103, 3); // mean gap 10 + pause 50
    expect(paused.phi(1, 70)).toBeLessThan(0.30103);
  });

  it('phi: the deviation is that of the gaps, never below minStd', () => {
    const { d } = detector({ kind: 'phi', deadAfterNs: 1000, threshold: 8, minStdNs: 1, window: 10, acceptablePauseNs: 0 });
    for (const t of [0, 80, 200, 280, 400]) d.heard(1, t); // gaps 80, 120, 80, 120: mean 100, sd 20
    const y = 1; // one deviation late
    const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
    expect(d.phi(1, 520)).toBeCloseTo(-Math.log10(e / (1 + e)), 6);
    const early = Math.exp(y * (1.5976 + 0.070566 * y * y));
    expect(d.phi(1, 480)).toBeCloseTo(-Math.log10(1 - 1 / (1 + early)), 6);
  });
});

describe('PacketProcessor', () => {
  const pkt = (net: Network): Packet => net.newPacket();

  it('handles at once when it costs nothing', () => {
    const net = new Network();
    const seen: Packet[] = [];
    const pp = new PacketProcessor(net, 'p', 0, 1, (p) => seen.push(p));
    const a = pkt(net);
    pp.submit(a);
    expect(seen).toEqual([a]);
    expect(pp.processed).toBe(1);
    expect(pp.busyNs).toBe(0);
    net.deliver(a);
  });

  it('serves one at a time, serviceNs each, queues up to capacity and drops the rest as queue-full', () => {
    const net = new Network();
    const seen: [Packet, number][] = [];
    const pp = new PacketProcessor(net, 'p', 10, 2, (p) => { seen.push([p, net.now]); net.deliver(p); });
    const ps = [pkt(net), pkt(net), pkt(net), pkt(net)];
    for (const p of ps) pp.submit(p);
    expect(pp.packetsHeld()).toBe(3);
    expect(net.dropped[DropReason.QUEUE_FULL]).toBe(1);
    expect(pp.peakQueue).toBe(2);
    net.sim.run({ until: 9 });
    expect(seen).toEqual([]);
    net.sim.run();
    expect(seen).toEqual([[ps[0], 10], [ps[1], 20], [ps[2], 30]]);
    expect(pp.processed).toBe(3);
    expect(pp.packetsHeld()).toBe(0);
    expect(net.conservationError()).toBeNull();
  });

  it('sums its busy time, counting a run under way up to now', () => {
    const net = new Network();
    const pp = new PacketProcessor(net, 'p', 10, 10, (p) => net.deliver(p));
    expect(pp.busyNs).toBe(0);
    pp.submit(pkt(net));
    pp.submit(pkt(net));
    net.sim.run({ until: 5 });
    expect(pp.busyNs).toBe(5); // still busy: up to now
    net.sim.run({ until: 15 });
    expect(pp.busyNs).toBe(15); // the second packet follows without a gap
    net.sim.run(); // busy 0-20
    expect(pp.busyNs).toBe(20);
    net.sim.run({ until: 50 });
    expect(pp.busyNs).toBe(20); // idle time does not count
    pp.submit(pkt(net)); // busy 50-60
    net.sim.run({ until: 55 });
    expect(pp.busyNs).toBe(25);
    net.sim.run();
    expect(pp.busyNs).toBe(30);
  });
});
