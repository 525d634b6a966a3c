/**
 * RoutingTable: IPv4 longest-prefix match.
 *
 * Routes are grouped by prefix length, one Map (numeric keys) per length;
 * lookup tries the lengths present from longest to shortest, so it costs one
 * Map lookup per distinct length (typically 2-4), not one per route.
 */
import { formatIpv4, prefixMask, type Ipv4 } from '../net/address';

export interface Route {
  network: Ipv4;
  len: number;
  /** Next-hop address, or 0 for a directly connected network. */
  gateway: Ipv4;
  /** Index of the outgoing interface in the node. */
  iface: number;
  metric: number;
}

export class RoutingTable {
  private readonly byLen = new Map<number, Map<number, Route>>();
  private lens: number[] = [];
  private masks: number[] = [];

  /** Add or replace (when the new metric is not worse) a route. */
  add(r: Route): void {
    const mask = prefixMask(r.len);
    const route = { ...r, network: (r.network & mask) >>> 0 };
    let m = this.byLen.get(r.len);
    if (!m) {
      m = new Map();
      this.byLen.set(r.len, m);
      this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
      this.masks = this.lens.map(prefixMask);
    }
    const old = m.get(route.network);
    if (!old || route.metric <= old.metric) m.set(route.network, route);
  }

  lookup(dst: Ipv4): Route | undefined {
    const lens = this.lens, masks = this.masks;
    for (let i = 0; i < lens.length; i++) {
      const r = this.byLen.get(lens[i])!.get((dst & masks[i]) >>> 0);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** Remove every route for which `pred` is true; returns how many went. */
  removeWhere(pred: (r: Route) => boolean): number {
    let n = 0;
    for (const [len, m] of this.byLen) {
      for (const [k, r] of m) if (pred(r)) { m.delete(k); n++; }
      if (m.size === 0) this.byLen.delete(len);
    }
    this.lens = [...this.byLen.keys()].sort((a, b) => b - a);
    this.masks = this.lens.map(prefixMask);
    return n;
  }

  has(network: Ipv4, len: number): boolean {
    return this.byLen.get(len)?.has((network & prefixMask(len)) >>> 0) ?? false;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byLen.values()) n += m.size;
    return n;
  }

  routes(): Route[] {
    return this.lens.flatMap((l) => [...this.byLen.get(l)!.values()]);
  }

  toString(): string {
    return this.routes()
      .map((r) => `${formatIpv4(r.network)}/${r.len} via ${r.gateway ? formatIpv4(r.gateway) : 'direct'} if${r.iface} metric ${r.metric}`)
      .join('\n');
  }
}
