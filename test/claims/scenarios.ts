/**
 * Scenarios: the library files the claims are measured on (scenarios/), by
 * key. A scenario is data only and fully seeded, so a key always gives the
 * same run; docs/CLAIMS.md prints each one's description.
 */
import { loadScenarioFile } from '../../src/cli/files';
import { ScenarioError } from '../../src/scenario/errors';
import type { Scenario } from '../../src/scenario/load';

export const SCENARIOS = {
  'l2-least-loaded': 'l2-switch',
  'hub-least-loaded': 'hub',
  'l3-least-loaded': 'l3-switch',
  'l2-threshold-idle': 'state-idle',
  'l2-threshold-busy': 'state-busy',
} as const;
export type ScenarioKey = keyof typeof SCENARIOS;

export function scenarioOf(key: ScenarioKey): Scenario {
  const r = loadScenarioFile(SCENARIOS[key]);
  if (!r.ok) throw new ScenarioError(r.problems);
  return r.scenario;
}

export function describeScenario(key: ScenarioKey): string {
  return `scenarios/${SCENARIOS[key]}.json (seed ${scenarioOf(key).seed}): ${scenarioOf(key).description}`;
}
