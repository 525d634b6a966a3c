/** Shared test helpers: small networks, scenario runs and trace fingerprints. */
import { expect } from 'vitest';
import type { Network } from '../src/net/network';
import { TraceHash } from '../src/metrics/trace-hash';
import { Topology } from '../src/nodes/topology';
import { buildSimulation, type Simulation } from '../src/scenario/build';
import type { IpNode } from '../src/nodes/ip-node';
import { mustLoad, ns3ClusterScenario, siteScenario, type Ns3ClusterFlags } from '../src/scenario/presets';
import { runSimulation, type RunResult } from '../src/scenario/runner';
import type { ScenarioInput, SiteInput } from '../src/scenario/schema';

/** Assert the conservation law on a network. */
export function expectConserved(net: Network): void {
  expect(net.conservationError()).toBeNull();
}

/** The trace fingerprint of a run of `topo` (until `until`, or until it is idle). */
export function traceHash(topo: Topology, until?: number): string {
  const h = new TraceHash(topo.net);
  topo.net.sim.run(until !== undefined ? { until } : {});
  return h.value;
}

/** Build a description (throws with every problem if it is invalid). */
export function simulationOf(description: ScenarioInput, run = 1): Simulation {
  return buildSimulation(mustLoad(description), { run });
}

/** Build, optionally prepare, and run a description under its stop rule. */
export function runDescription(description: ScenarioInput, prepare?: (sim: Simulation) => void): { sim: Simulation; result: RunResult } {
  const sim = simulationOf(description);
  prepare?.(sim);
  return { sim, result: runSimulation(sim) };
}

/** A site scenario run: `site` and the rest of the description. */
export function runSite(site: SiteInput, rest: Omit<ScenarioInput, 'network'> = {}, prepare?: (sim: Simulation) => void): { sim: Simulation; result: RunResult } {
  return runDescription(siteScenario(site, rest), prepare);
}

/**
 * client --p2p-- router --p2p-- a, and router --p2p-- b (100 Mb/s, 2 ms
 * links): the site where tests move a connection from host a to host b.
 */
export function clientAndTwoHosts(seed: number) {
  const topo = new Topology({ seed });
  const client = topo.host('client');
  const router = topo.router('router');
  const a = topo.host('a');
  const b = topo.host('b');
  const link = { rate: '100Mbps', delay: '2ms', queue: 1000 };
  topo.pointToPoint(client, router, link, '100.64.0.0/30');
  topo.pointToPoint(router, a, link, '10.0.1.0/30');
  topo.pointToPoint(router, b, link, '10.0.2.0/30');
  topo.populateRoutes();
  return { topo, client, router, a, b };
}

/** The ns-3 anchor's plain UDP cluster, built from its flags, with its parts by role. */
export function ns3Cluster(flags: Partial<Ns3ClusterFlags>) {
  const sim = simulationOf(ns3ClusterScenario(flags), flags.run ?? 1);
  const ip = (id: string): IpNode => sim.nodes.get(id) as IpNode;
  const count = (prefix: string): IpNode[] => [...sim.nodes.keys()].filter((k) => new RegExp(`^${prefix}\\d+$`).test(k)).map(ip);
  return { sim, topo: sim.topo, router: ip('router'), clients: count('client'), servers: count('server'), stats: sim.stats };
}
