/**
 * Fidelity against ns-3 on the anchor's own topology and workload.
 *
 * Reference figures: ../shared/anchors/reference.md, produced by
 * `anchors/run.sh cluster --variant=<v> --clients=10 --requests=100` with ns-3
 * 3.37 (Debian libns3-dev): hub hops=4080 mean_rtt_ms=10.2416; switch
 * hops=6920 mean_rtt_ms=10.2884 (1000 requests, no loss at that scale).
 */
import { describe, expect, it } from 'vitest';
import { expectConserved, ns3Cluster, traceHash } from '../helpers';

const NS3 = {
  hub: { hops: 4080, meanRttMs: 10.2416, requests: 1000 },
  switch: { hops: 6920, meanRttMs: 10.2884, requests: 1000 },
} as const;

describe.each(['hub', 'switch'] as const)('plain cluster on a %s, 10 clients x 100 requests', (variant) => {
  it('gives ns-3 hop counts and a mean RTT within 2%', () => {
    const c = ns3Cluster({ variant, clients: 10, requests: 100 });
    c.topo.net.sim.run();
    const ref = NS3[variant];
    expect(c.stats.issued).toBe(ref.requests);
    expect(c.stats.completed).toBe(ref.requests);
    expect(c.topo.hops()).toBe(ref.hops);
    const rttMs = c.stats.meanLatencyNs()! / 1e6;
    expect(Math.abs(rttMs - ref.meanRttMs) / ref.meanRttMs).toBeLessThan(0.02);
    expectConserved(c.topo.net);
  });

  it('counts 4 hops per request on a hub and 6 through a switch, beside ARP', () => {
    const c = ns3Cluster({ variant, clients: 10, requests: 100 });
    c.topo.net.sim.run();
    // ARP: router<->each server and each server<->router, one exchange each way.
    const arpHops = variant === 'hub' ? 20 * 2 * 2 : 20 * 2 * (1 + 20 + 2);
    expect(c.topo.hops() - arpHops).toBe((variant === 'hub' ? 4 : 6) * 1000);
  });

  it('is deterministic: the same seed gives the same trace, another seed another', () => {
    const a = traceHash(ns3Cluster({ variant, clients: 5, requests: 50, seed: 7 }).topo);
    const b = traceHash(ns3Cluster({ variant, clients: 5, requests: 50, seed: 7 }).topo);
    const c = traceHash(ns3Cluster({ variant, clients: 5, requests: 50, seed: 8 }).topo);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('conserves packets mid-run, with packets still in flight', () => {
    const c = ns3Cluster({ variant, clients: 10, requests: 100 });
    c.topo.net.sim.run({ until: 500_000_000 });
    expect(c.topo.net.inFlight()).toBeGreaterThan(0);
    expectConserved(c.topo.net);
  });
});
