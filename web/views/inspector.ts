/**
 * The inspector: for a packet, its header stack layer by layer with every
 * field (read from a replay of the run to this moment, so each hop shows the
 * headers it really had: Ethernet, IPv4, TCP/UDP, the encapsulation header
 * with its forwarded flag and connection reference), its path so far and
 * its fate; for a node, its tables at this moment (connection directory,
 * state table, MAC table, routing table, ARP cache, TCP connections), and a
 * pcap of any of its devices to download.
 */
import { FINAL, Ev } from '../../src/inspect/trace-format';
import type { InfoTable } from '../../src/inspect/node-tables';
import type { HeaderLayer } from '../../src/inspect/header-stack';
import { ROLE_NAMES, ROLE_TITLES } from '../../src/inspect/roles';
import { DROP_REASON_NAMES } from '../../src/net/drop-reason';
import { formatIpv4 } from '../../src/net/address';
import { clear, download, h } from '../lib/dom';
import { frameSummary, simTime, span } from '../lib/format';
import type { EngineClient } from '../model/engine-client';
import type { Player } from '../model/player';
import type { Store } from '../model/store';
import { ROLE_COLOURS } from './topology-view';

export class Inspector {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private req = 0;
  private timer = 0;
  private hop = -1;

  constructor(private readonly store: Store, private readonly player: Player, private readonly engine: () => EngineClient) {
    this.body = h('div', { class: 'inspector-body', 'data-testid': 'inspector' });
    this.el = h('div', { class: 'inspector' }, h('h3', {}, 'Inspector'), this.body);
    store.subscribe((s, prev) => {
      if (s.selection !== prev.selection) { this.hop = -1; this.refresh(); }
      else if (s.playing !== prev.playing && !s.playing) this.refresh();
    });
    this.placeholder();
  }

  private placeholder(): void {
    clear(this.body);
    this.body.append(h('p', { class: 'muted' }, 'Click a packet in the view for its headers, path and fate; click a node for its tables at this moment. Pause first to catch a packet, or click a row of the event list.'));
  }

  /** The cursor moved (a seek or a step): show the selection as it is now, soon. */
  cursorMoved(): void {
    if (!this.player.playing) this.refresh();
  }

  private exec(): number {
    const run = this.player.run!;
    const k = this.player.state.k;
    return k > 0 ? run.log.events.cols.exec[k - 1] : 0;
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.render(), 120);
  }

  private render(): void {
    const sel = this.store.state.selection;
    const run = this.player.run;
    if (sel === null || run === null) { this.placeholder(); return; }
    if (sel.kind === 'packet') this.packet(sel.pid, sel.frame);
    else this.node(sel.node);
  }

  private packet(pid: number, frame: number): void {
    const run = this.player.run!;
    const log = run.log;
    const fc = log.frames.cols, ec = log.events.cols;
    const map = run.map;
    const all = log.allFrames(frame);
    const tau = this.player.tau;
    const sofar = all.filter((f) => fc.tq[f] <= tau);
    const current = sofar.length > 0 ? sofar[sofar.length - 1] : frame;
    const shown = this.hop >= 0 ? this.hop : current;
    clear(this.body);
    const role = ROLE_NAMES[fc.role[current]];
    const conn = fc.conn[current];
    this.body.append(
      h('div', { class: 'packet-head' }, h('span', { class: 'swatch', style: `background:${ROLE_COLOURS[fc.role[current]]}` }),
        h('b', {}, `Packet #${pid}`), ` · ${ROLE_TITLES[role]}`),
      h('div', { class: 'mono' }, frameSummary(log, current)),
    );
    if (conn >= 0) {
      this.body.append(h('button', { 'data-testid': 'follow-conn', onclick: () => this.store.update((d) => { d.conn = conn; }) },
        `Highlight its connection (${formatIpv4(log.conns[conn].clientIp)}:${log.conns[conn].clientPort})`));
    }
    // Fate: how this packet ends in the recorded run.
    const last = log.lastEvent[pid];
    let fate = 'still in flight when the recording ended';
    if (last >= 0) {
      const at = map.nodes[ec.node[last]]?.id ?? '?';
      const t = simTime(ec.t[last]);
      if (ec.kind[last] === Ev.DROP) {
        const d = log.details.get(last);
        fate = `dropped at ${d?.kind === 'drop' ? d.where : at} at ${t}: ${DROP_REASON_NAMES[ec.x[last]] ?? ''}`;
      } else if (ec.kind[last] === Ev.END) fate = `delivered to ${ec.x[last] === 1 ? 'the smart NIC\'s TCP engine' : 'TCP'} at ${at} at ${t}`;
      else if (ec.kind[last] === Ev.ARR && (ec.y[last] & FINAL) !== 0) fate = `consumed at ${at} at ${t}`;
      else if (log.now > ec.t[last]) fate = `last seen at ${at} at ${t} (${ec.kind[last] === Ev.ARR ? 'arrived' : 'on its way'})`;
    }
    this.body.append(h('div', { class: 'fate', 'data-testid': 'fate' }, h('b', {}, 'Fate: '), fate));
    const hops = h('table', { class: 'hops' }, h('tr', {}, h('th', {}, 'hop'), h('th', {}, 'handed over'), h('th', {}, 'device'), h('th', {}, 'reached')));
    all.forEach((f, i) => {
      const rx = log.rxDev[f];
      const later = fc.tq[f] > tau;
      const tr = h('tr', { class: `${f === shown ? 'shown' : ''}${later ? ' later' : ''}`, 'data-frame': f },
        h('td', {}, String(i + 1)), h('td', {}, simTime(fc.tq[f])), h('td', {}, map.devices[fc.dev[f]]?.name ?? '?'),
        h('td', {}, rx >= 0 ? `${map.nodes[map.devices[rx].node]?.id ?? '?'} (+${span(fc.t1[f] - fc.tq[f])})` : Number.isNaN(fc.t0[f]) ? 'queued' : 'on the wire'));
      tr.addEventListener('click', () => { this.hop = f; this.render(); });
      hops.append(tr);
    });
    this.body.append(h('h4', {}, `Path (${sofar.length} of ${all.length} hops so far; later ones greyed)`), hops);
    const headers = h('div', { class: 'headers', 'data-testid': 'headers' }, h('p', { class: 'muted' }, 'reading the headers from a replay of the run...'));
    this.body.append(h('h4', {}, `Headers at hop ${all.indexOf(shown) + 1} (as handed to ${map.devices[fc.dev[shown]]?.name ?? '?'})`), headers);
    const id = ++this.req;
    const st = this.store.state;
    if (st.source === null) return;
    this.engine().api.inspect({ source: st.source, design: st.design ?? undefined, exec: this.exec(), frames: all.filter((f) => fc.tq[f] <= tau || f === shown), pid, frame: current, node: -1 })
      .then((ins) => {
        if (id !== this.req) return;
        clear(headers);
        const x = ins.headers.find((y) => y.frame === shown) ?? ins.headers[ins.headers.length - 1];
        if (x === undefined) { headers.append(h('p', { class: 'muted' }, 'this hop is in the future of the moment shown: step forward to it')); return; }
        headers.append(layersTable(x.layers));
        if (ins.now !== null && shown === current) headers.append(h('h4', {}, 'The packet now'), h('p', { class: 'muted' }, 'fields as they are at this moment (a device may have rewritten them since its last hand-over)'), layersTable(ins.now));
      })
      .catch((e: unknown) => { if (id === this.req) { clear(headers); headers.append(h('p', { class: 'error' }, `could not replay: ${String(e)}`)); } });
  }

  private node(node: number): void {
    const run = this.player.run!;
    const map = run.map;
    const n = map.nodes[node];
    clear(this.body);
    const hidden = this.store.state.hiddenNodes.includes(node);
    const devs = map.devices.map((d, i) => ({ d, i })).filter(({ d }) => d.node === node && d.link >= 0);
    const devSel = h('select', { 'data-testid': 'pcap-device' }, ...devs.map(({ d, i }) => h('option', { value: String(i) }, d.name)));
    const st = this.store.state;
    const pcapBtn = h('button', { 'data-testid': 'pcap', onclick: () => {
      if (st.source === null || devs.length === 0) return;
      const dev = Number(devSel.value);
      pcapBtn.disabled = true;
      pcapBtn.textContent = 'capturing...';
      this.engine().api.pcap(st.source, st.design ?? undefined, dev, run.end?.executed ?? run.log.executed)
        .then((bytes) => download(`${map.devices[dev].name.replace(/[^A-Za-z0-9._-]+/g, '_')}.pcap`, bytes as BlobPart, 'application/vnd.tcpdump.pcap'))
        .finally(() => { pcapBtn.disabled = false; pcapBtn.textContent = 'Download pcap'; });
    } }, 'Download pcap');
    this.body.append(
      h('div', { class: 'packet-head' }, h('b', {}, n.id), ` · ${n.kind}${n.group !== null ? ` (member ${n.index} of ${n.group})` : ''}`),
      h('div', {}, n.ifaces.map((i) => `${formatIpv4(i.ip)}/${i.len}`).join(', ')),
      h('div', { class: 'row-buttons' },
        h('button', { onclick: () => this.store.update((d) => { d.hiddenNodes = hidden ? d.hiddenNodes.filter((x) => x !== node) : [...d.hiddenNodes, node]; }) },
          hidden ? 'Show its packets again' : 'Hide its packets from the animation'),
        devs.length > 0 ? devSel : null, devs.length > 0 ? pcapBtn : null),
    );
    const tables = h('div', { class: 'tables', 'data-testid': 'tables' }, h('p', { class: 'muted' }, `reading ${n.id}'s tables at ${simTime(this.player.tau)} from a replay...`));
    this.body.append(tables);
    if (st.source === null) return;
    const id = ++this.req;
    this.engine().api.inspect({ source: st.source, design: st.design ?? undefined, exec: this.exec(), frames: [], pid: -1, frame: -1, node })
      .then((ins) => {
        if (id !== this.req) return;
        clear(tables);
        tables.append(h('p', { class: 'muted' }, `at ${simTime(ins.t)}${ins.rebuilt ? ' (replayed from the start)' : ''}`));
        for (const t of ins.tables ?? []) tables.append(infoTable(t));
      })
      .catch((e: unknown) => { if (id === this.req) { clear(tables); tables.append(h('p', { class: 'error' }, `could not replay: ${String(e)}`)); } });
  }
}

function layersTable(layers: HeaderLayer[]): HTMLElement {
  const out = h('div', { class: 'layers' });
  for (const l of layers) {
    const t = h('table', { class: 'fields' });
    for (const f of l.fields) t.append(h('tr', {}, h('td', { class: 'fname' }, f.name), h('td', { class: 'mono' }, f.value)));
    out.append(h('details', { open: l.name !== 'Simulation bookkeeping' }, h('summary', {}, l.name), t));
  }
  return out;
}

function infoTable(t: InfoTable): HTMLElement {
  const table = h('table', { class: 'info' }, h('tr', {}, ...t.columns.map((c) => h('th', {}, c))));
  for (const r of t.rows) table.append(h('tr', {}, ...r.map((c) => h('td', {}, c))));
  return h('details', { open: true }, h('summary', {}, `${t.title} (${t.rows.length})`), t.note !== undefined ? h('div', { class: 'muted' }, t.note) : null,
    t.rows.length > 0 ? table : h('div', { class: 'muted' }, 'empty'));
}
