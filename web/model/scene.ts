/**
 * Scene: where things are on screen. The drawn graph (groups aggregated
 * unless expanded) laid out left to right by the same layered layout as the
 * patent figures, each node a box of its kind (a server with its NIC drawn
 * as a part on its first-LAN side, a hub as a bus bar, the Internet as a
 * cloud), each member link mapped to the path its frames travel, and the
 * position of a packet at time tau from its place in the ViewState.
 *
 * Invariants: positions are in layout pixels (the zoom transform is the
 * view's); a frame's path runs from its sender's anchor to its receiver's,
 * through the bar for a hub. Cost: paths are cached per (link, direction,
 * receiver); a position is O(path length).
 */
import { displayGraph, type DisplayGraph } from '../../src/figures/display-graph';
import { layeredLayout, type Layout } from '../../src/figures/layout';
import type { NetworkMap } from '../../src/inspect/network-map';
import type { TraceLog } from '../../src/inspect/trace-log';
import { heldEvent, isHeld } from './view-state';

export interface Pt { x: number; y: number }

export interface NodeBox {
  x: number;
  y: number;
  w: number;
  h: number;
  /** A hub's bus bar (vertical), when the node is a hub. */
  bar: { x: number; y0: number; y1: number } | null;
  /** A server's NIC, drawn as a part of it (left side, toward the first LAN). */
  nic: { x: number; y: number; w: number; h: number } | null;
}

const COL = 200;
const ROW = 46;

function size(kind: string, aggregate: boolean, server: boolean): [number, number] {
  if (aggregate) return [100, 36];
  if (server) return [104, 30];
  if (kind === 'internet') return [104, 44];
  if (kind === 'hub') return [10, 10];
  return [88, 28];
}

export class Scene {
  readonly dg: DisplayGraph;
  readonly lay: Layout;
  readonly boxes: NodeBox[];
  readonly width: number;
  readonly height: number;
  /** Frame paths by (link, end) for two-ended links, and by (link, end, receiver) for hub taps; numeric keys, no strings per frame. */
  private readonly linkPaths: (Path | undefined)[] = [];
  private readonly tapPaths = new Map<number, Path>();

  constructor(readonly map: NetworkMap, expanded: ReadonlySet<string>) {
    this.dg = displayGraph(map, { expanded });
    this.lay = layeredLayout(this.dg);
    const rowH = ROW;
    this.boxes = this.dg.nodes.map((d, i) => {
      const [w, h] = size(d.kind, d.group !== null, d.clusterServer);
      const x = 70 + this.lay.x[i] * COL, y = 40 + this.lay.y[i] * rowH;
      return { x, y, w, h, bar: null, nic: d.clusterServer ? { x: x - w / 2, y: y - h / 2, w: 26, h } : null };
    });
    // A hub is a bar spanning the nodes tapped onto it.
    this.dg.nodes.forEach((d, i) => {
      if (d.kind !== 'hub') return;
      const ys = this.dg.edges.filter((e) => e.a === i || e.b === i).map((e) => this.boxes[e.a === i ? e.b : e.a].y);
      const b = this.boxes[i];
      b.bar = { x: b.x, y0: Math.min(b.y, ...ys) - 14, y1: Math.max(b.y, ...ys) + 14 };
    });
    this.width = 140 + (this.lay.ranks - 1) * COL;
    this.height = 80 + (this.lay.rows - 1) * rowH;
  }

  /** Where an edge of drawn node `n` toward point `t` leaves its outline (`lan`: which LAN the edge is on). */
  anchor(n: number, t: Pt, lan: string | null): Pt {
    const b = this.boxes[n];
    if (b.bar !== null) return { x: b.bar.x, y: Math.max(b.bar.y0, Math.min(b.bar.y1, t.y)) };
    if (b.nic !== null) {
      // Servers: first LAN at the NIC (left), the other LANs at the right side.
      if (lan === 'first') return { x: b.x - b.w / 2, y: b.y };
      if (lan === 'second') return { x: b.x + b.w / 2, y: b.y - 6 };
      if (lan === 'third') return { x: b.x + b.w / 2, y: b.y + 6 };
    }
    const dx = t.x - b.x, dy = t.y - b.y;
    if (dx === 0 && dy === 0) return { x: b.x, y: b.y };
    const tx = dx !== 0 ? b.w / 2 / Math.abs(dx) : Infinity, ty = dy !== 0 ? b.h / 2 / Math.abs(dy) : Infinity;
    const k = Math.min(tx, ty);
    return { x: b.x + dx * k, y: b.y + dy * k };
  }

  centre(n: number): Pt {
    return { x: this.boxes[n].x, y: this.boxes[n].y };
  }

  /** The two ends of drawn edge e on screen. */
  edgeEnds(e: number): [Pt, Pt] {
    const ed = this.dg.edges[e];
    const a = this.centre(ed.a), b = this.centre(ed.b);
    if (this.boxes[ed.b].bar !== null) return [this.anchor(ed.a, b, ed.lan), this.anchor(ed.b, a, ed.lan)];
    if (this.boxes[ed.a].bar !== null) return [this.anchor(ed.a, b, ed.lan), this.anchor(ed.b, a, ed.lan)];
    return [this.anchor(ed.a, b, ed.lan), this.anchor(ed.b, a, ed.lan)];
  }

  /** The path frame `f` travels: sender's anchor to receiver's (through a hub's bar). */
  framePath(log: TraceLog, f: number): Path | null {
    const fc = log.frames.cols;
    const dev = this.map.devices[fc.dev[f]];
    if (dev === undefined || dev.link < 0) return null;
    const link = this.map.links[dev.link];
    const to = fc.to[f];
    const slot = dev.link * 2 + dev.end;
    const tapKey = slot * 1_048_576 + (to + 1);
    const cached = link.kind === 'tap' ? this.tapPaths.get(tapKey) : this.linkPaths[slot];
    if (cached !== undefined) return cached;
    let p: Pt[];
    const s = this.dg.nodeOf[dev.end === 0 ? link.a : link.b];
    const o = this.dg.nodeOf[dev.end === 0 ? link.b : link.a];
    if (link.kind === 'tap') {
      const hub = this.map.nodes[link.a].kind === 'hub' ? this.dg.nodeOf[link.a] : this.dg.nodeOf[link.b];
      const recv = to >= 0 ? this.dg.nodeOf[this.map.devices[to].node] : -1;
      const start = this.anchor(s, this.centre(hub), link.lan);
      const onBar = this.anchor(hub, this.centre(s), link.lan);
      if (recv < 0 || recv === hub) p = [start, onBar];
      else {
        const barR = this.anchor(hub, this.centre(recv), link.lan);
        p = [start, onBar, barR, this.anchor(recv, this.centre(hub), link.lan)];
      }
    } else {
      p = [this.anchor(s, this.centre(o), link.lan), this.anchor(o, this.centre(s), link.lan)];
    }
    const path = pathOf(p);
    if (link.kind === 'tap') this.tapPaths.set(tapKey, path);
    else this.linkPaths[slot] = path;
    return path;
  }

  /** Where a packet with place `place` is at time tau (null: not drawable). */
  position(log: TraceLog, place: number, tau: number, slot: number): { p: Pt; moving: boolean } | null {
    const fc = log.frames.cols;
    if (!isHeld(place)) {
      const f = place;
      const path = this.framePath(log, f);
      if (path === null) return null;
      const t0 = fc.t0[f], t1 = fc.t1[f];
      if (!(tau >= t0)) {
        // Queued at its device: stacked back from the link's start.
        const a = path.pts[0], b = path.pts[1];
        const len = path.lens[0] || 1;
        const k = 4 + (slot % 6) * 4;
        return { p: { x: a.x - ((b.x - a.x) / len) * k, y: a.y - ((b.y - a.y) / len) * k }, moving: false };
      }
      const u = t1 > t0 ? Math.min(1, (tau - t0) / (t1 - t0)) : 1;
      return { p: along(path, u), moving: true };
    }
    const e = heldEvent(place);
    const ec = log.events.cols;
    const node = ec.node[e];
    if (node < 0) return null;
    const dn = this.dg.nodeOf[node];
    const b = this.boxes[dn];
    // In the Internet cloud: carried across it from where it came in to where it leaves.
    const f = ec.frame[e];
    const next = f >= 0 ? log.next[f] : -1;
    if (this.map.nodes[node].kind === 'internet' && f >= 0 && next >= 0) {
      const inPath = this.framePath(log, f), outPath = this.framePath(log, next);
      if (inPath !== null && outPath !== null) {
        const a = inPath.pts[inPath.pts.length - 1], z = outPath.pts[0];
        const t0 = ec.t[e], t1 = fc.tq[next];
        const u = t1 > t0 ? Math.max(0, Math.min(1, (tau - t0) / (t1 - t0))) : 1;
        const bow = Math.sin(u * Math.PI) * 8 * ((slot % 3) - 1);
        return { p: { x: a.x + (z.x - a.x) * u, y: a.y + (z.y - a.y) * u + bow }, moving: true };
      }
    }
    const col = slot % 5, row = Math.floor(slot / 5) % 3;
    return { p: { x: b.x - 12 + col * 6, y: b.y - b.h / 2 + 6 + row * 6 }, moving: false };
  }
}

/** A polyline with its segment lengths, measured once. */
export interface Path { pts: Pt[]; lens: number[]; total: number }

function pathOf(pts: Pt[]): Path {
  const lens: number[] = [];
  for (let i = 1; i < pts.length; i++) lens.push(Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y));
  return { pts, lens, total: lens.reduce((a, b) => a + b, 0) };
}

/** The point at fraction u of a path's length. */
export function along(path: Path, u: number): Pt {
  const { pts, lens } = path;
  let d = u * path.total;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1], b = pts[i];
    const l = lens[i - 1];
    if (d <= l || i === pts.length - 1) {
      const k = l > 0 ? Math.min(1, d / l) : 0;
      return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
    }
    d -= l;
  }
  return pts[pts.length - 1];
}
