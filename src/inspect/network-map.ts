/**
 * NetworkMap: a built simulation described as plain data for drawing and
 * for reading a recorded trace: the scenario's nodes (every member of a
 * group by its own id, hubs included), each member-level link (a
 * point-to-point link, a LAN cable, or a tap on a hub's medium) with the LAN
 * it belongs to, every transmitting device with the node and link end it
 * sits on, and the LANs with their roles.
 *
 * Invariants: node i is `scenario.plan.nodes[i]`; device i is the i-th
 * device of `topo.devices()` (bridges included, with link -1); a link's `a`
 * and `b` are node indexes. The map is structured-clone safe (the worker
 * posts it to the page); `NetworkIndex` adds the look-ups only the worker
 * needs (by object and by name).
 * Cost: O(nodes + devices) once per build.
 */
import type { Ipv4 } from '../net/address';
import { CsmaDevice } from '../net/csma';
import type { NetDevice } from '../net/net-device';
import { PointToPointDevice } from '../net/point-to-point';
import { IpNode } from '../nodes/ip-node';
import type { Node } from '../nodes/node';
import type { Simulation } from '../scenario/build';
import type { GraphNodeKind, LanRole } from '../scenario/schema';

export interface MapInterface { ip: Ipv4; len: number; dev: number }

export interface MapNode {
  id: string;
  kind: GraphNodeKind;
  /** The group id this node is a member of (null: a single node). */
  group: string | null;
  /** Member index within its group (0 for a single node). */
  index: number;
  /** For hubs and switches: the role of their LAN. */
  lan: LanRole | null;
  /** IPv4 interfaces (IP nodes). */
  ifaces: MapInterface[];
}

export type LinkKind = 'p2p' | 'cable' | 'tap';

export interface MapLink {
  /** Node indexes of the two ends (a tap: the attached node and the hub). */
  a: number;
  b: number;
  kind: LinkKind;
  lan: LanRole | null;
  /** Index in `lans` of the LAN this cable or tap belongs to (-1: a point-to-point link). */
  lanIndex: number;
  /** bits/s and ns of the medium. */
  rate: number;
  delay: number;
  /** Index of the description's link this member-level link comes from. */
  graphLink: number;
}

export interface MapDevice {
  name: string;
  node: number;
  /** Member-level link (-1: a bridge, which has no medium of its own). */
  link: number;
  /** End of the link the device sits on: 0 = a, 1 = b. */
  end: 0 | 1;
  mac: number;
}

export interface MapLan {
  name: string;
  role: LanRole | null;
  network: Ipv4;
  len: number;
  /** Node indexes of the hubs and switches of this LAN. */
  segments: number[];
  /** Media (a hub's one medium, or one per cable). */
  channels: number;
  /** Sum of the media's rates, bits/s (utilisation = busy time over channels x time). */
  rateSum: number;
}

export interface MapGroup { id: string; kind: GraphNodeKind; first: number; count: number }

export interface NetworkMap {
  scenario: string;
  design: string | null;
  seed: number;
  servicePort: number;
  nodes: MapNode[];
  links: MapLink[];
  devices: MapDevice[];
  lans: MapLan[];
  groups: MapGroup[];
  /** Node indexes of the cluster's servers in member order (empty: no cluster). */
  members: number[];
  /** Node index of the site's edge (router or L3 switch), -1 when there is no cluster. */
  edge: number;
  /** Node index of the central balancer, -1 when none. */
  balancer: number;
}

/** The map and the worker-side look-ups that go with it. */
export interface NetworkIndex {
  map: NetworkMap;
  devIndex: Map<NetDevice, number>;
  /** Node index by node, device or medium name (drop sites are named so). */
  siteIndex: Map<string, number>;
  /** Device index by MAC. */
  devOfMac: Map<number, number>;
  /** Node index of each topology node (by Node.id). */
  nodeOfTopo: Int32Array;
}

export function networkIndex(sim: Simulation): NetworkIndex {
  const s = sim.scenario;
  const plan = s.plan;
  const nodeIndex = new Map<string, number>();
  const lanRoleOfSegment = new Map<string, LanRole | null>();
  for (const lan of plan.lans) for (const seg of lan.segments) lanRoleOfSegment.set(seg, lan.role);
  const nodes: MapNode[] = plan.nodes.map((n, i) => {
    nodeIndex.set(n.id, i);
    return { id: n.id, kind: n.spec.kind, group: n.group, index: n.index, lan: lanRoleOfSegment.get(n.id) ?? null, ifaces: [] };
  });
  const devices: MapDevice[] = [];
  const devIndex = new Map<NetDevice, number>();
  const nodeOfTopo = new Int32Array(sim.topo.nodes.length).fill(-1);
  const siteIndex = new Map<string, number>();
  for (const tn of sim.topo.nodes) {
    const ni = nodeIndex.get(tn.name) ?? -1;
    nodeOfTopo[tn.id] = ni;
    siteIndex.set(tn.name, ni);
    for (const d of tn.devices) {
      devIndex.set(d, devices.length);
      devices.push({ name: d.name, node: ni, link: -1, end: 0, mac: d.mac });
      siteIndex.set(d.name, ni);
    }
  }
  const lanOfDev = new Map<NetDevice, LanRole | null>();
  const lanIndexOfDev = new Map<NetDevice, number>();
  sim.lans.forEach((lan, li) => { for (const d of lan.ports) { lanOfDev.set(d, lan.role); lanIndexOfDev.set(d, li); } });
  const links: MapLink[] = sim.links.map((l, li) => {
    const a = nodeIndex.get(l.a)!, b = nodeIndex.get(l.b)!;
    const ends: [NetDevice | null, 0 | 1][] = l.hub !== null
      ? [[l.aDev, l.a === l.hub ? 1 : 0]]
      : [[l.aDev, 0], [l.bDev, 1]];
    for (const [d, end] of ends) {
      if (d === null) continue;
      const di = devIndex.get(d)!;
      devices[di].link = li;
      devices[di].end = end;
    }
    const { rate, delay } = medium(l.aDev);
    return {
      a, b, kind: l.hub !== null ? 'tap' : l.aDev instanceof CsmaDevice ? 'cable' : 'p2p', lan: lanOfDev.get(l.aDev) ?? null,
      lanIndex: lanIndexOfDev.get(l.aDev) ?? -1, rate, delay, graphLink: l.link,
    };
  });
  // Media names: a hub's medium is named by the hub; a cable's by its LAN and host.
  for (const l of sim.links) {
    const ch = l.aDev instanceof CsmaDevice ? l.aDev.channel : null;
    if (ch === null || siteIndex.has(ch.name)) continue;
    siteIndex.set(ch.name, nodeIndex.get(l.hub ?? l.a) ?? -1);
  }
  for (const tn of sim.topo.nodes) {
    if (!(tn instanceof IpNode)) continue;
    const ni = nodeOfTopo[tn.id];
    if (ni < 0) continue;
    nodes[ni].ifaces = tn.interfaces.map((i) => ({ ip: i.ip, len: i.len, dev: devIndex.get(i.dev) ?? -1 }));
  }
  const lans: MapLan[] = plan.lans.map((pl, i) => {
    const built = sim.lans[i];
    return {
      name: pl.name, role: pl.role, network: pl.network, len: pl.len, segments: pl.segments.map((x) => nodeIndex.get(x)!),
      channels: built.channels.length, rateSum: built.channels.reduce((a, c) => a + c.rate, 0),
    };
  });
  const groups: MapGroup[] = [];
  for (const [id, members] of plan.members) {
    if (members.length < 2 && plan.byId.get(id)?.group === null) continue;
    groups.push({ id, kind: plan.byId.get(members[0])!.spec.kind, first: nodeIndex.get(members[0])!, count: members.length });
  }
  const c = sim.cluster;
  const topoIdx = (n: Node | null | undefined): number => (n ? nodeOfTopo[n.id] : -1);
  const devOfMac = new Map<number, number>();
  devices.forEach((d, i) => devOfMac.set(d.mac, i));
  const map: NetworkMap = {
    scenario: s.name, design: c?.design ?? null, seed: s.seed, servicePort: sim.servicePort, nodes, links, devices, lans, groups,
    members: c?.members.map((m) => topoIdx(m.node)) ?? [], edge: topoIdx(c?.edge), balancer: topoIdx(c?.balancer?.node),
  };
  return { map, devIndex, siteIndex, devOfMac, nodeOfTopo };
}

function medium(d: NetDevice): { rate: number; delay: number } {
  if (d instanceof PointToPointDevice) return { rate: d.rate, delay: d.delay };
  if (d instanceof CsmaDevice) return { rate: d.channel.rate, delay: d.channel.delay };
  return { rate: 0, delay: 0 };
}

/** Node index of a node id, -1 when absent. */
export function nodeNamed(map: NetworkMap, id: string): number {
  return map.nodes.findIndex((n) => n.id === id);
}
