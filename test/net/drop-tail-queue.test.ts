import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DropTailQueue } from '../../src/net/drop-tail-queue';
import { Packet } from '../../src/net/packet';

describe('DropTailQueue', () => {
  it('is a FIFO bounded by its capacity, growing its ring as needed (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.boolean(), { maxLength: 300 }), (cap, ops) => {
      const q = new DropTailQueue(cap);
      const ref: number[] = [];
      let id = 0;
      for (const push of ops) {
        if (push) {
          const ok = q.enqueue(new Packet(++id, 0));
          expect(ok).toBe(ref.length < cap);
          if (ok) ref.push(id);
        } else {
          expect(q.dequeue()?.id ?? null).toBe(ref.shift() ?? null);
        }
        expect(q.length).toBe(ref.length);
      }
      expect(q.drain().map((p) => p.id)).toEqual(ref);
    }), { numRuns: 300 });
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new DropTailQueue(0)).toThrow(/integer >= 1/);
  });
});
