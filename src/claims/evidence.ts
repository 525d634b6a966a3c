/**
 * Evidence: the record of one claim — every check (label, pass, measured
 * detail), every check recorded so that one failure does not hide the
 * others (the test suite asserts that all pass; the visualizer shows them), the facts measured alongside, and the scenarios it was measured
 * on; with the step-order check (each chain of steps complete and in trace
 * order) that method claims add.
 *
 * Invariants: checks and facts keep the order they were made in, which is the
 * order docs/CLAIMS.md lists them in; the parent claim's elements, re-checked
 * through inherit(), count as one check of the dependent claim.
 * Cost: an array push per check; use(key) may simulate the scenario once.
 */
import { run, type Run } from './claim-run';
import { claim as claimText, type ClaimText } from './claim-texts';
import { us } from './format';
import type { Stamp } from '../metrics/recorder';
import type { ScenarioKey } from './scenarios';
import type { SystemVariant } from './wrong-systems';

export interface CheckResult {
  label: string;
  ok: boolean;
  detail: string;
}

export type StepAt = Stamp | null | undefined;
export type Steps = [string, StepAt][];

export class Evidence {
  readonly checks: CheckResult[] = [];
  readonly facts: [string, string][] = [];

  /** `variant`: check the claim on another system (a wrong one, or another report exchange) instead of the library scenario's own. */
  constructor(readonly claim: ClaimText, readonly scenarios: ScenarioKey[] = [], readonly variant: SystemVariant | null = null) {}

  /** The run of a scenario, listed as one this claim was measured on. */
  use(key: ScenarioKey): Run {
    if (!this.scenarios.includes(key)) this.scenarios.push(key);
    return run(key, this.variant);
  }

  check(label: string, ok: boolean, detail: string): void {
    this.checks.push({ label, ok, detail });
  }

  /** Every item satisfies `ok`, and there are at least `min` items. */
  every<T>(label: string, items: readonly T[], ok: (x: T) => boolean, show: (x: T) => string, min = 1): void {
    const bad = items.filter((x) => !ok(x));
    const detail = items.length < min ? `only ${items.length} instance(s), at least ${min} needed`
      : bad.length > 0 ? `${bad.length} of ${items.length} fail; first: ${show(bad[0])}`
        : `${items.length} of ${items.length}; e.g. ${show(items[0])}`;
    this.check(label, items.length >= min && bad.length === 0, detail);
  }

  /** Each chain of steps is complete and in trace order (and never goes back in simulated time). */
  order(label: string, chains: readonly Steps[], min = 1): void {
    this.every(label, chains, stepsInOrder, showSteps, min);
  }

  /** The checks that failed, as "label: detail" lines. */
  failures(): string[] {
    return this.checks.filter((c) => !c.ok).map((c) => `claim ${this.claim.n}: ${c.label}: ${c.detail}`);
  }

  fact(key: string, value: string | number): void {
    this.facts.push([key, String(value)]);
  }

  /** The elements of the parent claim, checked in this claim's scenario, recorded as one check. */
  inherit(parent: number, body: (ev: Evidence) => void): void {
    const child = new Evidence(claimText(parent), this.scenarios, this.variant);
    body(child);
    const bad = child.checks.filter((c) => !c.ok);
    this.check(`the elements of claim ${parent} hold in this scenario (see claim ${parent})`, child.checks.length > 0 && bad.length === 0,
      bad.length === 0 ? `${child.checks.length} of ${child.checks.length} checks pass`
        : `${bad.length} of ${child.checks.length} fail: ${bad.map((c) => c.label).join('; ')}`);
  }
}

export function stepsInOrder(ch: Steps): boolean {
  for (let i = 0; i < ch.length; i++) {
    const s = ch[i][1];
    if (s === null || s === undefined) return false;
    if (i > 0) {
      const p = ch[i - 1][1]!;
      if (!(s.seq > p.seq && s.t >= p.t)) return false;
    }
  }
  return true;
}

function showSteps(ch: Steps): string {
  const t0 = ch.find(([, s]) => s)?.[1]?.t ?? 0;
  return ch.map(([name, s]) => (s ? `${name} (+${us(s.t - t0)})` : `${name} MISSING`)).join(' → ');
}
