/**
 * Scenarios: the few small sites the claims are measured on, as cluster
 * options (one of them also given CPU jobs at time 0, a different state under
 * the same client packet stream), and the one-line description of each that
 * docs/CLAIMS.md prints.
 *
 * Invariants: a scenario is data only and fully seeded, so a key always gives
 * the same run; the description shows simulated quantities only.
 * Cost: nothing at import; describeScenario is string work.
 */
import type { ClusterOptions } from '../../src/cluster/cluster';
import { MS } from '../../src/engine';

const WORKLOAD: ClusterOptions['workload'] = {
  requestsPerClient: 3, arrival: 'poisson', meanIntervalNs: 10 * MS,
  thinkTime: { kind: 'constant', value: 0 },
  requestSize: { kind: 'constant', value: 300 },
  responseSize: { kind: 'constant', value: 12_000 },
  requestsPerConnection: 1, servicePort: 80,
};
const SITE: Partial<ClusterOptions> = {
  design: 'nic-forward', servers: 4, clients: 6, seed: 2, workload: WORKLOAD,
  reports: { periodNs: 2 * MS, bytes: 64, deadAfterNs: 7 * MS },
  // A short TIME_WAIT (still > 4 round trips) so a run ends soon after its last request.
  tcp: { timeWait: 100 * MS },
};
const THRESHOLD = 3;

export interface ScenarioSpec {
  opts: Partial<ClusterOptions>;
  /** Jobs put on a server's CPU at time 0: a different state under the same client packet stream. */
  busy?: { server: number; jobs: number; jobNs: number };
}

export const SCENARIOS = {
  'l2-least-loaded': { opts: { ...SITE, firstLan: 'l2-switch', nic: { policy: 'least-loaded' } } },
  'hub-least-loaded': { opts: { ...SITE, firstLan: 'hub', nic: { policy: 'least-loaded' } } },
  'l3-least-loaded': { opts: { ...SITE, firstLan: 'l3-switch', nic: { policy: 'least-loaded' } } },
  'l2-threshold-idle': { opts: { ...SITE, firstLan: 'l2-switch', nic: { policy: 'local-unless-overloaded', threshold: THRESHOLD } } },
  'l2-threshold-busy': {
    opts: { ...SITE, firstLan: 'l2-switch', nic: { policy: 'local-unless-overloaded', threshold: THRESHOLD } },
    busy: { server: 0, jobs: 6, jobNs: 20 * MS },
  },
} satisfies Record<string, ScenarioSpec>;
export type ScenarioKey = keyof typeof SCENARIOS;

export function describeScenario(key: ScenarioKey): string {
  const s: ScenarioSpec = SCENARIOS[key];
  const o = s.opts;
  const w = o.workload!;
  const nic = o.nic ?? {};
  const dist = (d: { kind: string; value?: number }): string => (d.kind === 'constant' ? `${d.value} B` : d.kind);
  let text = `${o.design}, first LAN ${o.firstLan}, ${o.servers} servers, ${o.clients} clients × ${w.requestsPerClient} requests `
    + `(${w.arrival}, mean gap ${w.meanIntervalNs / MS} ms, ${dist(w.requestSize)} requests, ${dist(w.responseSize)} responses, `
    + `one connection each), seed ${o.seed}, NIC policy ${nic.policy}`;
  if (nic.policy === 'local-unless-overloaded') text += ` (threshold ${nic.threshold})`;
  text += `, load reports every ${o.reports!.periodNs / MS} ms on the third LAN, TCP TIME_WAIT ${(o.tcp?.timeWait ?? 0) / MS} ms`;
  if (s.busy) text += `; server${s.busy.server}'s CPU given ${s.busy.jobs} jobs of ${s.busy.jobNs / MS} ms at t = 0`;
  return text;
}
