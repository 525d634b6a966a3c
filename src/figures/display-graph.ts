/**
 * DisplayGraph: the network as it is drawn, on screen and in the patent
 * figures: a group of many clients (or a rack of many servers) is one node
 * unless it is expanded, so ten thousand clients are one box, not ten
 * thousand dots; member-level links collapse into one edge per pair of drawn
 * nodes. Every member node and link still maps to what stands for it, so a
 * packet on any member link is drawn on its edge.
 *
 * Invariants: `nodeOf[i]` is the drawn node of map node i; `edgeOf[l]` the
 * drawn edge of member link l, with `edgeFlip[l]` set when the link's a end
 * is the edge's b end. Drawn nodes are in map order of their first member.
 * Cost: O(nodes + links).
 */
import type { LinkKind, NetworkMap } from '../inspect/network-map';
import type { GraphNodeKind, LanRole } from '../scenario/schema';

export interface DrawnNode {
  key: string;
  label: string;
  kind: GraphNodeKind;
  /** Map node indexes this drawn node stands for. */
  members: number[];
  /** The group it aggregates (null: a single node or an expanded member). */
  group: string | null;
  lan: LanRole | null;
  /** A server of the cluster (drawn with its NIC as a part of it). */
  clusterServer: boolean;
}

export interface DrawnEdge {
  a: number;
  b: number;
  kind: LinkKind;
  lan: LanRole | null;
  /** Member links it stands for. */
  links: number[];
}

export interface DisplayGraph {
  nodes: DrawnNode[];
  edges: DrawnEdge[];
  nodeOf: Int32Array;
  edgeOf: Int32Array;
  edgeFlip: Uint8Array;
}

export interface DisplayOptions {
  /** Groups (by id) drawn member by member. */
  expanded?: ReadonlySet<string>;
  /** Groups larger than this are drawn as one node unless expanded (clients). */
  clientLimit?: number;
  /** Servers and hosts: larger groups are drawn as one rack. */
  serverLimit?: number;
}

export function displayGraph(map: NetworkMap, opts: DisplayOptions = {}): DisplayGraph {
  const expanded = opts.expanded ?? new Set<string>();
  const clientLimit = opts.clientLimit ?? 12;
  const serverLimit = opts.serverLimit ?? 32;
  const members = new Set(map.members);
  const groupSize = new Map(map.groups.map((g) => [g.id, g.count]));
  const nodes: DrawnNode[] = [];
  const nodeOf = new Int32Array(map.nodes.length).fill(-1);
  const byGroup = new Map<string, number>();
  map.nodes.forEach((n, i) => {
    const size = n.group !== null ? groupSize.get(n.group) ?? 1 : 1;
    const limit = n.kind === 'client' ? clientLimit : serverLimit;
    if (n.group !== null && size > limit && !expanded.has(n.group)) {
      let d = byGroup.get(n.group);
      if (d === undefined) {
        d = nodes.length;
        byGroup.set(n.group, d);
        nodes.push({
          key: `group:${n.group}`, label: `${n.group} ×${size}`, kind: n.kind, members: [], group: n.group, lan: null,
          clusterServer: members.has(i),
        });
      }
      nodes[d].members.push(i);
      nodeOf[i] = d;
      return;
    }
    nodeOf[i] = nodes.length;
    nodes.push({ key: `node:${n.id}`, label: n.id, kind: n.kind, members: [i], group: null, lan: n.lan, clusterServer: members.has(i) });
  });
  const edges: DrawnEdge[] = [];
  const edgeOf = new Int32Array(map.links.length).fill(-1);
  const edgeFlip = new Uint8Array(map.links.length);
  const byPair = new Map<string, number>();
  map.links.forEach((l, li) => {
    const a = nodeOf[l.a], b = nodeOf[l.b];
    const [x, y] = a <= b ? [a, b] : [b, a];
    const key = `${x}-${y}-${l.lan ?? ''}`;
    let e = byPair.get(key);
    if (e === undefined) {
      e = edges.length;
      byPair.set(key, e);
      edges.push({ a: x, b: y, kind: l.kind, lan: l.lan, links: [] });
    }
    edges[e].links.push(li);
    edgeOf[li] = e;
    edgeFlip[li] = a === x ? 0 : 1;
  });
  return { nodes, edges, nodeOf, edgeOf, edgeFlip };
}
