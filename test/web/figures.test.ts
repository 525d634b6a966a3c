/**
 * Patent-style figures against 37 CFR 1.84 as far as a program can check:
 * well-formed SVG on an A4 sheet, black and white only (no colour, no grey,
 * no transparency), everything inside the 17.0 x 26.2 cm sight area,
 * lettering at least 0.32 cm high, plain reference numerals (never
 * bracketed or circled) each joined to its part by a short lead line, no two
 * lead lines crossing and no two numerals overlapping, the same numeral for
 * the same part in FIG. 1 and FIG. 2, and `netsim figure` writing exactly
 * what the library functions (which the page calls) produce.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import {
  CAP, connectionSequence, numeralBox, numeralPlan, pickConnection, segmentsCross, sequenceFigure, SIGHT, topologyFigure, type FigureResult,
} from '../../src/figures';
import { FrameLog } from '../../src/inspect/frame-log';
import { networkIndex, type NetworkMap } from '../../src/inspect/network-map';
import { TraceLog } from '../../src/inspect/trace-log';
import { buildSimulation } from '../../src/scenario/build';
import { runSimulation } from '../../src/scenario/runner';

const dir = mkdtempSync(join(tmpdir(), 'netsim-fig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mapOf(name: string): NetworkMap {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(name);
  return networkIndex(buildSimulation(r.scenario)).map;
}

function recorded(name: string): { map: NetworkMap; log: TraceLog } {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(name);
  const sim = buildSimulation(r.scenario);
  const fl = new FrameLog(sim);
  runSimulation(sim);
  const log = new TraceLog();
  log.append(fl.takeChunk());
  return { map: fl.index.map, log };
}

/** Tags balance and attributes are quoted: a well-formed XML document with an <svg> root. */
function wellFormed(svg: string): boolean {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z:-]+="[^"]*")*)\s*(\/?)>/g)) {
    if (m[1] === '/') { if (stack.pop() !== m[2]) return false; } else if (m[4] !== '/') stack.push(m[2]);
  }
  const stripped = body.replace(/<[^>]*>/g, '');
  return stack.length === 0 && body.startsWith('<svg') && !/[<>]/.test(stripped);
}

function checkSheet(f: FigureResult, fig: string): void {
  const svg = f.svg;
  expect(wellFormed(svg)).toBe(true);
  expect(svg).toMatch(/<svg[^>]* width="210mm" height="297mm" viewBox="0 0 210 297"/);
  // Black on white only.
  const colours = new Set([...svg.matchAll(/(?:stroke|fill|color|stop-color)="([^"]*)"/g)].map((m) => m[1].toLowerCase()));
  for (const c of colours) expect(['#000000', '#ffffff', 'none']).toContain(c);
  expect(svg).not.toMatch(/opacity|gradient|rgb\(|hsl\(|style=/i);
  // Inside the sight area.
  expect(f.bounds.x0).toBeGreaterThanOrEqual(SIGHT.x);
  expect(f.bounds.y0).toBeGreaterThanOrEqual(SIGHT.y);
  expect(f.bounds.x1).toBeLessThanOrEqual(SIGHT.x + SIGHT.width);
  expect(f.bounds.y1).toBeLessThanOrEqual(SIGHT.y + SIGHT.height);
  // Lettering at least 0.32 cm: capitals and digits are 0.716 of the font size.
  for (const m of svg.matchAll(/<text[^>]* font-size="([\d.]+)"/g)) expect(Number(m[1]) * CAP).toBeGreaterThanOrEqual(3.2);
  expect(svg).toContain(`>${fig}</text>`);
  // Numerals: plain, each in the drawing, not bracketed, not circled; lead lines short and not crossing; no overlaps.
  expect(f.numerals.length).toBeGreaterThan(2);
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const n of f.numerals) {
    expect(n.text).toMatch(/^\d{3}[A-Z]*$/);
    expect(texts).toContain(n.text);
    for (const t of texts) expect(t, 'a bracketed or quoted numeral').not.toMatch(new RegExp(`[([{"'“]\\s*${n.text}|${n.text}\\s*[)\\]}"'”]`));
    const len = Math.hypot(n.lead[1].x - n.lead[0].x, n.lead[1].y - n.lead[0].y);
    expect(len).toBeGreaterThan(1);
    expect(len).toBeLessThan(10);
  }
  for (const m of svg.matchAll(/<circle[^>]* r="([\d.]+)"/g)) expect(Number(m[1])).toBeLessThanOrEqual(1);
  for (let i = 0; i < f.numerals.length; i++) {
    for (let j = i + 1; j < f.numerals.length; j++) {
      const a = f.numerals[i], b = f.numerals[j];
      expect(segmentsCross(a.lead[0], a.lead[1], b.lead[0], b.lead[1]), `${a.text} and ${b.text} lead lines cross`).toBe(false);
      const p = numeralBox(a), q = numeralBox(b);
      const overlap = p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1;
      expect(overlap, `${a.text} and ${b.text} overlap`).toBe(false);
    }
  }
}

describe('FIG. 1: the network', () => {
  it.each(['l2-switch', 'hub', 'l3-switch', 'custom-topology', 'ns3-cluster-hub', 'long-responses', 'comparison', 'migration'])('%s follows the drawing rules', (name) => {
    const map = mapOf(name);
    const f = topologyFigure(map, 1);
    checkSheet(f, 'FIG. 1');
    const plan = numeralPlan(map);
    // Every numeral is the plan's numeral of a part.
    const all = new Set([...plan.node, ...plan.nic].filter((x) => x !== ''));
    for (const n of f.numerals) expect(all.has(n.text), n.text).toBe(true);
  });

  it('a cluster site gives each part its fixed numeral and draws the NIC as a part of its server', () => {
    const map = mapOf('l2-switch');
    const f = topologyFigure(map);
    const texts = f.numerals.map((n) => n.text);
    expect(texts).toEqual(expect.arrayContaining(['100A', '102', '104', '106', '108A', '110A', '112', '114']));
    expect(f.svg).toContain('>NIC</text>');
    expect(f.svg).toContain('>SECOND LAN</text>');
    expect(f.svg).toContain('>THIRD LAN</text>');
  });
});

describe('FIG. 2: one connection', () => {
  it('shows the client, the first device and the owner, the migration, the encapsulated forward and the response bypassing the NIC', () => {
    const { map, log } = recorded('l2-switch');
    const conn = pickConnection(log);
    const seq = connectionSequence(log, map, conn);
    expect(seq.lifelines.map((l) => l.role)).toEqual(['client', 'first', 'owner']);
    const labels = seq.messages.map((m) => m.label);
    expect(labels.slice(0, 4)).toEqual(['SYN', 'SYN-ACK', 'ACK', 'REQUEST']);
    expect(labels).toEqual(expect.arrayContaining(['MIGRATION (TCB)', 'MIGRATION ACK', 'REQUEST, ENCAPSULATED']));
    expect(labels.indexOf('MIGRATION ACK')).toBeLessThan(labels.indexOf('REQUEST, ENCAPSULATED'));
    const data = seq.messages.filter((m) => m.label === 'RESPONSE DATA');
    expect(data.length).toBeGreaterThan(0);
    for (const m of data) expect([m.from, m.to, m.bypass]).toEqual([2, 0, true]);
    const f = sequenceFigure(map, seq, 2);
    checkSheet(f, 'FIG. 2');
    // The same numeral for the same part in both figures.
    const plan = numeralPlan(map);
    const [client, first, owner] = seq.lifelines.map((l) => l.node);
    expect(f.numerals.map((n) => n.text)).toEqual([plan.node[client], plan.nic[first], plan.node[owner]]);
    const fig1 = topologyFigure(map).svg;
    expect(plan.nic[first]).toMatch(/^110[A-Z]$/);
    expect(fig1).toContain(`>${plan.node[client].replace(/[A-Z]+$/, '')}`);
  });

  it('netsim figure writes the same two SVGs the library makes', () => {
    const r = spawnSync('node', ['bin/netsim.js', 'figure', 'l2-switch', '--out', dir, '--quiet'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { map, log } = recorded('l2-switch');
    expect(readFileSync(join(dir, 'fig1-topology.svg'), 'utf8')).toBe(topologyFigure(map, 1).svg);
    expect(readFileSync(join(dir, 'fig2-sequence.svg'), 'utf8')).toBe(sequenceFigure(map, connectionSequence(log, map, pickConnection(log)), 2).svg);
    const bad = spawnSync('node', ['bin/netsim.js', 'figure', 'l2-switch', '--out', dir, '--conn', '1.2.3.4:5', '--quiet'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no connection from 1\.2\.3\.4:5 in this run; connections include 100\.64/);
  });
});
