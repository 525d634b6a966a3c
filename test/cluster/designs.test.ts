/**
 * Conformance over every design and every first-LAN kind: the same site,
 * workload and seed; every request served, packets conserved, and each
 * design's defining path property holds.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { DESIGNS, type Design, type FirstLanKind } from '../../src/cluster/cluster';
import { runDesign, type DesignResult } from '../../src/metrics/design-comparison';

const SITE = {
  servers: 5,
  clients: 16,
  seed: 3,
  workload: {
    requestsPerClient: 4, arrival: 'poisson' as const, meanIntervalNs: 20 * MS,
    thinkTime: { kind: 'constant' as const, value: 0 },
    requestSize: { kind: 'constant' as const, value: 300 },
    responseSize: { kind: 'constant' as const, value: 12_000 },
    requestsPerConnection: 1, servicePort: 80,
  },
  reports: { periodNs: 2 * MS, bytes: 64, deadAfterNs: 7 * MS },
};

const LANS: FirstLanKind[] = ['hub', 'l2-switch', 'l3-switch'];

const cache = new Map<string, DesignResult>();
function result(design: Design, firstLan: FirstLanKind): DesignResult {
  const k = `${design}/${firstLan}`;
  if (!cache.has(k)) cache.set(k, runDesign({ ...SITE, design, firstLan }).result);
  return cache.get(k)!;
}

describe.each(LANS)('first LAN: %s', (firstLan) => {
  it.each(DESIGNS)('%s serves every request and conserves packets', (design) => {
    const r = result(design, firstLan);
    expect(r.issued).toBe(SITE.clients * SITE.workload.requestsPerClient);
    expect(r.completed).toBe(r.issued);
    expect(r.failed).toBe(0);
    expect(r.conserved).toBe(true);
  });

  it('nic-forward: forwarded requests never cross the first LAN; responses of moved connections bypass the first device', () => {
    const r = result('nic-forward', firstLan);
    expect(r.migrations).toBeGreaterThan(0);
    expect(r.forwardedRequests).toBe(r.migrations);
    expect(r.forwardBypass).toBe(1);
    expect(r.forwardedBytesOnFirstLan).toBe(0);
    expect(r.secondLanBytes).toBeGreaterThan(0);
    // Equal-sized responses: the bypass ratio is the share of connections moved
    // (the rest were served by the first device's own host).
    expect(Math.abs(r.responseBypass! - r.migrations / r.completed)).toBeLessThan(0.03);
    if (firstLan === 'hub') expect(r.responsesSeenNotProcessed).toBeGreaterThan(0); // repeated to it, filtered
    else expect(r.responsesSeenNotProcessed).toBe(0);
  });

  it('nic-forward-first-lan: the same decisions, but forwarding loads the first LAN', () => {
    const r = result('nic-forward-first-lan', firstLan);
    expect(r.forwardedRequests).toBeGreaterThan(0);
    expect(r.forwardBypass).toBe(0);
    expect(r.forwardedBytesOnFirstLan).toBeGreaterThan(0);
    expect(r.secondLanBytes).toBe(0);
  });

  it('lb-nat: every response is processed by the balancer; lb-dsr and daisy-chain: none is', () => {
    expect(result('lb-nat', firstLan).responseBypass).toBe(0);
    expect(result('lb-dsr', firstLan).responseBypass).toBe(1);
    expect(result('daisy-chain', firstLan).responseBypass).toBe(1);
    expect(result('lb-dsr', firstLan).forwardedBytesOnFirstLan).toBeGreaterThan(0);
  });

  it('no-forward: nothing is forwarded and every response leaves through its first device', () => {
    const r = result('no-forward', firstLan);
    expect(r.forwardedRequests).toBe(0);
    expect(r.responseBypass).toBe(0);
  });

  it('is deterministic: the same seed gives the same measures', () => {
    const again = runDesign({ ...SITE, design: 'nic-forward', firstLan }).result;
    const first = result('nic-forward', firstLan);
    expect({ ...again, wallSeconds: 0 }).toEqual({ ...first, wallSeconds: 0 });
  });
});
