/**
 * The claims panel: the 48 claims in short; choose one and the view loads
 * the scenario the conformance suite checks it on, then walks its elements
 * one by one: each step seeks the replay to the moment the element happens,
 * highlights the parts involved and says in plain words what happened. Under
 * the walk, the suite's own evidence: every check with its result and what
 * was measured (the same checks, run in the worker on the same recorder).
 */
import { CLAIMS } from '../../src/claims/claim-texts';
import type { WalkStep } from '../../src/inspect/claim-walk';
import { Ev, FINAL } from '../../src/inspect/trace-format';
import type { TraceLog } from '../../src/inspect/trace-log';
import { clear, h } from '../lib/dom';
import { simTime } from '../lib/format';
import type { EngineClient } from '../model/engine-client';
import type { Player } from '../model/player';
import type { Store } from '../model/store';
import type { ClaimReport } from '../worker/protocol';

const PLAIN_1 = 'In plain words: a server cluster where each server has a smart network card (NIC). A client on the Internet opens a '
  + 'connection to one server\'s address. That server\'s NIC is the "first computing device". For each packet it checks which '
  + 'server holds the connection\'s record (its TCB). If it is its own server, that server answers. If another server holds it, '
  + 'the NIC wraps the packet with a reference to the connection and sends it over a separate back-end LAN (the "second network"), '
  + 'so it never goes back over the client-facing LAN. The server that holds the connection answers the client directly: '
  + 'the answer skips the NIC that received the request. Step through the elements below and watch each one happen.';
const PLAIN_11 = 'In plain words: the same cluster, seen from the load-balancing side. The NIC that receives a client\'s packet from the '
  + 'Internet decides, from the load it knows of itself and of the other servers (reported to each other over a third LAN), '
  + 'whether to keep the connection or send the packet over the back-end LAN to a less busy server; the packet then bypasses '
  + 'the client-facing LAN.';

export class ClaimsPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly detail: HTMLElement;
  private report: ClaimReport | null = null;

  constructor(
    private readonly store: Store, private readonly player: Player, private readonly engine: () => EngineClient,
    private readonly watch: (scenario: string) => Promise<TraceLog | null>,
  ) {
    this.list = h('div', { class: 'claim-list', 'data-testid': 'claim-list' });
    this.detail = h('div', { class: 'claim-detail', 'data-testid': 'claim-detail' });
    for (const kind of ['system', 'method'] as const) {
      this.list.append(h('h4', {}, kind === 'system' ? 'System claims 1–24' : 'Method claims 25–48'));
      for (const c of CLAIMS.filter((x) => x.kind === kind)) {
        const item = h('button', { class: 'claim-item', 'data-claim': c.n, onclick: () => void this.choose(c.n) },
          h('b', {}, `${c.n}.`), ` ${c.short.length > 120 ? `${c.short.slice(0, 117)}…` : c.short}`, c.parent !== null ? h('span', { class: 'muted' }, ` (claim ${c.parent})`) : null);
        this.list.append(item);
      }
    }
    this.el = h('div', { class: 'claims-panel' }, this.detail, this.list);
    this.detail.append(h('p', {}, 'Choose a claim: the view loads the scenario it is checked on and walks you through each element it recites, as it happens. Start with claim 1.'));
  }

  async choose(n: number): Promise<void> {
    this.store.update((d) => { d.claim = n; d.claimStep = 0; d.callout = null; });
    for (const b of this.list.querySelectorAll('.claim-item')) b.classList.toggle('active', Number(b.getAttribute('data-claim')) === n);
    clear(this.detail);
    const c = CLAIMS[n - 1];
    this.detail.append(h('h3', {}, `Claim ${n}`), h('p', { class: 'claim-text' }, c.short), h('p', { class: 'muted' }, 'running the conformance checks for this claim...'));
    let report: ClaimReport;
    try {
      report = await this.engine().api.claim(n);
    } catch (e) {
      this.detail.append(h('p', { class: 'error' }, `the checks could not run: ${String(e)}`));
      return;
    }
    if (this.store.state.claim !== n) return;
    this.report = report;
    const log = await this.watch(report.scenario);
    if (this.store.state.claim !== n) return;
    this.render(report, log);
    if (report.walk.steps.length > 0) this.go(0);
  }

  private render(r: ClaimReport, log: TraceLog | null): void {
    clear(this.detail);
    const c = CLAIMS[r.n - 1];
    const independent = c.parent === null ? c : CLAIMS[(c.n > 24 ? (c.n - 24 <= 10 ? 25 : 35) : (c.n <= 10 ? 1 : 11)) - 1];
    const plain = independent.n === 1 || independent.n === 25 ? PLAIN_1 : PLAIN_11;
    const passed = r.checks.filter((x) => x.ok).length;
    const steps = h('ol', { class: 'walk', 'data-testid': 'walk' });
    r.walk.steps.forEach((s, i) => {
      steps.append(h('li', { 'data-step': i, onclick: () => this.go(i) }, h('b', {}, `“${s.element}”`), h('br'), h('span', {}, s.what),
        h('span', { class: 'muted' }, ` · ${simTime(s.at.t)}`)));
    });
    const checks = h('ul', { class: 'checks', 'data-testid': 'checks' });
    for (const x of r.checks) checks.append(h('li', { class: x.ok ? 'ok' : 'bad' }, h('span', { class: 'mark' }, x.ok ? '✓' : '✗'), ` ${x.label}`, h('div', { class: 'muted' }, x.detail)));
    const facts = h('ul', { class: 'facts' }, ...r.facts.map(([k, v]) => h('li', {}, h('b', {}, `${k}: `), v)));
    this.detail.append(
      h('h3', {}, `Claim ${r.n}`), h('p', { class: 'claim-text' }, c.short),
      h('details', { open: true, class: 'plain' }, h('summary', {}, 'What it means'),
        c.parent === null || c.n === 25 || c.n === 35 ? plain : `This claim adds to claim ${c.parent}: the last steps below show what it adds. ${plain}`),
      h('p', { class: 'muted' }, `${r.walk.intro}${log === null ? ' (the run did not finish, so the walk may be incomplete)' : ''}`),
      h('div', { class: 'row-buttons' },
        h('button', { 'data-testid': 'claim-prev', onclick: () => this.go(this.store.state.claimStep - 1) }, '◀ previous element'),
        h('button', { 'data-testid': 'claim-next', onclick: () => this.go(this.store.state.claimStep + 1) }, 'next element ▶'),
        h('button', { 'data-testid': 'claim-watch', title: 'play from just before this element, slowly enough to see each frame move', onclick: () => this.watchMove() }, '▶ watch it move'),
        h('span', { class: 'muted', 'data-testid': 'claim-step' }, '')),
      steps,
      h('h4', {}, `Evidence from the conformance suite: ${passed} of ${r.checks.length} checks pass on ${r.scenarios.join(', ')}`), checks,
      ...(r.facts.length > 0 ? [h('h4', {}, 'Measured alongside'), facts] : []),
    );
  }

  /** Play the current step from a little before it, at a pace where a LAN frame takes about a second. */
  private watchMove(): void {
    const r = this.report;
    if (r === null) return;
    const s = r.walk.steps[this.store.state.claimStep];
    if (s === undefined) return;
    this.player.seekTime(Math.max(0, s.at.t - 20_000));
    this.store.update((d) => { d.mode = 'time'; d.speed = 1e4; d.playing = true; });
  }

  /** Show step i: seek to its moment, highlight its parts, say its words. */
  go(i: number): void {
    const r = this.report;
    const run = this.player.run;
    if (r === null || run === null) return;
    const steps = r.walk.steps;
    const k = Math.max(0, Math.min(steps.length - 1, i));
    const s = steps[k];
    const nodes = s.nodes.map((id) => run.map.nodes.findIndex((n) => n.id === id)).filter((x) => x >= 0);
    const e = findEvent(run.log, run.map.devices.map((d) => d.name), run.map.nodes.map((n) => n.id), s);
    this.store.update((d) => {
      d.claimStep = k;
      d.playing = false;
      d.callout = { nodes, text: `${k + 1}. ${s.element}` };
      if (e >= 0) {
        const f = run.log.events.cols.frame[e], pid = run.log.events.cols.pid[e];
        d.selection = pid >= 0 && f >= 0 ? { kind: 'packet', pid, frame: f } : nodes.length > 0 ? { kind: 'node', node: nodes[0] } : d.selection;
      }
      if (s.conn !== null) {
        const [ipS, port] = s.conn.split(':');
        const parts = ipS.split('.').map(Number);
        const ipN = (((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) >>> 0;
        const c = run.log.conns.findIndex((x) => x.clientIp === ipN && x.clientPort === Number(port));
        d.conn = c >= 0 ? c : d.conn;
      }
    });
    if (e >= 0) {
      const ec = run.log.events.cols;
      const f = ec.frame[e];
      const kind = ec.kind[e];
      // A frame step is shown with the packet half way along its link; other steps just after they happen.
      if ((kind === Ev.SEND || kind === Ev.TX) && f >= 0 && run.log.frames.cols.t1[f] > run.log.frames.cols.t0[f]) {
        this.player.seekTime((run.log.frames.cols.t0[f] + run.log.frames.cols.t1[f]) / 2);
      } else this.player.seekEvent(e + 1);
    }
    for (const li of this.detail.querySelectorAll('ol.walk li')) {
      const on = Number(li.getAttribute('data-step')) === k;
      li.classList.toggle('current', on);
      if (on) li.scrollIntoView({ block: 'nearest' });
    }
    const label = this.detail.querySelector('[data-testid="claim-step"]');
    if (label !== null) label.textContent = `element ${k + 1} of ${steps.length}${e < 0 ? ' (not in this trace)' : ''}`;
  }
}

/** The event of the trace where a walk step happens (-1: not found). */
export function findEvent(log: TraceLog, devNames: string[], nodeIds: string[], s: WalkStep): number {
  const ec = log.events.cols, fc = log.frames.cols;
  const at = s.at;
  let e = log.eventsUpTo(at.t - 1);
  const nicKinds: Record<string, number> = { receive: Ev.NIC_RX, lookup: Ev.NIC_LOOKUP, decision: Ev.NIC_DECIDE, local: Ev.NIC_LOCAL, forward: Ev.NIC_FWD, migrated: Ev.NIC_MIGRATED };
  for (; e < log.events.n && ec.t[e] === at.t; e++) {
    const kind = ec.kind[e];
    const f = ec.frame[e];
    switch (at.kind) {
      case 'frame':
        if ((kind === Ev.TX || kind === Ev.SEND) && f >= 0 && fc.pid[f] === at.pid && devNames[fc.dev[f]] === at.dev) return e;
        break;
      case 'nic':
        if (kind === nicKinds[at.step] && nodeIds[ec.node[e]] === at.node && (at.pid < 0 || ec.pid[e] === at.pid)) return e;
        break;
      case 'request':
        if (kind === Ev.REQUEST && nodeIds[ec.node[e]] === at.node) return e;
        break;
      case 'arrival':
        if (kind === Ev.ARR && ec.pid[e] === at.pid && ((ec.y[e] & FINAL) !== 0 || nodeIds[ec.node[e]] === at.node)) return e;
        break;
    }
  }
  return -1;
}
