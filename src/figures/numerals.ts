/**
 * Reference numerals: one per part, the same in every figure of a network.
 * A cluster site's parts have fixed numbers (clients 100, the Internet 102,
 * the edge 104, the first LAN 106, servers 108, their NICs 110, the second
 * LAN 112, the third LAN 114, a balancer 116); any other node takes the next
 * free even number from 120 in map order. Members of a group share their
 * group's number with a capital letter (100A, 100B, ..., and AA, AB after Z),
 * as tall as the digits.
 *
 * Invariants: a pure function of the NetworkMap, so FIG. 1 and FIG. 2 (and
 * the page and `netsim figure`) agree.
 */
import type { NetworkMap } from '../inspect/network-map';

export interface NumeralPlan {
  /** Numeral of each map node ("" for none). */
  node: string[];
  /** Numeral of the NIC of each map node that is a cluster server ("" otherwise). */
  nic: string[];
  /** Numeral of each LAN by role. */
  lan: Partial<Record<'first' | 'second' | 'third', string>>;
}

export function letter(i: number): string {
  let s = '';
  let k = i;
  do {
    s = String.fromCharCode(65 + (k % 26)) + s;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return s;
}

export function numeralPlan(map: NetworkMap): NumeralPlan {
  const node = map.nodes.map(() => '');
  const nic = map.nodes.map(() => '');
  const lan: NumeralPlan['lan'] = {};
  const members = new Set(map.members);
  const groupSize = new Map(map.groups.map((g) => [g.id, g.count]));
  const base = new Map<string, number>();
  let next = map.edge >= 0 ? 120 : 100;
  const numberOf = (key: string, fixed: number | null): number => {
    let b = base.get(key);
    if (b === undefined) {
      b = fixed ?? next;
      if (fixed === null) next += 2;
      base.set(key, b);
    }
    return b;
  };
  const lanNum: Record<string, number> = { first: 106, second: 112, third: 114 };
  map.nodes.forEach((n, i) => {
    let fixed: number | null = null;
    if (map.edge >= 0) {
      if (n.kind === 'client') fixed = 100;
      else if (n.kind === 'internet') fixed = 102;
      else if (i === map.edge) fixed = 104;
      else if (members.has(i)) fixed = 108;
      else if (i === map.balancer) fixed = 116;
      else if (n.lan !== null && (n.kind === 'hub' || n.kind === 'l2-switch')) fixed = lanNum[n.lan];
    }
    const key = n.group ?? n.id;
    const b = numberOf(fixed !== null && n.kind !== 'client' && !members.has(i) ? `fixed:${fixed}` : key, fixed);
    const many = n.group !== null && (groupSize.get(n.group) ?? 1) > 1;
    node[i] = many ? `${b}${letter(n.index)}` : String(b);
    if (members.has(i)) nic[i] = `110${many ? letter(n.index) : ''}`;
    if (n.lan !== null && (n.kind === 'hub' || n.kind === 'l2-switch' || n.kind === 'l3-switch') && lan[n.lan] === undefined) lan[n.lan] = String(b);
  });
  return { node, nic, lan };
}
