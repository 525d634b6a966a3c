/**
 * Method claims 25-48, one test each. Each mirrors system claim n-24: the
 * same elements are checked on the same scenario (a separate run in this test
 * process, same seed), and the ORDER of the steps the method recites is
 * checked from the trace sequence (receive → identify → perform or output
 * → ...), as claim-table.ts lists. afterAll writes the method section of
 * docs/CLAIMS.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ClaimBook } from './claim-book';
import { checkClaim } from '../../src/claims/claim-table';
import './claim-source';
import { claim } from '../../src/claims/claim-texts';

const book = new ClaimBook('method');
afterAll(() => {
  book.write();
});

const title = (n: number): string => `claim ${n}: ${claim(n).short.slice(0, 90)}`;
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('method claims 25-34 (independent claim 25 and its dependents)', () => {
  for (const n of range(25, 34)) it(title(n), () => {
    const ev = book.open(n);
    checkClaim(n, ev);
    expect(ev.failures()).toEqual([]);
  });
});

describe('method claims 35-48 (independent claim 35 and its dependents)', () => {
  for (const n of range(35, 48)) it(title(n), () => {
    const ev = book.open(n);
    checkClaim(n, ev);
    expect(ev.failures()).toEqual([]);
  });
});
