/**
 * A latency histogram with bounded relative error, in the style of HDR
 * Histogram: log-linear buckets held in one typed array.
 *
 * Layout (integer ns, bucketed by floor(value)): values below 256 each have a
 * bucket of their own (width 1, exact); above that, each power-of-two range
 * [2^k, 2^(k+1)) is split into 128 linear sub-buckets of width 2^(k-7). So a
 * bucket's width is at most 1/128 of its lower bound, and reporting its
 * (integer) middle errs by less than 1/256 (~0.39%) of the true value. Index of v:
 * shift·128 + floor(v / 2^shift) with shift = max(0, floor(log2 v) - 7),
 * computed with Math.clz32, no logarithm.
 *
 * Invariants: count, sum, min and max are exact (sum while it stays below
 * 2^53); every recorded value lies in [0, maxValue]; percentile(q) is the
 * nearest-rank percentile (summary.ts `percentileRank`) up to the bucket
 * error: |estimate - exact| < exact/256 for integer values, < exact/256 + 1 for
 * fractional ones; p0 is min and p100 is max exactly.
 *
 * Cost: record is O(1) and allocates nothing (a few compares, one clz32, one
 * multiply, one array increment). percentile and merge scan the buckets between
 * min and max: O(buckets) ≤ 6,016. Memory: one Float64Array of (index of
 * maxValue) + 1 counts, 47 KiB for the default maxValue of 2^53 - 1.
 */
import { percentileRank } from './summary';

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS; // linear sub-buckets per power of two
const TWO_POW_32 = 2 ** 32;
const TWO_POW_MINUS_32 = 2 ** -32;
/** 2^-shift for shift in [0, 53]: multiplying by it is exact, unlike a shift on a double. */
const INV_POW2 = Float64Array.from({ length: 54 }, (_, s) => 2 ** -s);

/** The bucket of a value in [0, 2^53) (fractional values go to the bucket of their floor). */
export function bucketIndex(v: number): number {
  if (v < 2 * SUB) return Math.floor(v);
  // floor(log2 v) from the leading zeros of its 32-bit halves (clz32 truncates).
  const k = v < TWO_POW_32 ? 31 - Math.clz32(v) : 63 - Math.clz32(v * TWO_POW_MINUS_32);
  const shift = k - SUB_BITS;
  return (shift << SUB_BITS) + Math.floor(v * INV_POW2[shift]);
}

/** Lower bound (inclusive) of bucket i. */
function bucketLower(i: number): number {
  const shift = i < 2 * SUB ? 0 : (i >> SUB_BITS) - 1;
  return (i - (shift << SUB_BITS)) * 2 ** shift;
}

/** Width of bucket i (a power of two). */
function bucketWidth(i: number): number {
  return i < 2 * SUB ? 1 : 2 ** ((i >> SUB_BITS) - 1);
}

export interface LatencyHistogramOptions {
  /** Largest value that can be recorded (ns); default 2^53 - 1. A smaller one saves memory. */
  maxValue?: number;
}

/** One bucket: values in [lower, upper), for plotting. */
export interface HistogramBucket {
  lower: number;
  upper: number;
  count: number;
}

/** Summary form of a histogram; statistics of an empty histogram are null. */
export interface LatencyHistogramJson {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
}

export class LatencyHistogram {
  /** Bound on |percentile estimate - exact| ÷ exact for integer values (fractional: plus 1 ns). */
  static readonly RELATIVE_ERROR = 1 / (2 * SUB);

  readonly maxValue: number;
  // Float64 counts: exact to 2^53, where a Uint32Array would wrap at 4.3 G.
  private readonly counts: Float64Array;
  private n = 0;
  private total = 0;
  private lo = Infinity;
  private hi = -Infinity;

  constructor(options: LatencyHistogramOptions = {}) {
    const maxValue = options.maxValue ?? Number.MAX_SAFE_INTEGER;
    if (!(maxValue >= 1 && maxValue <= Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(
        `latency histogram: maxValue must be in [1, ${Number.MAX_SAFE_INTEGER}] ns, got ${maxValue}`,
      );
    }
    this.maxValue = maxValue;
    this.counts = new Float64Array(bucketIndex(maxValue) + 1);
  }

  /** Number of values recorded. */
  get count(): number {
    return this.n;
  }

  /** Exact sum of the values recorded (ns). */
  get sum(): number {
    return this.total;
  }

  /** Smallest value recorded, or null if none. */
  get min(): number | null {
    return this.n === 0 ? null : this.lo;
  }

  /** Largest value recorded, or null if none. */
  get max(): number | null {
    return this.n === 0 ? null : this.hi;
  }

  /** Exact mean (sum ÷ count), or null if none. */
  get mean(): number | null {
    return this.n === 0 ? null : this.total / this.n;
  }

  /**
   * Records `value` (ns, in [0, maxValue]) `count` times (a positive integer,
   * default 1). Throws a RangeError otherwise, recording nothing.
   */
  record(value: number, count = 1): void {
    if (!(value >= 0 && value <= this.maxValue)) {
      throw new RangeError(`latency histogram: value must be in [0, ${this.maxValue}] ns, got ${value}`);
    }
    if (count !== 1 && !(Number.isInteger(count) && count > 0)) {
      throw new RangeError(`latency histogram: count must be a positive integer, got ${count}`);
    }
    this.counts[bucketIndex(value)] += count;
    this.n += count;
    this.total += value * count;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  /**
   * Nearest-rank percentile q in [0, 100] (the smallest recorded value with at
   * least q% of the values at or below it), within RELATIVE_ERROR; null if
   * nothing was recorded. Returns the middle integer of the bucket holding that
   * rank, clamped to [min, max]; rank 1 gives min and rank count gives max.
   */
  percentile(q: number): number | null {
    const n = this.n;
    const rank = percentileRank(q, n); // validates q even when empty
    if (n === 0) return null;
    if (rank <= 1) return this.lo;
    if (rank >= n) return this.hi;
    const counts = this.counts;
    const last = bucketIndex(this.hi);
    let seen = 0;
    for (let i = bucketIndex(this.lo); i <= last; i++) {
      seen += counts[i];
      if (seen >= rank) {
        // The lower middle integer of the bucket: within width/2 of any value
        // in it, and an integer, so exact even where doubles lose the .5.
        const mid = bucketLower(i) + Math.floor((bucketWidth(i) - 1) / 2);
        return mid < this.lo ? this.lo : mid > this.hi ? this.hi : mid;
      }
    }
    return this.hi; // unreachable: the counts sum to n
  }

  /**
   * Adds every value of `other` into this histogram (as if recorded here);
   * returns this. Throws if other holds a value above this.maxValue.
   */
  merge(other: LatencyHistogram): this {
    if (other.n === 0) return this;
    if (other.hi > this.maxValue) {
      throw new RangeError(
        `latency histogram: cannot merge a histogram whose max ${other.hi} ns exceeds this maxValue ${this.maxValue} ns`,
      );
    }
    const from = other.counts;
    const last = bucketIndex(other.hi);
    for (let i = bucketIndex(other.lo); i <= last; i++) this.counts[i] += from[i];
    this.n += other.n;
    this.total += other.total;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
    return this;
  }

  /** Forgets every value recorded. */
  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.total = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  /** The non-empty buckets in increasing order (allocates; for plots and reports). */
  buckets(): HistogramBucket[] {
    const out: HistogramBucket[] = [];
    if (this.n === 0) return out;
    const last = bucketIndex(this.hi);
    for (let i = bucketIndex(this.lo); i <= last; i++) {
      const c = this.counts[i];
      if (c > 0) {
        const lower = bucketLower(i);
        out.push({ lower, upper: lower + bucketWidth(i), count: c });
      }
    }
    return out;
  }

  /** Summary for reports and JSON, keys in a fixed order. */
  toJSON(): LatencyHistogramJson {
    return {
      count: this.n,
      sum: this.total,
      min: this.min,
      max: this.max,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }
}
