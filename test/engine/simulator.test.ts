import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue, Simulator } from '../../src/engine';

describe('Simulator', () => {
  it('runs events in time order and FIFO on ties', () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.schedule(20, () => log.push(`b@${sim.now}`));
    sim.schedule(10, () => log.push(`a@${sim.now}`));
    for (const k of ['t1', 't2', 't3']) sim.schedule(20, () => log.push(`${k}@${sim.now}`));
    sim.schedule(0, () => log.push(`z@${sim.now}`));
    expect(sim.run()).toBe('empty');
    expect(log).toEqual(['z@0', 'a@10', 'b@20', 't1@20', 't2@20', 't3@20']);
    expect(sim.executed).toBe(6);
  });

  it('passes the argument through without a closure', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const onEvent = (x: { v: number }) => seen.push(x.v + sim.now);
    sim.schedule(5, onEvent, { v: 100 });
    sim.run();
    expect(seen).toEqual([105]);
  });

  it('events scheduled from handlers at delay 0 run after the current tie group', () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.schedule(1, () => { log.push('a'); sim.schedule(0, () => log.push('c')); });
    sim.schedule(1, () => log.push('b'));
    sim.run();
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('cancels lazily and ignores stale handles', () => {
    const sim = new Simulator();
    const log: number[] = [];
    const h1 = sim.schedule(10, () => log.push(1));
    const h2 = sim.schedule(20, () => log.push(2));
    expect(sim.pending).toBe(2);
    expect(sim.cancel(h1)).toBe(true);
    expect(sim.cancel(h1)).toBe(false);
    expect(sim.isPending(h1)).toBe(false);
    expect(sim.pending).toBe(1);
    sim.run();
    expect(log).toEqual([2]);
    expect(sim.cancel(h2)).toBe(false); // already ran
    // The freed slot is reused; the old handle must not cancel the new event.
    const h3 = sim.schedule(5, () => log.push(3));
    expect(sim.cancel(h1)).toBe(false);
    expect(sim.isPending(h3)).toBe(true);
    sim.run();
    expect(log).toEqual([2, 3]);
  });

  it('stops at until, at maxEvents and on stop()', () => {
    const sim = new Simulator();
    let count = 0;
    const tick = () => { count++; sim.schedule(10, tick); };
    sim.schedule(0, tick);
    expect(sim.run({ until: 55 })).toBe('until');
    expect(count).toBe(6); // t = 0,10,...,50
    expect(sim.now).toBe(55);
    expect(sim.run({ until: 60 })).toBe('until');
    expect(count).toBe(7); // event at exactly until runs
    expect(sim.run({ maxEvents: 3 })).toBe('maxEvents');
    expect(count).toBe(10);
    sim.schedule(15, () => sim.stop());
    expect(sim.run()).toBe('stopped');
    expect(sim.now).toBe(105);
    expect(count).toBe(11);
  });

  it('steps and peeks for a pacer', () => {
    const sim = new Simulator();
    const log: number[] = [];
    sim.schedule(7, () => log.push(sim.now));
    sim.schedule(3, () => log.push(sim.now));
    expect(sim.peek()).toBe(3);
    expect(sim.step()).toBe(true);
    expect(log).toEqual([3]);
    expect(sim.peek()).toBe(7);
    expect(sim.step()).toBe(true);
    expect(sim.step()).toBe(false);
    expect(sim.peek()).toBe(Infinity);
  });

  it('rejects negative, NaN and infinite delays with a clear error', () => {
    const sim = new Simulator();
    expect(() => sim.schedule(-1, () => {})).toThrow(/delay must be a finite number of nanoseconds >= 0, got -1/);
    expect(() => sim.schedule(NaN, () => {})).toThrow(/got NaN/);
    expect(() => sim.schedule(Infinity, () => {})).toThrow(/got Infinity/);
    sim.schedule(10, () => {});
    sim.run();
    expect(() => sim.scheduleAt(5, () => {})).toThrow(/>= now \(10\)/);
    expect(() => sim.run({ until: 3 })).toThrow(/until/);
  });

  it('truncates fractional delays to whole nanoseconds', () => {
    const sim = new Simulator();
    sim.schedule(2.9, () => {});
    sim.run();
    expect(sim.now).toBe(2);
  });
});

describe('EventQueue against a reference sort (property)', () => {
  type Op = { kind: 'push'; t: number } | { kind: 'pop' } | { kind: 'cancel'; which: number };
  const op = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), t: fc.integer({ min: 0, max: 50 }) }),
    fc.record({ kind: fc.constant('pop' as const) }),
    fc.record({ kind: fc.constant('cancel' as const), which: fc.nat(200) }),
  );

  it('pops exactly the reference order over random interleavings', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops: Op[]) => {
        const q = new EventQueue(16);
        let seq = 0;
        const ref: { t: number; seq: number; live: boolean }[] = [];
        const handles: number[] = [];
        const byHandle = new Map<number, (typeof ref)[number]>();
        const popOne = (): number | null => {
          const fn = q.pop();
          const live = ref.filter((e) => e.live).sort((a, b) => a.t - b.t || a.seq - b.seq);
          if (fn === null) { expect(live.length).toBe(0); return null; }
          const got = q.poppedArg as number;
          expect(got).toBe(live[0].seq);
          expect(q.poppedTime).toBe(live[0].t);
          live[0].live = false;
          return got;
        };
        for (const o of ops) {
          if (o.kind === 'push') {
            const rec = { t: o.t, seq: seq++, live: true };
            ref.push(rec);
            const h = q.push(o.t, () => {}, rec.seq);
            handles.push(h);
            byHandle.set(h, rec);
          } else if (o.kind === 'pop') {
            popOne();
          } else if (handles.length > 0) {
            const h = handles[o.which % handles.length];
            const rec = byHandle.get(h)!;
            expect(q.cancel(h)).toBe(rec.live);
            rec.live = false;
          }
          expect(q.size).toBe(ref.filter((e) => e.live).length);
        }
        while (popOne() !== null);
      }),
      { numRuns: 300 },
    );
  });
});
