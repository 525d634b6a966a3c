/**
 * Layered layout of a DisplayGraph, left to right from the clients: each
 * drawn node's rank is its hop distance from the nearest client (or from
 * the first node when there is none), so a site reads clients | Internet |
 * edge | first LAN | servers | second and third LAN. Within a rank, nodes
 * are ordered by the mean position of their neighbours in earlier ranks (a
 * barycentre sweep), then by their order in the map, and spread evenly. The
 * result is in abstract units (rank spacing 1, rows 1); views scale it.
 *
 * Invariants: deterministic (no randomness, no force simulation), so the
 * same network is always drawn the same way, in every figure.
 * Cost: O(nodes + edges) per sweep, two sweeps.
 */
import type { DisplayGraph } from './display-graph';

export interface Layout {
  /** Rank (column) and row of each drawn node, and the row count of its rank. */
  rank: number[];
  row: number[];
  x: number[];
  y: number[];
  ranks: number;
  /** Largest number of nodes in one rank. */
  rows: number;
}

export function layeredLayout(g: DisplayGraph): Layout {
  const n = g.nodes.length;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const e of g.edges) {
    adj[e.a].push(e.b);
    adj[e.b].push(e.a);
  }
  const rank = new Array(n).fill(-1);
  const queue: number[] = [];
  g.nodes.forEach((d, i) => {
    if (d.kind === 'client') {
      rank[i] = 0;
      queue.push(i);
    }
  });
  // Parts not reachable from a client start from their first node, one rank after the last used.
  for (let start = 0; start < n || queue.length > 0;) {
    for (let qi = 0; qi < queue.length; qi++) {
      const x = queue[qi];
      for (const y of adj[x]) if (rank[y] < 0) {
        rank[y] = rank[x] + 1;
        queue.push(y);
      }
    }
    queue.length = 0;
    while (start < n && rank[start] >= 0) start++;
    if (start >= n) break;
    rank[start] = 0;
    queue.push(start);
  }
  const ranks = Math.max(0, ...rank) + 1;
  const cols: number[][] = Array.from({ length: ranks }, () => []);
  for (let i = 0; i < n; i++) cols[rank[i]].push(i);
  const pos = new Array(n).fill(0);
  const place = (): void => cols.forEach((c) => c.forEach((x, k) => { pos[x] = c.length > 1 ? k / (c.length - 1) : 0.5; }));
  place();
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let r = 1; r < ranks; r++) {
      const bary = (x: number): number => {
        const prev = adj[x].filter((y) => rank[y] < r);
        return prev.length > 0 ? prev.reduce((a, y) => a + pos[y], 0) / prev.length : pos[x];
      };
      const b = new Map(cols[r].map((x) => [x, bary(x)]));
      cols[r].sort((p, q) => b.get(p)! - b.get(q)! || p - q);
      cols[r].forEach((x, k) => { pos[x] = cols[r].length > 1 ? k / (cols[r].length - 1) : 0.5; });
    }
  }
  const rows = Math.max(1, ...cols.map((c) => c.length));
  const row = new Array(n).fill(0);
  const x = new Array(n).fill(0);
  const y = new Array(n).fill(0);
  cols.forEach((c, r) => c.forEach((i, k) => {
    row[i] = k;
    x[i] = r;
    // Spread each rank over the tallest rank's height, each node centred in its share.
    y[i] = (k + 0.5) * (rows / c.length) - 0.5;
  }));
  return { rank, row, x, y, ranks, rows };
}
