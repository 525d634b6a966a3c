/**
 * Conformance over every design and every first-LAN kind: the same site,
 * workload and seed; every request served, packets conserved, and each
 * design's defining path property holds.
 */
import { describe, expect, it } from 'vitest';
import { DESIGNS, type Design } from '../../src/cluster/install';
import type { Metrics } from '../../src/metrics/catalog';
import type { ScenarioInput, SiteInput } from '../../src/scenario/schema';
import { runSite, simulationOf } from '../helpers';
import { runSimulation } from '../../src/scenario/runner';
import { FIN_TIMEOUT_NS } from '../../src/cluster/balancer';

type FirstLan = 'hub' | 'l2-switch' | 'l3-switch';
const SITE: SiteInput = { servers: 5, clients: 16, reports: { period: '2ms', size: '64B', deadAfter: '7ms' } };
const REST: Omit<ScenarioInput, 'network'> = {
  seed: 3,
  workload: { requestsPerClient: 4, arrival: { kind: 'poisson', meanInterval: '20ms' }, requestSize: '300B', responseSize: '12kB' },
};
const LANS: FirstLan[] = ['hub', 'l2-switch', 'l3-switch'];

const cache = new Map<string, Metrics>();
function result(design: Design, firstLan: FirstLan): Metrics {
  const k = `${design}/${firstLan}`;
  if (!cache.has(k)) cache.set(k, runSite({ ...SITE, design, firstLan: { kind: firstLan } }, REST).result.metrics);
  return cache.get(k)!;
}

describe.each(LANS)('first LAN: %s', (firstLan) => {
  it.each(DESIGNS)('%s serves every request and conserves packets', (design) => {
    const r = result(design, firstLan);
    expect(r['requests-issued']).toBe(16 * 4);
    expect(r['requests-completed']).toBe(r['requests-issued']);
    expect(r['requests-failed']).toBe(0);
    expect(r['open-connections']).toBe(0);
    expect(r.conserved).toBe(1);
  });

  it('nic-forward: forwarded requests never cross the first LAN; responses of moved connections bypass the first device', () => {
    const r = result('nic-forward', firstLan);
    expect(r.migrations!).toBeGreaterThan(0);
    expect(r['forwarded-requests']).toBe(r.migrations);
    expect(r['forward-bypass']).toBe(1);
    expect(r['forwarded-first-lan-bytes']).toBe(0);
    expect(r['second-lan-bytes']!).toBeGreaterThan(0);
    // Equal-sized responses: the bypass ratio is the share of connections moved
    // (the rest were served by the first device's own host).
    expect(Math.abs(r['response-bypass']! - r.migrations! / r['requests-completed']!)).toBeLessThan(0.03);
    if (firstLan === 'hub') expect(r['responses-seen-not-processed']!).toBeGreaterThan(0); // repeated to it, filtered
    else expect(r['responses-seen-not-processed']).toBe(0);
  });

  it('nic-forward-first-lan: the same decisions, but forwarding loads the first LAN', () => {
    const r = result('nic-forward-first-lan', firstLan);
    expect(r['forwarded-requests']!).toBeGreaterThan(0);
    expect(r['forward-bypass']).toBe(0);
    expect(r['forwarded-first-lan-bytes']!).toBeGreaterThan(0);
    expect(r['second-lan-bytes']).toBe(0);
  });

  it('lb-nat: every response is processed by the balancer; lb-dsr and daisy-chain: none is', () => {
    expect(result('lb-nat', firstLan)['response-bypass']).toBe(0);
    expect(result('lb-dsr', firstLan)['response-bypass']).toBe(1);
    expect(result('daisy-chain', firstLan)['response-bypass']).toBe(1);
    expect(result('lb-dsr', firstLan)['forwarded-first-lan-bytes']!).toBeGreaterThan(0);
  });

  it('no-forward: nothing is forwarded and every response leaves through its first device', () => {
    const r = result('no-forward', firstLan);
    expect(r['forwarded-requests']).toBe(0);
    expect(r['response-bypass']).toBe(0);
  });

  it('is deterministic: the same seed gives the same measures', () => {
    const again = runSite({ ...SITE, design: 'nic-forward', firstLan: { kind: firstLan } }, REST).result.metrics;
    expect(again).toEqual(result('nic-forward', firstLan));
  });
});

describe('central balancer table', () => {
  it('forgets a finished connection once LVS\'s tcpfin timeout has passed, and maps the newer ones', () => {
    // 2 clients x 4 requests, one every 100 s on average: most connections end long before the last one starts.
    const sim = simulationOf({
      network: { site: { servers: 2, clients: 2, design: 'lb-dsr' } },
      workload: { requestsPerClient: 4, arrival: { kind: 'poisson', meanInterval: '100s' } },
    });
    const r = runSimulation(sim);
    expect(r.metrics['requests-completed']).toBe(8);
    const lb = sim.cluster!.balancer!;
    expect(lb.mapped).toBeGreaterThan(0); // the last connections are still within the timeout
    expect(lb.mapped).toBeLessThan(8); // the early ones were forgotten
    expect(sim.net.now).toBeGreaterThan(FIN_TIMEOUT_NS);
  });
});
