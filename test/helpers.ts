/** Shared test helpers: small networks and trace recorders. */
import { expect } from 'vitest';
import type { Network } from '../src/net/network';
import type { Topology } from '../src/nodes/topology';

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
