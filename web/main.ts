/**
 * The visualizer page: loads a scenario (library, dropped file, editor),
 * runs it in the engine worker, and drives the views from one animation
 * loop: the player advances, the topology view paints, the event list,
 * charts, compare panels and inspector follow at their own rates, and idle
 * frame time builds time-travel snapshots. Nothing here simulates.
 */
import { DESIGNS } from '../src/cluster/install';
import { formatProblem } from '../src/scenario/errors';
import { clear, h } from './lib/dom';
import { span } from './lib/format';
import { LIBRARY_FILES, LIBRARY_NAMES, libraryText } from './lib/library';
import { EngineClient } from './model/engine-client';
import { measuresAt } from './model/measures';
import { Player } from './model/player';
import { RunModel } from './model/run-model';
import { Scene } from './model/scene';
import { Store } from './model/store';
import { ChartSet } from './views/charts';
import { ClaimsPanel } from './views/claims-panel';
import { CompareView } from './views/compare-view';
import { Editor } from './views/editor';
import { EventList } from './views/event-list';
import { FiguresView } from './views/figures-view';
import { Inspector } from './views/inspector';
import { PlaybackBar } from './views/playback';
import { ROLE_COLOURS, TopologyView } from './views/topology-view';
import { ROLE_NAMES, ROLE_TITLES } from '../src/inspect/roles';
import type { TraceLog } from '../src/inspect/trace-log';
import type { Source } from './worker/protocol';
import './styles.css';

/** Frame intervals and work per frame, for the browser test's frame-time report. */
class FramePerf {
  readonly intervals: number[] = [];
  readonly work: number[] = [];
  /** Time per frame in each part of the loop (ms), for finding what a slow frame spent. */
  readonly parts = new Map<string, number[]>();
  private last = 0;
  part(name: string, ms: number): void {
    let l = this.parts.get(name);
    if (l === undefined) this.parts.set(name, (l = []));
    l.push(ms);
    if (l.length > 4000) l.splice(0, 2000);
  }
  frame(now: number, work: number): void {
    if (this.last > 0) this.intervals.push(now - this.last);
    this.work.push(work);
    this.last = now;
    if (this.intervals.length > 4000) { this.intervals.splice(0, 2000); this.work.splice(0, 2000); }
  }
  reset(): void {
    this.intervals.length = 0;
    this.work.length = 0;
    this.parts.clear();
    this.last = 0;
  }
  stats(): Record<string, number> {
    const q = (xs: number[], p: number): number => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length > 0 ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
    };
    const mean = this.intervals.reduce((a, b) => a + b, 0) / Math.max(1, this.intervals.length);
    return {
      frames: this.intervals.length, fps: mean > 0 ? 1000 / mean : 0, intervalP50: q(this.intervals, 0.5), intervalP95: q(this.intervals, 0.95),
      intervalMax: q(this.intervals, 1), workP50: q(this.work, 0.5), workP95: q(this.work, 0.95), workMax: q(this.work, 1),
      ...Object.fromEntries([...this.parts].map(([k, v]) => [`${k}P95`, q(v, 0.95)])),
    };
  }
}

class App {
  readonly store = new Store();
  readonly player = new Player();
  engine = new EngineClient();
  run: RunModel | null = null;
  readonly perf = new FramePerf();
  private readonly topology: TopologyView;
  private readonly playback: PlaybackBar;
  private readonly events: EventList;
  private readonly inspector: Inspector;
  private readonly claims: ClaimsPanel;
  private readonly editor: Editor;
  private readonly charts = new ChartSet('measures');
  private readonly compare: CompareView;
  private readonly figures: FiguresView;
  private readonly status = h('span', { class: 'status', 'data-testid': 'status' });
  private readonly summary = h('div', { class: 'summary', 'data-testid': 'summary' });
  private readonly librarySel: HTMLSelectElement;
  private readonly designSel: HTMLSelectElement;
  private readonly legend = h('div', { class: 'legend', 'data-testid': 'legend' });
  private cursorMoved = true;
  private lastList = 0;
  private lastCharts = 0;
  private watchdog = 0;
  wallLimitS = 180;

  constructor(root: HTMLElement) {
    this.topology = new TopologyView(this.store, this.player);
    this.playback = new PlaybackBar(this.store, this.player);
    this.events = new EventList(this.store, this.player);
    this.inspector = new Inspector(this.store, this.player, () => this.engine);
    this.claims = new ClaimsPanel(this.store, this.player, () => this.engine, (name) => this.watch(name));
    this.editor = new Editor(this.store, () => this.engine, () => this.runEditor());
    this.compare = new CompareView(this.store, this.player);
    this.figures = new FiguresView(this.store, this.player);
    this.librarySel = h('select', { 'data-testid': 'library', title: 'the bundled scenario library' },
      h('option', { value: '' }, 'Library scenario…'), ...LIBRARY_NAMES.map((n) => h('option', { value: n }, n)));
    this.librarySel.addEventListener('change', () => { if (this.librarySel.value !== '') void this.load({ kind: 'library', name: this.librarySel.value }); });
    this.designSel = h('select', { 'data-testid': 'design', title: 'run the scenario under another design' },
      h('option', { value: '' }, 'its own design'), ...DESIGNS.map((d) => h('option', { value: d }, d)));
    this.designSel.addEventListener('change', () => {
      this.store.update((d) => { d.design = this.designSel.value === '' ? null : this.designSel.value; });
      const src = this.store.state.source;
      if (src !== null) void this.load(src);
    });
    const file = h('input', { type: 'file', accept: '.json,.csv,.pcap', multiple: true, 'data-testid': 'file', hidden: true });
    file.addEventListener('change', () => { if (file.files !== null) void this.openFiles([...file.files]); });
    const header = h('header', {},
      h('b', { class: 'brand' }, 'netsim'), this.librarySel,
      h('button', { onclick: () => file.click(), title: 'open a scenario file (or drop one anywhere on the page)' }, 'Open file…'), file,
      this.designSel,
      h('button', { 'data-testid': 'rerun', onclick: () => { const s = this.store.state.source; if (s !== null) void this.load(s); } }, 'Run again'),
      h('button', { 'data-testid': 'stop', class: 'danger', onclick: () => this.stop('stopped by you') }, 'Stop'),
      this.limits(),
      this.status);
    const tabs = <T extends string>(key: 'leftTab' | 'bottomTab', items: [T, string, HTMLElement][]): HTMLElement => {
      const bar = h('div', { class: 'tabs' });
      const body = h('div', { class: 'tab-body' });
      const show = (): void => {
        const cur = this.store.state[key];
        for (const b of bar.children) b.classList.toggle('active', b.getAttribute('data-tab') === cur);
        for (const [k, , el] of items) el.hidden = k !== cur;
      };
      for (const [k, label, el] of items) {
        bar.append(h('button', { 'data-tab': k, 'data-testid': `tab-${k}`, onclick: () => this.store.update((d) => { (d as unknown as Record<string, string>)[key] = k; }) }, label));
        body.append(el);
      }
      this.store.subscribe((s, p) => { if (s[key] !== p[key]) show(); });
      show();
      return h('div', { class: 'tabbed' }, bar, body);
    };
    const measures = h('div', { class: 'measures' }, this.summary, this.charts.el);
    root.append(header, h('main', {},
      h('aside', { class: 'left' }, tabs('leftTab', [['claims', 'Claims', this.claims.el], ['events', 'Events', this.events.el], ['editor', 'Scenario', this.editor.el]])),
      h('section', { class: 'center' }, this.topology.el, this.legend, this.playback.el),
      h('aside', { class: 'right' }, this.inspector.el)),
    h('footer', {}, tabs('bottomTab', [['measures', 'Measures', measures], ['compare', 'Compare designs', this.compare.el], ['figures', 'Figures', this.figures.el]])));
    this.buildLegend();
    const app = root;
    this.store.subscribe((s, prev) => {
      if (s.bottomTab !== prev.bottomTab) app.classList.toggle('tall-footer', s.bottomTab !== 'measures');
      if (s.expanded !== prev.expanded && this.run !== null) this.setScene(false);
      if (s.selection !== prev.selection || s.hiddenNodes !== prev.hiddenNodes || s.conn !== prev.conn || s.callout !== prev.callout) this.topology.applyHighlights(s);
      if (s.hiddenRoles !== prev.hiddenRoles || s.conn !== prev.conn || s.hiddenNodes !== prev.hiddenNodes || s.expanded !== prev.expanded) this.buildLegend();
      this.topology.markDirty();
    });
    this.player.on(() => { this.cursorMoved = true; this.topology.markDirty(); });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      const fs = [...(e.dataTransfer?.files ?? [])];
      if (fs.length > 0) void this.openFiles(fs);
    });
    requestAnimationFrame((t) => this.loop(t));
  }

  /** The bounds an untrusted scenario runs within: engine events, trace events kept, wall-clock seconds. */
  private limits(): HTMLElement {
    const st = this.store.state;
    const num = (label: string, title: string, value: number, set: (v: number) => void, testid: string): HTMLElement => {
      const input = h('input', { type: 'number', min: 0.001, step: 'any', value, 'data-testid': testid, title });
      input.addEventListener('change', () => { const v = Number(input.value); if (v > 0) set(v); });
      return h('label', { title }, label, input);
    };
    return h('details', { class: 'limits' }, h('summary', {}, 'Limits'),
      h('div', { class: 'limits-body' },
        num('engine events (M)', 'a run stops after this many simulation events (the scenario\'s own stop.maxEvents when smaller)', st.eventBudget / 1e6,
          (v) => this.store.update((d) => { d.eventBudget = Math.round(v * 1e6); }), 'limit-events'),
        num('trace events kept (M)', 'the animation records this many events; the run goes on unrecorded for its measures', st.traceBudget / 1e6,
          (v) => this.store.update((d) => { d.traceBudget = Math.round(v * 1e6); }), 'limit-trace'),
        num('wall time (s)', 'the page ends a run still going after this long (the worker is terminated)', this.wallLimitS, (v) => { this.wallLimitS = v; }, 'limit-wall'),
        h('p', { class: 'muted' }, 'A scenario is JSON only: it cannot run code. The engine runs in a worker the page can terminate (Stop).')));
  }

  private buildLegend(): void {
    clear(this.legend);
    const s = this.store.state;
    ROLE_NAMES.forEach((name, i) => {
      const box = h('input', { type: 'checkbox', checked: !s.hiddenRoles.includes(i), 'data-role': name });
      box.addEventListener('change', () => this.store.update((d) => { d.hiddenRoles = box.checked ? d.hiddenRoles.filter((x) => x !== i) : [...d.hiddenRoles, i]; }));
      this.legend.append(h('label', { title: ROLE_TITLES[name] }, box, h('span', { class: 'swatch', style: `background:${ROLE_COLOURS[i]}` }), name));
    });
    this.legend.append(h('span', { class: 'drop-key' }, '✕ drop'), h('button', { onclick: () => this.topology.fit(), 'data-testid': 'fit' }, 'Fit'));
    if (s.expanded.length > 0) this.legend.append(h('button', { onclick: () => this.store.update((d) => { d.expanded = []; }) }, 'Regroup'));
    if (s.hiddenNodes.length > 0) this.legend.append(h('button', { onclick: () => this.store.update((d) => { d.hiddenNodes = []; }) }, `Show ${s.hiddenNodes.length} hidden node(s)`));
    if (s.conn !== null && this.run !== null) {
      const c = this.run.log.conns[s.conn];
      this.legend.append(h('span', { class: 'conn-key', 'data-testid': 'conn' }, `connection ${c !== undefined ? formatEnd(c.clientIp, c.clientPort) : s.conn}`),
        h('button', { onclick: () => this.store.update((d) => { d.conn = null; }) }, '×'));
    }
  }

  private setScene(fit: boolean): void {
    const run = this.run;
    this.topology.setScene(run !== null ? new Scene(run.map, new Set(this.store.state.expanded)) : null, fit);
  }

  /** Load a scenario and run it (for the claims panel: keeping its walk). Resolves with the run (null when it did not load). */
  async load(source: Source, forClaim = false): Promise<RunModel | null> {
    this.stop(null);
    const st = this.store.state;
    if (source.kind === 'library') {
      const text = libraryText(source.name) ?? '';
      this.store.update((d) => { d.editorText = text; d.editorFile = `${source.name}.json`; });
      this.librarySel.value = source.name;
    }
    this.store.update((d) => {
      d.source = source; d.selection = null; d.conn = null; d.expanded = []; d.playing = false;
      if (!forClaim) { d.claim = null; d.callout = null; }
    });
    this.status.textContent = 'loading...';
    const run = new RunModel(source, st.design ?? undefined, source.kind === 'library' ? source.name : source.file);
    // Stoppable from here on: checking a huge file takes time too.
    this.pending = run;
    let checked;
    try {
      checked = await this.engine.api.check(source, st.design ?? undefined);
    } catch (e) {
      if (this.pending === run) this.status.textContent = `could not load: ${String(e)}`;
      if (this.pending === run) this.pending = null;
      return null;
    }
    if (this.pending !== run) return null;
    if (!checked.ok) {
      this.pending = null;
      this.store.update((d) => { d.problems = checked.problems as typeof d.problems; d.leftTab = 'editor'; });
      this.status.textContent = `not a valid scenario: ${checked.problems.length} problem(s), first: ${formatProblem(checked.problems[0])}`;
      return null;
    }
    this.status.textContent = 'building the network in the worker...';
    const started = performance.now();
    // The limit covers building too: a file that asks for a huge network is stopped as one that runs for ever.
    this.watchdog = window.setTimeout(() => this.stop(`stopped: still running after ${this.wallLimitS} s (raise the wall-time limit, or lower the event budget)`), this.wallLimitS * 1000);
    await run.start(this.engine, { eventBudget: st.eventBudget, traceBudget: st.traceBudget }, (r) => {
      if (this.pending !== r) return;
      const info = r.info!;
      this.run = r;
      this.setScene(true);
      this.player.attach(r);
      this.events.attach(r.log, r.map.nodes.map((n) => n.id));
      this.renderSummary();
      r.on(() => { this.cursorMoved = true; });
      this.status.textContent = `running ${info.name} (seed ${info.seed}${info.design !== null ? `, ${info.design}` : ''})...`;
    });
    clearTimeout(this.watchdog);
    if (this.pending !== run) return run;
    this.pending = null;
    const prep = run.info;
    if (prep === null) {
      this.status.textContent = run.status === 'failed' ? `the run failed before it started: ${run.error}` : this.status.textContent;
      return null;
    }
    const wall = ((performance.now() - started) / 1000).toFixed(1);
    if (run.status === 'done' && run.end !== null) {
      const cut = Number.isFinite(run.end.truncatedAt) ? `; trace recorded up to ${span(run.end.truncatedAt)} (budget ${st.traceBudget.toLocaleString('en')} events)` : '';
      this.status.textContent = `${prep.name}: ${run.end.stopReason} after ${span(run.end.simNs)} simulated, ${run.end.executed.toLocaleString('en')} events, ${wall} s${cut}`;
    } else if (run.status === 'failed') this.status.textContent = `${prep.name}: the run failed: ${run.error}`;
    this.renderSummary();
    this.cursorMoved = true;
    return run;
  }

  /** Stop the run now (the worker is terminated), also while it is still building; what was recorded stays replayable. */
  stop(why: string | null): void {
    clearTimeout(this.watchdog);
    const run = this.pending ?? this.run;
    if (run !== null && run.status === 'running') {
      this.engine.terminate();
      run.stop();
      this.pending = null;
      if (why !== null) this.status.textContent = run.info !== null ? `${why}: ${span(run.horizon)} recorded, replayable` : `${why} (before the run started)`;
    }
  }

  /** A run whose network is not built yet. */
  private pending: RunModel | null = null;

  private runEditor(): void {
    const s = this.store.state;
    void this.load({ kind: 'text', text: s.editorText, file: s.editorFile });
  }

  private async openFiles(files: File[]): Promise<void> {
    const json = files.find((f) => f.name.endsWith('.json'));
    if (json === undefined) { this.status.textContent = 'drop a scenario .json file (with any trace files it names)'; return; }
    const extra: Record<string, string> = {};
    for (const f of files) if (f !== json) extra[f.name] = await f.text();
    const text = await json.text();
    this.store.update((d) => { d.editorText = text; d.editorFile = json.name; d.leftTab = 'editor'; });
    this.librarySel.value = '';
    await this.load({ kind: 'text', text, file: json.name, files: extra });
  }

  /** The claims panel's scenario: reuse the loaded run when it is that library scenario, else load it. */
  private async watch(name: string): Promise<TraceLog | null> {
    const s = this.store.state.source;
    if (this.run !== null && s?.kind === 'library' && s.name === name && this.store.state.design === null && this.run.status !== 'failed') {
      if (this.run.status === 'running') await new Promise<void>((res) => { const off = this.run!.on(() => { if (this.run!.status !== 'running') { off(); res(); } }); });
      return this.run.log;
    }
    if (this.store.state.design !== null) { this.designSel.value = ''; this.store.update((d) => { d.design = null; }); }
    const run = await this.load({ kind: 'library', name }, true);
    return run?.status === 'done' ? run.log : null;
  }

  private renderSummary(): void {
    clear(this.summary);
    const run = this.run;
    if (run === null) return;
    if (run.end === null) { this.summary.append(h('p', { class: 'muted' }, run.status === 'running' ? 'the run summary appears when the run ends' : `no summary: the run ${run.status}`)); return; }
    const t = h('table', { class: 'summary-table' }, h('tr', {}, h('th', {}, 'metric'), h('th', {}, run.label)));
    for (const [k, v] of run.end.summary) t.append(h('tr', { 'data-metric': k }, h('td', {}, k), h('td', { class: 'v' }, v)));
    this.summary.append(h('h4', {}, 'Run summary (as netsim run prints it)'), t);
  }

  private loop(now: number): void {
    const t0 = performance.now();
    const dt = this.lastFrame > 0 ? Math.min(100, now - this.lastFrame) : 16;
    this.lastFrame = now;
    let mark = t0;
    const part = (name: string): void => { const x = performance.now(); this.perf.part(name, x - mark); mark = x; };
    this.player.tick(dt);
    part('tick');
    this.topology.draw();
    part('draw');
    this.playback.update();
    part('controls');
    const run = this.run;
    if (run !== null) {
      // The list follows at 4 Hz while playing (it is text to read, not an animation), at once after a seek.
      if (now - this.lastList > (this.player.playing ? 250 : 60) && (this.cursorMoved || this.player.playing || run.status === 'running')) {
        this.events.update();
        this.lastList = now;
      }
      part('list');
      const tab = this.store.state.bottomTab;
      if (this.player.playing) {
        // While playing, one chart per frame in turn, each about three times a second.
        if (tab === 'measures' && now - this.lastCharts > 120) {
          this.lastCharts = now;
          this.charts.drawOne(this.chartTurn, measuresAt(run.log, run.map, this.player.tau, run.horizon), this.player.tau);
          this.chartTurn = (this.chartTurn + 1) % 4;
        }
        if (tab === 'compare' && this.compare.active) this.compare.update(now - this.lastCharts > 500 && ((this.lastCharts = now), true));
      } else if (this.cursorMoved) {
        if (tab === 'measures') this.charts.draw(measuresAt(run.log, run.map, this.player.tau, run.horizon), this.player.tau);
        if (tab === 'compare' && this.compare.active) this.compare.update(true);
      }
      part('charts');
      if (this.cursorMoved && !this.player.playing) this.inspector.cursorMoved();
      this.cursorMoved = false;
      this.scheduleSnapshots(run);
    }
    this.perf.frame(now, performance.now() - t0);
    requestAnimationFrame((t) => this.loop(t));
  }

  private lastFrame = 0;
  private chartTurn = 0;
  private idleQueued = false;

  /** Build time-travel snapshots in the browser's idle time (after painting), a slice at a time. */
  private scheduleSnapshots(run: RunModel): void {
    if (this.idleQueued) return;
    this.idleQueued = true;
    const work = (deadline: IdleDeadline): void => {
      this.idleQueued = false;
      if (this.run !== run) return;
      let done = false;
      const t0 = performance.now();
      while (!done && deadline.timeRemaining() > 2) done = run.idle(2048);
      this.perf.part('snapshots', performance.now() - t0);
      if (!done) this.scheduleSnapshots(run);
    };
    requestIdleCallback(work, { timeout: 1000 });
  }

  /** For tests and the console: what the page shows, in numbers. */
  probe(): Record<string, unknown> {
    const run = this.run;
    const m = run !== null ? measuresAt(run.log, run.map, this.player.tau, run.horizon) : null;
    return {
      status: run?.status ?? 'none', events: run?.log.events.n ?? 0, k: this.player.state.k, tau: this.player.tau, inFlight: this.player.state.places.size,
      drawn: this.topology.packetsOnScreen().length, bypassNow: m?.bypassNow ?? null, snapshots: run?.timeline.snapshotCount ?? 0,
      places: [...this.player.state.places.entries()].sort((a, b) => a[0] - b[0]),
    };
  }

  packets(): { pid: number; frame: number; x: number; y: number }[] {
    return this.topology.packetsOnScreen();
  }
}

function formatEnd(ip: number, port: number): string {
  return `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}

const app = new App(document.getElementById('app')!);
(window as unknown as { __netsim: unknown }).__netsim = { app, library: [...LIBRARY_FILES.keys()] };
const first = new URLSearchParams(location.search).get('scenario');
if (first !== null) void app.load({ kind: 'library', name: first });
