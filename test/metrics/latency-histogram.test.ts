import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine';
import { LatencyHistogram, bucketIndex } from '../../src/metrics/latency-histogram';
import { percentile } from '../../src/metrics/summary';

const QS = [0, 0.1, 1, 5, 10, 25, 33.3, 50, 66.7, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];
const EPS = LatencyHistogram.RELATIVE_ERROR;

function fill(values: readonly number[], h = new LatencyHistogram()): LatencyHistogram {
  for (const v of values) h.record(v);
  return h;
}

/** Asserts every percentile in QS is within the documented bound of the exact nearest-rank one. */
function expectWithinBound(values: readonly number[], h: LatencyHistogram, absolute = 0): void {
  for (const q of QS) {
    const exact = percentile(values, q)!;
    const est = h.percentile(q)!;
    expect(Math.abs(est - exact), `p${q}: estimate ${est}, exact ${exact}`).toBeLessThan(exact * EPS + absolute + 1e-9);
  }
}

describe('LatencyHistogram', () => {
  it('documents a relative error bound below 1%', () => {
    expect(EPS).toBe(1 / 256);
    expect(EPS).toBeLessThan(0.01);
  });

  it('is empty until a value is recorded', () => {
    const h = new LatencyHistogram();
    expect([h.count, h.sum, h.min, h.max, h.mean, h.percentile(50)]).toEqual([0, 0, null, null, null, null]);
    expect(h.buckets()).toEqual([]);
    expect(h.toJSON()).toEqual({
      count: 0, sum: 0, min: null, max: null, mean: null, p50: null, p90: null, p99: null, p999: null,
    });
  });

  it('is exact for values below 256', () => {
    const values = Array.from({ length: 256 }, (_, i) => 255 - i);
    const h = fill(values);
    for (const q of QS) expect(h.percentile(q)).toBe(percentile(values, q));
  });

  it('keeps count, sum, min, max and mean exact', () => {
    const rng = new RandomStream(7, 1, 'hist/exact');
    const values = Array.from({ length: 10_000 }, () => rng.integer(0, 5e9));
    const h = fill(values);
    expect(h.count).toBe(values.length);
    expect(h.sum).toBe(values.reduce((a, b) => a + b, 0));
    expect(h.min).toBe(Math.min(...values));
    expect(h.max).toBe(Math.max(...values));
    expect(h.mean).toBe(h.sum / values.length);
    expect(h.percentile(0)).toBe(h.min);
    expect(h.percentile(100)).toBe(h.max);
  });

  it('matches exact percentiles within the bound: exponential integer latencies', () => {
    const rng = new RandomStream(42, 1, 'hist/exp');
    const values = Array.from({ length: 100_000 }, () => Math.round(rng.exponential(10_000_000)));
    expectWithinBound(values, fill(values));
  });

  it('matches exact percentiles within the bound: log-normal over many decades', () => {
    const rng = new RandomStream(42, 1, 'hist/lognormal');
    const values = Array.from({ length: 100_000 }, () => Math.round(rng.logNormal(12, 4)));
    const h = fill(values);
    expect(h.max! / Math.max(1, h.min!)).toBeGreaterThan(1e9); // spans small exact and large log buckets
    expectWithinBound(values, h);
  });

  it('matches exact percentiles within the bound: small sets and repeated values', () => {
    const rng = new RandomStream(42, 1, 'hist/small');
    for (let trial = 0; trial < 200; trial++) {
      const n = rng.integer(1, 40);
      const values = Array.from({ length: n }, () => rng.integer(0, 3) * rng.integer(100, 2_000_000));
      expectWithinBound(values, fill(values));
    }
  });

  it('stays within exact/256 + 1 ns for fractional values', () => {
    const rng = new RandomStream(42, 1, 'hist/frac');
    const values = Array.from({ length: 50_000 }, () => rng.exponential(500));
    expectWithinBound(values, fill(values), 1);
  });

  it('records a value several times with a count', () => {
    const a = new LatencyHistogram();
    a.record(1000, 3);
    a.record(5);
    const b = fill([1000, 1000, 1000, 5]);
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('merges as if every value had been recorded in one histogram', () => {
    const rng = new RandomStream(42, 1, 'hist/merge');
    const xs = Array.from({ length: 20_000 }, () => Math.round(rng.exponential(1e6)));
    const ys = Array.from({ length: 5_000 }, () => Math.round(rng.exponential(1e8)));
    const merged = fill(xs).merge(fill(ys));
    const all = fill([...xs, ...ys]);
    expect(merged.toJSON()).toEqual(all.toJSON());
    expect(merged.buckets()).toEqual(all.buckets());
    expectWithinBound([...xs, ...ys], merged);
    expect(fill(xs).merge(new LatencyHistogram()).toJSON()).toEqual(fill(xs).toJSON());
    expect(new LatencyHistogram().merge(fill(xs)).toJSON()).toEqual(fill(xs).toJSON());
  });

  it('buckets cover every value once, in order', () => {
    const rng = new RandomStream(42, 1, 'hist/buckets');
    const values = Array.from({ length: 5_000 }, () => Math.round(rng.logNormal(10, 3)));
    const buckets = fill(values).buckets();
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(values.length);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].lower).toBeGreaterThanOrEqual(buckets[i - 1].upper);
    for (const v of values) {
      const b = buckets.find((x) => v >= x.lower && v < x.upper);
      expect(b, `value ${v}`).toBeDefined();
      expect(b!.upper - b!.lower).toBeLessThanOrEqual(Math.max(1, b!.lower / 128));
    }
  });

  it('indexes buckets monotonically across the 32-bit boundary and up to 2^53 - 1', () => {
    const probes = [0, 1, 255, 256, 257, 511, 512, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1,
      2 ** 40 + 12345, 2 ** 52, Number.MAX_SAFE_INTEGER];
    for (let i = 1; i < probes.length; i++) expect(bucketIndex(probes[i])).toBeGreaterThanOrEqual(bucketIndex(probes[i - 1]));
    expect(bucketIndex(2 ** 32)).toBe(bucketIndex(2 ** 32 - 1) + 1);
    expect(bucketIndex(Number.MAX_SAFE_INTEGER)).toBe(6015);
    const h = new LatencyHistogram();
    for (const v of probes) h.record(v);
    expect(h.max).toBe(Number.MAX_SAFE_INTEGER);
    expectWithinBound(probes, h);
  });

  it('resets to empty', () => {
    const h = fill([1, 2, 3e6]);
    h.reset();
    expect(h.toJSON()).toEqual(new LatencyHistogram().toJSON());
    h.record(7);
    expect([h.min, h.max, h.percentile(50)]).toEqual([7, 7, 7]);
  });

  it('summarises in a fixed key order', () => {
    const h = fill([100, 200, 300, 400]);
    expect(JSON.stringify(h)).toBe(
      '{"count":4,"sum":1000,"min":100,"max":400,"mean":250,"p50":200,"p90":400,"p99":400,"p999":400}',
    );
  });

  it('rejects invalid input with a specific error', () => {
    const h = new LatencyHistogram({ maxValue: 1e9 });
    expect(() => h.record(-1)).toThrow(/value must be in \[0, 1000000000\] ns, got -1/);
    expect(() => h.record(Number.NaN)).toThrow(RangeError);
    expect(() => h.record(2e9)).toThrow(RangeError);
    expect(() => h.record(5, 0)).toThrow(/count must be a positive integer, got 0/);
    expect(() => h.record(5, 1.5)).toThrow(RangeError);
    expect(h.count).toBe(0);
    expect(() => h.percentile(101)).toThrow(/q must be a number in \[0, 100\], got 101/);
    expect(() => h.percentile(Number.NaN)).toThrow(RangeError);
    expect(() => new LatencyHistogram({ maxValue: 0 })).toThrow(/maxValue must be in/);
    expect(() => new LatencyHistogram({ maxValue: 2 ** 53 })).toThrow(RangeError);
    expect(() => h.merge(fill([5e9]))).toThrow(/exceeds this maxValue/);
    expect(new LatencyHistogram().merge(fill([5, 1e9], h)).count).toBe(2);
  });
});
