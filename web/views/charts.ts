/**
 * The measures as charts (d3, SVG): the response bypass ratio over time
 * (cumulative and per interval), the latency histogram with its p50 and
 * p99, requests served per server, and each LAN's utilisation over time,
 * all drawn up to the player's time with a cursor; each chart downloads as a
 * PNG. Compare mode draws the same charts for every design.
 */
import * as d3 from 'd3';
import { download, h } from '../lib/dom';
import { span } from '../lib/format';
import type { Measures } from '../model/measures';

const W = 300, H = 160, M = { l: 40, r: 10, t: 22, b: 24 };
const LAN_COLOURS: Record<string, string> = { first: '#2f6fd6', second: '#c0392b', third: '#27a046' };

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

function frame(svg: Svg, title: string): void {
  svg.selectAll('*').remove();
  svg.attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', '#fff');
  svg.append('text').attr('x', M.l).attr('y', 14).attr('font-size', 12).attr('font-weight', 600).attr('fill', '#222').text(title);
}

function axes(svg: Svg, x: d3.ScaleLinear<number, number>, y: d3.ScaleLinear<number, number>, xFmt: (v: number) => string, yFmt: (v: number) => string): void {
  svg.append('g').attr('transform', `translate(0,${H - M.b})`).call(d3.axisBottom(x).ticks(4).tickFormat((v) => xFmt(Number(v)))).attr('font-size', 9);
  svg.append('g').attr('transform', `translate(${M.l},0)`).call(d3.axisLeft(y).ticks(4).tickFormat((v) => yFmt(Number(v)))).attr('font-size', 9);
}

function cursor(svg: Svg, x: number): void {
  svg.append('line').attr('x1', x).attr('x2', x).attr('y1', M.t).attr('y2', H - M.b).attr('stroke', '#d62728').attr('stroke-dasharray', '3 2');
}

const pct = (v: number): string => `${Math.round(v * 100)}%`;

export function drawBypass(svg: Svg, m: Measures, tau: number): void {
  if (!m.cluster) {
    frame(svg, 'response bypass: n/a');
    svg.append('text').attr('x', W / 2).attr('y', H / 2).attr('text-anchor', 'middle').attr('font-size', 11).attr('fill', '#6b7480')
      .text('no cluster in this network, so no first device to bypass');
    return;
  }
  frame(svg, `response bypass ${m.bypassNow !== null ? pct(m.bypassNow) : 'n/a'}`);
  const x = d3.scaleLinear().domain([0, m.horizon]).range([M.l, W - M.r]);
  const y = d3.scaleLinear().domain([0, 1]).range([H - M.b, M.t]);
  axes(svg, x, y, (v) => span(v), pct);
  const bins = d3.range(m.upTo);
  svg.append('g').selectAll('rect').data(bins.filter((b) => m.bypassBin[b] !== null)).join('rect')
    .attr('x', (b) => x(b * m.binNs) + 0.5).attr('width', Math.max(1, x(m.binNs) - x(0) - 1))
    .attr('y', (b) => y(m.bypassBin[b]!)).attr('height', (b) => y(0) - y(m.bypassBin[b]!)).attr('fill', '#b7d3f2');
  const line = d3.line<number>().defined((b) => m.bypassCum[b] !== null).x((b) => x((b + 1) * m.binNs)).y((b) => y(m.bypassCum[b] ?? 0));
  svg.append('path').datum(bins).attr('d', line).attr('fill', 'none').attr('stroke', '#2f6fd6').attr('stroke-width', 2);
  cursor(svg, x(tau));
}

export function drawLatency(svg: Svg, m: Measures): void {
  const lat = m.latencies;
  frame(svg, `latency p50 ${m.p50 !== null ? span(m.p50) : '—'}, p99 ${m.p99 !== null ? span(m.p99) : '—'}`);
  const max = lat.length > 0 ? lat[lat.length - 1] : 1;
  const min = lat.length > 0 ? lat[0] : 0;
  const pad = Math.max((max - min) * 0.05, max * 0.01, 1);
  const x = d3.scaleLinear().domain([Math.max(0, min - pad), max + pad]).range([M.l, W - M.r]);
  const bins = d3.bin().domain(x.domain() as [number, number]).thresholds(24)(lat);
  const y = d3.scaleLinear().domain([0, Math.max(1, ...bins.map((b) => b.length))]).range([H - M.b, M.t]);
  axes(svg, x, y, (v) => span(v), (v) => String(v));
  svg.append('g').selectAll('rect').data(bins).join('rect').attr('x', (b) => x(b.x0 ?? 0) + 0.5).attr('width', (b) => Math.max(1, x(b.x1 ?? 0) - x(b.x0 ?? 0) - 1))
    .attr('y', (b) => y(b.length)).attr('height', (b) => y(0) - y(b.length)).attr('fill', '#27a046');
  for (const [q, v] of [['p50', m.p50], ['p99', m.p99]] as const) {
    if (v === null) continue;
    svg.append('line').attr('x1', x(v)).attr('x2', x(v)).attr('y1', M.t).attr('y2', H - M.b).attr('stroke', '#333').attr('stroke-dasharray', '2 2');
    svg.append('text').attr('x', x(v) + 2).attr('y', M.t + 9).attr('font-size', 9).text(q);
  }
}

export function drawServed(svg: Svg, m: Measures): void {
  const total = m.served.reduce((a, s) => a + s.count, 0);
  frame(svg, `served per server (${total})`);
  const x = d3.scaleBand<number>().domain(d3.range(m.served.length)).range([M.l, W - M.r]).padding(0.15);
  const y = d3.scaleLinear().domain([0, Math.max(1, ...m.served.map((s) => s.count))]).range([H - M.b, M.t]);
  svg.append('g').attr('transform', `translate(${M.l},0)`).call(d3.axisLeft(y).ticks(4)).attr('font-size', 9);
  svg.append('g').selectAll('rect').data(m.served).join('rect').attr('x', (_, i) => x(i)!).attr('width', x.bandwidth())
    .attr('y', (s) => y(s.count)).attr('height', (s) => y(0) - y(s.count)).attr('fill', '#8e44ad').append('title').text((s) => `${s.name}: ${s.count}`);
  if (m.served.length <= 16) {
    svg.append('g').selectAll('text').data(m.served).join('text').attr('x', (_, i) => x(i)! + x.bandwidth() / 2).attr('y', H - M.b + 11)
      .attr('text-anchor', 'middle').attr('font-size', 8).text((s) => s.name.replace(/^server/, 's'));
  }
}

export function drawLans(svg: Svg, m: Measures, tau: number): void {
  frame(svg, 'LAN utilisation');
  const x = d3.scaleLinear().domain([0, m.horizon]).range([M.l, W - M.r]);
  const max = Math.max(0.01, ...m.lans.flatMap((l) => l.util.slice(0, m.upTo)));
  const y = d3.scaleLinear().domain([0, max * 1.1]).range([H - M.b, M.t]);
  axes(svg, x, y, (v) => span(v), (v) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`);
  m.lans.forEach((l, i) => {
    const line = d3.line<number>().x((b) => x((b + 0.5) * m.binNs)).y((b) => y(l.util[b]));
    const colour = LAN_COLOURS[l.role] ?? d3.schemeTableau10[i % 10];
    svg.append('path').datum(d3.range(m.upTo)).attr('d', line).attr('fill', 'none').attr('stroke', colour).attr('stroke-width', 1.6);
    svg.append('text').attr('x', W - M.r - 4).attr('y', M.t + 10 + i * 11).attr('text-anchor', 'end').attr('font-size', 9).attr('fill', colour)
      .text(LAN_COLOURS[l.role] !== undefined ? `${l.role} LAN` : l.role);
  });
  cursor(svg, x(tau));
}

/** A PNG of a chart (its SVG drawn on a canvas at twice its size). */
export function chartPng(svgEl: SVGSVGElement, name: string): void {
  const xml = new XMLSerializer().serializeToString(svgEl);
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = W * 2;
    c.height = H * 2;
    const ctx = c.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(img, 0, 0, c.width, c.height);
    c.toBlob((b) => { if (b !== null) download(`${name}.png`, b, 'image/png'); }, 'image/png');
  };
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
}

/** Four chart slots with PNG buttons. */
export class ChartSet {
  readonly el: HTMLElement;
  readonly svgs: Svg[];

  constructor(readonly label: string) {
    const names = ['bypass', 'latency', 'served', 'lans'];
    this.svgs = names.map(() => d3.select(document.createElementNS('http://www.w3.org/2000/svg', 'svg')) as Svg);
    this.el = h('div', { class: 'charts' }, ...this.svgs.map((s, i) => h('div', { class: 'chart', 'data-chart': names[i] }, s.node()!,
      h('button', { class: 'png', title: 'download this chart as PNG', onclick: () => chartPng(s.node()!, `${label}-${names[i]}`) }, 'PNG'))));
  }

  draw(m: Measures, tau: number): void {
    for (let i = 0; i < 4; i++) this.drawOne(i, m, tau);
  }

  /** One chart (playback draws them in turn, one per frame, to keep frames short). */
  drawOne(i: number, m: Measures, tau: number): void {
    if (i === 0) drawBypass(this.svgs[0], m, tau);
    else if (i === 1) drawLatency(this.svgs[1], m);
    else if (i === 2) drawServed(this.svgs[2], m);
    else drawLans(this.svgs[3], m, tau);
  }
}
