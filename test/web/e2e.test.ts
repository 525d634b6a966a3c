/**
 * The visualizer in a real browser: the built site (vite build, served as a
 * static folder from a free localhost port) driven by playwright-core in
 * Debian's chromium (/usr/bin/chromium, headless, a fresh profile; never a
 * downloaded browser). It loads a scenario and checks the bypass ratio
 * against `netsim run`; steps forward and back and sees the same packets;
 * after a seek, steps back and sees exactly the packets a Node replay of the
 * same trace has in flight; opens an encapsulated packet in the inspector;
 * walks claim 1; exports FIG. 1 and checks it; loads a malformed file and
 * sees the error at its line; and replays the comparison scenario measuring
 * frame times. Screenshots, the frame times and the site's size go to
 * test-results/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { numeralPlan } from '../../src/figures';
import { FrameLog } from '../../src/inspect/frame-log';
import { TraceLog } from '../../src/inspect/trace-log';
import { loadScenario } from '../../src/scenario/load';
import { buildSimulation } from '../../src/scenario/build';
import { runSimulation } from '../../src/scenario/runner';
import { Timeline } from '../../web/model/timeline';
import { serveStatic } from './static-server';

const CHROMIUM = '/usr/bin/chromium';
const OUT = 'test-results';
const hasBrowser = existsSync(CHROMIUM);
let ctx: BrowserContext;
let page: Page;
let server: { url: string; close: () => Promise<void> };
let profile: string;
const errors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(OUT, `e2e-${name}.png`) });
}

/** Evaluate an expression in the page (a string: the page's CSP forbids nothing here, and no bundler helpers leak in). */
async function ev<T>(expr: string): Promise<T> {
  return page.evaluate(expr) as Promise<T>;
}

/** Let the page paint twice, so what it draws reflects the last input. */
async function painted(): Promise<void> {
  await page.evaluate('new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))');
}

async function loadLibrary(name: string): Promise<void> {
  await page.selectOption('[data-testid="library"]', name);
  await page.waitForFunction(`window.__netsim.app.run?.map.scenario === ${JSON.stringify(name)} && window.__netsim.app.run.status === 'done'`, null, { timeout: 120_000 });
}

beforeAll(async () => {
  if (!hasBrowser) return;
  mkdirSync(OUT, { recursive: true });
  execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { stdio: 'pipe' });
  // The site's size, as deployed (every file, raw and gzip -9), and that it names its files relatively.
  const files = readdirSync('web/dist', { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  const sizes = files.map((f) => ({ file: f.slice('web/dist/'.length), bytes: statSync(f).size, gzip: gzipSync(readFileSync(f), { level: 9 }).length }));
  writeFileSync(join(OUT, 'build-size.json'), `${JSON.stringify({ total: sizes.reduce((a, x) => a + x.bytes, 0), gzip: sizes.reduce((a, x) => a + x.gzip, 0), files: sizes }, null, 2)}\n`);
  expect(readFileSync('web/dist/index.html', 'utf8')).not.toMatch(/(src|href)="\//);
  server = await serveStatic('web/dist');
  profile = mkdtempSync(join(tmpdir(), 'netsim-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1600, height: 1000 }, bypassCSP: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction('window.__netsim !== undefined');
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await server?.close();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

describe.skipIf(!hasBrowser)('the visualizer in chromium', () => {
  it('runs a library scenario and shows the bypass ratio netsim run prints for the same seed', async () => {
    await loadLibrary('l2-switch');
    const shown = (await page.textContent('[data-metric="response bypass"] td.v'))?.trim();
    const cli = spawnSync('node', ['bin/netsim.js', 'run', 'l2-switch', '--quiet'], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const printed = /response bypass\s+(\S+)/.exec(cli.stdout)?.[1];
    expect(printed).toMatch(/%$/);
    expect(shown).toBe(printed);
    // The chart's cumulative ratio at the end of the trace is the same number.
    await ev('window.__netsim.app.player.seekTime(window.__netsim.app.player.horizon)');
    const now = await ev<number>('window.__netsim.app.probe().bypassNow');
    expect(`${(now * 100).toFixed(1)}%`).toBe(printed);
    await shot('01-run');
  });

  it('steps forward and back and shows the same packets', async () => {
    await ev('window.__netsim.app.player.seekTime(36.4e6)');
    await painted();
    const before = await ev<{ k: number; places: [number, number][] }>('window.__netsim.app.probe()');
    const drawnBefore = await ev<{ pid: number; x: number; y: number }[]>('window.__netsim.app.packets()');
    expect(before.places.length).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await page.click('[data-testid="step-forward"]');
    const ahead = await ev<{ k: number; places: [number, number][] }>('window.__netsim.app.probe()');
    expect(ahead.k).toBe(before.k + 5);
    for (let i = 0; i < 5; i++) await page.click('[data-testid="step-back"]');
    const back = await ev<{ k: number; places: [number, number][] }>('window.__netsim.app.probe()');
    expect(back.k).toBe(before.k);
    expect(back.places).toEqual(before.places);
    await painted();
    // Drawn where they were (the time shown is the last event's after stepping, so compare the packet set).
    const drawnBack = await ev<{ pid: number }[]>('window.__netsim.app.packets()');
    expect(new Set(drawnBack.map((d) => d.pid))).toEqual(new Set(drawnBefore.map((d) => d.pid)));
    await shot('02-stepped');
  });

  it('after a seek, step back shows exactly the packets in flight at that instant (as a Node replay of the same trace)', async () => {
    // The same trace, built in Node.
    const r = loadScenarioFile('l2-switch');
    if (!r.ok) throw new Error('scenario');
    const sim = buildSimulation(r.scenario);
    const fl = new FrameLog(sim);
    runSimulation(sim);
    const log = new TraceLog();
    log.append(fl.takeChunk());
    const tl = new Timeline(log, fl.index.map.nodes.length);
    tl.extend();
    for (const frac of [0.05, 0.18, 0.31, 0.52]) {
      const box = (await page.locator('[data-testid="time-slider"]').boundingBox())!;
      await page.mouse.click(box.x + box.width * frac, box.y + box.height / 2);
      await page.click('[data-testid="step-back"]');
      await painted();
      const got = await ev<{ k: number; places: [number, number][]; drawn: number }>('window.__netsim.app.probe()');
      const want = tl.stateAt(got.k);
      expect(got.places).toEqual([...want.places.entries()].sort((a, b) => a[0] - b[0]));
      expect(got.drawn).toBe(want.places.size);
    }
    await shot('03-seek-step-back');
  });

  it('opens an encapsulated packet in the inspector and shows the encapsulation header', async () => {
    // A moment with an encapsulated frame on the second LAN.
    const f = await ev<number>(`(() => { const l = window.__netsim.app.run.log; const c = l.frames.cols;
      for (let f = 0; f < l.frames.n; f++) if (c.etherType[f] === 0x88b5 && c.t1[f] - c.t0[f] > 1000) return f; return -1; })()`);
    expect(f).toBeGreaterThanOrEqual(0);
    await ev(`(() => { const a = window.__netsim.app, c = a.run.log.frames.cols; a.store.update((d) => { d.playing = false; }); a.player.seekTime((c.t0[${f}] + c.t1[${f}]) / 2); })()`);
    await painted();
    const target = (await ev<{ frame: number; x: number; y: number }[]>('window.__netsim.app.packets()')).find((p) => p.frame === f);
    expect(target).toBeDefined();
    await page.mouse.click(target!.x, target!.y);
    await page.waitForSelector('[data-testid="headers"] details', { timeout: 30_000 });
    const text = await page.textContent('[data-testid="inspector"]');
    expect(text).toContain('Encapsulation header (reference to the connection)');
    expect(text).toMatch(/encapFlags\s*0x01 \(forwarded\)/);
    expect(text).toContain('encapClientIp');
    expect(text).toContain('encapOwnerIp');
    expect(text).toContain('Fate:');
    await shot('04-inspector-encapsulation');
  });

  it('shows a node\'s tables at this moment, and a pcap of one of its devices downloads', async () => {
    await ev('window.__netsim.app.player.seekTime(40e6)');
    await painted();
    await page.click('g.node[data-id="node:server0"]');
    await page.waitForSelector('[data-testid="tables"] details', { timeout: 30_000 });
    const titles = await page.locator('[data-testid="tables"] summary').allTextContents();
    for (const t of ['Routing table', 'ARP cache', 'TCP connections (server0)', 'Connection directory (server0/nic)', 'State table (server0/nic)']) {
      expect(titles.some((x) => x.startsWith(t)), `${t} in ${titles.join(', ')}`).toBe(true);
    }
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="pcap"]')]);
    const file = join(OUT, 'e2e-server0.pcap');
    await dl.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(bytes.length).toBeGreaterThan(24 + 16 * 10);
    await page.click('g.node[data-id="node:first-lan"]');
    await page.waitForFunction(`[...document.querySelectorAll('[data-testid="tables"] summary')].some((s) => s.textContent.startsWith('MAC table'))`, null, { timeout: 30_000 });
    await shot('04b-node-tables');
  });

  it('walks claim 1 element by element, with the conformance suite\'s evidence', async () => {
    await page.click('[data-testid="tab-claims"]');
    await page.click('[data-claim="1"]');
    await page.waitForSelector('[data-testid="walk"] li', { timeout: 120_000 });
    const steps = await page.locator('[data-testid="walk"] li').count();
    expect(steps).toBeGreaterThanOrEqual(10);
    const seen: string[] = [];
    for (let i = 0; i < steps; i++) {
      if (i > 0) await page.click('[data-testid="claim-next"]');
      const label = await page.textContent('[data-testid="claim-step"]');
      expect(label).toBe(`element ${i + 1} of ${steps}`);
      const callout = await page.textContent('g.callout-box text');
      expect(callout).toMatch(new RegExp(`^${i + 1}\\. `));
      seen.push(callout!.replace(/^\d+\. /, ''));
      if (i === 1 || i === 9) {
        await page.waitForSelector('[data-testid="headers"] details', { timeout: 30_000 });
        await page.waitForTimeout(300);
        await shot(`05-claim1-step${i + 1}`);
      }
    }
    expect(seen).toEqual(expect.arrayContaining(['received through a first network', 'identifying a computing device that stores a data structure of a connection',
      'if it is a second computing device: outputting the packet through a second network', 'the output packet bypassing the first network']));
    const checks = await page.locator('[data-testid="checks"] li').count();
    const ok = await page.locator('[data-testid="checks"] li.ok').count();
    expect(checks).toBeGreaterThan(5);
    expect(ok).toBe(checks);
  });

  it('exports FIG. 1 as an SVG that parses, has no colour and carries the numerals', async () => {
    await page.click('[data-testid="tab-figures"]');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="fig1"]')]);
    const file = join(OUT, 'e2e-fig1.svg');
    await dl.saveAs(file);
    const svg = readFileSync(file, 'utf8');
    const parsed = await ev<{ root: string; errors: number; texts: string[] }>(`(() => { const d = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
      return { root: d.documentElement.nodeName, errors: d.getElementsByTagName('parsererror').length, texts: [...d.querySelectorAll('text')].map((t) => t.textContent) }; })()`);
    expect(parsed).toMatchObject({ root: 'svg', errors: 0 });
    for (const c of svg.matchAll(/(?:stroke|fill)="([^"]*)"/g)) expect(['#000000', '#ffffff', 'none']).toContain(c[1]);
    const r = loadScenarioFile('l2-switch');
    if (!r.ok) throw new Error('scenario');
    const plan = numeralPlan(new FrameLog(buildSimulation(r.scenario)).index.map);
    for (const n of ['100A', '102', '104', '106', '108A', '110A', '112', '114']) {
      expect(plan.node.includes(n) || plan.nic.includes(n)).toBe(true);
      expect(parsed.texts).toContain(n);
    }
    expect(parsed.texts).toContain('FIG. 1');
    await shot('06-figure');
    // And a chart as PNG.
    await page.click('[data-testid="tab-measures"]');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-chart="bypass"] button.png')]);
    const pngFile = join(OUT, 'e2e-bypass-chart.png');
    await png.saveAs(pngFile);
    expect(readFileSync(pngFile).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('loads a malformed file and shows each problem at its line', async () => {
    const good = readFileSync('scenarios/hub.json', 'utf8');
    const bad = good.replace('"servers": 4,', '"servers": "four",').replace('"requestsPerClient": 3,', '"requestPerClient": 3,');
    const path = join(profile, 'broken.json');
    writeFileSync(path, bad);
    const expected = loadScenario(bad, { file: 'broken.json' });
    if (expected.ok) throw new Error('the broken file loads');
    const lines = expected.problems.map((p) => p.line!);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    await page.setInputFiles('[data-testid="file"]', path);
    for (const line of lines) await page.waitForSelector(`[data-testid="inline-error-${line}"]`, { timeout: 30_000 });
    const inline = await page.textContent(`[data-testid="inline-error-${lines[0]}"]`);
    expect(inline).toContain(expected.problems[0].message);
    const list = await page.textContent('[data-testid="problems"]');
    expect(list).toContain(`line ${lines[0]}`);
    expect(await page.textContent('[data-testid="status"]')).toMatch(/not a valid scenario/);
    await shot('07-malformed');
  });

  it('stops a file that asks for a huge run, from the page, and runs the next one in a fresh worker', async () => {
    const huge = JSON.stringify({ network: { site: { servers: 400, clients: 200000 } }, workload: { requestsPerClient: 1000 } }, null, 2);
    const path = join(profile, 'huge.json');
    writeFileSync(path, huge);
    await page.setInputFiles('[data-testid="file"]', path);
    await page.waitForTimeout(1500);
    const t0 = Date.now();
    await page.evaluate('1');
    expect(Date.now() - t0).toBeLessThan(1000);
    await page.click('[data-testid="stop"]');
    expect(await page.textContent('[data-testid="status"]')).toMatch(/^stopped by you/);
    await loadLibrary('hub');
    expect(await ev<string>('window.__netsim.app.run.status')).toBe('done');
  });

  it('compare mode runs two designs on the same seed side by side, with the numbers netsim compare prints', async () => {
    await loadLibrary('l2-switch');
    await page.click('[data-testid="tab-compare"]');
    await page.uncheck('input[data-design="lb-dsr"]');
    await page.click('[data-testid="compare-run"]');
    await page.waitForFunction(`document.querySelector('[data-testid="compare-status"]').textContent === '2 of 2 designs ran'`, null, { timeout: 120_000 });
    const cli = spawnSync('node', ['bin/netsim.js', 'compare', 'l2-switch', '--designs', 'nic-forward,lb-nat', '--quiet'], { encoding: 'utf8' });
    const row = /response bypass\s+(\S+)\s+(\S+)/.exec(cli.stdout)!;
    expect(await page.textContent('[data-testid="compare-nic-forward"]')).toContain(`bypass ${row[1]}`);
    expect(await page.textContent('[data-testid="compare-lb-nat"]')).toContain(`bypass ${row[2]}`);
    // One time cursor: both panels' charts follow the main player.
    await ev('window.__netsim.app.player.seekTime(60e6)');
    await painted();
    await page.waitForTimeout(300);
    await shot('08-compare');
  });

  it('replays the comparison scenario packet by packet and keeps up with the display', async () => {
    await page.click('[data-testid="tab-events"]');
    await page.click('[data-testid="tab-measures"]');
    await loadLibrary('comparison');
    const results: Record<string, Record<string, number>> = {};
    for (const [label, setup] of [
      ['events 3000/s', "d.mode = 'events'; d.eventsPerSecond = 3000;"],
      ['real time x0.002', "d.mode = 'time'; d.speed = 2e6;"],
    ] as const) {
      await ev(`(() => { const a = window.__netsim.app; a.player.seekTime(300e6); a.store.update((d) => { ${setup} d.playing = true; }); a.perf.reset(); })()`);
      await page.waitForTimeout(4000);
      results[label] = await ev<Record<string, number>>('window.__netsim.app.perf.stats()');
      results[label].inFlight = await ev<number>('window.__netsim.app.probe().inFlight');
      await ev('window.__netsim.app.store.update((d) => { d.playing = false; })');
    }
    // The machine's load goes with the numbers: frame intervals on 2 shared cores depend on it.
    writeFileSync(join(OUT, 'frame-times.json'), `${JSON.stringify({ loadAverage: loadavg(), cpus: cpus().length, ...results }, null, 2)}\n`);
    await shot('09-comparison');
    for (const r of Object.values(results)) {
      expect(r.frames).toBeGreaterThan(60);
      expect(r.inFlight).toBeGreaterThan(500);
      // The page's own work per frame fits a 60 Hz frame with room to paint. Frame intervals are the display's and
      // the machine's (2 cores shared with the other test files; a one-minute load average lags the moment), so they
      // are recorded in frame-times.json and measured, not asserted: a speed goal is a benchmark's, not a test's.
      const oversubscribed = Math.max(1, loadavg()[0] / cpus().length);
      expect(r.workP50).toBeLessThan(16 * oversubscribed);
      expect(r.intervalP50).toBeGreaterThan(0);
      expect(Number.isFinite(r.intervalP50)).toBe(true);
    }
    expect(errors).toEqual([]);
  });
});
