/**
 * The suite catches wrong systems: every deliberate fault of
 * src/claims/wrong-systems.ts fails at least one of the 48 claims; the
 * claims each one fails are written into docs/CLAIMS.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkClaim } from '../../src/claims/claim-table';
import { claim } from '../../src/claims/claim-texts';
import { Evidence } from '../../src/claims/evidence';
import { WRONG_SYSTEMS } from '../../src/claims/wrong-systems';
import { writeWrongSystems, type WrongSystemResult } from './claim-book';
import './claim-source';

const results: WrongSystemResult[] = [];
afterAll(() => {
  if (results.length === WRONG_SYSTEMS.length) writeWrongSystems(results);
});

describe('wrong systems', () => {
  it.each(WRONG_SYSTEMS.map((w) => [w.name, w] as const))('%s fails at least one claim', (_n, w) => {
    const failed: number[] = [];
    let example = '';
    for (let n = 1; n <= 48; n++) {
      const ev = new Evidence(claim(n), [], w);
      try {
        checkClaim(n, ev);
      } catch (e) {
        ev.check('the checks ran to the end', false, (e as Error).message);
      }
      const bad = ev.failures();
      if (bad.length > 0) {
        failed.push(n);
        if (example === '') example = bad[0];
      }
    }
    results.push({ name: w.name, what: w.what, failed, example });
    expect(failed.length, `${w.name} passes every claim`).toBeGreaterThan(0);
  }, 120_000);
});
