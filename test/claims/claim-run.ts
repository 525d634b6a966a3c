/**
 * Claim run: a scenario simulated with a Recorder attached, until every
 * request has ended and every connection is closed (as runDesign does; at
 * most 30 s simulated), with its request counters and packet conservation.
 *
 * Invariants: each scenario is simulated at most once per test process
 * (memoised), so every claim measured on a key sees the same run; a run is
 * seeded, hence the same in every process.
 * Cost: the first run(key) simulates the whole scenario (the bulk of the
 * suite's time); later calls are a map look-up.
 */
import { buildCluster, type Cluster } from '../../src/cluster/cluster';
import { MS } from '../../src/engine';
import { Recorder } from './recorder';
import { SCENARIOS, type ScenarioKey, type ScenarioSpec } from './scenarios';

export interface Run {
  key: ScenarioKey;
  c: Cluster;
  rec: Recorder;
  clientIps: Set<number>;
  issued: number;
  completed: number;
  failed: number;
  conservation: string | null;
  endNs: number;
}

const runs = new Map<ScenarioKey, Run>();

/** The run of a scenario, simulated once per test process. */
export function run(key: ScenarioKey): Run {
  let r = runs.get(key);
  if (r === undefined) runs.set(key, (r = execute(key)));
  return r;
}

function execute(key: ScenarioKey): Run {
  const spec: ScenarioSpec = SCENARIOS[key];
  const c = buildCluster(spec.opts);
  const rec = new Recorder(c);
  if (spec.busy !== undefined) for (let j = 0; j < spec.busy.jobs; j++) c.cpus[spec.busy.server].submit(spec.busy.jobNs, () => {}, null);
  // Stop once every request ended and every connection is closed (as runDesign does).
  const sim = c.topo.net.sim;
  const period = c.opts.reports.periodNs;
  const total = c.opts.clients * c.opts.workload.requestsPerClient;
  const check = (): void => {
    const done = c.stats.completed + c.stats.failed >= total;
    const quiet = c.members.every((m) => m.tcp.size === 0) && c.clients.every((a) => a.tcp.size === 0);
    if (done && quiet) sim.stop();
    else sim.schedule(period, check);
  };
  sim.schedule(period, check);
  sim.run({ until: 30_000 * MS });
  return {
    key, c, rec, clientIps: new Set(c.clients.map((a) => a.node.interfaces[0].ip)),
    issued: c.stats.issued, completed: c.stats.completed, failed: c.stats.failed,
    conservation: c.topo.net.conservationError(), endNs: sim.now,
  };
}
