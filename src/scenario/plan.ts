/**
 * The network plan: an explicit graph resolved into what the builder makes,
 * with every semantic check that needs the whole graph. Groups become their
 * members (`client` with count 3: client0, client1, client2), links become
 * point-to-point links or cables of an L2 segment, segments joined by cables
 * become one broadcast domain (a LAN) with one subnet, and every interface
 * gets its address.
 *
 * A link is a cable of a LAN when one end is a hub or a switch (an L3
 * switch's link to a router, the Internet or another L3 switch is routed);
 * otherwise it is a point-to-point link. Addresses: a LAN's come from its
 * `subnet` (an L3 switch first, then the members in link order); a
 * point-to-point link's from its `subnet` (a group's links take consecutive
 * /30s of it); the rest are chosen from 172.16.0.0/12 (links) and
 * 10.0.0.0/8 (LANs), clear of every subnet the scenario names.
 *
 * Checks: unknown or duplicate ids (with "did you mean"), a link from a node
 * to itself or between two groups, rates and delays missing or given where a
 * hub decides them, two hubs linked directly, an L2 loop, LANs whose roles
 * or subnets disagree, subnets that overlap or are too small. Problems carry
 * the JSON path of what caused them.
 *
 * Cost: O(nodes + links) with union-find; groups are expanded here, so a
 * 100,000-client site costs 100,000 entries.
 */
import { formatIpv4, parseCidr, type Ipv4 } from '../net/address';
import { formatPath, unknownNode, type JsonPath, type ScenarioProblem } from './errors';
import { SEGMENT_KINDS, type Graph, type GraphNode, type GraphNodeKind, type LanRole } from './schema';

export interface PlanNode {
  /** The node's own id (a group member's: group id + index). */
  id: string;
  spec: GraphNode;
  /** Index of the spec in graph.nodes. */
  specIndex: number;
  /** Group id and index in it (null for a single node). */
  group: string | null;
  index: number;
}

export interface PlanInterface {
  node: string;
  ip: Ipv4;
  len: number;
}

export interface PlanP2p {
  link: number;
  a: string;
  b: string;
  rate: number;
  delay: number;
  queue: number;
  /** Probability that a frame is lost on arrival at either end. */
  loss: number;
  /** Addresses when both ends are IP nodes (always, for kinds that may be linked so). */
  aIp: Ipv4;
  bIp: Ipv4;
  len: number;
}

/** One cable of a LAN: `a` and `b` are the endpoints (hosts, switches or the hub's medium). */
export interface PlanCable {
  link: number;
  a: string;
  b: string;
  /** The hub whose shared medium this is a tap on (null: a two-ended cable). */
  hub: string | null;
  rate: number;
  delay: number;
  queue: number;
}

export interface PlanLan {
  /** The first segment node's id; the LAN's name. */
  name: string;
  role: LanRole | null;
  network: Ipv4;
  len: number;
  /** Hubs, L2 switches and L3 switches of this LAN. */
  segments: string[];
  cables: PlanCable[];
  /** Interfaces in address order (L3 switches first). */
  ifaces: PlanInterface[];
}

export interface NetworkPlan {
  nodes: PlanNode[];
  byId: Map<string, PlanNode>;
  /** Members of each group id (a single node: itself). */
  members: Map<string, string[]>;
  p2p: PlanP2p[];
  lans: PlanLan[];
  /** LAN index of each LAN-attached interface, by "node|lan". */
  lanOf: Map<string, number>;
}

const ROUTED_PEERS: readonly GraphNodeKind[] = ['router', 'internet', 'l3-switch'];

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): boolean {
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return false;
    this.parent.set(rb, ra);
    return true;
  }
}

interface Range { network: number; size: number; path: JsonPath; what: string }

function hostsIn(len: number): number {
  return 2 ** (32 - len) - 2;
}

export function planNetwork(graph: Graph, base: JsonPath, fromSite: boolean): { plan: NetworkPlan; problems: ScenarioProblem[] } {
  const problems: ScenarioProblem[] = [];
  const problem = (path: JsonPath, message: string): void => { problems.push({ file: '', path: fromSite ? base : [...base, ...path], message }); };
  const nodes: PlanNode[] = [];
  const byId = new Map<string, PlanNode>();
  const members = new Map<string, string[]>();
  const specIds = new Map<string, number>();

  // ---- nodes and groups
  graph.nodes.forEach((spec, i) => {
    if (specIds.has(spec.id)) {
      problem(['nodes', i, 'id'], `node id "${spec.id}" is used twice (also nodes[${specIds.get(spec.id)}])`);
      return;
    }
    specIds.set(spec.id, i);
    const count = 'count' in spec ? spec.count : undefined;
    const ids = count === undefined ? [spec.id] : Array.from({ length: count }, (_, k) => `${spec.id}${k}`);
    members.set(spec.id, ids);
    ids.forEach((id, k) => {
      if (byId.has(id)) {
        problem(['nodes', i, 'id'], `node "${id}" (${count !== undefined ? `member ${k} of group "${spec.id}"` : 'this node'}) clashes with another node of that name`);
        return;
      }
      const n: PlanNode = { id, spec, specIndex: i, group: count !== undefined ? spec.id : null, index: k };
      byId.set(id, n);
      nodes.push(n);
    });
  });
  const endpoint = (v: string, path: JsonPath): string[] | null => {
    const m = members.get(v);
    if (m !== undefined) return m;
    const single = byId.get(v);
    if (single !== undefined) return [single.id];
    problem(path, unknownNode(v, { members, byId }));
    return null;
  };

  // ---- links: classify, check
  const p2pPending: { link: number; a: string; b: string; rate: number; delay: number; queue: number; loss: number; subnet: string | undefined; groupIndex: number; groupSize: number }[] = [];
  const cables: (PlanCable & { segs: string[] })[] = [];
  const uf = new UnionFind();
  graph.links.forEach((l, li) => {
    const as = endpoint(l.a, ['links', li, 'a']);
    const bs = endpoint(l.b, ['links', li, 'b']);
    if (as === null || bs === null) return;
    if (as.length > 1 && bs.length > 1) {
      problem(['links', li], `a link joins a group to one node; "${l.a}" and "${l.b}" are both groups`);
      return;
    }
    if (l.a === l.b) {
      problem(['links', li], `a link joins two different nodes; both ends are "${l.a}"`);
      return;
    }
    const ka = byId.get(as[0])!.spec.kind, kb = byId.get(bs[0])!.spec.kind;
    const segA = SEGMENT_KINDS.includes(ka) && !(ka === 'l3-switch' && ROUTED_PEERS.includes(kb));
    const segB = SEGMENT_KINDS.includes(kb) && !(kb === 'l3-switch' && ROUTED_PEERS.includes(ka));
    const hub = ka === 'hub' ? byId.get(as[0])!.spec : kb === 'hub' ? byId.get(bs[0])!.spec : null;
    if (ka === 'hub' && kb === 'hub') {
      problem(['links', li], `hubs "${l.a}" and "${l.b}" are linked directly; a hub is one shared medium: put both sets of nodes on one hub, or link the hubs through a switch`);
      return;
    }
    if (hub !== null && hub.kind === 'hub') {
      if (l.rate !== undefined || l.delay !== undefined) {
        problem(['links', li, l.rate !== undefined ? 'rate' : 'delay'], `a link to hub "${hub.id}" takes the hub's rate and delay (${hub.id} is one shared medium); remove "rate" and "delay" here or set them on the hub`);
      }
    } else if (l.rate === undefined || l.delay === undefined) {
      problem(['links', li], `the link ${l.a} - ${l.b} needs a "rate" and a "delay" (for example "1Gbps" and "500ns")`);
      return;
    }
    if ((segA || segB) && l.subnet !== undefined) {
      problem(['links', li, 'subnet'], `a cable of a LAN takes the LAN's subnet; set "subnet" on the hub or switch (${segA ? l.a : l.b}) instead`);
    }
    if ((segA || segB) && l.loss > 0) {
      problem(['links', li, 'loss'], `"loss" applies to point-to-point links; the link ${l.a} - ${l.b} is a cable of a LAN (for loss on the way in, put an "internet" node in front)`);
    }
    const rateV = hub !== null && hub.kind === 'hub' ? hub.rate : l.rate!;
    const delayV = hub !== null && hub.kind === 'hub' ? hub.delay : l.delay!;
    const n = Math.max(as.length, bs.length);
    for (let k = 0; k < n; k++) {
      const a = as[as.length === 1 ? 0 : k], b = bs[bs.length === 1 ? 0 : k];
      if (!segA && !segB) {
        p2pPending.push({ link: li, a, b, rate: rateV, delay: delayV, queue: l.queuePackets, loss: l.loss, subnet: l.subnet, groupIndex: k, groupSize: n });
        continue;
      }
      const segs = [segA ? a : null, segB ? b : null].filter((x): x is string => x !== null);
      if (segs.length === 2 && !uf.union(segs[0], segs[1])) {
        problem(['links', li], `the link ${a} - ${b} closes an L2 loop (${a} and ${b} are already joined by other cables); netsim's switches do not run spanning tree, so remove one link of the loop`);
        continue;
      }
      for (const s of segs) uf.find(s);
      cables.push({ link: li, a, b, hub: hub !== null && hub.kind === 'hub' ? hub.id : null, rate: rateV, delay: delayV, queue: l.queuePackets, segs });
    }
  });

  // ---- LANs: one per union-find component of segment nodes
  const lanIndex = new Map<string, number>();
  const lans: PlanLan[] = [];
  const lanSpec: { subnet?: { value: string; path: JsonPath }; roleFrom?: string }[] = [];
  for (const n of nodes) {
    if (!SEGMENT_KINDS.includes(n.spec.kind)) continue;
    const root = uf.find(n.id);
    let li = lanIndex.get(root);
    if (li === undefined) {
      li = lans.length;
      lanIndex.set(root, li);
      lans.push({ name: n.id, role: null, network: 0, len: 0, segments: [], cables: [], ifaces: [] });
      lanSpec.push({});
    }
    const lan = lans[li];
    lan.segments.push(n.id);
    const spec = n.spec as GraphNode & { lan?: LanRole; subnet?: string };
    if (spec.lan !== undefined) {
      if (lan.role !== null && lan.role !== spec.lan) {
        problem(['nodes', n.specIndex, 'lan'], `"${n.id}" says it is the ${spec.lan} LAN, but it is cabled to "${lanSpec[li].roleFrom}", which says ${lan.role}`);
      } else {
        lan.role = spec.lan;
        lanSpec[li].roleFrom = n.id;
      }
    }
    if (spec.subnet !== undefined) {
      const prev = lanSpec[li].subnet;
      if (prev !== undefined && prev.value !== spec.subnet) {
        problem(['nodes', n.specIndex, 'subnet'], `"${n.id}" is on the same LAN as a segment with subnet ${prev.value}; one LAN has one subnet`);
      } else lanSpec[li].subnet = { value: spec.subnet, path: ['nodes', n.specIndex, 'subnet'] };
    }
  }
  const roles = new Map<LanRole, string>();
  for (const lan of lans) {
    if (lan.role === null) continue;
    const other = roles.get(lan.role);
    if (other !== undefined) problem(['nodes'], `two separate LANs ("${other}" and "${lan.name}") both say they are the ${lan.role} LAN; cable them together or give one another role`);
    roles.set(lan.role, lan.name);
  }
  const lanOf = new Map<string, number>();
  for (const c of cables) {
    const li = lanIndex.get(uf.find(c.segs[0]))!;
    lans[li].cables.push({ link: c.link, a: c.a, b: c.b, hub: c.hub, rate: c.rate, delay: c.delay, queue: c.queue });
  }
  // Interfaces: L3 switches first, then IP endpoints of cables in link order.
  const ifaceNodes: string[][] = lans.map(() => []);
  lans.forEach((lan, li) => {
    for (const s of lan.segments) if (byId.get(s)!.spec.kind === 'l3-switch') ifaceNodes[li].push(s);
    for (const c of lan.cables) {
      for (const end of [c.a, c.b]) {
        if (SEGMENT_KINDS.includes(byId.get(end)!.spec.kind)) continue; // the switch or hub side
        const key = `${end}|${li}`;
        if (lanOf.has(key)) {
          problem(['links', c.link], `"${end}" has two cables to LAN "${lan.name}"; a node has one interface per LAN`);
          continue;
        }
        lanOf.set(key, li);
        ifaceNodes[li].push(end);
      }
    }
  });

  // ---- addresses: explicit ranges first, then the rest from free space
  const used: Range[] = [];
  const take = (cidr: string, path: JsonPath, what: string): { network: number; len: number } | null => {
    let r: { network: number; len: number };
    try {
      r = parseCidr(cidr);
    } catch (e) {
      problem(path, (e as Error).message);
      return null;
    }
    if (r.len > 30) {
      problem(path, `${cidr} holds no two hosts; use a prefix of /30 or shorter`);
      return null;
    }
    const size = 2 ** (32 - r.len);
    for (const u of used) {
      if (r.network < u.network + u.size && u.network < r.network + size) {
        problem(path, `${what} ${cidr} overlaps ${u.what} ${formatIpv4(u.network)}/${32 - Math.log2(u.size)} (${formatPath(u.path)}); give each network its own addresses`);
        return null;
      }
    }
    used.push({ network: r.network, size, path, what });
    return r;
  };
  const autoFrom = (poolBase: number, poolLen: number, len: number, what: string, path: JsonPath): { network: number; len: number } | null => {
    const size = 2 ** (32 - len);
    const end = poolBase + 2 ** (32 - poolLen);
    for (let net = poolBase; net + size <= end; net += size) {
      if (used.every((u) => net + size <= u.network || u.network + u.size <= net)) {
        used.push({ network: net, size, path, what });
        return { network: net, len };
      }
    }
    problem(path, `no free addresses left for ${what}; give it a "subnet"`);
    return null;
  };
  // Explicit LAN subnets.
  const lanNet: ({ network: number; len: number } | null)[] = lans.map((lan, li) => {
    const s = lanSpec[li].subnet;
    return s !== undefined ? take(s.value, fromSite ? [] : s.path, `LAN "${lan.name}"`) : null;
  });
  // Explicit link subnets (a group's is a pool of /30s).
  const linkNet = new Map<number, { network: number; len: number }>();
  for (const p of p2pPending) {
    if (p.subnet === undefined || linkNet.has(p.link)) continue;
    const r = take(p.subnet, ['links', p.link, 'subnet'], `link ${graph.links[p.link].a} - ${graph.links[p.link].b}`);
    if (r === null) continue;
    if (p.groupSize > 1 && 2 ** (32 - r.len) < 4 * p.groupSize) {
      problem(['links', p.link, 'subnet'], `${p.subnet} holds ${2 ** (32 - r.len) / 4} /30 links, but group "${graph.links[p.link].a}" needs ${p.groupSize}; use a shorter prefix (e.g. /${Math.max(0, 30 - Math.ceil(Math.log2(p.groupSize)))})`);
    }
    linkNet.set(p.link, r);
  }
  lans.forEach((lan, li) => {
    const need = ifaceNodes[li].length;
    let r = lanNet[li];
    if (r === null) {
      let len = 24;
      while (len > 8 && hostsIn(len) < need) len--;
      r = autoFrom(0x0a000000, 8, len, `LAN "${lan.name}"`, ['nodes']);
    }
    if (r === null) return;
    if (hostsIn(r.len) < need) {
      problem(lanSpec[li].subnet?.path ?? ['nodes'], `LAN "${lan.name}" has ${need} interfaces but ${formatIpv4(r.network)}/${r.len} holds ${hostsIn(r.len)} hosts; use a shorter prefix`);
      return;
    }
    lan.network = r.network;
    lan.len = r.len;
    ifaceNodes[li].forEach((node, k) => lan.ifaces.push({ node, ip: (r!.network + 1 + k) >>> 0, len: r!.len }));
  });
  const p2p: PlanP2p[] = [];
  for (const p of p2pPending) {
    let r = linkNet.get(p.link);
    let network: number, len: number;
    if (r !== undefined) {
      if (p.groupSize > 1) {
        network = (r.network + 4 * p.groupIndex) >>> 0;
        len = 30;
      } else ({ network, len } = r);
    } else {
      r = autoFrom(0xac100000, 12, 30, `link ${p.a} - ${p.b}`, ['links', p.link]) ?? undefined;
      if (r === undefined) continue;
      ({ network, len } = r);
    }
    p2p.push({ link: p.link, a: p.a, b: p.b, rate: p.rate, delay: p.delay, queue: p.queue, loss: p.loss, aIp: (network + 1) >>> 0, bIp: (network + 2) >>> 0, len });
  }
  return { plan: { nodes, byId, members, p2p, lans, lanOf }, problems };
}

/** Neighbours of each node through links (a LAN counts as one node named "lan:<index>"). */
export function adjacency(plan: NetworkPlan): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  const add = (a: string, b: string): void => {
    let l = adj.get(a);
    if (l === undefined) adj.set(a, (l = []));
    l.push(b);
  };
  for (const p of plan.p2p) {
    add(p.a, p.b);
    add(p.b, p.a);
  }
  plan.lans.forEach((lan, li) => {
    const key = `lan:${li}`;
    for (const i of lan.ifaces) {
      add(i.node, key);
      add(key, i.node);
    }
  });
  return adj;
}

/** Kinds that pass packets on between their networks. */
export const FORWARDING_KINDS: readonly GraphNodeKind[] = ['router', 'internet', 'l3-switch', 'balancer'];

/** The nodes `from` can reach, passing only through forwarding nodes and LANs. */
export function reachable(plan: NetworkPlan, adj: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>([from]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const x = queue[i];
    if (x !== from && !x.startsWith('lan:') && !FORWARDING_KINDS.includes(plan.byId.get(x)!.spec.kind)) continue;
    for (const y of adj.get(x) ?? []) {
      if (!seen.has(y)) {
        seen.add(y);
        queue.push(y);
      }
    }
  }
  return seen;
}
