/**
 * Independent replications: run numbers 1..n of the same scenario and seed
 * (each run draws from its own streams), summarised per metric as the mean
 * and the half-width of its 95% confidence interval (Student's t with n-1
 * degrees of freedom), and differences between two designs paired by run
 * (the same run number sees the same arrivals, so the paired interval is the
 * tight one).
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { METRIC_NAMES, type MetricName } from '../metrics/catalog';
import type { RunResult } from './runner';

export interface Estimate {
  /** Runs with a value. */
  n: number;
  mean: number | null;
  /** Half-width of the confidence interval (null with fewer than two values). */
  halfWidth: number | null;
}

/** Mean and standard error of the mean (sample standard deviation / sqrt(n); 0 for one value, NaN for none). */
export function meanAndError(xs: readonly number[]): { mean: number; sem: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sem: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sem: 0 };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { mean, sem: Math.sqrt(ss / (n - 1)) / Math.sqrt(n) };
}

export function estimate(values: readonly (number | null)[], confidence = 0.95): Estimate {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n: 0, mean: null, halfWidth: null };
  const { mean, sem } = meanAndError(xs);
  if (n < 2) return { n, mean, halfWidth: null };
  return { n, mean, halfWidth: tQuantile(1 - (1 - confidence) / 2, n - 1) * sem };
}

export type Summary = Record<MetricName, Estimate>;

/** Every metric of `runs` (replications of one design) as an estimate. */
export function summarize(runs: readonly RunResult[]): Summary {
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, estimate(runs.map((r) => r.metrics[m]))])) as Summary;
}

/** The difference `b - a` of each metric, paired by run number. */
export function pairedDifference(a: readonly RunResult[], b: readonly RunResult[]): Summary {
  const byRun = new Map(a.map((r) => [r.run, r]));
  return Object.fromEntries(METRIC_NAMES.map((m) => [m, estimate(b.map((rb) => {
    const ra = byRun.get(rb.run);
    const x = ra?.metrics[m], y = rb.metrics[m];
    return x === undefined || x === null || y === null ? null : y - x;
  }))])) as Summary;
}
