/** Shared test helpers: small networks and trace recorders. */
import { expect } from 'vitest';
import type { Network } from '../src/net/network';
import { Topology } from '../src/nodes/topology';

/** Assert the conservation law on a network. */
export function expectConserved(net: Network): void {
  expect(net.conservationError()).toBeNull();
}

/** FNV-1a over the network's transmit trace: (time, packet id, device, size). */
export function traceHash(topo: Topology, until?: number): string {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    for (let i = 0; i < 4; i++) {
      h ^= (x >>> (8 * i)) & 255;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  const names = new Map<string, number>();
  topo.net.txTrace.connect((p, dev) => {
    let n = names.get(dev);
    if (n === undefined) names.set(dev, (n = names.size));
    mix(topo.net.now % 2 ** 32);
    mix(Math.floor(topo.net.now / 2 ** 32));
    mix(p.id);
    mix(n);
    mix(p.ipBytes());
  });
  topo.net.sim.run(until !== undefined ? { until } : {});
  return h.toString(16);
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
