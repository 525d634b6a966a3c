/**
 * Every pending-event structure against a plain sorted reference: the order
 * of (time, seq), FIFO on ties, cancel, peek, clear and size, over random
 * operation sequences with ties, huge time ranges and pushes into the past,
 * and over tunings small enough that a few hundred events walk every
 * rebuild path (ladder spread, spawn, fallback to the heap; calendar grow
 * and shrink).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue, Simulator } from '../../src/engine';
import { HeapQueue } from '../../src/engine/heap-queue';
import { CalendarQueue } from '../../src/engine/calendar-queue';
import { LadderQueue, type LadderTuning } from '../../src/engine/ladder-queue';
import type { Handler } from '../../src/engine/event-slots';

interface Queue {
  push(time: number, fn: Handler, arg: unknown): number;
  pop(): Handler | null;
  peekTime(): number;
  cancel(handle: number): boolean;
  isPending(handle: number): boolean;
  clear(): void;
  readonly size: number;
  poppedTime: number;
  poppedArg: unknown;
}

const tiny: LadderTuning = { heapMax: 4, bucketLoad: 1, spawnAbove: 2, childLoad: 1, maxRungs: 8 };
const makers: [string, () => Queue][] = [
  ['EventQueue', () => new EventQueue(16)],
  ['HeapQueue', () => new HeapQueue(16)],
  ['CalendarQueue', () => new CalendarQueue(16)],
  ['LadderQueue tiny', () => new LadderQueue(16, tiny)],
  ['LadderQueue one rung', () => new LadderQueue(16, { ...tiny, maxRungs: 1 })],
  ['LadderQueue wide buckets', () => new LadderQueue(16, { heapMax: 8, bucketLoad: 7, spawnAbove: 9, childLoad: 3, maxRungs: 3 })],
];

/** A sorted list of (t, seq): the specification. */
class Reference {
  private items: { t: number; seq: number }[] = [];
  push(t: number, seq: number): void {
    let lo = 0, hi = this.items.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const x = this.items[m];
      if (x.t < t || (x.t === t && x.seq < seq)) lo = m + 1; else hi = m;
    }
    this.items.splice(lo, 0, { t, seq });
  }
  remove(seq: number): boolean {
    const i = this.items.findIndex((x) => x.seq === seq);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
  shift(): { t: number; seq: number } | undefined { return this.items.shift(); }
  get first(): { t: number; seq: number } | undefined { return this.items[0]; }
  get size(): number { return this.items.length; }
  clear(): void { this.items = []; }
}

type Op =
  | { kind: 'push'; dt: number; abs: boolean }
  | { kind: 'burst'; dt: number; k: number }
  | { kind: 'pop'; k: number }
  | { kind: 'peek' }
  | { kind: 'cancel'; which: number }
  | { kind: 'clear' };

const BIG = 2 ** 50;
const dt = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: BIG }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 100, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(5e-324, 1e-300, 2 ** 52) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('push' as const), dt, abs: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('burst' as const), dt, k: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('pop' as const), k: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('peek' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), which: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

/** Replay `ops` on `q` and on the reference; every observable must agree. Returns the popped seqs. */
function replay(q: Queue, ops: Op[]): number[] {
  const ref = new Reference();
  const handles: { h: number; seq: number }[] = [];
  const popped: number[] = [];
  const noop = (): void => {};
  let seq = 0;
  let now = 0;
  const pushAt = (t: number): void => {
    const s = seq++;
    handles.push({ h: q.push(t, noop, s), seq: s });
    ref.push(t, s);
  };
  for (const o of ops) {
    switch (o.kind) {
      case 'push': pushAt(o.abs ? o.dt : now + o.dt); break;
      case 'burst': for (let i = 0; i < o.k; i++) pushAt(now + o.dt); break;
      case 'pop':
        for (let i = 0; i < o.k; i++) {
          const want = ref.shift();
          const fn = q.pop();
          if (want === undefined) { expect(fn).toBeNull(); break; }
          expect(fn).toBe(noop);
          expect([q.poppedTime, q.poppedArg]).toEqual([want.t, want.seq]);
          popped.push(want.seq);
          now = want.t;
        }
        break;
      case 'peek': expect(q.peekTime()).toBe(ref.first?.t ?? Infinity); break;
      case 'cancel': {
        if (handles.length === 0) break;
        const { h, seq: s } = handles[o.which % handles.length];
        const live = ref.remove(s);
        expect(q.isPending(h)).toBe(live);
        expect(q.cancel(h)).toBe(live);
        expect(q.isPending(h)).toBe(false);
        break;
      }
      case 'clear': q.clear(); ref.clear(); break;
    }
    expect(q.size).toBe(ref.size);
  }
  for (let want = ref.shift(); want !== undefined; want = ref.shift()) {
    expect(q.pop()).toBe(noop);
    expect([q.poppedTime, q.poppedArg]).toEqual([want.t, want.seq]);
    popped.push(want.seq);
  }
  expect(q.pop()).toBeNull();
  expect(q.peekTime()).toBe(Infinity);
  expect(q.size).toBe(0);
  return popped;
}

describe.each(makers)('%s', (_name, make) => {
  it('pops exactly the reference order over random operation sequences', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => { replay(make(), ops); }), { numRuns: 250 });
  });

  it('is FIFO on ties, also when ties are interleaved with other times', () => {
    const q = make();
    const order: number[] = [];
    const fn = (): void => {};
    for (let i = 0; i < 3000; i++) q.push(i % 3 === 0 ? 500 : (i * 7919) % 1000, fn, i);
    let last = -1, lastSeq = -1;
    for (let f = q.pop(); f !== null; f = q.pop()) {
      const t = q.poppedTime, s = q.poppedArg as number;
      expect(t > last || (t === last && s > lastSeq)).toBe(true);
      if (t === 500) order.push(s);
      last = t; lastSeq = s;
    }
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.length).toBeGreaterThan(1000);
  });

  it('never hands out a cancelled event, wherever it sits (heap, bucket head or tail, top)', () => {
    for (const stride of [2, 3, 5]) {
      const q = make();
      const fn = (): void => {};
      const hs: number[] = [];
      for (let i = 0; i < 1500; i++) hs.push(q.push(((i * 7919) % 1500) * 10, fn, i));
      q.pop(); // builds whatever the structure builds, and drains the first event
      const first = q.poppedArg as number;
      for (let i = 0; i < 1500; i++) if (i % stride === 0 && i !== first) expect(q.cancel(hs[i])).toBe(true);
      const got: number[] = [];
      for (let f = q.pop(); f !== null; f = q.pop()) { expect(f).toBe(fn); got.push(q.poppedArg as number); }
      const want = Array.from({ length: 1500 }, (_, i) => i).filter((i) => i % stride !== 0 && i !== first)
        .sort((a, b) => ((a * 7919) % 1500) - ((b * 7919) % 1500));
      expect(got).toEqual(want);
    }
  });

  it('keeps order across hold-like churn with ties, cancels and a huge time range', () => {
    // A hold model whose increments mix 0 (ties), small, and 2^50; one in
    // seven events is cancelled and replaced, as timers are.
    const q = make();
    const ref = new Reference();
    const fn = (): void => {};
    const live: { h: number; seq: number }[] = [];
    let x = 12345, seq = 0;
    const rnd = (): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
    const inc = (): number => { const u = rnd(); return u < 0.2 ? 0 : u < 0.9 ? Math.floor(rnd() * 1e4) : Math.floor(rnd() * BIG); };
    const push = (t: number): void => { live.push({ h: q.push(t, fn, seq), seq }); ref.push(t, seq++); };
    for (let i = 0; i < 2000; i++) push(inc());
    for (let i = 0; i < 30_000; i++) {
      const want = ref.shift()!;
      expect(q.pop()).toBe(fn);
      expect([q.poppedTime, q.poppedArg]).toEqual([want.t, want.seq]);
      push(want.t + inc());
      if (i % 7 === 0) {
        const k = Math.floor(rnd() * live.length);
        const { h, seq: s } = live[k];
        expect(q.cancel(h)).toBe(ref.remove(s));
        push(want.t + inc());
      }
    }
    expect(q.size).toBe(ref.size);
  });
});

describe('LadderQueue rebuild paths', () => {
  it('spreads the heap into rungs, spawns finer rungs for crowded buckets, and falls back to the heap', () => {
    const q = new LadderQueue(16, { heapMax: 64, bucketLoad: 8, spawnAbove: 16, childLoad: 4, maxRungs: 4 });
    const fn = (): void => {};
    // Heap only while small.
    for (let i = 0; i < 60; i++) q.push(i * 10, fn, i);
    expect(q.layout()).toMatchObject({ rungs: 0, spreads: 0 });
    // Past heapMax: spread. A crowded start (many events in [0, 100)) then a long tail.
    for (let i = 0; i < 2000; i++) q.push(i < 1000 ? i % 100 : 1000 + i * 1000, fn, 60 + i);
    expect(q.layout().rungs).toBe(1);
    expect(q.layout().spreads).toBe(1);
    q.pop();
    expect(q.layout().spawns).toBeGreaterThan(0);
    expect(q.layout().rungs).toBeGreaterThan(1);
    let n = 1, last = 0;
    while (q.pop() !== null) { expect(q.poppedTime).toBeGreaterThanOrEqual(last); last = q.poppedTime; n++; }
    expect(n).toBe(2060);
    // Drained: back to the heap alone.
    for (let i = 0; i < 10; i++) q.push(i, fn, i);
    expect(q.layout()).toMatchObject({ rungs: 0, top: 0, heap: 10 });
  });

  it('heaps a crowded bucket whose events all share one time instead of spawning forever', () => {
    const q = new LadderQueue(16, { heapMax: 8, bucketLoad: 1, spawnAbove: 2, childLoad: 1, maxRungs: 8 });
    const fn = (): void => {};
    for (let i = 0; i < 8; i++) q.push(i * 1e9, fn, -1 - i);
    q.push(3e9, fn, -100); // the ninth push spreads the heap over rung 0
    expect(q.layout()).toMatchObject({ rungs: 1, spreads: 1 });
    for (let i = 0; i < 400; i++) q.push(7, fn, i); // all into rung 0's first bucket, beside t = 0
    q.pop();
    expect([q.poppedTime, q.poppedArg]).toEqual([0, -1]);
    // The crowded bucket was spread once; its last bucket (400 ties) could not be and was heaped.
    expect(q.layout()).toMatchObject({ rungs: 2, spawns: 1 });
    for (let i = 0; i < 400; i++) { q.pop(); expect([q.poppedTime, q.poppedArg]).toEqual([7, i]); }
    expect(q.layout().spawns).toBe(1);
  });

  it('falls back to the heap when a rebuild finds few events, and spreads again when they grow', () => {
    const q = new LadderQueue(16, { heapMax: 32, bucketLoad: 4, spawnAbove: 8, childLoad: 2, maxRungs: 2 });
    const fn = (): void => {};
    for (let i = 0; i < 40; i++) q.push(i, fn, i);
    expect(q.layout().rungs).toBe(1);
    for (let i = 0; i < 30; i++) q.pop(); // rung 0 drains; the top is empty
    q.push(1000, fn, 0);
    for (let i = 0; i < 10; i++) q.pop();
    expect(q.pop()).toBe(fn);
    expect(q.pop()).toBeNull();
    const drained = q.layout();
    expect(drained).toMatchObject({ rungs: 0, heap: 0, top: 0, bottom: 0 });
    expect(drained.fallbacks).toBeGreaterThan(0); // the last few went back to the heap
    for (let i = 0; i < 40; i++) q.push(2000 + i, fn, i);
    expect(q.layout().rungs).toBe(1);
    expect(q.layout().spreads).toBeGreaterThan(drained.spreads);
  });
});

describe('degenerate spans', () => {
  it.each(makers)('%s orders times a denormal apart, and times near 2^53', (_name, make) => {
    // 1/span overflows for a denormal span: a rung over it would index NaN.
    const q = make();
    const fn = (): void => {};
    const ts = [5e-324, 0, 0, 0, 1e-323, 0, 2 ** 53 - 2, 5e-324, 2 ** 53 - 1, 0, 1, 2 ** 53 - 2];
    ts.forEach((t, i) => q.push(t, fn, i));
    const want = ts.map((t, i) => [t, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const w of want) { q.pop(); expect([q.poppedTime, q.poppedArg]).toEqual(w); }
    expect(q.pop()).toBeNull();
  });
});

describe('CalendarQueue resizing', () => {
  it('doubles as the count grows and halves as it shrinks, keeping order', () => {
    const q = new CalendarQueue(16);
    const fn = (): void => {};
    for (let i = 0; i < 1000; i++) q.push((i * 7919) % 100_000, fn, i);
    const grown = q.layout();
    expect(grown.buckets).toBeGreaterThanOrEqual(512);
    expect(grown.resizes).toBeGreaterThan(5);
    let last = -1;
    for (let i = 0; i < 990; i++) { q.pop(); expect(q.poppedTime).toBeGreaterThanOrEqual(last); last = q.poppedTime; }
    expect(q.layout().buckets).toBeLessThan(64);
  });
});

describe('EventQueue determinism', () => {
  it('a simulation over the queue gives the same event trace on every run', () => {
    const trace = (): string => {
      const sim = new Simulator(16);
      let x = 99;
      const rnd = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
      const out: number[] = [];
      const ev = (id: number): void => {
        out.push(id, sim.now);
        if (out.length < 40_000) {
          sim.schedule(rnd() < 0.3 ? 0 : Math.floor(-Math.log(1 - rnd()) * 1000), ev, id);
          if (rnd() < 0.1) sim.cancel(sim.schedule(50, ev, -id));
        }
      };
      for (let i = 0; i < 3000; i++) sim.schedule(Math.floor(rnd() * 5000), ev, i);
      sim.run();
      return out.join(',');
    };
    const a = trace();
    expect(trace()).toBe(a);
    expect(a.length).toBeGreaterThan(100_000);
  });

  it('the ladder and the heap give the same order on the same operations', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
      expect(replay(new EventQueue(16), ops)).toEqual(replay(new HeapQueue(16), ops));
    }), { numRuns: 100 });
  });
});
