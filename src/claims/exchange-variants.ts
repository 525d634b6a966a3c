/**
 * The claimed system under each load-report exchange other than the
 * library scenarios' own all-to-all (load-reporter.ts): the claims must
 * hold whichever exchange a cluster uses, since claims 11, 21 and 45 recite
 * only that state arrives from the second device over a third LAN.
 */
import { withCluster, type Scenario } from '../scenario/load';
import type { ExchangeOptions } from '../cluster/load-reporter';
import type { SystemVariant } from './wrong-systems';

function withExchange(s: Scenario, exchange: ExchangeOptions): Scenario {
  const r = withCluster(s, (c) => {
    c.reports = { ...(c.reports as Record<string, unknown> | undefined), exchange };
  });
  if (!r.ok) throw new Error(`exchange variant: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.scenario;
}

/**
 * scaled-period with a reference of 2 servers stretches the claim sites'
 * period (their 4-8 servers) two to four times; sampled sends each report
 * to 2 peers of a shuffled round and decides among the peers heard within
 * one period (on 4 servers, about two of the three).
 */
export interface ExchangeVariant extends SystemVariant {
  /** The exchange, in a sentence. */
  what: string;
}

export const EXCHANGE_VARIANTS: readonly ExchangeVariant[] = [
  {
    name: 'exchange-scaled-period', what: '`scaled-period`, referenceServers 2: the period grows with the servers (x2 to x4 here)',
    scenario: (s) => withExchange(s, { kind: 'scaled-period', referenceServers: 2 }),
  },
  {
    name: 'exchange-sampled', what: '`sampled`, fanout 2, freshPeriods 1: each report to 2 peers of a shuffled round; decisions among the peers heard within a period',
    scenario: (s) => withExchange(s, { kind: 'sampled', fanout: 2, freshPeriods: 1 }),
  },
];
