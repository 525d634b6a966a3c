/**
 * SmartNic's steps on a two-server site, each called directly or watched on
 * a short run: what reaches the NIC, what it does with a new connection, the
 * decision, local hand-off and migration, forwarding with the reference, the
 * owner's checks of that reference, control messages and forgetting a peer.
 * Milliseconds each, so that mutation testing (docs/MUTATION.md) kills most
 * mutants of smart-nic.ts without the claims' simulations.
 */
import { describe, expect, it } from 'vitest';
import { Holder, DirectoryEntry } from '../../src/cluster/connection-directory';
import { encapsulate } from '../../src/cluster/encapsulation';
import { NIC_DEFAULTS, SmartNic as SmartNicClass, validateNicOptions, type DecisionRecord, type NicOptions, type SmartNic } from '../../src/cluster/smart-nic';
import { MS } from '../../src/engine';
import { DropReason } from '../../src/net/drop-reason';
import { IpProtocol, PathFlag, TcpFlag, type Packet } from '../../src/net/packet';
import type { IpNode } from '../../src/nodes/ip-node';
import type { ScenarioInput, SiteInput } from '../../src/scenario/schema';
import { runSimulation } from '../../src/scenario/runner';
import { expectConserved, simulationOf } from '../helpers';

const WORKLOAD: ScenarioInput['workload'] = {
  requestsPerClient: 4, arrival: { kind: 'poisson', meanInterval: '3ms' }, requestSize: '300B', responseSize: '3kB', deadline: '2s',
};

function build(site: SiteInput = {}, faults: ScenarioInput['faults'] = []) {
  const sim = simulationOf({ seed: 7, workload: WORKLOAD, faults, network: { site: { servers: 2, clients: 2, reports: { period: '1ms', deadAfter: '4ms' }, ...site } } });
  const c = sim.cluster!;
  CLIENT = (sim.nodes.get('client0') as IpNode).interfaces[0].ip;
  const resets: Packet[] = [];
  for (const n of c.nics) {
    const send = n.self.node.sendIp.bind(n.self.node);
    n.self.node.sendIp = (p: Packet) => { if (p.tcpFlags & TcpFlag.RST) resets.push(p); send(p); };
  }
  return { sim, c, nics: c.nics, net: sim.net, resets };
}

/** A TCP segment from client end point (ip, port) to NIC `nic`'s first-LAN address. */
let CLIENT = 0;
function segment(nic: SmartNic, flags: number, ip = CLIENT, port = 40000, payload = 0): Packet {
  const p = nic.self.node.net.newPacket();
  Object.assign(p, { protocol: IpProtocol.TCP, srcIp: ip, srcPort: port, dstIp: nic.self.firstIface.ip, dstPort: nic.servicePort, tcpFlags: flags, payloadBytes: payload });
  return p;
}

describe('validateNicOptions', () => {
  const ok = (over: Partial<NicOptions>): void => validateNicOptions({ ...NIC_DEFAULTS, ...over }, 'x/nic');
  it('accepts the defaults and the boundaries', () => {
    expect(() => ok({})).not.toThrow();
    expect(() => ok({ processingNs: 0, localHandoffNs: 0, threshold: 0, bufferPackets: 1, migrationBytes: 1, migrationRetries: 0, migrationTimeoutNs: 1e-3, decideAt: 'syn' })).not.toThrow();
  });
  it('names each bad option, where it is, and what it got', () => {
    expect(() => ok({ policy: 'bogus' as never })).toThrow('x/nic: policy "bogus" is not one of local-unless-overloaded, least-loaded, hash, round-robin, random, local');
    expect(() => ok({ decideAt: 'fin' as never })).toThrow('x/nic: decideAt must be "request" or "syn", got "fin"');
    expect(() => ok({ processingNs: -1 })).toThrow('x/nic: processingNs must be a finite number >= 0, got -1');
    expect(() => ok({ localHandoffNs: Infinity })).toThrow('x/nic: localHandoffNs must be a finite number >= 0, got Infinity');
    expect(() => ok({ threshold: Number.NaN })).toThrow('x/nic: threshold must be a finite number >= 0, got NaN');
    expect(() => ok({ bufferPackets: 0 })).toThrow('x/nic: bufferPackets must be an integer >= 1, got 0');
    expect(() => ok({ migrationBytes: 1.5 })).toThrow('x/nic: migrationBytes must be an integer >= 1, got 1.5');
    expect(() => ok({ migrationTimeoutNs: 0 })).toThrow('x/nic: migrationTimeoutNs must be > 0, got 0');
    expect(() => ok({ migrationRetries: -1 })).toThrow('x/nic: migrationRetries must be an integer >= 0, got -1');
    expect(() => ok({ migrationRetries: 0.5 })).toThrow('x/nic: migrationRetries must be an integer >= 0, got 0.5');
  });
  it('a NIC merges its options over the defaults and checks them', () => {
    const { nics } = build({ nic: { policy: 'hash', threshold: 9 } });
    expect(nics[0].opts).toEqual({ ...NIC_DEFAULTS, policy: 'hash', threshold: 9 });
    expect(nics[0].name).toBe('server0/nic');
    expect(nics[0].via).toBe('second');
    expect(() => build({ nic: { processing: '-1us' } as never })).toThrow();
  });
});

describe('the NIC\'s names and streams', () => {
  it('names itself in its errors', () => {
    const { c } = build({ design: 'no-forward' });
    const role = { servicePort: 80, via: 'second' as const, tcp: {}, detector: { kind: 'timeout' as const, deadAfterNs: 1e6 }, freshNs: Infinity };
    expect(() => new SmartNicClass(c.members[1], c.members, { bufferPackets: 0 }, role)).toThrow('server1/nic: bufferPackets must be an integer >= 1, got 0');
    expect(() => new SmartNicClass(c.members[1], c.members, {}, { ...role, servicePort: 70_000 })).toThrow(/^server1\/nic: /);
  });

  it('drops what its full buffer cannot hold, as queue-full at the NIC', () => {
    const { nics, net } = build({ nic: { bufferPackets: 1 } });
    const n = nics[0];
    const where: string[] = [];
    net.dropTrace.connect((_p, reason, w) => { if (reason === DropReason.QUEUE_FULL) where.push(w); });
    const intercept = (p: Packet): boolean => (n as unknown as { intercept(p: Packet, i: unknown): boolean }).intercept(p, n.self.firstIface);
    for (const port of [1, 2, 3]) intercept(segment(n, TcpFlag.SYN, CLIENT, port));
    expect(where).toEqual(['server0/nic']);
  });

  it('each NIC draws from its own random stream: what another draws does not change it', () => {
    const draw = (n: SmartNic): number[] => [1, 2, 3].map(() => (n as unknown as { rng: { random(): number } }).rng.random());
    const alone = build().nics;
    const first = draw(alone[0]);
    const after = build().nics;
    draw(after[1]);
    expect(draw(after[0])).toEqual(first);
    expect(draw(alone[1])).not.toEqual(first);
  });

  it('takes no segment addressed to another of its host\'s interfaces', () => {
    const { nics } = build();
    const n = nics[0];
    const third = n.self.thirdIface!;
    const p = Object.assign(segment(n, TcpFlag.SYN), { dstIp: third.ip });
    expect((n as unknown as { intercept(p: Packet, i: unknown): boolean }).intercept(p, third)).toBe(false);
  });
});

describe('a short run with round-robin placement', () => {
  // Each test makes its own run (about 50 ms), not one shared at collection time or memoised:
  // mutation testing counts a run's coverage for the test that makes it, and runs only those.
  const get = (): ReturnType<typeof roundRobinRun> => roundRobinRun();
  function roundRobinRun() {
    const { sim, c, nics, net } = build({ nic: { policy: 'round-robin' } });
    const decisions: DecisionRecord[] = [];
    const received: Packet[][] = [[], []];
    const forwards: { owner: number; bytes: number; nic: number }[] = [];
    const unwraps: { byHandle: boolean; found: boolean; nic: number }[] = [];
    const local: number[] = [0, 0];
    for (const n of nics) {
      n.decisionTrace.connect((d) => decisions.push(d));
      n.receiveTrace.connect((p, x) => received[x.self.index].push(p));
      n.forwardTrace.connect((p, owner, x) => forwards.push({ owner, bytes: p.ipBytes(), nic: x.self.index }));
      n.unwrapTrace.connect((_p, byHandle, s, x) => unwraps.push({ byHandle, found: s !== null, nic: x.self.index }));
      n.localTrace.connect((_p, x) => local[x.self.index]++);
    }
    runSimulation(sim);
    return { sim, c, nics, net, decisions, received, forwards, unwraps, local };
  }

  it('serves every request and conserves packets', () => {
    const { sim, c, nics, net, decisions, received, forwards, unwraps, local } = get();
    expect(sim.stats.completed).toBe(sim.stats.issued);
    expect(sim.stats.issued).toBe(8);
    expectConserved(net);
  });

  it('answers each SYN on the NIC, decides once per connection on its request, alternating self and peer', () => {
    const { sim, c, nics, net, decisions, received, forwards, unwraps, local } = get();
    for (const n of nics) {
      const syns = received[n.self.index].filter((p) => (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN).length;
      expect(n.synAnswered).toBe(syns);
      expect(n.decisions).toBe(syns);
      expect(n.processed).toBe(received[n.self.index].length);
      expect(n.processor.processed).toBe(n.processed);
      expect(n.decisions).toBe(n.keptLocal + n.migrations);
      const mine = decisions.filter((d) => d.nic === n.self.index).map((d) => d.chosen);
      expect(mine).toEqual(mine.map((_, i) => i % 2)); // candidates sorted, one turn a decision
      expect(n.passedToHost).toBe(local[n.self.index]);
    }
    expect(decisions.length).toBeGreaterThanOrEqual(4);
  });

  it('records what each decision read: the candidates, their loads, and the peer rows from the reports', () => {
    const { sim, c, nics, net, decisions, received, forwards, unwraps, local } = get();
    for (const d of decisions) {
      expect(d.candidates).toEqual([d.nic, 1 - d.nic]);
      expect(d.loads).toHaveLength(2);
      expect(d.loads[0]).toBe(d.ownLoad);
      expect(d.peerRows).toHaveLength(1);
      expect(d.peerRows[0].server).toBe(1 - d.nic);
      expect(d.peerRows[0].load).toBe(d.loads[1]);
      expect(d.peerRows[0].at).toBeLessThanOrEqual(d.time);
      expect(d.peerRows[0].viaDevice).not.toBe('');
      expect(d.time).toBeGreaterThan(0);
    }
  });

  it('migrates, is acknowledged, then forwards every later packet by handle; the owner finds each TCB', () => {
    const { sim, c, nics, net, decisions, received, forwards, unwraps, local } = get();
    for (const n of nics) {
      expect(n.migrations).toBeGreaterThan(0);
      expect(n.migration.acknowledged).toBe(n.migrations);
      expect(n.migrationRttSumNs).toBeGreaterThan(0);
      expect(n.migrationRttMaxNs).toBeGreaterThan(0);
      expect(n.migrationRttMaxNs * n.migrations).toBeGreaterThanOrEqual(n.migrationRttSumNs);
      const mine = forwards.filter((f) => f.nic === n.self.index);
      expect(n.forwarded).toBe(mine.length);
      expect(n.forwarded).toBeGreaterThan(n.migrations);
      expect(mine.every((f) => f.owner === 1 - n.self.index)).toBe(true);
      expect(n.forwardedBytes).toBe(mine.reduce((s, f) => s + f.bytes, 0));
      expect(n.badReferences + n.staleReferences + n.broken).toBe(0);
    }
    expect(unwraps.length).toBe(forwards.length);
    expect(unwraps.every((u) => u.byHandle && u.found)).toBe(true);
  });

  it('cleans up: each moved connection is reported closed, and every directory ends empty', () => {
    const { sim, c, nics, net, decisions, received, forwards, unwraps, local } = get();
    for (const n of nics) {
      expect(n.closedNotices).toBe(nics[1 - n.self.index].migrations);
      expect(n.directory.size).toBe(0);
      expect(n.packetsHeld()).toBe(0);
    }
    expect(c.members.every((m) => m.tcp.size === 0)).toBe(true);
  });
});

describe('deciding at the SYN', () => {
  it('chooses on the SYN: nothing answered on the NIC, nothing migrated; a remote owner gets the SYN forwarded', () => {
    const { sim, nics, net } = build({ nic: { policy: 'round-robin', decideAt: 'syn' } });
    const unwrapped: boolean[] = [];
    for (const n of nics) n.unwrapTrace.connect((_p, byHandle) => unwrapped.push(byHandle));
    runSimulation(sim);
    expect(sim.stats.completed).toBe(sim.stats.issued);
    expect(nics[0].decisions + nics[1].decisions).toBe(sim.stats.issued);
    for (const n of nics) {
      expect(n.synAnswered).toBe(0);
      expect(n.migrations).toBe(0);
      expect(n.keptLocal).toBe(Math.ceil(n.decisions / 2) - (n.self.index === 0 ? 0 : n.decisions % 2));
      expect(n.forwarded).toBeGreaterThan(0);
    }
    expect(unwrapped.length).toBeGreaterThan(0);
    expect(unwrapped.every((b) => !b)).toBe(true); // no handle: no migration told one
    expectConserved(net);
  });
});

describe('keeping everything local', () => {
  it('policy local: every decision keeps the connection and hands it to the own host; nothing is forwarded', () => {
    const { sim, nics } = build({ nic: { policy: 'local' } });
    runSimulation(sim);
    expect(sim.stats.completed).toBe(sim.stats.issued);
    for (const n of nics) {
      expect(n.keptLocal).toBe(n.decisions);
      expect(n.decisions).toBeGreaterThan(0);
      expect(n.forwarded + n.migrations + n.closedNotices).toBe(0);
      expect(n.directory.size).toBe(0);
    }
    expect(nics[0].decisions + nics[1].decisions).toBe(8);
    expect(sim.cpus.map((x) => x.completed)).toEqual(nics.map((n) => n.decisions));
  });
});

describe('the local hand-off', () => {
  it('a request kept local reaches the own host localHandoff after the decision', () => {
    const { sim, nics } = build({ nic: { policy: 'local', localHandoff: '50us' } });
    const decided = new Map<string, number>();
    const handed: string[] = [];
    for (const n of nics) {
      n.decisionTrace.connect((d) => decided.set(`${d.clientIp}:${d.clientPort}`, d.time));
      n.localTrace.connect((p) => {
        const k = `${p.srcIp}:${p.srcPort}`;
        if (p.payloadBytes > 0 && decided.has(k) && !handed.includes(k)) {
          handed.push(k);
          expect(sim.net.now - decided.get(k)!).toBe(50_000);
        }
      });
    }
    runSimulation(sim);
    expect(handed.length).toBe(8);
  });
});

describe('choose', () => {
  it('counts the decision, and counts a placement on a peer in that peer\'s row until its next report', () => {
    const { nics } = build({ nic: { policy: 'round-robin' } });
    const n = nics[0];
    n.reportArrived(1, 3, segment(n, 0), 'd');
    expect(n.choose(segment(n, TcpFlag.ACK))).toBe(0);
    expect(n.state.row(1)!.load).toBe(3);
    expect(n.choose(segment(n, TcpFlag.ACK))).toBe(1);
    expect(n.state.row(1)!.load).toBe(4);
    expect(n.decisions).toBe(2);
  });

  it('reads its own load live and the peers\' from their rows', () => {
    const { nics, c } = build({ nic: { policy: 'least-loaded' } });
    const n = nics[0];
    const records: DecisionRecord[] = [];
    n.decisionTrace.connect((d) => records.push(d));
    c.members[0].load = () => 5;
    n.reportArrived(1, 2, segment(n, 0), 'd');
    expect(n.choose(segment(n, TcpFlag.ACK))).toBe(1);
    c.members[0].load = () => 1;
    expect(n.choose(segment(n, TcpFlag.ACK))).toBe(0);
    expect(records.map((r) => [r.ownLoad, r.loads])).toEqual([[5, [5, 2]], [1, [1, 3]]]);
    expect(records[0].clientIp).toBe(CLIENT);
    expect(records[0].clientPort).toBe(40000);
    expect(records[0].nic).toBe(0);
  });
});

describe('a migration that is never acknowledged', () => {
  it('is retried, then the first device serves the connection itself; nothing is lost', () => {
    const { sim, nics, net } = build({ nic: { policy: 'round-robin', migrationRetries: 1, migrationTimeout: '200us' } }, [
      { at: '0ms', kind: 'link-down', node: 'server1', lan: 'second' },
    ]);
    runSimulation(sim);
    expect(sim.stats.completed).toBe(sim.stats.issued);
    const n = nics[0];
    expect(n.migrations).toBeGreaterThan(0);
    expect(n.migration.failed).toBe(n.migrations);
    expect(n.migration.retransmitted).toBe(n.migrations);
    expect(n.keptLocal).toBe(n.decisions); // every connection came back
    expect(n.forwarded).toBe(0);
    expectConserved(net);
  });
});

describe('a migration\'s outcome for an entry that has gone', () => {
  const priv = (n: SmartNic) => n as unknown as { migrationAcked(e: DirectoryEntry, o: number, rtt: number, h: number): void; migrationFailed(e: DirectoryEntry, t: unknown): void };

  it('an acknowledgement for an entry no longer in the directory, or not migrating, forwards nothing', () => {
    const { nics } = build();
    const n = nics[0];
    n.reportArrived(1, 0, segment(n, 0), 'd');
    const gone = new DirectoryEntry(CLIENT, 40000, n.servicePort, 0);
    gone.owner = 1;
    gone.migrating = true;
    gone.pending = [segment(n, TcpFlag.ACK, CLIENT, 40000, 10)];
    priv(n).migrationAcked(gone, 1, 10, 5);
    expect(n.forwarded).toBe(0);
    expect(gone.pending).toHaveLength(1);
    const settled = new DirectoryEntry(CLIENT, 40001, n.servicePort, 0);
    settled.owner = 1;
    settled.pending = [segment(n, TcpFlag.ACK, CLIENT, 40001, 10)];
    n.directory.add(settled);
    priv(n).migrationAcked(settled, 1, 10, 5);
    expect(n.forwarded).toBe(0);
    expect(settled.handle).toBe(0);
    const live = new DirectoryEntry(CLIENT, 40002, n.servicePort, 0);
    live.owner = 1;
    live.migrating = true;
    live.pending = [segment(n, TcpFlag.ACK, CLIENT, 40002, 10)];
    n.directory.add(live);
    priv(n).migrationAcked(live, 1, 10, 5);
    expect([n.forwarded, live.handle, live.migrating, live.pending]).toEqual([1, 5, false, []]);
  });

  it('a failed migration takes the connection back: served by the own host, nothing left held; for a gone entry, nothing', () => {
    const { nics, net } = build();
    const n = nics[0];
    net.sim.run({ until: 1000 });
    n.handle(segment(n, TcpFlag.SYN));
    const sock = n.engine.find(n.servicePort, CLIENT, 40000)!;
    const tcb = n.engine.exportConnection(sock);
    const adopted: unknown[] = [];
    const adopt = n.self.app.adopt.bind(n.self.app);
    n.self.app.adopt = (x) => { adopted.push(x); adopt(x); };
    const gone = new DirectoryEntry(CLIENT, 40009, n.servicePort, 0);
    priv(n).migrationFailed(gone, tcb);
    expect(n.keptLocal).toBe(0);
    expect(adopted).toEqual([]);
    const e = n.directory.lookup(CLIENT, 40000, n.servicePort)!;
    e.owner = 1;
    e.migrating = true;
    e.pending = [segment(n, TcpFlag.ACK, CLIENT, 40000, 10)];
    priv(n).migrationFailed(e, tcb);
    expect([e.owner, e.pending, n.keptLocal, n.passedToHost]).toEqual([Holder.LOCAL, [], 1, 1]);
    expect(n.packetsHeld()).toBe(0);
    expect(adopted).toHaveLength(1); // the own host's application took the connection
  });
});

describe('a connection ending (step 8)', () => {
  it('leaves its entry only where the directory says it is held, and tolerates an entry already gone', () => {
    const { nics, net } = build();
    const n = nics[0];
    net.sim.run({ until: 1000 });
    n.handle(segment(n, TcpFlag.SYN));
    const sock = n.engine.find(n.servicePort, CLIENT, 40000)!;
    const ended = (where: number): void => (n as unknown as { connectionEnded(s: unknown, w: number): void }).connectionEnded(sock, where);
    const e = n.directory.lookup(CLIENT, 40000, n.servicePort)!;
    e.owner = 1; // moved to server1 since: a local end of the same end point must not remove it
    ended(Holder.LOCAL);
    ended(Holder.NIC);
    expect(n.directory.lookup(CLIENT, 40000, n.servicePort)).toBe(e);
    e.owner = Holder.NIC;
    ended(Holder.NIC);
    expect(n.directory.size).toBe(0);
    expect(() => ended(Holder.NIC)).not.toThrow(); // nothing left to remove
    expect(n.closedNotices).toBe(0);
  });
});

describe('steps called directly on a built site', () => {
  it('takes only TCP segments for its own address and service port off the first LAN', () => {
    const { nics, c } = build();
    const n = nics[0];
    const intercept = (p: Packet, iface = n.self.firstIface): boolean => (n as unknown as { intercept(p: Packet, i: unknown): boolean }).intercept(p, iface);
    expect(intercept(segment(n, TcpFlag.SYN))).toBe(true);
    expect(n.processor.packetsHeld()).toBe(1);
    expect(intercept(segment(n, TcpFlag.SYN), n.self.thirdIface!)).toBe(false);
    expect(intercept(Object.assign(segment(n, TcpFlag.SYN), { dstIp: c.members[1].firstIface.ip }))).toBe(false);
    expect(intercept(Object.assign(segment(n, TcpFlag.SYN), { tunnel: true }))).toBe(false);
    expect(intercept(Object.assign(segment(n, TcpFlag.SYN), { protocol: IpProtocol.UDP }))).toBe(false);
    expect(intercept(Object.assign(segment(n, TcpFlag.SYN), { dstPort: n.servicePort + 1 }))).toBe(false);
  });

  it('drops what reaches a NIC whose node is down, as node-down', () => {
    const { nics, net } = build();
    const n = nics[0];
    n.self.node.setUp(false);
    n.handle(segment(n, TcpFlag.SYN));
    expect(net.dropped[DropReason.NODE_DOWN]).toBe(1);
    expect(n.directory.size).toBe(0);
    expect(n.processed).toBe(1);
  });

  it('a SYN makes a directory entry held by the NIC and is answered by its engine; a stray segment goes to the host', () => {
    const { nics } = build();
    const n = nics[0];
    const lookups: number[] = [];
    n.lookupTrace.connect((_p, holder) => lookups.push(holder));
    const syn = segment(n, TcpFlag.SYN);
    n.handle(syn);
    expect(syn.pathFlags & PathFlag.FIRST_PROCESSED).not.toBe(0);
    const e = n.directory.lookup(CLIENT, 40000, n.servicePort)!;
    expect(e.owner).toBe(Holder.NIC);
    expect(n.synAnswered).toBe(1);
    expect(n.engine.find(n.servicePort, CLIENT, 40000)).toBeDefined();
    n.handle(segment(n, TcpFlag.ACK)); // an ACK that does not match: the NIC's engine resets it, and the entry goes
    expect(n.passedToHost).toBe(0);
    expect(n.engine.find(n.servicePort, CLIENT, 40000)).toBeUndefined();
    expect(n.directory.size).toBe(0);
    n.handle(segment(n, TcpFlag.ACK, CLIENT, 40001)); // nobody knows this one
    n.handle(segment(n, TcpFlag.SYN | TcpFlag.ACK, CLIENT, 40002));
    expect(n.passedToHost).toBe(2);
    expect(n.directory.size).toBe(0);
    expect(lookups).toEqual([-3, Holder.NIC, -3, -3]);
  });

  it('a request whose NIC TCB has gone leaves the directory and goes to the host (which resets)', () => {
    const { nics } = build();
    const n = nics[0];
    n.directory.add(new DirectoryEntry(CLIENT, 40000, n.servicePort, 0));
    n.handle(segment(n, TcpFlag.ACK | TcpFlag.PSH, CLIENT, 40000, 100));
    expect(n.directory.size).toBe(0);
    expect(n.passedToHost).toBe(1);
  });

  it('holds the packets of a connection being migrated, and sends those of a local one to the host', () => {
    const { nics } = build();
    const n = nics[0];
    const moving = new DirectoryEntry(CLIENT, 40000, n.servicePort, 0);
    moving.owner = 1;
    moving.migrating = true;
    const mine = new DirectoryEntry(CLIENT, 40001, n.servicePort, 0);
    mine.owner = Holder.LOCAL;
    n.directory.add(moving);
    n.directory.add(mine);
    n.handle(segment(n, TcpFlag.ACK, CLIENT, 40000, 10));
    n.handle(segment(n, TcpFlag.ACK, CLIENT, 40000, 10));
    expect(moving.pending).toHaveLength(2);
    expect(n.packetsHeld()).toBe(2);
    n.handle(segment(n, TcpFlag.ACK, CLIENT, 40001, 10));
    expect(n.passedToHost).toBe(1);
    expect(n.forwarded).toBe(0);
  });

  it('forwards to a known owner encapsulated with the handle, over the second LAN', () => {
    const { nics, c } = build();
    const n = nics[0];
    const owner = new DirectoryEntry(CLIENT, 40000, n.servicePort, 0);
    owner.owner = 1;
    owner.handle = 5;
    n.directory.add(owner);
    n.reportArrived(1, 3, segment(n, 0), 'third/server0');
    let out: Packet | null = null;
    n.self.secondIface!.dev.txTrace.connect((p) => { out = p; });
    const p = segment(n, TcpFlag.ACK, CLIENT, 40000, 10);
    const bytes = p.ipBytes();
    n.handle(p);
    expect(n.forwarded).toBe(1);
    expect(n.forwardedBytes).toBe(bytes);
    expect(p.encap!.handle).toBe(5);
    expect(p.encap!.ownerIp).toBe(c.members[1].firstIface.ip);
    expect(p.pathFlags & PathFlag.FORWARDED).not.toBe(0);
    n.self.node.net.sim.run({ until: n.self.node.net.now + MS });
    expect(out).toBe(p);
  });

  it('a packet for a forgotten owner breaks its connection: dropped as cluster, the client reset, the entry gone', () => {
    const { nics, net, resets } = build();
    const n = nics[0];
    const e = new DirectoryEntry(CLIENT, 40000, n.servicePort, 0);
    e.owner = 1;
    n.directory.add(e);
    n.handle(segment(n, TcpFlag.ACK, CLIENT, 40000, 10));
    expect(n.broken).toBe(1);
    expect(net.dropped[DropReason.CLUSTER]).toBe(1);
    expect(resets.map((r) => [r.dstIp, r.dstPort])).toEqual([[CLIENT, 40000]]);
    expect(n.directory.size).toBe(0);
    n.forward(segment(n, TcpFlag.RST, CLIENT, 40000), 1, 0); // an RST is not answered, and no entry is left to break
    expect(n.broken).toBe(1);
    expect(net.dropped[DropReason.CLUSTER]).toBe(2);
    expect(resets).toHaveLength(1);
  });

  it('reports fill the state table with their arrival and make the peer usable', () => {
    const { nics } = build();
    const n = nics[0];
    const p = segment(n, 0);
    expect(n.detector.usable(1)).toBe(false);
    n.reportArrived(1, 6, p, 'third/server0');
    expect(n.state.row(1)).toEqual({ load: 6, at: n.self.node.net.now, viaPacket: p.id, viaDevice: 'third/server0' });
    expect(n.detector.usable(1)).toBe(true);
    expect(n.peerLoad(1, 0)).toBe(6);
  });

  it('forgetting a server breaks exactly the connections it held and drops their held packets', () => {
    const { nics, net } = build();
    const n = nics[0];
    const held = new DirectoryEntry(CLIENT, 40000, n.servicePort, 0);
    held.owner = 1;
    held.pending = [segment(n, TcpFlag.ACK), segment(n, TcpFlag.ACK)];
    const other = new DirectoryEntry(CLIENT, 40001, n.servicePort, 0);
    other.owner = Holder.LOCAL;
    n.directory.add(held);
    n.directory.add(other);
    n.reportArrived(1, 1, segment(n, 0), 'd');
    n.forgetServer(1);
    expect(n.state.row(1)).toBeUndefined();
    expect(n.broken).toBe(1);
    expect(held.pending).toEqual([]);
    expect(net.dropped[DropReason.CLUSTER]).toBe(2);
    expect(n.directory.lookup(CLIENT, 40001, n.servicePort)).toBe(other);
    expect(n.directory.size).toBe(1);
  });
});

describe('the owner side: the reference in a forwarded packet', () => {
  function forwarded(n: SmartNic, owner: SmartNic, flags: number, handle: number, port = 40000): Packet {
    const p = segment(n, flags, CLIENT, port, 10);
    encapsulate(p, owner.self.firstIface.ip, handle);
    return p;
  }

  it('drops a packet that is not encapsulated as not-for-us', () => {
    const { nics, net } = build();
    nics[1].receiveForwarded(segment(nics[0], TcpFlag.ACK));
    expect(net.dropped[DropReason.NOT_FOR_US]).toBe(1);
  });

  it('drops a reference naming another device as bad-reference, without looking it up', () => {
    const { nics, net } = build();
    const found: (unknown | null)[] = [];
    net.sim.run({ until: 1000 });
    nics[1].receiveForwarded(forwarded(nics[0], nics[1], TcpFlag.SYN, 0)); // a live connection on server1's host
    nics[1].unwrapTrace.connect((_p, _b, s) => found.push(s));
    nics[1].receiveForwarded(forwarded(nics[0], nics[0], TcpFlag.ACK, 0));
    expect(nics[1].badReferences).toBe(1);
    expect(net.dropped[DropReason.BAD_REFERENCE]).toBe(1);
    expect(found).toEqual([null]);
  });

  it('lets the host listener take a SYN decided at SYN time; resets a stale reference unless it is an RST', () => {
    const { nics, net, resets } = build();
    const owner = nics[1];
    const tcp = owner.self.tcp;
    net.sim.run({ until: 1000 }); // the host applications listen from t = 0
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.SYN, 0));
    expect(tcp.find(owner.servicePort, CLIENT, 40000)).toBeDefined();
    expect(owner.staleReferences).toBe(0);
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.ACK, 0, 40001));
    expect(owner.staleReferences).toBe(1);
    expect(net.dropped[DropReason.STALE_REFERENCE]).toBe(1);
    expect(resets.map((r) => [r.dstIp, r.dstPort, r.srcIp])).toEqual([[CLIENT, 40001, nics[0].self.firstIface.ip]]);
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.RST, 0, 40001));
    expect(owner.staleReferences).toBe(2);
    expect(resets).toHaveLength(1);
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.SYN, 99, 40002)); // a handle naming no slot: stale, not a new connection
    expect(owner.staleReferences).toBe(3);
    expect(tcp.find(owner.servicePort, CLIENT, 40002)).toBeUndefined();
    const syn = forwarded(nics[0], owner, TcpFlag.SYN, 0, 40003);
    syn.srcPort = 40004; // the inner packet is not the connection the reference names
    owner.receiveForwarded(syn);
    expect(owner.staleReferences).toBe(4);
    const other = forwarded(nics[0], owner, TcpFlag.SYN, 0, 40005);
    other.srcIp = CLIENT + 1;
    owner.receiveForwarded(other);
    expect(owner.staleReferences).toBe(5);
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.SYN | TcpFlag.ACK, 0, 40006)); // not an opening SYN
    expect(owner.staleReferences).toBe(6);
    expect(tcp.find(owner.servicePort, CLIENT, 40006)).toBeUndefined();
  });

  it('finds the TCB by handle and delivers to it; a handle naming another connection is bad-reference', () => {
    const { nics, net } = build();
    const owner = nics[1];
    const tcp = owner.self.tcp;
    net.sim.run({ until: 1000 }); // the host applications listen from t = 0
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.SYN, 0));
    const s = tcp.find(owner.servicePort, CLIENT, 40000)!;
    expect(s.handle).toBeGreaterThan(0);
    const delivered = net.delivered;
    owner.receiveForwarded(forwarded(nics[0], owner, TcpFlag.ACK, s.handle, 40009));
    expect(owner.badReferences).toBe(1);
    const wrongPort = forwarded(nics[0], owner, TcpFlag.ACK, s.handle);
    wrongPort.dstPort = owner.servicePort + 1;
    owner.receiveForwarded(wrongPort);
    const wrongIp = forwarded(nics[0], owner, TcpFlag.ACK, s.handle);
    wrongIp.srcIp = CLIENT + 1;
    owner.receiveForwarded(wrongIp);
    expect(owner.badReferences).toBe(3);
    expect(net.dropped[DropReason.BAD_REFERENCE]).toBe(3);
    expect(net.delivered).toBe(delivered);
    const rx: Packet[] = [];
    tcp.rxTrace.connect((p) => rx.push(p));
    const good = forwarded(nics[0], owner, TcpFlag.ACK, s.handle);
    owner.receiveForwarded(good);
    expect(rx).toEqual([good]);
    expect(good.etherType).toBe(0x0800); // unwrapped
    expect(owner.badReferences + owner.staleReferences).toBe(3);
    expect(net.delivered).toBe(delivered + 1);
  });
});

describe('control messages', () => {
  const onControl = (n: SmartNic, msg: unknown): void => (n as unknown as { onControl(m: unknown): void }).onControl(msg);

  it('answers a probe, and a probe answer clears the suspicion', () => {
    const { nics } = build({ reports: { period: '1ms', deadAfter: '4ms', detector: { kind: 'probe' } } });
    const n = nics[0];
    const sent = (n as unknown as { control: { sent: number } }).control;
    onControl(n, { kind: 'probe', from: 1 });
    expect(sent.sent).toBe(1);
    n.detector.heard(1, 0);
    n.detector.check(10 * MS);
    expect(n.detector.usable(1)).toBe(false);
    expect(sent.sent).toBe(2); // the detector probed
    onControl(n, { kind: 'probe-ack', from: 1 });
    expect(n.detector.usable(1)).toBe(true);
  });

  it('a closed notice removes the entry; a migrate-ack reaches the migrator', () => {
    const { nics } = build();
    const n = nics[0];
    n.directory.add(new DirectoryEntry(CLIENT, 40000, n.servicePort, 0));
    onControl(n, { kind: 'closed', clientIp: CLIENT, clientPort: 40000, serverPort: n.servicePort, from: 1 });
    expect(n.closedNotices).toBe(1);
    expect(n.directory.size).toBe(0);
    onControl(n, { kind: 'migrate-ack', clientIp: 1, clientPort: 2, serverPort: 80, iss: 3, handle: 4, from: 1 });
    expect(n.closedNotices).toBe(1);
    expect(n.migration.acknowledged).toBe(0); // nothing was outstanding
  });

  it('a request whose NIC TCB has gone places nothing, so it records no decision and bumps no peer', () => {
    const sim = simulationOf({ seed: 7, network: { site: { servers: 2, clients: 1, nic: { policy: 'round-robin' } } } });
    const n = sim.cluster!.nics[0];
    const client = (sim.nodes.get('client0') as IpNode).interfaces[0].ip;
    const decisions: DecisionRecord[] = [];
    n.decisionTrace.connect((d) => decisions.push(d));
    n.reportArrived(1, 3, sim.net.newPacket(), 'third');
    n.choose(sim.net.newPacket()); // round-robin: the next decision would pick server1
    n.directory.add(new DirectoryEntry(client, 40000, n.servicePort, 0)); // held by the NIC, whose TCB timed out
    const p = Object.assign(sim.net.newPacket(), {
      protocol: IpProtocol.TCP, srcIp: client, srcPort: 40000, dstIp: n.self.firstIface.ip, dstPort: n.servicePort,
      tcpFlags: TcpFlag.ACK | TcpFlag.PSH, payloadBytes: 100,
    });
    n.handle(p);
    expect(n.directory.size).toBe(0); // the entry goes and the host answers with RST
    expect(decisions).toHaveLength(1); // only the direct choose above
    expect(n.state.row(1)!.load).toBe(3); // no peer bumped for a connection never placed
  });
});
