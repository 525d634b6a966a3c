/**
 * The topology view: the drawn network in SVG (d3: zoom, pan, fit; hover a
 * node for its counters; click a group to expand it, a node or packet to
 * inspect it) with every packet in flight painted on a canvas above it at
 * the player's time, coloured by role, and drops marked where they happened
 * with their reason. Filters hide roles or nodes from the animation; a
 * selected connection highlights every link its frames used.
 *
 * Cost per animation frame: one canvas pass over the packets in flight (a
 * few thousand at most) and the recent drops; the SVG changes only when the
 * scene, the selection or a claim callout does.
 */
import * as d3 from 'd3';
import { Ev } from '../../src/inspect/trace-format';
import { formatIpv4 } from '../../src/net/address';
import { DropReason, DROP_REASON_NAMES } from '../../src/net/drop-reason';
import type { TraceLog } from '../../src/inspect/trace-log';
import { h } from '../lib/dom';
import { span } from '../lib/format';
import type { Player } from '../model/player';
import { Scene, type Pt } from '../model/scene';
import type { Store, UiState } from '../model/store';
import { heldEvent, isHeld } from '../model/view-state';

export const ROLE_COLOURS = ['#2f6fd6', '#8e44ad', '#e67e22', '#27a046', '#8a8f98', '#c9a100', '#16a3b8'];
const LAN_COLOURS: Record<string, string> = { first: '#2f6fd6', second: '#c0392b', third: '#27a046' };
const LAN_TITLES: Record<string, string> = { first: 'first LAN · to the clients', second: 'second LAN · back end', third: 'third LAN · load reports' };

interface Drawn { pid: number; frame: number; x: number; y: number }

export class TopologyView {
  readonly el: HTMLElement;
  private readonly svg: d3.Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly root: d3.Selection<SVGGElement, unknown, null, undefined>;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private transform = d3.zoomIdentity;
  private readonly zoom: d3.ZoomBehavior<SVGSVGElement, unknown>;
  scene: Scene | null = null;
  private drawn: Drawn[] = [];
  private connEdges = new Set<number>();
  private dirty = true;

  constructor(private readonly store: Store, private readonly player: Player) {
    this.canvas = h('canvas', { class: 'packets' });
    this.tip = h('div', { class: 'tip', hidden: true });
    const svgEl = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svgEl.setAttribute('class', 'topology');
    svgEl.setAttribute('data-testid', 'topology');
    this.el = h('div', { class: 'topology-view' }, svgEl, this.canvas, this.tip);
    this.svg = d3.select(svgEl);
    this.root = this.svg.append('g');
    this.zoom = d3.zoom<SVGSVGElement, unknown>().scaleExtent([0.02, 8]).on('zoom', (ev: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
      this.transform = ev.transform;
      this.root.attr('transform', ev.transform.toString());
      this.dirty = true;
    });
    this.svg.call(this.zoom).on('dblclick.zoom', null);
    this.svg.on('click', (ev: MouseEvent) => this.click(ev));
    this.svg.on('mousemove', (ev: MouseEvent) => this.hover(ev));
    this.svg.on('mouseleave', () => { this.tip.hidden = true; });
    new ResizeObserver(() => { this.resize(); this.dirty = true; }).observe(this.el);
  }

  /** Rebuild the drawing for the current run and expansion. */
  setScene(scene: Scene | null, fit: boolean): void {
    this.scene = scene;
    this.root.selectAll('*').remove();
    if (scene !== null) this.drawStatic(scene);
    this.applyHighlights(this.store.state);
    if (fit) this.fit();
    this.dirty = true;
  }

  fit(): void {
    const s = this.scene;
    if (s === null) return;
    const w = this.el.clientWidth || 800, hgt = this.el.clientHeight || 500;
    const k = Math.min(2, Math.min(w / (s.width + 40), hgt / (s.height + 40)));
    const t = d3.zoomIdentity.translate((w - s.width * k) / 2, (hgt - s.height * k) / 2).scale(k);
    this.svg.call(this.zoom.transform, t);
  }

  private drawStatic(s: Scene): void {
    const edges = this.root.append('g').attr('class', 'edges');
    s.dg.edges.forEach((e, i) => {
      const [a, b] = s.edgeEnds(i);
      edges.append('line').attr('x1', a.x).attr('y1', a.y).attr('x2', b.x).attr('y2', b.y)
        .attr('class', `edge ${e.lan !== null ? `lan-${e.lan}` : 'p2p'}`).attr('data-edge', i)
        .attr('stroke', e.lan !== null ? LAN_COLOURS[e.lan] : '#9aa3ad');
    });
    const nodes = this.root.append('g').attr('class', 'nodes');
    s.dg.nodes.forEach((d, i) => {
      const b = s.boxes[i];
      const g = nodes.append('g').attr('class', `node kind-${d.kind}${d.group !== null ? ' aggregate' : ''}`).attr('data-node', i).attr('data-id', d.key);
      if (b.bar !== null) {
        g.append('rect').attr('x', b.bar.x - 4).attr('y', b.bar.y0).attr('width', 8).attr('height', b.bar.y1 - b.bar.y0).attr('rx', 3)
          .attr('class', 'bar').attr('fill', d.lan !== null ? LAN_COLOURS[d.lan] : '#555');
        g.append('text').attr('x', b.bar.x).attr('y', b.bar.y0 - 6).attr('text-anchor', 'middle').text(`${d.label} (hub)`);
      } else if (d.kind === 'internet') {
        g.append('ellipse').attr('cx', b.x).attr('cy', b.y).attr('rx', b.w / 2).attr('ry', b.h / 2).attr('class', 'shape');
        g.append('text').attr('x', b.x).attr('y', b.y + 4).attr('text-anchor', 'middle').text('Internet');
      } else {
        g.append('rect').attr('x', b.x - b.w / 2).attr('y', b.y - b.h / 2).attr('width', b.w).attr('height', b.h).attr('rx', d.kind.includes('switch') ? 2 : 5)
          .attr('class', 'shape').attr('stroke', d.lan !== null ? LAN_COLOURS[d.lan] : null);
        if (d.group !== null) {
          // A stack: the group drawn as several boxes behind one another.
          g.insert('rect', ':first-child').attr('x', b.x - b.w / 2 + 5).attr('y', b.y - b.h / 2 - 5).attr('width', b.w).attr('height', b.h).attr('rx', 5).attr('class', 'shape back');
        }
        if (b.nic !== null) {
          g.append('rect').attr('x', b.nic.x).attr('y', b.nic.y).attr('width', b.nic.w).attr('height', b.nic.h).attr('class', 'nic');
          g.append('text').attr('x', b.nic.x + b.nic.w / 2).attr('y', b.y + 4).attr('text-anchor', 'middle').attr('class', 'nic-label').text('NIC');
        }
        const tx = b.nic !== null ? b.x + b.nic.w / 2 : b.x;
        g.append('text').attr('x', tx).attr('y', b.y + 4).attr('text-anchor', 'middle').text(d.group !== null ? `${d.label} ▸` : d.label);
      }
      if (d.lan !== null && (d.kind === 'l2-switch' || d.kind === 'hub' || d.kind === 'l3-switch')) {
        const y = b.bar !== null ? b.bar.y1 + 16 : b.y + b.h / 2 + 14;
        g.append('text').attr('x', b.x).attr('y', y).attr('text-anchor', 'middle').attr('class', 'lan-title').attr('fill', LAN_COLOURS[d.lan]).text(LAN_TITLES[d.lan]);
      }
      g.append('title').text(d.group !== null ? `${d.label}: click to draw every member` : `${d.label} (${d.kind})`);
    });
    this.root.append('g').attr('class', 'callouts');
  }

  /** Selection, hidden nodes, the selected connection's links and a claim step's callout. */
  applyHighlights(s: UiState): void {
    const scene = this.scene;
    if (scene === null) return;
    const selNode = s.selection?.kind === 'node' ? scene.dg.nodeOf[s.selection.node] : -1;
    const callout = new Set((s.callout?.nodes ?? []).map((n) => scene.dg.nodeOf[n]));
    const hidden = new Set(s.hiddenNodes.map((n) => scene.dg.nodeOf[n]));
    this.root.selectAll<SVGGElement, unknown>('g.node').each(function () {
      const i = Number(this.getAttribute('data-node'));
      this.classList.toggle('selected', i === selNode);
      this.classList.toggle('callout', callout.has(i));
      this.classList.toggle('hidden-node', hidden.has(i));
    });
    this.connEdges = new Set<number>();
    const run = this.player.run;
    if (s.conn !== null && run !== null) {
      const fc = run.log.frames.cols, ec = run.log.events.cols;
      for (let f = 0; f < run.log.frames.n; f++) {
        if (fc.conn[f] !== s.conn) continue;
        // A flooding switch's copies that stations filtered out are not the connection's path.
        const last = run.log.lastEvent[fc.pid[f]];
        if (last >= 0 && ec.kind[last] === Ev.DROP && (ec.x[last] === DropReason.MAC_FILTERED || ec.x[last] === DropReason.SAME_PORT)) continue;
        const dev = scene.map.devices[fc.dev[f]];
        if (dev !== undefined && dev.link >= 0) this.connEdges.add(scene.dg.edgeOf[dev.link]);
      }
    }
    const ce = this.connEdges;
    this.root.selectAll<SVGLineElement, unknown>('line.edge').each(function () {
      this.classList.toggle('conn', ce.has(Number(this.getAttribute('data-edge'))));
    });
    const layer = this.root.select<SVGGElement>('g.callouts');
    layer.selectAll('*').remove();
    if (s.callout !== null && s.callout.nodes.length > 0) {
      const first = scene.dg.nodeOf[s.callout.nodes[0]];
      const b = scene.boxes[first];
      const g = layer.append('g').attr('class', 'callout-box');
      const text = g.append('text').text(s.callout.text);
      const w = Math.min(560, ((text.node() as SVGTextElement | null)?.getComputedTextLength?.() ?? s.callout.text.length * 7) + 20);
      // Above the part, and toward the middle of the drawing so it stays on screen.
      const x = b.x > scene.width / 2 ? b.x - w + 20 : b.x - 20, y = b.y - b.h / 2 - 52;
      text.attr('x', x + 10).attr('y', y + 20);
      g.insert('rect', 'text').attr('x', x).attr('y', y).attr('width', w).attr('height', 30).attr('rx', 6);
      g.append('line').attr('x1', b.x).attr('y1', y + 30).attr('x2', b.x).attr('y2', b.y - b.h / 2);
    }
    this.dirty = true;
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.floor(this.el.clientWidth * dpr));
    this.canvas.height = Math.max(1, Math.floor(this.el.clientHeight * dpr));
  }

  markDirty(): void {
    this.dirty = true;
  }

  /** Paint the packets at the player's time (only when something moved or changed). */
  draw(force = false): void {
    if (!this.dirty && !force) return;
    this.dirty = false;
    const ctx = this.canvas.getContext('2d');
    const scene = this.scene;
    const run = this.player.run;
    if (ctx === null) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawn = [];
    if (scene === null || run === null) return;
    const t = this.transform;
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    const s = this.store.state;
    const log = run.log;
    const fc = log.frames.cols, ec = log.events.cols;
    const hiddenRoles = new Set(s.hiddenRoles);
    const hiddenNodes = new Set(s.hiddenNodes);
    const tau = this.player.tau;
    const r = Math.max(2.6, 3.4 / Math.sqrt(t.k));
    const selPid = s.selection?.kind === 'packet' ? s.selection.pid : -1;
    const slots = new Map<number, number>();
    const state = this.player.state;
    const highlight: Drawn[] = [];
    // One path per role and kind of motion, filled once: thousands of packets cost a few fills, not one each.
    const paths = ROLE_COLOURS.map(() => [new Path2D(), new Path2D()]);
    for (const [pid, place] of state.places) {
      const f = isHeld(place) ? ec.frame[heldEvent(place)] : place;
      if (f < 0) continue;
      if (hiddenRoles.has(fc.role[f])) continue;
      if (hiddenNodes.size > 0) {
        const sender = scene.map.devices[fc.dev[f]]?.node ?? -1;
        const at = isHeld(place) ? ec.node[heldEvent(place)] : fc.to[f] >= 0 ? scene.map.devices[fc.to[f]].node : -1;
        if (hiddenNodes.has(sender) || hiddenNodes.has(at)) continue;
      }
      const key = isHeld(place) ? -1 - ec.node[heldEvent(place)] : fc.dev[f];
      const slot = slots.get(key) ?? 0;
      slots.set(key, slot + 1);
      const pos = scene.position(log, place, tau, slot);
      if (pos === null) continue;
      const d = { pid, frame: f, x: pos.p.x, y: pos.p.y };
      this.drawn.push(d);
      const inConn = s.conn !== null && fc.conn[f] === s.conn;
      if (inConn || pid === selPid) { highlight.push(d); continue; }
      const path = paths[fc.role[f]][pos.moving ? 0 : 1];
      const rr = pos.moving ? r : r * 0.85;
      path.moveTo(d.x + rr, d.y);
      path.arc(d.x, d.y, rr, 0, Math.PI * 2);
    }
    ctx.globalAlpha = s.conn !== null ? 0.22 : 1;
    paths.forEach((pp, role) => {
      ctx.fillStyle = ROLE_COLOURS[role];
      ctx.fill(pp[0]);
      ctx.fill(pp[1]);
    });
    ctx.globalAlpha = 1;
    for (const d of highlight) {
      ctx.fillStyle = ROLE_COLOURS[fc.role[d.frame]];
      ctx.strokeStyle = d.pid === selPid ? '#111' : '#fff';
      ctx.lineWidth = 2 / t.k;
      ctx.beginPath();
      ctx.arc(d.x, d.y, r * 1.7, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
    this.drawDrops(ctx, scene, log, tau, t.k);
  }

  /** Recent drops: a red cross where they happened, with the reason. */
  private drawDrops(ctx: CanvasRenderingContext2D, scene: Scene, log: TraceLog, tau: number, k: number): void {
    const ec = log.events.cols;
    const window = Math.max(20_000, this.player.mode === 'time' ? this.player.speed * 1.2 : 0);
    ctx.font = `${11 / k}px system-ui, sans-serif`;
    for (const e of this.player.state.drops) {
      const age = tau - ec.t[e];
      if (age > window || age < 0 || ec.kind[e] !== Ev.DROP || ec.node[e] < 0) continue;
      const dn = scene.dg.nodeOf[ec.node[e]];
      const b = scene.boxes[dn];
      const x = b.x + b.w / 2 - 4, y = b.y - b.h / 2 - 4;
      ctx.globalAlpha = Math.max(0.25, 1 - age / window);
      ctx.strokeStyle = '#d62728';
      ctx.lineWidth = 2.5 / k;
      const sz = 6 / k;
      ctx.beginPath();
      ctx.moveTo(x - sz, y - sz); ctx.lineTo(x + sz, y + sz);
      ctx.moveTo(x + sz, y - sz); ctx.lineTo(x - sz, y + sz);
      ctx.stroke();
      ctx.fillStyle = '#d62728';
      ctx.fillText(DROP_REASON_NAMES[ec.x[e]] ?? 'drop', x + sz + 2 / k, y + 4 / k);
    }
    ctx.globalAlpha = 1;
  }

  private toLayout(ev: MouseEvent): Pt {
    const rect = this.el.getBoundingClientRect();
    const [x, y] = this.transform.invert([ev.clientX - rect.left, ev.clientY - rect.top]);
    return { x, y };
  }

  /** The drawn packet under the mouse (within 9 screen pixels). */
  packetAt(p: Pt): Drawn | null {
    let best: Drawn | null = null, bd = 9 / this.transform.k;
    for (const d of this.drawn) {
      const dist = Math.hypot(d.x - p.x, d.y - p.y);
      if (dist < bd) { bd = dist; best = d; }
    }
    return best;
  }

  nodeAt(p: Pt): number {
    const s = this.scene;
    if (s === null) return -1;
    for (let i = 0; i < s.boxes.length; i++) {
      const b = s.boxes[i];
      if (b.bar !== null ? Math.abs(p.x - b.bar.x) < 8 && p.y >= b.bar.y0 && p.y <= b.bar.y1 : Math.abs(p.x - b.x) <= b.w / 2 && Math.abs(p.y - b.y) <= b.h / 2 + 5) return i;
    }
    return -1;
  }

  /** Drawn packets now, in layout and page coordinates (the browser test clicks them). */
  packetsOnScreen(): { pid: number; frame: number; x: number; y: number }[] {
    const rect = this.el.getBoundingClientRect();
    return this.drawn.map((d) => {
      const [x, y] = this.transform.apply([d.x, d.y]);
      return { pid: d.pid, frame: d.frame, x: rect.left + x, y: rect.top + y };
    });
  }

  private click(ev: MouseEvent): void {
    const p = this.toLayout(ev);
    const pk = this.packetAt(p);
    if (pk !== null) {
      this.store.update((d) => { d.selection = { kind: 'packet', pid: pk.pid, frame: pk.frame }; });
      return;
    }
    const n = this.nodeAt(p);
    if (n < 0 || this.scene === null) return;
    const dn = this.scene.dg.nodes[n];
    if (dn.group !== null) {
      const g = dn.group;
      this.store.update((d) => { if (!d.expanded.includes(g)) d.expanded.push(g); });
      return;
    }
    this.store.update((d) => { d.selection = { kind: 'node', node: dn.members[0] }; });
  }

  private hover(ev: MouseEvent): void {
    const s = this.scene;
    if (s === null) return;
    const n = this.nodeAt(this.toLayout(ev));
    if (n < 0) { this.tip.hidden = true; return; }
    const d = s.dg.nodes[n];
    const st = this.player.state;
    let tx = 0, rx = 0, drops = 0;
    for (const m of d.members) { tx += st.nodeTx[m] ?? 0; rx += st.nodeRx[m] ?? 0; drops += st.nodeDrops[m] ?? 0; }
    const ips = d.members.length === 1 ? s.map.nodes[d.members[0]].ifaces.map((i) => `${formatIpv4(i.ip)}/${i.len}`).join(', ') : `${d.members.length} members`;
    this.tip.textContent = '';
    this.tip.append(
      h('b', {}, `${d.label} `), h('span', { class: 'muted' }, `(${d.kind})`), h('br'),
      ...(ips !== '' ? [ips, h('br')] : []),
      `frames sent ${tx}, received ${rx}, drops ${drops}`, h('br'),
      h('span', { class: 'muted' }, `up to ${span(this.player.tau)}; ${d.group !== null ? 'click to expand' : 'click to inspect'}`),
    );
    const rect = this.el.getBoundingClientRect();
    this.tip.style.left = `${ev.clientX - rect.left + 14}px`;
    this.tip.style.top = `${ev.clientY - rect.top + 10}px`;
    this.tip.hidden = false;
  }
}

