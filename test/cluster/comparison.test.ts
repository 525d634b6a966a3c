/**
 * The design comparison ranks the designs as the literature says, on the
 * bundled comparison scenario (fewer requests per client, same load): LVS
 * documents NAT saturating far earlier than direct return (DR/TUN), because
 * every response crosses the NAT balancer while requests are short.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPARISON_SCENARIO } from '../../src/cluster/comparison-scenario';
import { compareDesigns, type DesignResult } from '../../src/metrics/design-comparison';

let by: Record<string, DesignResult>;

beforeAll(() => {
  const results = compareDesigns({ ...COMPARISON_SCENARIO, workload: { ...COMPARISON_SCENARIO.workload!, requestsPerClient: 4 } });
  by = Object.fromEntries(results.map((r) => [r.design, r]));
}, 120_000);

describe('design comparison (24 servers, 300 clients, long responses)', () => {
  it('serves every request in every design and conserves packets', () => {
    for (const r of Object.values(by)) {
      expect(r.completed).toBe(r.issued);
      expect(r.conserved).toBe(true);
    }
  });

  it('lb-nat: no response bypasses the balancer, and the balancer is the bottleneck', () => {
    const nat = by['lb-nat'], dsr = by['lb-dsr'];
    expect(nat.responseBypass).toBe(0);
    expect(nat.balancerUtil!).toBeGreaterThan(1.8 * dsr.balancerUtil!); // both directions vs requests only
    expect(nat.balancerPeakQueue!).toBeGreaterThan(3 * dsr.balancerPeakQueue!);
    for (const d of ['nic-forward', 'lb-dsr', 'no-forward', 'daisy-chain']) expect(nat.latencyP99Ns!).toBeGreaterThan(2 * by[d].latencyP99Ns!);
    expect(nat.firstLanBytes).toBeGreaterThan(1.8 * dsr.firstLanBytes); // responses cross the first LAN twice
  });

  it('lb-dsr and daisy-chain bypass every response; nic-forward all it moved (the rest its own host served)', () => {
    expect(by['lb-dsr'].responseBypass).toBe(1);
    expect(by['daisy-chain'].responseBypass).toBe(1);
    const nic = by['nic-forward'];
    expect(nic.responseBypass!).toBeGreaterThan(0.8);
    expect(Math.abs(nic.responseBypass! - nic.migrations / nic.completed)).toBeLessThan(0.05);
  });

  it('nic-forward carries no forwarded bytes on the first LAN; its ablation and lb-dsr do', () => {
    expect(by['nic-forward'].forwardedBytesOnFirstLan).toBe(0);
    expect(by['nic-forward'].forwardBypass).toBe(1);
    expect(by['nic-forward'].secondLanBytes).toBeGreaterThan(0);
    expect(by['nic-forward-first-lan'].forwardedBytesOnFirstLan).toBeGreaterThan(0);
    expect(by['lb-dsr'].forwardedBytesOnFirstLan).toBeGreaterThan(0);
  });

  it('nic-forward spreads load at least as evenly as no balancing', () => {
    expect(by['nic-forward'].loadCv!).toBeLessThan(by['no-forward'].loadCv!);
  });
});
