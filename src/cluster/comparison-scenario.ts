/**
 * The bundled comparison scenario: dozens of servers, hundreds of clients,
 * short requests and long responses (the shape under which LVS documents NAT
 * saturating long before direct-return designs). `npm start` runs it.
 */
import { MS } from '../engine';
import type { ClusterOptions } from './cluster';

export const COMPARISON_SCENARIO: Partial<ClusterOptions> = {
  firstLan: 'l2-switch',
  servers: 24,
  clients: 300,
  seed: 1,
  lan: { rate: '10Gbps', delay: '500ns', queue: 1000 },
  workload: {
    requestsPerClient: 10,
    arrival: 'poisson',
    meanIntervalNs: 100 * MS,
    thinkTime: { kind: 'exponential', mean: 10 * MS },
    requestSize: { kind: 'constant', value: 300 },
    responseSize: { kind: 'exponential', mean: 40_000 },
    requestsPerConnection: 1,
    servicePort: 80,
  },
  serviceTime: { kind: 'exponential', mean: 2 * MS },
  reports: { periodNs: 2 * MS, bytes: 64, deadAfterNs: 7 * MS },
  // The same per-packet processor cost for a smart NIC and a software balancer.
  nic: { policy: 'least-loaded', processingNs: 6_000 },
  balancer: { processingNs: 6_000 },
};
