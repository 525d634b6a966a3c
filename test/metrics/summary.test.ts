import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/engine';
import {
  coefficientOfVariation, counterEntries, counterToRecord, counterTotal, increment, mean, mergeCounters,
  percentile, percentileRank, ratio, stddev, type Counter,
} from '../../src/metrics/summary';

describe('mean, stddev, coefficientOfVariation', () => {
  it('are null for an empty list', () => {
    expect([mean([]), stddev([]), coefficientOfVariation([])]).toEqual([null, null, null]);
  });

  it('compute population statistics', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(stddev(xs)).toBe(2); // population: divides by n
    expect(coefficientOfVariation(xs)).toBe(0.4);
    expect(stddev([7])).toBe(0);
  });

  it('give exactly 0 spread for large equal values', () => {
    const xs = [1e15 + 1, 1e15 + 1, 1e15 + 1];
    expect(stddev(xs)).toBe(0);
    expect(coefficientOfVariation(xs)).toBe(0);
  });

  it('define the coefficient of variation as 0 when the mean is 0', () => {
    expect(coefficientOfVariation([0, 0, 0])).toBe(0);
  });

  it('agree with a direct computation on random loads', () => {
    const rng = new RandomStream(1, 1, 'summary/loads');
    const xs = Array.from({ length: 1000 }, () => rng.integer(0, 500));
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    expect(mean(xs)).toBeCloseTo(m, 9);
    expect(stddev(xs)).toBeCloseTo(sd, 9);
    expect(coefficientOfVariation(xs)).toBeCloseTo(sd / m, 12);
  });
});

describe('ratio', () => {
  it('divides', () => {
    expect(ratio(97, 100)).toBe(0.97);
    expect(ratio(0, 5)).toBe(0);
  });

  it('is null when undefined or not finite', () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(-1, -0)).toBeNull();
    expect(ratio(Number.NaN, 1)).toBeNull();
    expect(ratio(1, Number.NaN)).toBeNull();
    expect(ratio(Infinity, 1)).toBeNull();
    expect(ratio(1e308, 1e-308)).toBeNull();
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const xs = [15, 20, 35, 40, 50];
    expect([0, 5, 20, 30, 40, 50, 100].map((q) => percentile(xs, q))).toEqual([15, 15, 15, 20, 20, 35, 50]);
    expect(percentile([], 50)).toBeNull();
  });

  it('sorts numerically and leaves the input alone', () => {
    const xs = [10, 9, 100, 1];
    expect(percentile(xs, 50)).toBe(9);
    expect(xs).toEqual([10, 9, 100, 1]);
  });

  it('ranks tolerate float rounding in q/100 · n', () => {
    expect(percentileRank(99.9, 1000)).toBe(999);
    expect(percentileRank(99, 100)).toBe(99);
    expect(percentileRank(99.99, 10_000)).toBe(9999);
    expect(percentileRank(33.3, 3)).toBe(1);
    expect(percentileRank(0, 10)).toBe(1);
    expect(percentileRank(100, 10)).toBe(10);
    expect(percentileRank(50.0001, 10)).toBe(6);
  });

  it('rejects q outside [0, 100]', () => {
    expect(() => percentile([1], -1)).toThrow(/q must be a number in \[0, 100\], got -1/);
    expect(() => percentileRank(Number.NaN, 5)).toThrow(RangeError);
  });
});

describe('counters', () => {
  it('increment, merge, total, and list in key order', () => {
    const c: Counter = new Map();
    expect(increment(c, 'queue-full')).toBe(1);
    increment(c, 'link-down', 3);
    increment(c, 'queue-full');
    const d: Counter = new Map([['arp-failed', 2], ['link-down', 1]]);
    expect(mergeCounters(c, d)).toBe(c);
    expect(counterTotal(c)).toBe(8);
    expect(counterEntries(c)).toEqual([['arp-failed', 2], ['link-down', 4], ['queue-full', 2]]);
    expect(JSON.stringify(counterToRecord(c))).toBe('{"arp-failed":2,"link-down":4,"queue-full":2}');
    expect(counterTotal(new Map())).toBe(0);
  });

  it('order keys by code unit, not locale', () => {
    const c: Counter = new Map([['b', 1], ['B', 1], ['a', 1], ['é', 1]]);
    expect(counterEntries(c).map(([k]) => k)).toEqual(['B', 'a', 'b', 'é']);
  });

  it('keep a "__proto__" key as data', () => {
    const r = counterToRecord(new Map([['__proto__', 3]]));
    expect(Object.keys(r)).toEqual(['__proto__']);
    expect(JSON.stringify(r)).toBe('{"__proto__":3}');
  });
});
