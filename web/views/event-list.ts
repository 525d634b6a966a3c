/**
 * The event list beside the view, as Packet Tracer's: every recorded event
 * in order (time, where, what), filterable by kind, by node and to the
 * selected connection, virtualised so millions of events scroll smoothly;
 * the current event is marked, and clicking a row jumps there (and selects
 * its packet).
 *
 * Cost: the filter is a scan of newly arrived events into an index array;
 * rendering touches the visible rows only.
 */
import { Ev, FINAL } from '../../src/inspect/trace-format';
import type { TraceLog } from '../../src/inspect/trace-log';
import { DROP_REASON_NAMES } from '../../src/net/drop-reason';
import { clear, h } from '../lib/dom';
import { frameSummary, ip, simTime, span } from '../lib/format';
import type { Player } from '../model/player';
import type { Store } from '../model/store';

const ROW = 22;
const GROUPS: { key: string; label: string; kinds: number[] }[] = [
  { key: 'frames', label: 'sent', kinds: [Ev.TX, Ev.PHY, Ev.SEND] },
  { key: 'arrivals', label: 'arrived', kinds: [Ev.ARR] },
  { key: 'drops', label: 'drops', kinds: [Ev.DROP] },
  { key: 'nic', label: 'NIC steps', kinds: [Ev.NIC_RX, Ev.NIC_LOOKUP, Ev.NIC_DECIDE, Ev.NIC_LOCAL, Ev.NIC_FWD, Ev.NIC_MIGRATED] },
  { key: 'apps', label: 'TCP & apps', kinds: [Ev.END, Ev.REQUEST] },
];
const HOLDERS = (h: number): string => (h === -3 ? 'no entry (new connection)' : h === -2 ? 'NIC engine' : h === -1 ? 'own host' : `server${h}`);

export class EventList {
  readonly el: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly count: HTMLElement;
  private readonly nodeSel: HTMLSelectElement;
  private readonly follow: HTMLInputElement;
  private readonly onlyConn: HTMLInputElement;
  private kinds = new Set<number>(GROUPS.flatMap((g) => (g.key === 'apps' ? [Ev.REQUEST] : g.kinds)));
  private match: Int32Array = new Int32Array(1024);
  private n = 0;
  private scanned = 0;
  private log: TraceLog | null = null;
  private lastK = -1;

  constructor(private readonly store: Store, private readonly player: Player) {
    const checks = GROUPS.map((g) => {
      const on = g.kinds.some((k) => this.kinds.has(k));
      const box = h('input', { type: 'checkbox', checked: on, 'data-testid': `ev-${g.key}` });
      box.addEventListener('change', () => {
        for (const k of g.kinds) { if (box.checked) this.kinds.add(k); else this.kinds.delete(k); }
        this.reset();
      });
      return h('label', {}, box, g.label);
    });
    this.nodeSel = h('select', { 'data-testid': 'ev-node', title: 'only events at this node' }, h('option', { value: '-1' }, 'all nodes'));
    this.nodeSel.addEventListener('change', () => this.reset());
    this.onlyConn = h('input', { type: 'checkbox', 'data-testid': 'ev-conn' });
    this.onlyConn.addEventListener('change', () => this.reset());
    this.follow = h('input', { type: 'checkbox', checked: true });
    this.count = h('span', { class: 'muted' });
    this.spacer = h('div', { class: 'spacer' });
    this.rows = h('div', { class: 'rows' });
    this.scroller = h('div', { class: 'event-scroller', 'data-testid': 'event-list' }, this.spacer, this.rows);
    // Layout is read only when it changes (resize, scroll), never in the middle of a frame's writes.
    this.scroller.addEventListener('scroll', () => { this.scrollTop = this.scroller.scrollTop; this.render(); });
    new ResizeObserver(() => { this.viewHeight = this.scroller.clientHeight; this.render(); }).observe(this.scroller);
    this.rows.addEventListener('click', (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>('.row');
      if (row?.dataset.event !== undefined) this.jump(Number(row.dataset.event));
    });
    this.el = h('div', { class: 'event-list' },
      h('div', { class: 'filters' }, ...checks, this.nodeSel, h('label', { title: 'only the selected connection' }, this.onlyConn, 'connection'),
        h('label', {}, this.follow, 'follow'), this.count),
      this.scroller);
    store.subscribe((s, prev) => { if (s.conn !== prev.conn && this.onlyConn.checked) this.reset(); });
  }

  /** A new run: its nodes for the filter, and an empty index. */
  attach(log: TraceLog | null, nodes: string[]): void {
    this.log = log;
    this.nodeNames = nodes;
    for (const p of this.pool) p.e = -1;
    clear(this.nodeSel);
    // Every node of a small network; of a big one, the first 500 (a group of 100,000 clients is not a menu).
    this.nodeSel.append(h('option', { value: '-1' }, 'all nodes'), ...nodes.slice(0, 500).map((id, i) => h('option', { value: String(i) }, id)));
    this.reset();
  }

  private reset(): void {
    this.n = 0;
    this.scanned = 0;
    this.lastK = -1;
    this.update();
  }

  /** Whether the list is on screen (its tab shown): a hidden list only indexes, it does not lay out. */
  private get visible(): boolean {
    return this.el.isConnected && this.el.closest('[hidden]') === null;
  }

  /** Index newly arrived events, then redraw what is visible. */
  update(): void {
    const log = this.log;
    if (log === null) { clear(this.rows); this.count.textContent = ''; return; }
    const ec = log.events.cols, fc = log.frames.cols;
    const node = Number(this.nodeSel.value);
    const conn = this.onlyConn.checked ? this.store.state.conn : null;
    const end = log.events.n;
    for (let e = this.scanned; e < end; e++) {
      if (!this.kinds.has(ec.kind[e])) continue;
      if (node >= 0 && ec.node[e] !== node) continue;
      if (conn !== null) {
        const f = ec.frame[e];
        const d = log.details.get(e);
        if (!((f >= 0 && fc.conn[f] === conn) || (d?.kind === 'request' && d.conn === conn))) continue;
      }
      if (this.n === this.match.length) {
        const m = new Int32Array(this.match.length * 2);
        m.set(this.match);
        this.match = m;
      }
      this.match[this.n++] = e;
    }
    this.scanned = end;
    if (!this.visible) return;
    const view = this.viewHeight, scroll = this.scrollTop;
    this.spacer.style.height = `${this.n * ROW}px`;
    this.count.textContent = `${this.n.toLocaleString('en')} events`;
    const k = this.player.state.k;
    let top = scroll;
    if (this.follow.checked && k !== this.lastK) {
      const at = this.indexBefore(k) * ROW;
      if (at < scroll || at > scroll + view - ROW * 2) top = Math.max(0, at - view / 2);
    }
    this.lastK = k;
    this.render(top, view);
    if (top !== scroll) {
      this.scrollTop = top;
      this.scroller.scrollTop = top;
    }
  }

  private scrollTop = 0;
  private viewHeight = 400;

  /** Position in the filtered list of the last event before k. */
  private indexBefore(k: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.match[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  /** Rows are a pool of elements whose text is rewritten (no DOM churn per update); one click listener serves them all. */
  private readonly pool: { row: HTMLElement; cells: HTMLElement[]; e: number }[] = [];

  private render(scrollTop = this.scrollTop, height = this.viewHeight): void {
    const log = this.log;
    if (log === null) { clear(this.rows); this.pool.length = 0; return; }
    const first = Math.floor(scrollTop / ROW);
    const count = Math.min(this.n - first, Math.ceil(height / ROW) + 2);
    const cur = this.player.state.k - 1;
    this.rows.style.transform = `translateY(${first * ROW}px)`;
    const names = this.nodeNames;
    while (this.pool.length < count) {
      const cells = ['seq', 't', 'at', 'what'].map((c) => h('span', { class: c }));
      const row = h('div', { class: 'row' }, ...cells);
      this.rows.append(row);
      this.pool.push({ row, cells, e: -1 });
    }
    this.pool.forEach((p, j) => {
      if (j >= count) { p.row.hidden = true; return; }
      const e = this.match[first + j];
      p.row.hidden = false;
      p.row.className = `row${e === cur ? ' current' : ''}${log.events.cols.kind[e] === Ev.DROP ? ' drop' : ''}`;
      if (p.e === e) return;
      p.e = e;
      p.row.dataset.event = String(e);
      p.cells[0].textContent = String(e);
      p.cells[1].textContent = simTime(log.events.cols.t[e]);
      p.cells[2].textContent = names[log.events.cols.node[e]] ?? '?';
      p.cells[3].textContent = this.describe(log, e);
    });
  }

  private nodeNames: string[] = [];

  private jump(e: number): void {
    const log = this.log!;
    this.store.update((d) => { d.playing = false; });
    this.player.seekEvent(e + 1);
    const f = log.events.cols.frame[e], pid = log.events.cols.pid[e];
    if (pid >= 0 && f >= 0) this.store.update((d) => { d.selection = { kind: 'packet', pid, frame: f }; });
    else if (log.events.cols.node[e] >= 0) this.store.update((d) => { d.selection = { kind: 'node', node: log.events.cols.node[e] }; });
  }

  /** What event e was, in a line. */
  describe(log: TraceLog, e: number): string {
    const ec = log.events.cols;
    const f = ec.frame[e];
    const map = this.player.run?.map;
    const dev = (d: number): string => map?.devices[d]?.name ?? '?';
    const pkt = f >= 0 ? frameSummary(log, f) : '';
    switch (ec.kind[e]) {
      case Ev.TX: return `queued at ${dev(ec.x[e])}: ${pkt}`;
      case Ev.SEND: case Ev.PHY: return `transmit on ${dev(ec.x[e])} (arrives in ${span(ec.y[e] - ec.t[e])}): ${pkt}`;
      case Ev.ARR: return `arrived at ${dev(ec.x[e])}${(ec.y[e] & FINAL) !== 0 ? ' (consumed)' : ''}: ${pkt}`;
      case Ev.DROP: {
        const d = log.details.get(e);
        return `DROP ${DROP_REASON_NAMES[ec.x[e]] ?? ''} at ${d?.kind === 'drop' ? d.where : '?'}${pkt !== '' ? `: ${pkt}` : ''}`;
      }
      case Ev.END: return `to ${ec.x[e] === 1 ? 'the NIC\'s TCP engine' : 'TCP'}: ${pkt}`;
      case Ev.NIC_RX: return `NIC receives (first device): ${pkt}`;
      case Ev.NIC_LOOKUP: return `NIC looks up the connection: held by ${HOLDERS(ec.x[e])}`;
      case Ev.NIC_DECIDE: {
        const d = log.details.get(e);
        return d?.kind === 'decision' ? `NIC decides: server${d.chosen} (loads ${d.candidates.map((c, i) => `server${c}=${d.loads[i]}`).join(', ')})` : 'NIC decides';
      }
      case Ev.NIC_LOCAL: return `NIC keeps it: to its own host: ${pkt}`;
      case Ev.NIC_FWD: return `NIC forwards to server${ec.x[e]}, encapsulated: ${pkt}`;
      case Ev.NIC_MIGRATED: return `migration to server${ec.x[e]} acknowledged (${span(ec.y[e])} round trip)`;
      case Ev.REQUEST: {
        const d = log.details.get(e);
        const c = d?.kind === 'request' ? log.conns[d.conn] : undefined;
        return `server application gets request ${d?.kind === 'request' ? d.reqId : ''}${c !== undefined ? ` from ${ip(c.clientIp)}:${c.clientPort}` : ''}`;
      }
      default: return '';
    }
  }
}
