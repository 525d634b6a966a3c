/**
 * System claims 1-24, one test each: a small simulated site built for the
 * claim, and an assertion for every element the claim recites, measured from
 * the traces and counters (claim-table.ts lists them, handling-checks.ts and
 * site-checks.ts check them). A dependent claim also re-checks the claim it
 * depends on in its own scenario. afterAll writes the system section of
 * docs/CLAIMS.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ClaimBook } from './claim-book';
import { checkClaim } from '../../src/claims/claim-table';
import './claim-source';
import { claim } from '../../src/claims/claim-texts';

const book = new ClaimBook('system');
afterAll(() => {
  book.write();
});

const title = (n: number): string => `claim ${n}: ${claim(n).short.slice(0, 90)}`;
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('system claims 1-10 (independent claim 1 and its dependents)', () => {
  for (const n of range(1, 10)) it(title(n), () => {
    const ev = book.open(n);
    checkClaim(n, ev);
    expect(ev.failures()).toEqual([]);
  });
});

describe('system claims 11-24 (independent claim 11 and its dependents)', () => {
  for (const n of range(11, 24)) it(title(n), () => {
    const ev = book.open(n);
    checkClaim(n, ev);
    expect(ev.failures()).toEqual([]);
  });
});
