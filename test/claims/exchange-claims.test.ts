/**
 * The 48 claims hold under every load-report exchange, not only the
 * all-to-all broadcast the library scenarios use: each variant of
 * src/claims/exchange-variants.ts is checked claim by claim.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { checkClaim } from '../../src/claims/claim-table';
import { claim } from '../../src/claims/claim-texts';
import { Evidence } from '../../src/claims/evidence';
import { run } from '../../src/claims/claim-run';
import { EXCHANGE_VARIANTS } from '../../src/claims/exchange-variants';
import { writeExchanges, type ExchangeResult } from './claim-book';
import './claim-source';

const results: ExchangeResult[] = [];
afterAll(() => {
  if (results.length === EXCHANGE_VARIANTS.length) writeExchanges(results);
});

describe('the claims under each report exchange', () => {
  it.each(EXCHANGE_VARIANTS.map((v) => [v.name, v] as const))('%s passes all 48 claims', (_n, v) => {
    const failing: string[] = [];
    let passed = 0, checks = 0;
    for (let n = 1; n <= 48; n++) {
      const ev = new Evidence(claim(n), [], v);
      checkClaim(n, ev);
      checks += ev.checks.length;
      passed += ev.checks.filter((c) => c.ok).length;
      for (const f of ev.failures()) failing.push(`claim ${n}: ${f}`);
    }
    results.push({ name: v.name, exchange: v.what, passed, checks, failing });
    expect(failing).toEqual([]);
  }, 300_000);

  it('each variant really runs its exchange: a longer period, or unicasts to two peers', () => {
    const base = run('l2-least-loaded');
    const frames = (r: typeof base): number => r.c.thirdLan.channels.reduce((s, ch) => s + ch.frames, 0);
    const sent = (r: typeof base): number => r.c.reporters.reduce((s, x) => s + x.sent, 0);
    const [scaled, sampled] = EXCHANGE_VARIANTS.map((v) => run('l2-least-loaded', v));
    const n = base.c.members.length;
    expect(scaled.c.reporters[0].plan.periodNs).toBe(base.c.reporters[0].plan.periodNs * n / 2);
    expect(frames(scaled)).toBeLessThan(frames(base) * 0.75);
    // All-to-all: a broadcast goes up to the switch and down to the n-1 others (n frames);
    // sampled: two unicasts a period, each up and down once (2 frames each).
    expect(frames(base) / sent(base)).toBeCloseTo(n, 1);
    expect(sampled.c.reporters[0].plan.broadcast).toBe(false);
    expect(sent(sampled) / sent(base)).toBeCloseTo(2, 1);
    expect(frames(sampled) / sent(sampled)).toBeCloseTo(2, 1);
    // Sampled decisions read only rows younger than freshPeriods (1) period, and so fewer peers than all-to-all's.
    const fresh = 1 * sampled.c.reporters[0].plan.periodNs;
    const rows = sampled.rec.decisions.flatMap((d) => d.rec.peerRows.map((r) => d.rec.time - r.at));
    expect(rows.length).toBeGreaterThan(0);
    expect(Math.max(...rows)).toBeLessThanOrEqual(fresh);
    const peersRead = (r: typeof base): number => r.rec.decisions.reduce((s, d) => s + d.rec.peerRows.length, 0) / r.rec.decisions.length;
    expect(peersRead(sampled)).toBeLessThan(peersRead(base));
  });
});
