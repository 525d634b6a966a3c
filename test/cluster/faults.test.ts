/**
 * Faults: a server crashes or joins, a link goes down. Connections held by
 * a crashed server break and are counted; directories and state tables drop
 * it; new connections avoid it; nothing else is lost.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { buildCluster, type ClusterOptions } from '../../src/cluster/cluster';
import type { DecisionRecord } from '../../src/cluster/smart-nic';
import { DropReason } from '../../src/net/drop-reason';
import { TcpFlag } from '../../src/net/packet';
import { runDesign } from '../../src/metrics/design-comparison';
import { expectConserved } from '../helpers';

const BASE: Partial<ClusterOptions> = {
  servers: 5,
  clients: 20,
  seed: 5,
  workload: {
    requestsPerClient: 12, arrival: 'poisson', meanIntervalNs: 15 * MS,
    thinkTime: { kind: 'constant', value: 0 },
    requestSize: { kind: 'constant', value: 300 },
    responseSize: { kind: 'constant', value: 30_000 },
    requestsPerConnection: 1, servicePort: 80,
  },
  serviceTime: { kind: 'exponential', mean: 2 * MS },
  nic: { policy: 'hash' },
  reports: { periodNs: 2 * MS, bytes: 64, deadAfterNs: 7 * MS },
  tcp: { synRetries: 2, maxRetries: 3 },
};

describe('server crash (nic-forward)', () => {
  it('breaks what the crashed server held, avoids it afterwards, loses nothing else', () => {
    const CRASH = 60 * MS;
    const c = buildCluster({ ...BASE, design: 'nic-forward', faults: [{ at: CRASH, kind: 'crash', server: 2 }] });
    const s2 = c.members[2].firstIface.ip;
    const decisions: DecisionRecord[] = [];
    for (const n of c.nics) n.decisionTrace.connect((d) => decisions.push(d));
    // Connections that involve server 2: addressed to it after the crash, or held by it at the crash.
    const involved = new Set<number>();
    for (const cl of c.topo.nodes.filter((n) => n.kind === 'client')) {
      for (const d of cl.devices) d.txTrace.connect((p) => {
        if (p.dstIp === s2 && p.tcpFlags === TcpFlag.SYN && c.topo.net.now >= CRASH) involved.add(p.srcIp * 65536 + p.srcPort);
      });
    }
    let heldAtCrash = 0;
    c.topo.net.sim.scheduleAt(CRASH - 1, () => {
      for (const n of c.nics) for (const e of n.directory.ownedBy(2)) involved.add(e.clientIp * 65536 + e.clientPort);
      heldAtCrash = c.members[2].tcp.size;
    });
    c.topo.net.sim.run({ until: 30_000 * MS });
    const st = c.stats;
    expect(heldAtCrash).toBeGreaterThan(0);
    expect(st.completed + st.failed).toBe(st.issued);
    expect(st.failed).toBeGreaterThan(0);
    expect(st.failed).toBeLessThanOrEqual(involved.size + heldAtCrash);
    const detectedBy = CRASH + 7 * MS + 2 * MS;
    const later = decisions.filter((d) => d.time > detectedBy);
    expect(later.length).toBeGreaterThan(20);
    expect(later.filter((d) => d.chosen === 2 || d.candidates.includes(2))).toEqual([]);
    for (const [i, n] of c.nics.entries()) if (i !== 2) expect(n.state.row(2, c.topo.net.now)).toBeUndefined();
    expect(c.nics.reduce((a, n) => a + n.broken, 0)).toBeGreaterThan(0);
    expect(c.cpus[2].completed).toBeGreaterThan(0); // it served before the crash
    expectConserved(c.topo.net);
  });
});

describe('server join', () => {
  it('nic-forward: a standby server joins, is learned from its reports, and takes connections', () => {
    const JOIN = 50 * MS;
    const c = buildCluster({ ...BASE, design: 'nic-forward', standby: [4], faults: [{ at: JOIN, kind: 'join', server: 4 }] });
    const chosen: { t: number; s: number }[] = [];
    for (const n of c.nics) n.decisionTrace.connect((d) => chosen.push({ t: d.time, s: d.chosen }));
    c.topo.net.sim.run({ until: 30_000 * MS });
    expect(chosen.filter((x) => x.t < JOIN && x.s === 4)).toEqual([]);
    expect(chosen.filter((x) => x.t > JOIN && x.s === 4).length).toBeGreaterThan(0);
    expect(c.cpus[4].completed).toBeGreaterThan(0);
    expectConserved(c.topo.net);
  });

  it('daisy-chain: connections survive a server joining (packets follow the previous owner)', () => {
    const { cluster: c, result } = runDesign({ ...BASE, design: 'daisy-chain', standby: [4], faults: [{ at: 40 * MS, kind: 'join', server: 4 }] });
    expect(result.failed).toBe(0);
    expect(result.completed).toBe(result.issued);
    expect(c.balancer!.daisyChained).toBeGreaterThan(0);
    expect(c.cpus[4].completed).toBeGreaterThan(0);
    expect(result.conserved).toBe(true);
  });

  it('lb-dsr with stateful least-connections: joining does not disturb open connections either', () => {
    const { result } = runDesign({ ...BASE, design: 'lb-dsr', standby: [4], faults: [{ at: 40 * MS, kind: 'join', server: 4 }] });
    expect(result.failed).toBe(0);
    expect(result.conserved).toBe(true);
  });
});

describe('link down', () => {
  it('drops what the link carried with the reason recorded, and conserves packets', () => {
    const c = buildCluster({ ...BASE, design: 'no-forward', faults: [{ at: 40 * MS, kind: 'link-down', server: 1, lan: 'first' }, { at: 90 * MS, kind: 'link-up', server: 1, lan: 'first' }] });
    c.topo.net.sim.run({ until: 30_000 * MS });
    expect(c.topo.net.dropped[DropReason.LINK_DOWN] + c.topo.net.dropped[DropReason.MAC_FILTERED]).toBeGreaterThan(0);
    expect(c.stats.completed + c.stats.failed).toBe(c.stats.issued);
    expect(c.cpus[1].completed).toBeGreaterThan(0);
    expectConserved(c.topo.net);
  });
});
