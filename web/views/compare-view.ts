/**
 * Compare mode: the same scenario and seed under two or more designs, each
 * run in a worker of its own, side by side with the same charts and one
 * time cursor (the main player's), so the packets of every design are shown
 * at the same simulated instant.
 */
import { DESIGNS } from '../../src/cluster/install';
import { clear, h } from '../lib/dom';
import { span } from '../lib/format';
import { EngineClient } from '../model/engine-client';
import { measuresAt } from '../model/measures';
import type { Player } from '../model/player';
import { RunModel } from '../model/run-model';
import type { Store } from '../model/store';
import type { ViewState } from '../model/view-state';
import { ChartSet } from './charts';
import { MiniView } from './mini-view';

interface Panel { design: string; run: RunModel | null; state: ViewState | null; mini: MiniView; charts: ChartSet; head: HTMLElement; metrics: HTMLElement }

export class CompareView {
  readonly el: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly status: HTMLElement;
  private panels: Panel[] = [];
  private engine: EngineClient | null = null;
  private readonly picks = new Map<string, HTMLInputElement>();

  constructor(private readonly store: Store, private readonly player: Player) {
    const boxes = DESIGNS.map((d) => {
      const b = h('input', { type: 'checkbox', checked: ['nic-forward', 'lb-nat', 'lb-dsr'].includes(d), 'data-design': d });
      this.picks.set(d, b);
      return h('label', {}, b, d);
    });
    this.status = h('span', { class: 'muted', 'data-testid': 'compare-status' });
    this.grid = h('div', { class: 'compare-grid', 'data-testid': 'compare' });
    this.el = h('div', { class: 'compare' },
      h('div', { class: 'row-buttons' }, ...boxes, h('button', { 'data-testid': 'compare-run', onclick: () => void this.start() }, 'Run side by side'),
        h('button', { onclick: () => this.stop() }, 'Stop'), this.status),
      h('p', { class: 'muted' }, 'Each design runs the loaded scenario with its seed; the time slider and play button drive every panel.'),
      this.grid);
  }

  private stop(): void {
    this.engine?.terminate();
    for (const p of this.panels) p.run?.stop();
    this.status.textContent = 'stopped';
  }

  async start(): Promise<void> {
    const src = this.store.state.source;
    if (src === null) { this.status.textContent = 'load a scenario first'; return; }
    const designs = DESIGNS.filter((d) => this.picks.get(d)!.checked);
    if (designs.length < 2) { this.status.textContent = 'choose two or more designs'; return; }
    this.engine?.terminate();
    const engine = (this.engine = this.engine ?? new EngineClient());
    clear(this.grid);
    this.panels = designs.map((design) => {
      const mini = new MiniView();
      const charts = new ChartSet(design);
      const head = h('h4', {}, design);
      const metrics = h('div', { class: 'metrics', 'data-testid': `compare-${design}` }, 'waiting...');
      this.grid.append(h('div', { class: 'panel' }, head, metrics, h('div', { class: 'body' }, mini.canvas, charts.el)));
      return { design, run: null, state: null, mini, charts, head, metrics };
    });
    const st = this.store.state;
    for (const p of this.panels) {
      this.status.textContent = `running ${p.design}...`;
      const checked = await engine.api.check(src, p.design);
      if (!checked.ok) { p.metrics.textContent = checked.problems.map((x) => x.message).join('; '); continue; }
      const run = new RunModel(src, p.design, p.design);
      await run.start(engine, { eventBudget: st.eventBudget, traceBudget: st.traceBudget }, (r) => { p.run = r; p.state = r.timeline.stateAt(0); });
      if (p.run === null) { p.metrics.textContent = `${run.status}: ${run.error}`; continue; }
      const m = p.run.end?.metrics;
      const f = (x: number | null | undefined, fmt: (v: number) => string): string => (x === null || x === undefined ? 'n/a' : fmt(x));
      p.metrics.textContent = p.run.status === 'done'
        ? `bypass ${f(m?.['response-bypass'], (v) => `${(v * 100).toFixed(1)}%`)} · latency mean ${f(m?.['latency-mean'], span)}, p99 ${f(m?.['latency-p99'], span)} · load CV ${f(m?.['load-cv'], (v) => v.toFixed(3))} · first LAN ${f(m?.['first-lan-bytes'], (v) => `${(v / 1e6).toFixed(1)} MB`)}`
        : `${p.run.status}: ${p.run.error}`;
    }
    this.status.textContent = `${this.panels.filter((p) => p.run?.status === 'done').length} of ${this.panels.length} designs ran`;
    this.update(true);
  }

  /** Bring every panel to the main player's time. */
  update(charts: boolean): void {
    const tau = this.player.tau;
    for (const p of this.panels) {
      const run = p.run;
      if (run === null || p.state === null) continue;
      run.idle(8192);
      const k = run.timeline.kAt(tau);
      p.state = k >= p.state.k ? run.timeline.advance(p.state, k) : run.timeline.stateAt(k);
      p.mini.draw(run, p.state, tau);
      if (charts) p.charts.draw(measuresAt(run.log, run.map, tau, run.horizon), tau);
    }
  }

  get active(): boolean {
    return this.panels.some((p) => p.run !== null);
  }
}
