/**
 * Figures: the current network as a patent-style FIG. 1 and the selected
 * connection (or one that was forwarded and answered) as FIG. 2, previewed
 * and downloadable as SVG; the same code as `netsim figure`. Charts download
 * as PNG from their own buttons.
 */
import { connectionSequence, pickConnection, sequenceFigure, topologyFigure } from '../../src/figures';
import { formatIpv4 } from '../../src/net/address';
import { clear, download, h } from '../lib/dom';
import type { Player } from '../model/player';
import type { Store } from '../model/store';

export class FiguresView {
  readonly el: HTMLElement;
  private readonly preview: HTMLElement;

  constructor(private readonly store: Store, private readonly player: Player) {
    this.preview = h('div', { class: 'figure-preview', 'data-testid': 'figure-preview' });
    this.el = h('div', { class: 'figures' },
      h('div', { class: 'row-buttons' },
        h('button', { 'data-testid': 'fig1', onclick: () => this.fig1() }, 'FIG. 1: the network (SVG)'),
        h('button', { 'data-testid': 'fig2', onclick: () => this.fig2() }, 'FIG. 2: sequence of the selected connection (SVG)'),
        h('span', { class: 'muted' }, 'Black on white, reference numerals, A4 with the margins of 37 CFR 1.84; the same files as `netsim figure`.')),
      this.preview);
  }

  private show(svg: string, name: string): void {
    clear(this.preview);
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    this.preview.append(h('img', { src: url, alt: name, class: 'figure' }));
    download(name, svg, 'image/svg+xml');
  }

  private fig1(): void {
    const run = this.player.run;
    if (run === null) return;
    this.show(topologyFigure(run.map, 1).svg, `${run.map.scenario}-fig1-topology.svg`);
  }

  private fig2(): void {
    const run = this.player.run;
    if (run === null) return;
    const conn = this.store.state.conn ?? pickConnection(run.log);
    if (conn < 0) { clear(this.preview); this.preview.append(h('p', { class: 'muted' }, 'this run has no service connection')); return; }
    const c = run.log.conns[conn];
    this.show(sequenceFigure(run.map, connectionSequence(run.log, run.map, conn), 2).svg, `${run.map.scenario}-fig2-${formatIpv4(c.clientIp)}_${c.clientPort}.svg`);
  }
}
