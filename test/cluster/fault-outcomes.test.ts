/**
 * Faults that prove what is lost: for the claimed system (nic-forward) and
 * the direct-return balancer (lb-dsr), a crash, a join, and a link going
 * down and up on each LAN. Each test predicts, from the state of the
 * network at the moment of the fault (read from the hosts, the NICs'
 * directories and the balancer's choices, not from the outcome), exactly
 * which requests cannot complete, and asserts that those and only those
 * were lost, that everything else completed, that packets are conserved,
 * and that what reached a crashed node was dropped as node-down.
 */
import { describe, expect, it } from 'vitest';
import { endpointKey } from '../../src/net/address';
import { DROP_REASON_NAMES } from '../../src/net/drop-reason';
import type { Simulation } from '../../src/scenario/build';
import type { ScenarioInput, SiteInput } from '../../src/scenario/schema';
import { bytesInFlight } from '../../src/transport/tcp-tx-buffer';
import { runSite } from '../helpers';

const T = 150_000_000; // the fault, ns
const SITE: SiteInput = {
  servers: 6, clients: 30, nic: { policy: 'least-loaded' }, reports: { period: '2ms', deadAfter: '7ms' },
  server: { serviceTime: { kind: 'exponential', mean: '1ms' } },
};
const rest = (faults: ScenarioInput['faults']): Omit<ScenarioInput, 'network'> => ({
  seed: 11,
  workload: { requestsPerClient: 10, arrival: { kind: 'poisson', meanInterval: '25ms' }, requestSize: '300B', responseSize: '30kB' },
  tcp: { synRetries: 3, dataRetries: 4, timeWait: '200ms' },
  faults,
  stop: { drain: '20s' },
});

interface Req { key: string; server: number; endpoint: number; issuedAt: number; outcome: string | null; reachedBeforeT: boolean }

/** Every request, the address it went to, and how it ended; and what the network held at T - 1 ns. */
function track(sim: Simulation) {
  const reqs = new Map<string, Req>();
  const addrs = sim.cluster!.members.map((m) => m.firstIface.ip);
  const vip = sim.cluster!.vip;
  for (const c of sim.clients) {
    c.issueTrace.connect((r, s) => {
      const key = `${r.clientId}/${r.reqId}`;
      reqs.set(key, { key, server: vip !== null ? -1 : addrs.indexOf(s.tcb.remoteIp), endpoint: endpointKey(s.tcb.localIp, s.tcb.localPort), issuedAt: sim.net.now, outcome: null, reachedBeforeT: false });
    });
    c.endTrace.connect((r, outcome) => { reqs.get(`${r.clientId}/${r.reqId}`)!.outcome = outcome; });
  }
  for (const app of sim.servers) app.requestTrace.connect((_s, r) => {
    if (sim.net.now < T) reqs.get(`${r.clientId}/${r.reqId}`)!.reachedBeforeT = true;
  });
  // nic-forward: connections a first device placed on a server after T (before the peers knew it was gone).
  const placedAfterT = new Map<number, number>();
  for (const n of sim.cluster!.nics) n.decisionTrace.connect((d) => { if (d.time >= T) placedAfterT.set(endpointKey(d.clientIp, d.clientPort), d.chosen); });
  // lb-dsr: which server the balancer sent each connection to.
  const picked = new Map<number, number>();
  sim.cluster!.balancer?.pickTrace.connect((ip, port, server) => picked.set(endpointKey(ip, port), server));
  // held: connections whose TCB (or a first device's pointer to it) is at server k at T;
  // emitted: those of k's host whose whole response had already left k (nothing queued at its device).
  // finishing: those of k's host that can send the rest of their response without another ACK
  // (what is left fits the window open at T, and the application has written it all).
  const snapshot = { held: new Map<number, Set<number>>(), emitted: new Map<number, Set<number>>(), finishing: new Map<number, Set<number>>(), completedByT: new Set<string>() };
  sim.sim.scheduleAt(T - 1, () => {
    const c = sim.cluster!;
    c.members.forEach((m, k) => {
      const held = new Set<number>();
      const add = (remoteIp: number, remotePort: number): void => { held.add(endpointKey(remoteIp, remotePort)); };
      for (const s of m.tcp.sockets()) add(s.tcb.remoteIp, s.tcb.remotePort);
      for (const s of c.nics[k]?.engine.sockets() ?? []) add(s.tcb.remoteIp, s.tcb.remotePort);
      for (const n of c.nics) for (const e of n.directory.ownedBy(k)) add(e.clientIp, e.clientPort);
      snapshot.held.set(k, held);
      const emitted = new Set<number>(), finishing = new Set<number>();
      const idle = m.firstIface.dev.packetsHeld() === 0;
      for (const s of m.tcp.sockets()) {
        const tcb = s.tcb;
        if (tcb.bytesSent === 0 || tcb.unbuffered !== 0) continue;
        const key = endpointKey(tcb.remoteIp, tcb.remotePort);
        const unsent = tcb.tx.head + tcb.tx.size - tcb.sndNxt;
        if (idle && unsent <= 0) emitted.add(key);
        if (unsent <= Math.min(tcb.cwnd, tcb.rWnd) - bytesInFlight(tcb.tx)) finishing.add(key);
      }
      snapshot.emitted.set(k, emitted);
      snapshot.finishing.set(k, finishing);
    });
    for (const r of reqs.values()) if (r.outcome === 'completed') snapshot.completedByT.add(r.key);
  });
  const drops: { reason: string; where: string; t: number }[] = [];
  sim.net.dropTrace.connect((_p, reason, where) => drops.push({ reason: DROP_REASON_NAMES[reason], where, t: sim.net.now }));
  return { reqs, picked, placedAfterT, snapshot, drops };
}

type Tracked = ReturnType<typeof track>;

function outcome(design: 'nic-forward' | 'lb-dsr', faults: ScenarioInput['faults'], standby: string[] = []) {
  let t!: Tracked;
  const { sim, result } = runSite({ ...SITE, design, standby }, rest(faults), (s) => { t = track(s); });
  const lost = [...t.reqs.values()].filter((r) => r.outcome !== 'completed').map((r) => r.key).sort();
  return { sim, result, t, lost };
}

/** The requests a crash of server `k` at T must lose (nic-forward): by the network's state at T, not by the outcome. */
function doomedByCrashNic(t: Tracked, k: number): string[] {
  const held = t.snapshot.held.get(k)!;
  return [...t.reqs.values()].filter((r) => {
    if (t.snapshot.completedByT.has(r.key)) return false;
    if (r.issuedAt >= T) return r.server === k; // its SYN goes to the dead first device
    if (t.placedAfterT.get(r.endpoint) === k) return true; // placed on k while its death was not yet known
    // Its TCB (or its first device's pointer to it) was at k, and k had not yet sent the whole response.
    if (held.has(r.endpoint)) return !t.snapshot.emitted.get(k)!.has(r.endpoint);
    // First device k: a request that had not reached its owner needs k to
    // forward it; one whose owner cannot send the rest of its response
    // within the window open at T needs k to forward the client's ACKs.
    if (r.server !== k) return false;
    if (!r.reachedBeforeT) return true;
    const owner = [...t.snapshot.held.entries()].find(([j, h]) => j !== k && h.has(r.endpoint))?.[0];
    return owner === undefined || !t.snapshot.finishing.get(owner)!.has(r.endpoint);
  }).map((r) => r.key).sort();
}

/** lb-dsr: the requests whose connection the balancer sent (or sends) to server `k`, unfinished at T. */
function doomedByCrashDsr(t: Tracked, k: number): string[] {
  return [...t.reqs.values()].filter((r) => !t.snapshot.completedByT.has(r.key) && t.picked.get(r.endpoint) === k
    && !t.snapshot.emitted.get(k)!.has(r.endpoint)).map((r) => r.key).sort();
}

/** What reached a crashed node was dropped as node-down (a flooded frame for another host is filtered as it would be anyway). */
function expectNodeDown(t: Tracked, node: string): void {
  const atNode = t.drops.filter((d) => d.t >= T && (d.where.endsWith(`/${node}`) || d.where === node));
  expect(atNode.filter((d) => d.reason === 'node-down').length).toBeGreaterThan(0);
  expect(atNode.filter((d) => d.reason !== 'node-down' && d.reason !== 'mac-filtered').map((d) => `${d.reason} at ${d.where}`)).toEqual([]);
}

describe.each(['nic-forward', 'lb-dsr'] as const)('%s', (design) => {
  it('a crash loses exactly the requests that needed the crashed server, and nothing else', () => {
    const { result, t, lost } = outcome(design, [{ kind: 'crash', at: `${T}ns`, node: 'server2' }]);
    const doomed = design === 'nic-forward' ? doomedByCrashNic(t, 2) : doomedByCrashDsr(t, 2);
    expect(doomed.length).toBeGreaterThan(2);
    const show = (k: string): string => {
      const r = t.reqs.get(k)!;
      return `${k} to server${r.server} at ${(r.issuedAt / 1e6).toFixed(2)} ms, held by server2: ${t.snapshot.held.get(2)!.has(r.endpoint)}, reached an owner: ${r.reachedBeforeT}, ${r.outcome}`;
    };
    expect(lost.filter((k) => !doomed.includes(k)).map(show), 'lost, not predicted').toEqual([]);
    expect(doomed.filter((k) => !lost.includes(k)).map(show), 'predicted, not lost').toEqual([]);
    expect(result.metrics['requests-completed']).toBe(result.metrics['requests-issued']! - doomed.length);
    expect(result.metrics.conserved).toBe(1);
    expect(result.metrics['false-deaths'] ?? 0).toBe(0);
    expectNodeDown(t, 'server2');
  }, 120_000);

  it('a server joining loses nothing', () => {
    const { result, lost } = outcome(design, [{ kind: 'join', at: `${T}ns`, node: 'server5' }], ['server5']);
    expect(lost).toEqual([]);
    expect(result.metrics.conserved).toBe(1);
  }, 120_000);

  it.each(['first', 'second', 'third'] as const)('a %s-LAN link down for 40 ms and up again loses nothing', (lan) => {
    const { sim, result, lost, t } = outcome(design, [
      { kind: 'link-down', at: `${T}ns`, node: 'server3', lan }, { kind: 'link-up', at: `${T + 40_000_000}ns`, node: 'server3', lan },
    ]);
    expect(lost.map((k) => `${k}: ${t.reqs.get(k)!.outcome}`)).toEqual([]);
    expect(result.metrics.conserved).toBe(1);
    expect(result.metrics['false-deaths'] ?? 0).toBe(0);
    expect(result.metrics['broken-connections'] ?? 0).toBe(0);
    // What the dead link carried (if anything did) was dropped as link-down at server3's device.
    const here = t.drops.filter((d) => d.where === `${lan}-lan/server3`);
    expect(here.filter((d) => d.reason !== 'link-down' && d.reason !== 'mac-filtered')).toEqual([]);
    if (design === 'nic-forward' || lan === 'first') expect(here.filter((d) => d.reason === 'link-down').length).toBeGreaterThan(0);
    void sim;
  }, 120_000);
});
