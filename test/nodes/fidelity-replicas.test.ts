/**
 * Comparing netsim with ns-3 over replications (`bench tcp-anchor --runs=N`):
 * on the switch a single run's drops and retransmissions are a handful of
 * random events, and run k of netsim is not run k of ns-3 (different random
 * numbers), so a measure is compared as mean ± standard error over runs.
 */
import { describe, expect, it } from 'vitest';
import type { BenchLine } from '../../bench/anchors';
import { replicaLines } from '../../bench/tcp-anchor';
import { meanAndError } from '../../src/scenario/replications';

const line = (name: string, extra: Record<string, number>): BenchLine => ({
  name, eventsPerSec: 0, wallS: 0, extra: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
});

describe('meanAndError', () => {
  it('is the mean and the sample standard deviation over sqrt(n)', () => {
    const m = meanAndError([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.sem).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
  });

  it('gives one value no error, and no values no mean', () => {
    expect(meanAndError([7])).toEqual({ mean: 7, sem: 0 });
    expect(meanAndError([]).mean).toBeNaN();
  });
});

describe('replicaLines', () => {
  it("puts netsim's mean beside ns-3's with their difference in combined standard errors", () => {
    const ours = [2, 7, 11, 80].map((d) => line('netsim_tcp_switch', { dev_drops: d }));
    const ns3 = [312, 119, 84, 128].map((d) => line('ns3_tcp_switch', { dev_drops: d }));
    const [l] = replicaLines(ours, ns3, ['dev_drops']);
    const a = meanAndError([2, 7, 11, 80]), b = meanAndError([312, 119, 84, 128]);
    const z = (a.mean - b.mean) / Math.hypot(a.sem, b.sem);
    expect(l).toBe(`compare-runs netsim_tcp_switch/ns3_tcp_switch runs=4/4 dev_drops=25.00±18.43/160.75±51.30 z=${z.toFixed(2)}`);
    expect(z).toBeCloseTo(-2.5, 1);
  });

  it('says 0 for measures equal in every run, and prints netsim alone without anchor lines', () => {
    const ours = [line('netsim_tcp_hub', { retx: 0 }), line('netsim_tcp_hub', { retx: 0 })];
    expect(replicaLines(ours, [line('ns3_tcp_hub', { retx: 0 })], ['retx'])).toEqual(['compare-runs netsim_tcp_hub/ns3_tcp_hub runs=2/1 retx=0.00±0.00/0.00±0.00 z=0']);
    expect(replicaLines(ours, [], ['retx'])).toEqual(['runs netsim_tcp_hub runs=2 retx=0.00±0.00']);
  });
});
