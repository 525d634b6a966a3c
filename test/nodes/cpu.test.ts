/**
 * Cpu: FIFO order, several cores, the time integrals behind utilisation and
 * mean number in system, warm-up reset; and the distribution specs the TCP
 * applications draw from (validation errors, means).
 */
import { describe, expect, it } from 'vitest';
import { RandomStream, Simulator } from '../../src/engine';
import { Cpu } from '../../src/apps/cpu';
import { distMean, sampler, type Dist } from '../../src/apps/dist';

describe('Cpu', () => {
  it('serves one core in FIFO order and accounts busy time and jobs in system', () => {
    const sim = new Simulator();
    const cpu = new Cpu(sim);
    const done: [string, number][] = [];
    const record = (tag: string) => done.push([tag, sim.now]);
    cpu.submit(100, record, 'a'); // 0..100
    cpu.submit(50, record, 'b'); // 100..150
    sim.schedule(120, () => cpu.submit(10, record, 'c')); // waits for b: 150..160
    sim.schedule(400, () => cpu.submit(0, record, 'd')); // idle gap, zero service
    expect(cpu.inSystem).toBe(2);
    expect(cpu.queueLength).toBe(1);
    expect(cpu.load()).toBe(2);
    sim.run({ until: 500 });
    expect(done).toEqual([['a', 100], ['b', 150], ['c', 160], ['d', 400]]);
    expect(cpu.submitted).toBe(4);
    expect(cpu.completed).toBe(4);
    expect(cpu.inSystem).toBe(0);
    expect(cpu.busyNs()).toBe(160);
    expect(cpu.utilisation()).toBeCloseTo(160 / 500, 12);
    // Sojourns 100, 150, 40, 0; waits 0, 100, 30, 0.
    expect(cpu.meanSojournNs()).toBe(290 / 4);
    expect(cpu.meanWaitNs()).toBe(130 / 4);
    expect(cpu.maxSojournNs).toBe(150);
    // In system: 2 on [0,100), 1 on [100,120), 2 on [120,150), 1 on [150,160).
    expect(cpu.meanInSystem()).toBeCloseTo((200 + 20 + 60 + 10) / 500, 12);
  });

  it('runs up to `cores` jobs at once and grows its queue past the initial capacity', () => {
    const sim = new Simulator();
    const cpu = new Cpu(sim, 3);
    const ends: number[] = [];
    const onDone = (i: number) => (ends[i] = sim.now);
    for (let i = 0; i < 40; i++) cpu.submit(10, onDone, i);
    expect(cpu.busyCores).toBe(3);
    expect(cpu.queueLength).toBe(37);
    expect(cpu.load()).toBeCloseTo(40 / 3, 12);
    sim.run();
    // Job i starts in wave floor(i / 3).
    expect(ends).toEqual(Array.from({ length: 40 }, (_, i) => 10 * (Math.floor(i / 3) + 1)));
    expect(cpu.utilisation()).toBeCloseTo(400 / (3 * 140), 12);
  });

  it('a job submitted from a completion queues behind those already waiting', () => {
    const sim = new Simulator();
    const cpu = new Cpu(sim);
    const order: string[] = [];
    cpu.submit(10, (t: string) => { order.push(t); cpu.submit(10, (u: string) => order.push(u), 'c'); }, 'a');
    cpu.submit(10, (t: string) => order.push(t), 'b');
    sim.run();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(sim.now).toBe(30);
  });

  it('resetStats starts the measures afresh and counts only jobs submitted after it', () => {
    const sim = new Simulator();
    const cpu = new Cpu(sim);
    const nop = () => {};
    cpu.submit(100, nop, null);
    sim.run({ until: 50 });
    cpu.resetStats();
    cpu.submit(10, nop, null); // 100..110: sojourn 60
    sim.run({ until: 150 });
    expect(cpu.measuredJobs).toBe(1);
    expect(cpu.meanSojournNs()).toBe(60);
    expect(cpu.busyNs()).toBe(60); // 50..110
    expect(cpu.utilisation()).toBeCloseTo(60 / 100, 12);
  });

  it('rejects bad parameters with what would be valid', () => {
    const sim = new Simulator();
    expect(() => new Cpu(sim, 0, 'web1/cpu')).toThrow(/cpu web1\/cpu: cores must be an integer >= 1, got 0/);
    expect(() => new Cpu(sim).submit(-1, () => {}, null)).toThrow(/service time must be a finite number of ns >= 0, got -1/);
    expect(() => new Cpu(sim).submit(NaN, () => {}, null)).toThrow(/got NaN/);
  });
});

describe('distribution specs', () => {
  const rng = () => new RandomStream(1, 1, 'dist-test');
  const cases: [Dist, number][] = [
    [{ kind: 'constant', value: 7 }, 7],
    [{ kind: 'exponential', mean: 50 }, 50],
    [{ kind: 'uniform', min: 10, max: 30 }, 20],
    [{ kind: 'lognormal', mu: 2, sigma: 0.5 }, Math.exp(2.125)],
    [{ kind: 'pareto', alpha: 2.5, scale: 10, bound: 1e9 }, distMean({ kind: 'pareto', alpha: 2.5, scale: 10, bound: Infinity })],
    [{ kind: 'discrete', values: [100, 1000], weights: [3, 1] }, 325],
    [{ kind: 'empirical', points: [[0, 0], [100, 0.5], [300, 1]] }, 125],
  ];
  it.each(cases)('samples %j with the mean distMean gives', (d, mean) => {
    expect(distMean(d)).toBeCloseTo(mean, 3);
    const draw = sampler(d, rng());
    let s = 0, bad = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = draw();
      if (!(x >= 0 && Number.isFinite(x))) bad++;
      s += x;
    }
    expect(bad).toBe(0);
    expect(Math.abs(s / n - mean) / mean).toBeLessThan(0.02);
  });

  it('rejects invalid specs, naming the field, the value and what is valid', () => {
    const bad: [unknown, RegExp][] = [
      [{ kind: 'exponential', mean: 0 }, /web: exponential mean must be a finite number > 0, got 0/],
      [{ kind: 'uniform', min: 5, max: 1 }, /uniform needs finite 0 <= min <= max, got min=5 max=1/],
      [{ kind: 'constant', value: -3 }, /constant value must be a finite number >= 0, got -3/],
      [{ kind: 'lognormal', mu: 1, sigma: -1 }, /sigma >= 0/],
      [{ kind: 'pareto', alpha: 1.5, scale: 10, bound: 5 }, /pareto bound must be > scale \(10\), or Infinity/],
      [{ kind: 'discrete', values: [1, 2], weights: [1] }, /same length, got 2 values and 1 weights/],
      [{ kind: 'discrete', values: [1, 2], weights: [0, 0] }, /at least one weight > 0/],
      [{ kind: 'empirical', points: [[0, 0.2], [10, 0.9]] }, /last cumulative probability must be 1/],
      [{ kind: 'gamma', shape: 2 }, /unknown kind "gamma"; valid kinds: constant, exponential, uniform, lognormal, pareto, discrete, empirical/],
      [42, /expected an object like/],
    ];
    for (const [d, msg] of bad) expect(() => sampler(d as Dist, rng(), 'web')).toThrow(msg);
  });
});
