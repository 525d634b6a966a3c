/**
 * RoutingTable: IPv4 longest-prefix match.
 *
 * Routes are grouped by prefix length, longest first; lookup tries each
 * length present, so it costs one probe per distinct length (typically 2-4),
 * not one per route. A length with a single network keeps that route alone
 * and compares against it; a Map (numeric keys) is made when a second
 * network of that length arrives. A host's table (a connected subnet and a
 * default route) is then two small objects: with a Map a length, 100 k
 * clients held 300 k Maps.
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

/** The routes of one prefix length: the only network's route, or a Map of them. */
interface Level {
  len: number;
  mask: number;
  one: Route | null;
  many: Map<number, Route> | null;
}

export class RoutingTable {
  /** By prefix length, longest first. */
  private levels: Level[] = [];

  /** Add or replace (when the new metric is not worse) a route. */
  add(r: Route): void {
    const mask = prefixMask(r.len);
    const route = { ...r, network: (r.network & mask) >>> 0 };
    let lv = this.levels.find((l) => l.len === r.len);
    if (lv === undefined) {
      lv = { len: r.len, mask, one: route, many: null };
      this.levels = [...this.levels, lv].sort((a, b) => b.len - a.len);
      return;
    }
    const old = this.get(lv, route.network);
    if (old !== undefined && route.metric > old.metric) return;
    if (lv.many !== null) lv.many.set(route.network, route);
    else if (lv.one === null || lv.one.network === route.network) lv.one = route;
    else {
      lv.many = new Map([[lv.one.network, lv.one], [route.network, route]]);
      lv.one = null;
    }
  }

  private get(lv: Level, network: number): Route | undefined {
    if (lv.many !== null) return lv.many.get(network);
    return lv.one !== null && lv.one.network === network ? lv.one : undefined;
  }

  lookup(dst: Ipv4): Route | undefined {
    const levels = this.levels;
    for (let i = 0; i < levels.length; i++) {
      const lv = levels[i];
      const net = (dst & lv.mask) >>> 0;
      const one = lv.one;
      if (one !== null) {
        if (one.network === net) return one;
        continue;
      }
      const r = lv.many!.get(net);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** Remove every route for which `pred` is true; returns how many went. */
  removeWhere(pred: (r: Route) => boolean): number {
    let n = 0;
    for (const lv of this.levels) {
      if (lv.many !== null) {
        for (const [k, r] of lv.many) if (pred(r)) { lv.many.delete(k); n++; }
        if (lv.many.size === 1) {
          lv.one = lv.many.values().next().value!;
          lv.many = null;
        }
      } else if (lv.one !== null && pred(lv.one)) {
        lv.one = null;
        n++;
      }
    }
    this.levels = this.levels.filter((lv) => lv.one !== null || (lv.many !== null && lv.many.size > 0));
    return n;
  }

  has(network: Ipv4, len: number): boolean {
    const lv = this.levels.find((l) => l.len === len);
    return lv !== undefined && this.get(lv, (network & prefixMask(len)) >>> 0) !== undefined;
  }

  get size(): number {
    let n = 0;
    for (const lv of this.levels) n += lv.many !== null ? lv.many.size : 1;
    return n;
  }

  routes(): Route[] {
    return this.levels.flatMap((lv) => (lv.many !== null ? [...lv.many.values()] : [lv.one!]));
  }

  toString(): string {
    return this.routes()
      .map((r) => `${formatIpv4(r.network)}/${r.len} via ${r.gateway ? formatIpv4(r.gateway) : 'direct'} if${r.iface} metric ${r.metric}`)
      .join('\n');
  }
}
