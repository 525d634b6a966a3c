/**
 * Seeded random streams, one independent stream per model element.
 *
 * As ns-3's RngSeedManager (seed, run) plus per-variable streams: a stream is
 * keyed by (scenario seed, run number, stream name), so adding a node, which
 * adds a stream, never changes the draws any other element sees. The base
 * generator is seedrandom's Alea (passes BigCrush; the fastest seedrandom
 * generator here, ~6 ns per draw against ~31 ns for the default ARC4).
 * seedrandom hashes the stream key into Alea's initial state; the class then
 * steps the same Alea recurrence on its own numeric fields, which V8 inlines
 * into each distribution method (an exponential draw fell from ~16 ns through
 * seedrandom's closure to ~9 ns). A test pins the draws to seedrandom's.
 *
 * Never `Math.random`: every draw in netsim comes from a named stream.
 * Distribution methods allocate nothing; `discrete` precomputes an alias table
 * once so each draw is O(1).
 */
import seedrandom from 'seedrandom';

interface AleaState { c: number; s0: number; s1: number; s2: number }

/** The seed string of a stream: what seedrandom.alea is seeded with. */
export function streamKey(seed: number, run: number, name: string): string {
  return `netsim/${seed}/${run}/${name}`;
}

// Streams keep their Alea state in shared Float64Array chunks, four doubles
// a stream at offset `at`: a typed array of its own costs about 450 bytes
// (the view, its ArrayBuffer and the backing store), and a client node has
// five streams. A chunk lives as long as any stream in it.
const CHUNK_STREAMS = 1024;
let chunk = new Float64Array(4 * CHUNK_STREAMS);
let chunkUsed = 0;

export class RandomStream {
  // Alea state (Baagøe): carry and three lagged values, st[at..at+3], in a
  // Float64Array so that stepping it never boxes a double (object fields did: 2x slower).
  private readonly st: Float64Array;
  private readonly at: number;
  private spare = NaN; // second normal deviate of a Box–Muller pair

  constructor(readonly seed: number, readonly run: number, readonly name: string) {
    const prng = seedrandom.alea(streamKey(seed, run, name), { state: true }) as unknown as { state(): AleaState };
    const a = prng.state();
    if (chunkUsed === CHUNK_STREAMS) {
      chunk = new Float64Array(4 * CHUNK_STREAMS);
      chunkUsed = 0;
    }
    const st = chunk, at = 4 * chunkUsed++;
    st[at] = a.c;
    st[at + 1] = a.s0;
    st[at + 2] = a.s1;
    st[at + 3] = a.s2;
    this.st = st;
    this.at = at;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (Alea's output). */
  random(): number {
    const st = this.st, at = this.at;
    const t = 2091639 * st[at + 1] + st[at] * 2.3283064365386963e-10; // 2^-32
    const c = t | 0;
    const r = t - c;
    st[at] = c;
    st[at + 1] = st[at + 2];
    st[at + 2] = st[at + 3];
    st[at + 3] = r;
    return r;
  }

  /** Uniform in [min, max). */
  uniform(min = 0, max = 1): number {
    return min + (max - min) * this.random();
  }

  /** Uniform integer in [min, max], both inclusive. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** Exponential with the given mean (mean = 1/rate). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.random());
  }

  /** Normal (Gaussian) by the Box–Muller transform. */
  normal(mean = 0, stddev = 1): number {
    let z = this.spare;
    if (z === z) {
      this.spare = NaN;
    } else {
      const u = 1 - this.random();
      const v = this.random();
      const r = Math.sqrt(-2 * Math.log(u));
      z = r * Math.cos(2 * Math.PI * v);
      this.spare = r * Math.sin(2 * Math.PI * v);
    }
    return mean + stddev * z;
  }

  /** Log-normal: exp(N(mu, sigma)), mu and sigma of the underlying normal. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /**
   * Bounded Pareto on [scale, bound] with shape alpha, by inverting its CDF
   * (the form ns-3's ParetoRandomVariable uses with a bound).
   */
  boundedPareto(alpha: number, scale: number, bound: number): number {
    const u = this.random();
    const la = Math.pow(scale, alpha);
    const ha = Math.pow(bound, alpha);
    return Math.pow(-(u * ha - u * la - ha) / (ha * la), -1 / alpha);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.random() < p;
  }
}

/**
 * A discrete distribution over given values with given weights (Walker's alias
 * method: O(n) setup, O(1) per draw).
 */
export class DiscreteDistribution {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(readonly values: readonly number[], weights: readonly number[]) {
    const n = values.length;
    if (n === 0 || weights.length !== n) {
      throw new RangeError(`discrete: need one weight per value (got ${n} values, ${weights.length} weights)`);
    }
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0 && w !== Infinity)) throw new RangeError(`discrete: weights must be finite and >= 0, got ${w}`);
      total += w;
    }
    if (total <= 0) throw new RangeError('discrete: at least one weight must be > 0');
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  sample(rng: RandomStream): number {
    const u = rng.random() * this.prob.length;
    const i = Math.floor(u);
    return this.values[u - i < this.prob[i] ? i : this.alias[i]];
  }
}

/**
 * An empirical distribution given by its CDF points (value, cumulative
 * probability), sampled by linear interpolation between points as ns-3's
 * EmpiricalRandomVariable does. The last probability must be 1.
 */
export class EmpiricalDistribution {
  private readonly xs: Float64Array;
  private readonly ps: Float64Array;

  constructor(points: readonly (readonly [value: number, cumulative: number])[]) {
    if (points.length === 0) throw new RangeError('empirical: need at least one (value, cumulative) point');
    let lastP = 0;
    let lastX = -Infinity;
    for (const [x, p] of points) {
      if (!(p >= lastP && p <= 1)) throw new RangeError(`empirical: cumulative probabilities must rise within [0, 1]; got ${p} after ${lastP}`);
      if (!(x >= lastX)) throw new RangeError(`empirical: values must not decrease; got ${x} after ${lastX}`);
      lastP = p;
      lastX = x;
    }
    if (lastP !== 1) throw new RangeError(`empirical: the last cumulative probability must be 1, got ${lastP}`);
    this.xs = Float64Array.from(points, (pt) => pt[0]);
    this.ps = Float64Array.from(points, (pt) => pt[1]);
  }

  sample(rng: RandomStream): number {
    const u = rng.random();
    const ps = this.ps, xs = this.xs;
    let lo = 0, hi = ps.length - 1;
    while (lo < hi) { // first index with ps[i] > u
      const mid = (lo + hi) >> 1;
      if (ps[mid] > u) hi = mid; else lo = mid + 1;
    }
    if (lo === 0) return xs[0];
    const p0 = ps[lo - 1], p1 = ps[lo];
    return xs[lo - 1] + ((u - p0) / (p1 - p0)) * (xs[lo] - xs[lo - 1]);
  }
}

/** Hands out named streams for one (seed, run); the same name gives the same stream object. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number, readonly run = 1) {
    if (!Number.isInteger(seed) || !Number.isInteger(run)) {
      throw new RangeError(`random streams: seed and run must be integers, got seed=${seed} run=${run}`);
    }
  }

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(this.seed, this.run, name);
      this.streams.set(name, s);
    }
    return s;
  }
}
