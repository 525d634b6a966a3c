import { describe, expect, it } from 'vitest';
import { DiscreteDistribution, EmpiricalDistribution, RandomStream, RandomStreams } from '../../src/engine';

const N = 200_000;

function moments(draw: () => number, n = N): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const x = draw(); s += x; s2 += x * x; }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

/** |got - want| within k standard errors of a mean estimated from n draws. */
function expectMean(got: number, want: number, variance: number, n = N, k = 5): void {
  expect(Math.abs(got - want)).toBeLessThan(k * Math.sqrt(variance / n));
}

describe('RandomStreams', () => {
  it('gives identical sequences for the same (seed, run, name)', () => {
    const a = new RandomStreams(42, 1).stream('client/3');
    const b = new RandomStreams(42, 1).stream('client/3');
    const xs = Array.from({ length: 100 }, () => a.random());
    expect(Array.from({ length: 100 }, () => b.random())).toEqual(xs);
  });

  it('changes with seed, run or name', () => {
    const first = (s: RandomStream) => Array.from({ length: 10 }, () => s.random());
    const base = first(new RandomStream(42, 1, 'x'));
    expect(first(new RandomStream(43, 1, 'x'))).not.toEqual(base);
    expect(first(new RandomStream(42, 2, 'x'))).not.toEqual(base);
    expect(first(new RandomStream(42, 1, 'y'))).not.toEqual(base);
  });

  it('adding a stream does not change the draws of another', () => {
    const r1 = new RandomStreams(7);
    const a1 = r1.stream('a');
    const seqA = Array.from({ length: 50 }, () => a1.random());
    const r2 = new RandomStreams(7);
    const extra = r2.stream('new-node');
    const a2 = r2.stream('a');
    const mixed: number[] = [];
    for (let i = 0; i < 50; i++) { extra.random(); mixed.push(a2.random()); }
    expect(mixed).toEqual(seqA);
    expect(r2.stream('a')).toBe(a2);
  });

  it('streams with different names are uncorrelated', () => {
    const a = new RandomStream(1, 1, 'server/0'), b = new RandomStream(1, 1, 'server/1');
    let sab = 0, sa = 0, sb = 0, saa = 0, sbb = 0;
    for (let i = 0; i < N; i++) {
      const x = a.random(), y = b.random();
      sab += x * y; sa += x; sb += y; saa += x * x; sbb += y * y;
    }
    const cov = sab / N - (sa / N) * (sb / N);
    const r = cov / Math.sqrt((saa / N - (sa / N) ** 2) * (sbb / N - (sb / N) ** 2));
    expect(Math.abs(r)).toBeLessThan(5 / Math.sqrt(N));
  });

  it('rejects non-integer seeds', () => {
    expect(() => new RandomStreams(1.5)).toThrow(/seed and run must be integers/);
  });
});

describe('distributions (fixed seeds, 5 standard errors)', () => {
  const rng = new RandomStream(2026, 1, 'distributions');

  it('uniform', () => {
    const m = moments(() => rng.uniform(2, 6));
    expectMean(m.mean, 4, 16 / 12);
    expect(m.variance).toBeCloseTo(16 / 12, 1);
  });

  it('integer covers both ends evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) counts[rng.integer(0, 3)]++;
    for (const c of counts) expect(Math.abs(c - N / 4)).toBeLessThan(5 * Math.sqrt(N * 0.25 * 0.75));
  });

  it('exponential', () => {
    const m = moments(() => rng.exponential(100));
    expectMean(m.mean, 100, 100 ** 2);
    expect(m.variance / 100 ** 2).toBeCloseTo(1, 1);
  });

  it('normal', () => {
    const m = moments(() => rng.normal(5, 2));
    expectMean(m.mean, 5, 4);
    expect(m.variance / 4).toBeCloseTo(1, 1);
  });

  it('log-normal', () => {
    const mu = 1, sigma = 0.5;
    const want = Math.exp(mu + sigma ** 2 / 2);
    const wantVar = (Math.exp(sigma ** 2) - 1) * Math.exp(2 * mu + sigma ** 2);
    const m = moments(() => rng.logNormal(mu, sigma));
    expectMean(m.mean, want, wantVar);
    expect(m.variance / wantVar).toBeCloseTo(1, 1);
  });

  it('bounded Pareto stays in bounds with the closed-form mean', () => {
    const a = 1.5, L = 1, H = 100;
    let lo = Infinity, hi = -Infinity;
    const m = moments(() => { const x = rng.boundedPareto(a, L, H); lo = Math.min(lo, x); hi = Math.max(hi, x); return x; });
    const want = (L ** a / (1 - (L / H) ** a)) * (a / (a - 1)) * (1 / L ** (a - 1) - 1 / H ** (a - 1));
    const ex2 = (L ** a / (1 - (L / H) ** a)) * (a / (2 - a)) * (H ** (2 - a) - L ** (2 - a));
    expect(lo).toBeGreaterThanOrEqual(L);
    expect(hi).toBeLessThanOrEqual(H);
    expectMean(m.mean, want, ex2 - want ** 2);
  });

  it('bernoulli', () => {
    const m = moments(() => (rng.bernoulli(0.3) ? 1 : 0));
    expectMean(m.mean, 0.3, 0.21);
  });

  it('discrete (alias method) matches its weights', () => {
    const d = new DiscreteDistribution([10, 20, 30], [1, 2, 7]);
    const counts = new Map<number, number>();
    for (let i = 0; i < N; i++) { const v = d.sample(rng); counts.set(v, (counts.get(v) ?? 0) + 1); }
    for (const [v, p] of [[10, 0.1], [20, 0.2], [30, 0.7]] as const) {
      expect(Math.abs(counts.get(v)! / N - p)).toBeLessThan(5 * Math.sqrt(p * (1 - p) / N));
    }
    expect(() => new DiscreteDistribution([1, 2], [1])).toThrow(/one weight per value/);
    expect(() => new DiscreteDistribution([1], [-1])).toThrow(/>= 0/);
  });

  it('empirical interpolates its CDF', () => {
    // Uniform on [0, 10] then on [10, 30] with half the mass each: mean 12.5.
    const d = new EmpiricalDistribution([[0, 0], [10, 0.5], [30, 1]]);
    const m = moments(() => d.sample(rng));
    const ex2 = 0.5 * (100 / 3) + 0.5 * ((30 ** 3 - 10 ** 3) / 3 / 20);
    expectMean(m.mean, 12.5, ex2 - 12.5 ** 2);
    expect(() => new EmpiricalDistribution([[0, 0.5]])).toThrow(/last cumulative probability must be 1/);
  });
});

describe('RandomStream base generator', () => {
  it('draws exactly what seedrandom.alea draws for the stream key', async () => {
    const seedrandom = (await import('seedrandom')).default;
    const { streamKey } = await import('../../src/engine/random-stream');
    const ref = seedrandom.alea(streamKey(9, 3, 'server/12'));
    const s = new RandomStream(9, 3, 'server/12');
    for (let i = 0; i < 1000; i++) expect(s.random()).toBe(ref());
  });
});
