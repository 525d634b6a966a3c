/**
 * FIG. 1: the network of a scenario as a patent drawing (37 CFR 1.84; see
 * sheet.ts): black lines on white, each part a plain outline with a short
 * word, a reference numeral beside each part joined to it by a short lead
 * line, LANs drawn as bus lines (a switch sits on its bus as a box), the
 * smart NIC drawn as a part of each server, a group of many clients or
 * servers drawn as its first, second and last member with an ellipsis
 * (100a, 100b ... 100n), and "FIG. 1" under it, all inside the 17.0 x 26.2 cm
 * sight area of an A4 sheet.
 *
 * Layout: the layered order of layout.ts turned top to bottom (clients at
 * the top, the back-end LANs at the bottom). The drawing's geometry is also
 * returned, so tests can check the rules (bounds, numerals, lead lines).
 * Cost: O(parts); no DOM.
 */
import type { NetworkMap } from '../inspect/network-map';
import type { GraphNodeKind } from '../scenario/schema';
import { displayGraph, type DisplayGraph, type DrawnEdge } from './display-graph';
import { layeredLayout } from './layout';
import { numeralPlan, type NumeralPlan } from './numerals';
import { FIG_LABEL_SIZE, LABEL_SIZE, LINE, NUMERAL_SIZE, SHEET, SIGHT, textWidth, type Numeral } from './sheet';
import { SvgDoc, type Pt } from './svg';

export interface FigureResult {
  svg: string;
  numerals: Numeral[];
  /** Every drawn point's bounding box, mm. */
  bounds: { x0: number; y0: number; x1: number; y1: number };
}

interface Shape {
  node: number;
  kind: GraphNodeKind;
  cx: number;
  cy: number;
  w: number;
  h: number;
  words: string[];
  numeral: string;
  nic: string;
  /** A LAN segment: drawn as a bus (with a box for a switch). */
  bus: { y: number; x0: number; x1: number; role: string } | null;
}

const WORDS: Partial<Record<GraphNodeKind, string>> = {
  client: 'CLIENT', internet: 'INTERNET', router: 'ROUTER', server: 'SERVER', host: 'HOST', balancer: 'BALANCER', 'l3-switch': 'L3 SWITCH', 'l2-switch': 'SWITCH', hub: 'HUB',
};
const ROLE_WORDS: Record<string, string> = { first: 'FIRST LAN', second: 'SECOND LAN', third: 'THIRD LAN' };
const isSegment = (k: GraphNodeKind): boolean => k === 'hub' || k === 'l2-switch';
/** Width kept at the right for switch boxes, mm. */
const BOX_STRIP = 34;
/** Width kept at the left for the numerals of the leftmost parts, mm. */
const NUMERAL_STRIP = 12;

/** The drawn graph of the figure: every single node, and of each group its first, second and last member. */
function figureGraph(map: NetworkMap, shown: 2 | 3): { g: DisplayGraph; ellipsisAfter: Set<number> } {
  const full = displayGraph(map, { clientLimit: Infinity, serverLimit: Infinity });
  const size = new Map(map.groups.map((x) => [x.id, x.count]));
  const keep = full.nodes.map((d) => {
    const n = map.nodes[d.members[0]];
    const c = n.group !== null ? size.get(n.group) ?? 1 : 1;
    return c <= shown || n.index <= shown - 2 || n.index === c - 1;
  });
  const newIndex = new Int32Array(full.nodes.length).fill(-1);
  const nodes = full.nodes.filter((_, i) => keep[i]);
  full.nodes.forEach((_, i) => { if (keep[i]) newIndex[i] = nodes.indexOf(full.nodes[i]); });
  const edges: DrawnEdge[] = full.edges.filter((e) => keep[e.a] && keep[e.b]).map((e) => ({ ...e, a: newIndex[e.a], b: newIndex[e.b] }));
  const ellipsisAfter = new Set<number>();
  nodes.forEach((d, i) => {
    const n = map.nodes[d.members[0]];
    const c = n.group !== null ? size.get(n.group) ?? 1 : 1;
    if (c > shown && n.index === shown - 2) ellipsisAfter.add(i);
  });
  return { g: { nodes, edges, nodeOf: new Int32Array(0), edgeOf: new Int32Array(0), edgeFlip: new Uint8Array(0) }, ellipsisAfter };
}

export function topologyFigure(map: NetworkMap, figure = 1): FigureResult {
  const plan = numeralPlan(map);
  // A group shows its first, second and last member; when a row is too crowded for that, its first and last.
  let fig = figureGraph(map, 3);
  let lay = layeredLayout(fig.g);
  let placed = place(fig.g, lay, plan, fig.ellipsisAfter);
  if (placed.crowded) {
    fig = figureGraph(map, 2);
    lay = layeredLayout(fig.g);
    placed = place(fig.g, lay, plan, fig.ellipsisAfter);
  }
  return draw(map, fig.g, placed.shapes, fig.ellipsisAfter, figure);
}

function place(g: DisplayGraph, lay: ReturnType<typeof layeredLayout>, plan: NumeralPlan, ellipsisAfter: Set<number>): { shapes: Shape[]; crowded: boolean } {
  const ranks = lay.ranks;
  const top = SIGHT.y + 16;
  const pitch = Math.min(38, (SIGHT.height - 16 - 60) / Math.max(1, ranks - 1));
  const shapes: Shape[] = [];
  // A balancer sits on the first LAN beside the edge, above the bus, not among the servers.
  const rankOf = g.nodes.map((d, i) => (d.kind === 'balancer' ? Math.max(0, lay.rank[i] - 2) : lay.rank[i]));
  const slotsOf = (r: number): (number | 'dots')[] => {
    const col = g.nodes.map((_, i) => i).filter((i) => rankOf[i] === r).sort((a, b) => lay.row[a] - lay.row[b]);
    const slots: (number | 'dots')[] = [];
    for (const i of col) {
      slots.push(i);
      if (ellipsisAfter.has(i)) slots.push('dots');
    }
    return slots;
  };
  const wordsOf = (i: number): string[] => {
    const d = g.nodes[i];
    return d.kind === 'l2-switch' || d.kind === 'hub' ? [WORDS[d.kind]!, ...(d.lan !== null ? [ROLE_WORDS[d.lan]] : [])] : [WORDS[d.kind] ?? d.kind.toUpperCase()];
  };
  const widthOf = (i: number): number => Math.max(...wordsOf(i).map((x) => textWidth(x, LABEL_SIZE))) + 4;
  const usable = SIGHT.width - BOX_STRIP - NUMERAL_STRIP;
  // A rank too crowded for its boxes puts every other one on a row 20 mm above.
  const staggered = Array.from({ length: ranks }, (_, r) => {
    const slots = slotsOf(r);
    const slotW = usable / Math.max(1, slots.length);
    return slots.some((x) => x !== 'dots' && !isSegment(g.nodes[x].kind) && widthOf(x) > slotW - 1.5);
  });
  // Rank heights: servers are taller, and a rank of several buses is staggered over 22 mm each.
  const rankY: number[] = [];
  for (let r = 0; r < ranks; r++) {
    const inRank = g.nodes.filter((_, i) => rankOf[i] === r);
    const buses = inRank.filter((d) => isSegment(d.kind)).length;
    const prevServers = r > 0 && g.nodes.some((d, i) => rankOf[i] === r - 1 && d.clusterServer);
    rankY.push(r === 0 ? top + (staggered[0] ? 20 : 0)
      : rankY[r - 1] + pitch + (prevServers ? 8 : 0) + (buses > 1 ? 11 * (buses - 1) : 0) + (staggered[r] ? 20 : 0));
  }
  for (let r = 0; r < ranks; r++) {
    const slots = slotsOf(r);
    const col = slots.filter((x): x is number => x !== 'dots');
    const segs = col.filter((i) => isSegment(g.nodes[i].kind));
    // The right-hand strip is kept for the switches that sit at the end of their bus.
    const slotW = usable / Math.max(1, slots.length);
    slots.forEach((s, k) => {
      if (s === 'dots') return;
      const d = g.nodes[s];
      const mi = d.members[0];
      const server = d.clusterServer;
      const seg = isSegment(d.kind);
      const segIndex = segs.indexOf(s);
      const cy = rankY[r] + (seg && segs.length > 1 ? (segIndex - (segs.length - 1) / 2) * 22 : 0) - (staggered[r] && !seg && k % 2 === 1 ? 20 : 0);
      const words = wordsOf(s);
      const w = widthOf(s);
      const h = server ? 20 : seg ? 13 : d.kind === 'internet' ? 14 : 11;
      shapes.push({
        node: s, kind: d.kind, cx: SIGHT.x + NUMERAL_STRIP + slotW * (k + 0.5), cy, w, h, words, numeral: plan.node[mi], nic: server ? plan.nic[mi] : '',
        bus: seg ? { y: cy, x0: 0, x1: 0, role: d.lan ?? '' } : null,
      });
    });
  }
  // Buses span the drops of the nodes cabled to them; a switch's box sits at the bus's right end.
  const byNode = new Map(shapes.map((s) => [s.node, s]));
  for (const s of shapes) {
    if (s.bus === null) continue;
    const xs = g.edges.filter((e) => e.a === s.node || e.b === s.node).map((e) => dropX(byNode.get(e.a === s.node ? e.b : e.a)!, s, g, byNode));
    if (xs.length === 0) continue;
    const x0 = Math.min(...xs) - 3;
    let x1 = Math.max(...xs) + 3;
    if (s.kind === 'l2-switch') {
      s.cx = SIGHT.x + SIGHT.width - 1 - s.w / 2;
      x1 = s.cx;
    }
    s.bus.x0 = x0;
    s.bus.x1 = x1;
  }
  return { shapes, crowded: staggered.some((x) => x) };
}

/** Where node shape `n`'s drop meets bus `bus`: at its centre, spread when it has several buses on one side. */
function dropX(n: Shape, bus: Shape, g: DisplayGraph, byNode: Map<number, Shape>): number {
  const side = bus.cy > n.cy ? 1 : -1;
  const mine = g.edges.filter((e) => e.a === n.node || e.b === n.node).map((e) => byNode.get(e.a === n.node ? e.b : e.a)!)
    .filter((b) => b.bus !== null && (b.cy > n.cy ? 1 : -1) === side).sort((a, b) => a.cy - b.cy);
  if (mine.length <= 1) return n.cx;
  const k = mine.indexOf(bus);
  return n.cx + (k - (mine.length - 1) / 2) * 8;
}

function draw(map: NetworkMap, g: DisplayGraph, shapes: Shape[], ellipsisAfter: Set<number>, figure: number): FigureResult {
  const doc = new SvgDoc(SHEET.width, SHEET.height, LINE);
  const numerals: Numeral[] = [];
  const byNode = new Map(shapes.map((s) => [s.node, s]));
  const pts: Pt[] = [];
  const note = (...p: Pt[]): void => { pts.push(...p); };
  // Links.
  for (const e of g.edges) {
    const a = byNode.get(e.a)!, b = byNode.get(e.b)!;
    if (a.bus !== null || b.bus !== null) {
      const [bus, n] = a.bus !== null ? [a, b] : [b, a];
      if (n.bus !== null) continue;
      const x = dropX(n, bus, g, byNode);
      const y0 = bus.cy > n.cy ? n.cy + n.h / 2 : n.cy - n.h / 2;
      doc.line({ x, y: y0 }, { x, y: bus.bus!.y });
      note({ x, y: y0 }, { x, y: bus.bus!.y });
      continue;
    }
    const p = edgePoint(a, b), q = edgePoint(b, a);
    doc.line(p, q);
    note(p, q);
  }
  for (const s of shapes) {
    if (s.bus !== null) {
      const { y, x0, x1 } = s.bus;
      if (s.kind === 'l2-switch') {
        const l = s.cx - s.w / 2, r = s.cx + s.w / 2;
        if (x0 < l) doc.line({ x: x0, y }, { x: l, y });
        if (x1 > r) doc.line({ x: r, y }, { x: x1, y });
        box(doc, s, note);
        numeral(s.numeral, s.cx - s.w / 2, s.cy - s.h / 2, numerals, doc, note, 'left');
      } else {
        doc.line({ x: x0, y }, { x: x1, y }, { 'stroke-width': LINE * 2 });
        note({ x: x0, y }, { x: x1, y });
        const label = s.words.join(' ');
        doc.text(x1, y - 2.5, label, LABEL_SIZE, 'end');
        note({ x: x1 - textWidth(label, LABEL_SIZE), y: y - 2.5 - LABEL_SIZE });
        numeral(s.numeral, x1, y, numerals, doc, note, 'bus');
      }
      continue;
    }
    if (s.kind === 'internet') {
      doc.ellipse(s.cx, s.cy, s.w / 2 + 4, s.h / 2);
      note({ x: s.cx - s.w / 2 - 4, y: s.cy - s.h / 2 }, { x: s.cx + s.w / 2 + 4, y: s.cy + s.h / 2 });
      doc.text(s.cx, s.cy + 1.6, s.words[0], LABEL_SIZE);
      numeral(s.numeral, s.cx + s.w / 2 + 1, s.cy - s.h / 2 + 2, numerals, doc, note);
      continue;
    }
    box(doc, s, note);
    if (s.nic !== '') {
      // The NIC: a part of the server on its first-LAN side (the top), with its own numeral.
      const l = s.cx - s.w / 2, t = s.cy - s.h / 2;
      doc.line({ x: l, y: t + 7 }, { x: l + s.w, y: t + 7 });
      doc.text(s.cx, t + 5.4, 'NIC', LABEL_SIZE);
      numeral(s.nic, l, t, numerals, doc, note, 'left');
      numeral(s.numeral, l + s.w, s.cy + s.h / 2, numerals, doc, note, 'below');
    } else {
      numeral(s.numeral, s.cx + s.w / 2, s.cy - s.h / 2, numerals, doc, note);
    }
  }
  // Ellipses between the second and last member of a group.
  for (const i of ellipsisAfter) {
    const a = byNode.get(i)!;
    const next = shapes.filter((s) => s.cy === a.cy && s.cx > a.cx).sort((p, q) => p.cx - q.cx)[0];
    if (next === undefined) continue;
    const mx = (a.cx + a.w / 2 + next.cx - next.w / 2) / 2;
    for (const dx of [-3, 0, 3]) doc.dot(mx + dx, a.cy, 0.6);
  }
  const ys = pts.map((p) => p.y);
  const bottom = Math.max(...ys);
  const labelY = Math.min(SIGHT.y + SIGHT.height - 2, bottom + 14);
  const fig = `FIG. ${figure}`;
  doc.text(SHEET.width / 2, labelY, fig, FIG_LABEL_SIZE);
  note({ x: SHEET.width / 2 - textWidth(fig, FIG_LABEL_SIZE) / 2, y: labelY - FIG_LABEL_SIZE }, { x: SHEET.width / 2 + textWidth(fig, FIG_LABEL_SIZE) / 2, y: labelY });
  const xs = pts.map((p) => p.x);
  const bounds = { x0: Math.min(...xs), y0: Math.min(...pts.map((p) => p.y)), x1: Math.max(...xs), y1: Math.max(...pts.map((p) => p.y)) };
  return { svg: doc.toString(`${fig}: ${map.scenario}`), numerals, bounds };
}

function box(doc: SvgDoc, s: Shape, note: (...p: Pt[]) => void): void {
  const l = s.cx - s.w / 2, t = s.cy - s.h / 2;
  doc.rect(l, t, s.w, s.h);
  note({ x: l, y: t }, { x: l + s.w, y: t + s.h });
  const lines = s.words;
  const base = s.nic !== '' ? t + 15.5 : s.cy + 1.6 - ((lines.length - 1) * 5) / 2;
  lines.forEach((w, k) => doc.text(s.cx, base + k * 5, w, LABEL_SIZE));
}

/**
 * A numeral near corner (x, y) of its part with a short lead line to it:
 * 'right' above-right of a top-right corner, 'left' above-left of a top-left
 * corner, 'below' below-right of a bottom-right corner, 'bus' above a bus's
 * right end.
 */
function numeral(text: string, x: number, y: number, out: Numeral[], doc: SvgDoc, note: (...p: Pt[]) => void, where: 'right' | 'left' | 'below' | 'bus' = 'right'): void {
  if (text === '') return;
  const w = textWidth(text, NUMERAL_SIZE);
  let tx: number, ty: number, from: Pt, to: Pt;
  switch (where) {
    case 'left':
      tx = x - 3 - w; ty = y - 4; from = { x: x - 3, y: y - 5 }; to = { x: x + 1.5, y: y + 1.5 };
      break;
    case 'below':
      tx = x + 3; ty = y + 4 + NUMERAL_SIZE * 0.72; from = { x: x + 3, y: y + 4 }; to = { x: x - 1.5, y: y - 1.5 };
      break;
    case 'bus':
      tx = x + 4; ty = y - 3; from = { x: x + 4, y: y - 3.5 }; to = { x: x + 0.5, y: y };
      break;
    default:
      tx = x + 3; ty = y - 4; from = { x: x + 3, y: y - 5 }; to = { x: x - 1.5, y: y + 1.5 };
  }
  doc.line(from, to);
  doc.text(tx, ty, text, NUMERAL_SIZE, 'start');
  note(from, to, { x: tx, y: ty - NUMERAL_SIZE * 0.72 }, { x: tx + w, y: ty + 1 });
  out.push({ text, x: tx, y: ty, lead: [from, to] });
}

/** Where the straight line from a's centre towards b's leaves a's outline. */
function edgePoint(a: Shape, b: Shape): Pt {
  const dx = b.cx - a.cx, dy = b.cy - a.cy;
  if (a.kind === 'internet') {
    const rx = a.w / 2 + 4, ry = a.h / 2;
    const t = 1 / Math.sqrt((dx * dx) / (rx * rx) + (dy * dy) / (ry * ry));
    return { x: a.cx + dx * t, y: a.cy + dy * t };
  }
  const tx = dx !== 0 ? a.w / 2 / Math.abs(dx) : Infinity;
  const ty = dy !== 0 ? a.h / 2 / Math.abs(dy) : Infinity;
  const t = Math.min(tx, ty);
  return { x: a.cx + dx * t, y: a.cy + dy * t };
}
