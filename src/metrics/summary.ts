/**
 * Small pure statistics for reports: mean, population standard deviation,
 * coefficient of variation, exact percentiles, NaN-safe ratios, and string-
 * keyed counters.
 *
 * Invariant: a statistic that is undefined for its input (the mean of nothing,
 * a ratio over zero) is `null`, never NaN or Infinity, so a report prints it as
 * "n/a" (see report.ts) and JSON keeps it as `null`.
 *
 * Cost: O(n) per call over plain arrays (percentile sorts a copy: O(n log n)).
 * These run once per report, never per event; the counters are string-keyed
 * Maps, which the hot path must not use (DESIGN.md "Hot path rules").
 */

/** Arithmetic mean; `null` for an empty list. */
export function mean(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  return s / n;
}

/**
 * Population standard deviation (divides by n, not n - 1: the values are the
 * whole population, e.g. every server's load); `null` for an empty list.
 * Two passes, so large equal values give exactly 0.
 */
export function stddev(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null) return null;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - m;
    s2 += d * d;
  }
  return Math.sqrt(s2 / values.length);
}

/**
 * Coefficient of variation: population stddev ÷ mean, the balance measure of
 * per-server load (0 = perfectly even). Defined as 0 when the mean is 0 (for
 * non-negative values such as loads that means all are 0: nothing to balance);
 * `null` for an empty list.
 */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null) return null;
  if (m === 0) return 0;
  return (stddev(values) as number) / m;
}

/**
 * num ÷ den, or `null` when the quotient is undefined or not finite: den 0
 * (including 0/0), or a NaN or infinite operand. Reports print `null` as "n/a".
 */
export function ratio(num: number, den: number): number | null {
  if (den === 0) return null;
  const r = num / den;
  return Number.isFinite(r) ? r : null;
}

function checkQuantile(q: number): void {
  if (!(q >= 0 && q <= 100)) {
    throw new RangeError(`percentile: q must be a number in [0, 100], got ${q}`);
  }
}

/**
 * The 1-based nearest rank of percentile q (in [0, 100]) among n values:
 * ceil(q/100 · n), at least 1, at most n. A product that float rounding puts a
 * few ulps above an integer (99.9 · 1000 / 100) counts as that integer.
 * Shared by `percentile` and LatencyHistogram so the two agree on definition.
 */
export function percentileRank(q: number, n: number): number {
  checkQuantile(q);
  const x = (q * n) / 100;
  const r = Math.ceil(x * (1 - 4 * Number.EPSILON));
  return r < 1 ? 1 : r > n ? n : r;
}

/**
 * Exact nearest-rank percentile: the smallest value v such that at least q% of
 * the values are <= v (q = 0 gives the minimum, q = 100 the maximum). `null`
 * for an empty list. Sorts a copy; the input is not modified.
 */
export function percentile(values: readonly number[], q: number): number | null {
  checkQuantile(q);
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[percentileRank(q, sorted.length) - 1];
}

/** Counts by name (drop reasons, packet kinds...) for reports; not for hot paths. */
export type Counter = Map<string, number>;

/** Adds `by` (default 1) to `key`'s count, creating it at 0; returns the new count. */
export function increment(counter: Counter, key: string, by = 1): number {
  const n = (counter.get(key) ?? 0) + by;
  counter.set(key, n);
  return n;
}

/** Adds every count of `from` into `into`; returns `into`. */
export function mergeCounters(into: Counter, from: ReadonlyMap<string, number>): Counter {
  for (const [k, v] of from) increment(into, k, v);
  return into;
}

/** The sum of all counts. */
export function counterTotal(counter: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const v of counter.values()) s += v;
  return s;
}

function byKey(a: readonly [string, number], b: readonly [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** [key, count] pairs sorted by key (code-unit order, locale-independent): deterministic output. */
export function counterEntries(counter: ReadonlyMap<string, number>): [string, number][] {
  return [...counter].sort(byKey);
}

/**
 * A plain object with keys inserted in sorted order, for JSON. (JavaScript
 * lists integer-like keys such as "10" first, in numeric order, whatever the
 * insertion order; the output is deterministic either way.)
 */
export function counterToRecord(counter: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries(counterEntries(counter)); // own data properties, even "__proto__"
}
