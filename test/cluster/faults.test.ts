/**
 * Faults: a server crashes or joins, a link goes down. Connections held by
 * a crashed server break and are counted; directories and state tables drop
 * it; new connections avoid it; nothing else is lost.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../src/cluster/smart-nic';
import { MS } from '../../src/engine';
import { DropReason } from '../../src/net/drop-reason';
import type { ScenarioInput, SiteInput } from '../../src/scenario/schema';
import { expectConserved, runSite } from '../helpers';

const SITE: SiteInput = {
  servers: 5, clients: 20, nic: { policy: 'hash' }, server: { serviceTime: { kind: 'exponential', mean: '2ms' } },
  reports: { period: '2ms', size: '64B', deadAfter: '7ms' },
};
const REST = (faults: ScenarioInput['faults']): Omit<ScenarioInput, 'network'> => ({
  seed: 5,
  // A client whose first device crashed mid-response waits for ever (no
  // data of its own is outstanding, so its TCP never times out): the
  // deadline ends such a request.
  workload: { requestsPerClient: 12, arrival: { kind: 'poisson', meanInterval: '15ms' }, requestSize: '300B', responseSize: '30kB', deadline: '10s' },
  tcp: { synRetries: 2, dataRetries: 3 },
  faults,
});

describe('server crash (nic-forward)', () => {
  // Exactly which requests a crash loses is pinned by fault-outcomes.test.ts; this checks what the peers do about it.
  it('is detected by every peer, which then never place a connection on it', () => {
    const CRASH = 60 * MS;
    const decisions: DecisionRecord[] = [];
    let heldAtCrash = 0;
    const { sim } = runSite({ ...SITE, design: 'nic-forward' }, REST([{ at: '60ms', kind: 'crash', node: 'server2' }]), (sim) => {
      const c = sim.cluster!;
      for (const n of c.nics) n.decisionTrace.connect((d) => decisions.push(d));
      sim.sim.scheduleAt(CRASH - 1, () => { heldAtCrash = c.members[2].tcp.size; });
    });
    const c = sim.cluster!;
    const st = sim.stats;
    expect(heldAtCrash).toBeGreaterThan(0);
    expect(st.completed + st.failed).toBe(st.issued);
    expect(st.failed).toBeGreaterThan(0);
    // Suspected after 7 ms of silence (checked every 2 ms), then three 1 ms probes unanswered.
    const detectedBy = CRASH + 7 * MS + 2 * MS + 3 * MS;
    const later = decisions.filter((d) => d.time > detectedBy);
    expect(later.length).toBeGreaterThan(20);
    expect(later.filter((d) => d.chosen === 2 || d.candidates.includes(2))).toEqual([]);
    for (const [i, n] of c.nics.entries()) if (i !== 2) expect(n.state.row(2, sim.net.now)).toBeUndefined();
    expect(c.nics.reduce((a, n) => a + n.broken, 0)).toBeGreaterThan(0);
    expect(sim.cpus[2].completed).toBeGreaterThan(0); // it served before the crash
    expectConserved(sim.net);
  });
});

describe('server join', () => {
  it('nic-forward: a standby server joins, is learned from its reports, and takes connections', () => {
    const JOIN = 50 * MS;
    const chosen: { t: number; s: number }[] = [];
    const { sim } = runSite({ ...SITE, design: 'nic-forward', standby: ['server4'] }, REST([{ at: '50ms', kind: 'join', node: 'server4' }]), (sim) => {
      for (const n of sim.cluster!.nics) n.decisionTrace.connect((d) => chosen.push({ t: d.time, s: d.chosen }));
    });
    expect(chosen.filter((x) => x.t < JOIN && x.s === 4)).toEqual([]);
    expect(chosen.filter((x) => x.t > JOIN && x.s === 4).length).toBeGreaterThan(0);
    expect(sim.cpus[4].completed).toBeGreaterThan(0);
    expectConserved(sim.net);
  });

  it('daisy-chain: connections survive a server joining (packets follow the previous owner)', () => {
    const { sim, result } = runSite({ ...SITE, design: 'daisy-chain', standby: ['server4'] }, REST([{ at: '40ms', kind: 'join', node: 'server4' }]));
    expect(result.metrics['requests-failed']).toBe(0);
    expect(result.metrics['requests-completed']).toBe(result.metrics['requests-issued']);
    expect(sim.cluster!.balancer!.daisyChained).toBeGreaterThan(0);
    expect(sim.cpus[4].completed).toBeGreaterThan(0);
    expect(result.metrics.conserved).toBe(1);
  });

  it('lb-dsr with stateful least-connections: joining does not disturb open connections either', () => {
    const { result } = runSite({ ...SITE, design: 'lb-dsr', standby: ['server4'] }, REST([{ at: '40ms', kind: 'join', node: 'server4' }]));
    expect(result.metrics['requests-failed']).toBe(0);
    expect(result.metrics.conserved).toBe(1);
  });
});

describe('link down', () => {
  it('drops what the link carried with the reason recorded, and conserves packets', () => {
    const { sim } = runSite({ ...SITE, design: 'no-forward' }, REST([
      { at: '40ms', kind: 'link-down', node: 'server1', lan: 'first' }, { at: '90ms', kind: 'link-up', node: 'server1', lan: 'first' },
    ]));
    expect(sim.net.dropped[DropReason.LINK_DOWN] + sim.net.dropped[DropReason.MAC_FILTERED]).toBeGreaterThan(0);
    expect(sim.stats.completed + sim.stats.failed).toBe(sim.stats.issued);
    expect(sim.cpus[1].completed).toBeGreaterThan(0);
    expectConserved(sim.net);
  });
});
