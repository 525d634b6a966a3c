/**
 * Scenarios: the library files the claims are measured on (scenarios/), by
 * key. A scenario is data only and fully seeded, so a key always gives the
 * same run. Where the files come from is the caller's: the test suite reads
 * them from disk, the visualizer from its bundle (`setScenarioSource`).
 */
import type { Scenario } from '../scenario/load';

export const SCENARIOS = {
  'l2-least-loaded': 'l2-switch',
  'hub-least-loaded': 'hub',
  'l3-least-loaded': 'l3-switch',
  'l2-threshold-idle': 'state-idle',
  'l2-threshold-busy': 'state-busy',
  'l2-peer-busy': 'peer-busy',
} as const;
export type ScenarioKey = keyof typeof SCENARIOS;

let source: ((name: string) => Scenario) | null = null;

/** Where claim scenarios are loaded from: a library name -> a validated scenario. */
export function setScenarioSource(fn: (name: string) => Scenario): void {
  source = fn;
}

export function scenarioOf(key: ScenarioKey): Scenario {
  if (source === null) throw new Error('claims: no scenario source; call setScenarioSource first');
  return source(SCENARIOS[key]);
}

export function describeScenario(key: ScenarioKey): string {
  const s = scenarioOf(key);
  return `scenarios/${SCENARIOS[key]}.json (seed ${s.seed}): ${s.description}`;
}
