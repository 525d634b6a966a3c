/**
 * Claim run: a library scenario simulated by the runner with a Recorder
 * attached, under the scenario's own stop rule, with its request counters
 * and packet conservation.
 *
 * Invariants: each scenario is simulated at most once per test process
 * (memoised), so every claim measured on a key sees the same run; a run is
 * seeded, hence the same wherever it runs.
 * Cost: the first run(key) simulates the whole scenario (the bulk of the
 * suite's time); later calls are a map look-up.
 */
import { Recorder } from '../metrics/recorder';
import { clusterView, type ClusterView } from '../scenario/build';
import { runSimulation } from '../scenario/runner';
import { buildSimulation } from '../scenario/build';
import { scenarioOf, type ScenarioKey } from './scenarios';
import type { SystemVariant } from './wrong-systems';

export interface Run {
  key: ScenarioKey;
  c: ClusterView;
  rec: Recorder;
  clientIps: Set<number>;
  issued: number;
  completed: number;
  failed: number;
  conservation: string | null;
  endNs: number;
}

const runs = new Map<string, Run>();

/** The run of a scenario (of the claimed system, or of a variant of it), simulated once (memoised). */
export function run(key: ScenarioKey, variant: SystemVariant | null = null): Run {
  const k = `${key}/${variant?.name ?? ''}`;
  let r = runs.get(k);
  if (r === undefined) runs.set(k, (r = execute(key, variant)));
  return r;
}

function execute(key: ScenarioKey, variant: SystemVariant | null): Run {
  let s = scenarioOf(key);
  if (variant?.scenario !== undefined) s = variant.scenario(s);
  const sim = buildSimulation(s);
  variant?.apply?.(sim);
  const c = clusterView(sim);
  const rec = new Recorder(c);
  runSimulation(sim);
  return {
    key, c, rec, clientIps: new Set(c.clients.map((a) => a.node.interfaces[0].ip)),
    issued: c.stats.issued, completed: c.stats.completed, failed: c.stats.failed,
    conservation: c.topo.net.conservationError(), endNs: c.topo.net.now,
  };
}
