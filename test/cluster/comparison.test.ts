/**
 * The design comparison ranks the designs as the literature says, on the
 * bundled comparison scenario (fewer requests per client, same load): LVS
 * documents NAT saturating far earlier than direct return (DR/TUN), because
 * every response crosses the NAT balancer while requests are short.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { DESIGNS } from '../../src/cluster/install';
import type { Metrics } from '../../src/metrics/catalog';
import { ScenarioError } from '../../src/scenario/errors';
import { withDesign } from '../../src/scenario/load';
import { runScenario } from '../../src/scenario/runner';

let by: Record<string, Metrics>;

beforeAll(() => {
  const base = loadScenarioFile('comparison', ['workload.requestsPerClient=4']);
  if (!base.ok) throw new ScenarioError(base.problems);
  by = Object.fromEntries(DESIGNS.map((d) => {
    const s = withDesign(base.scenario, d);
    if (!s.ok) throw new ScenarioError(s.problems);
    return [d, runScenario(s.scenario).result.metrics];
  }));
}, 120_000);

describe('design comparison (24 servers, 300 clients, long responses)', () => {
  it('serves every request in every design and conserves packets', () => {
    for (const r of Object.values(by)) {
      expect(r['requests-completed']).toBe(r['requests-issued']);
      expect(r.conserved).toBe(1);
    }
  });

  it('lb-nat: no response bypasses the balancer, and the balancer is the bottleneck', () => {
    const nat = by['lb-nat'], dsr = by['lb-dsr'];
    expect(nat['response-bypass']).toBe(0);
    expect(nat['balancer-busy']!).toBeGreaterThan(1.8 * dsr['balancer-busy']!); // both directions vs requests only
    expect(nat['balancer-queue-max']!).toBeGreaterThan(3 * dsr['balancer-queue-max']!);
    for (const d of ['nic-forward', 'lb-dsr', 'no-forward', 'daisy-chain']) expect(nat['latency-p99']!).toBeGreaterThan(2 * by[d]['latency-p99']!);
    // Responses cross the first LAN twice (client side and server side of the
    // balancer), requests and ACKs twice in both designs: well over 1.7x.
    expect(nat['first-lan-bytes']!).toBeGreaterThan(1.7 * dsr['first-lan-bytes']!);
  });

  it('lb-dsr and daisy-chain bypass every response; nic-forward all it moved (the rest its own host served)', () => {
    expect(by['lb-dsr']['response-bypass']).toBe(1);
    expect(by['daisy-chain']['response-bypass']).toBe(1);
    const nic = by['nic-forward'];
    expect(nic['response-bypass']!).toBeGreaterThan(0.8);
    expect(Math.abs(nic['response-bypass']! - nic.migrations! / nic['requests-completed']!)).toBeLessThan(0.05);
  });

  it('nic-forward carries no forwarded bytes on the first LAN; its ablation and lb-dsr do', () => {
    expect(by['nic-forward']['forwarded-first-lan-bytes']).toBe(0);
    expect(by['nic-forward']['forward-bypass']).toBe(1);
    expect(by['nic-forward']['second-lan-bytes']!).toBeGreaterThan(0);
    expect(by['nic-forward-first-lan']['forwarded-first-lan-bytes']!).toBeGreaterThan(0);
    expect(by['lb-dsr']['forwarded-first-lan-bytes']!).toBeGreaterThan(0);
  });

  it('nic-forward spreads load at least as evenly as no balancing', () => {
    expect(by['nic-forward']['load-cv']!).toBeLessThan(by['no-forward']['load-cv']!);
  });
});
