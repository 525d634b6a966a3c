/**
 * Dist: a serialisable description of a distribution of sizes (bytes) or
 * times (ns), as scenarios and workload options write it, and `sampler`,
 * which validates one and binds it to a random stream.
 *
 * Invariants: every value a sampler returns is finite and >= 0 (sizes and
 * times are never negative); parameters that could break that are rejected
 * when the sampler is built, with an error naming the field, the value and
 * what would be valid. `distMean` gives the exact mean (used to set loads).
 *
 * Cost: validation and alias tables at build time; a draw is one stream
 * draw or two (log-normal) and no allocation.
 */
import { DiscreteDistribution, EmpiricalDistribution, type RandomStream } from '../engine';

export type Dist =
  | { kind: 'constant'; value: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'uniform'; min: number; max: number }
  /** exp(N(mu, sigma)): mu and sigma of the underlying normal. */
  | { kind: 'lognormal'; mu: number; sigma: number }
  /** Pareto with shape alpha on [scale, bound]; bound = Infinity for the unbounded law. */
  | { kind: 'pareto'; alpha: number; scale: number; bound: number }
  | { kind: 'discrete'; values: readonly number[]; weights: readonly number[] }
  /** Piecewise-linear CDF through (value, cumulative probability) points, the last at 1. */
  | { kind: 'empirical'; points: readonly (readonly [number, number])[] };

export const DIST_KINDS = ['constant', 'exponential', 'uniform', 'lognormal', 'pareto', 'discrete', 'empirical'] as const;

function check(ok: boolean, where: string, msg: string): void {
  if (!ok) throw new RangeError(`${where}: ${msg}`);
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Throw a RangeError naming `where` if `d` is not a valid Dist of non-negative values. */
export function validateDist(d: Dist, where = 'distribution'): void {
  if (d === null || typeof d !== 'object') {
    throw new RangeError(`${where}: expected an object like { kind: 'exponential', mean: 1000 }, got ${String(d)}`);
  }
  switch (d.kind) {
    case 'constant':
      check(finite(d.value) && d.value >= 0, where, `constant value must be a finite number >= 0, got ${d.value}`);
      return;
    case 'exponential':
      check(finite(d.mean) && d.mean > 0, where, `exponential mean must be a finite number > 0, got ${d.mean}`);
      return;
    case 'uniform':
      check(finite(d.min) && finite(d.max) && d.min >= 0 && d.min <= d.max, where,
        `uniform needs finite 0 <= min <= max, got min=${d.min} max=${d.max}`);
      return;
    case 'lognormal':
      check(finite(d.mu) && finite(d.sigma) && d.sigma >= 0, where,
        `lognormal needs a finite mu and a finite sigma >= 0, got mu=${d.mu} sigma=${d.sigma}`);
      return;
    case 'pareto':
      check(finite(d.alpha) && d.alpha > 0, where, `pareto alpha must be a finite number > 0, got ${d.alpha}`);
      check(finite(d.scale) && d.scale > 0, where, `pareto scale must be a finite number > 0, got ${d.scale}`);
      check(typeof d.bound === 'number' && d.bound > d.scale, where,
        `pareto bound must be > scale (${d.scale}), or Infinity for no bound, got ${d.bound}`);
      return;
    case 'discrete':
      check(Array.isArray(d.values) && Array.isArray(d.weights) && d.values.length > 0 && d.values.length === d.weights.length,
        where, `discrete needs non-empty values and weights of the same length, got ${d.values?.length} values and ${d.weights?.length} weights`);
      d.values.forEach((v, i) => check(finite(v) && v >= 0, where, `discrete values[${i}] must be a finite number >= 0, got ${v}`));
      d.weights.forEach((w, i) => check(finite(w) && w >= 0, where, `discrete weights[${i}] must be a finite number >= 0, got ${w}`));
      check(d.weights.some((w) => w > 0), where, 'discrete needs at least one weight > 0');
      return;
    case 'empirical':
      check(Array.isArray(d.points) && d.points.length > 0, where, 'empirical needs at least one [value, cumulative] point');
      d.points.forEach(([v], i) => check(finite(v) && v >= 0, where, `empirical points[${i}] value must be a finite number >= 0, got ${v}`));
      try {
        new EmpiricalDistribution(d.points);
      } catch (e) {
        throw new RangeError(`${where}: ${(e as Error).message}`);
      }
      return;
    default:
      throw new RangeError(`${where}: unknown kind "${(d as { kind: unknown }).kind}"; valid kinds: ${DIST_KINDS.join(', ')}`);
  }
}

/** A function drawing from `d` with `rng`; validates `d` first (errors name `where`). */
export function sampler(d: Dist, rng: RandomStream, where = 'distribution'): () => number {
  validateDist(d, where);
  switch (d.kind) {
    case 'constant': {
      const v = d.value;
      return () => v;
    }
    case 'exponential': {
      const m = d.mean;
      return () => rng.exponential(m);
    }
    case 'uniform': {
      const { min, max } = d;
      return () => rng.uniform(min, max);
    }
    case 'lognormal': {
      const { mu, sigma } = d;
      return () => rng.logNormal(mu, sigma);
    }
    case 'pareto': {
      const { alpha, scale, bound } = d;
      if (bound === Infinity) {
        const e = -1 / alpha;
        return () => scale * Math.pow(1 - rng.random(), e);
      }
      return () => rng.boundedPareto(alpha, scale, bound);
    }
    case 'discrete': {
      const dd = new DiscreteDistribution(d.values, d.weights);
      return () => dd.sample(rng);
    }
    case 'empirical': {
      const ed = new EmpiricalDistribution(d.points);
      return () => ed.sample(rng);
    }
  }
}

/** The exact mean of `d` (Infinity for a Pareto with alpha <= 1 and no bound). */
export function distMean(d: Dist, where = 'distribution'): number {
  validateDist(d, where);
  switch (d.kind) {
    case 'constant': return d.value;
    case 'exponential': return d.mean;
    case 'uniform': return (d.min + d.max) / 2;
    case 'lognormal': return Math.exp(d.mu + (d.sigma * d.sigma) / 2);
    case 'pareto': {
      const { alpha: a, scale: l, bound: h } = d;
      if (h === Infinity) return a > 1 ? (a * l) / (a - 1) : Infinity;
      if (a === 1) return ((h * l) / (h - l)) * Math.log(h / l);
      const la = Math.pow(l, a);
      return (la / (1 - Math.pow(l / h, a))) * (a / (a - 1)) * (1 / Math.pow(l, a - 1) - 1 / Math.pow(h, a - 1));
    }
    case 'discrete': {
      let sw = 0, s = 0;
      d.values.forEach((v, i) => { sw += d.weights[i]; s += v * d.weights[i]; });
      return s / sw;
    }
    case 'empirical': {
      // Mass at the first point, then uniform within each segment.
      const p = d.points;
      let m = p[0][0] * p[0][1];
      for (let i = 1; i < p.length; i++) m += ((p[i][0] + p[i - 1][0]) / 2) * (p[i][1] - p[i - 1][1]);
      return m;
    }
  }
}
