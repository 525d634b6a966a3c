/**
 * Playback controls: play/pause, step one event back or forward, step to the
 * previous or next packet of the selected connection, the pace (scaled real
 * time from a millionth of real time to 100x, a number of events per second,
 * or as fast as the page goes) and a time slider that seeks anywhere the
 * trace covers, backwards as well as forwards.
 */
import { h } from '../lib/dom';
import { simTime, span } from '../lib/format';
import type { Player } from '../model/player';
import type { Store } from '../model/store';

const SLIDER_STEPS = 10_000;

export class PlaybackBar {
  readonly el: HTMLElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly slider: HTMLInputElement;
  private readonly time: HTMLElement;
  private readonly speedLabel: HTMLElement;
  private readonly speed: HTMLInputElement;
  private readonly mode: HTMLSelectElement;
  private readonly connBtns: HTMLButtonElement[];
  private seeking = false;
  private lastText = '';

  constructor(private readonly store: Store, private readonly player: Player) {
    const btn = (label: string, title: string, testid: string, fn: () => void): HTMLButtonElement => h('button', { title, 'data-testid': testid, onclick: fn }, label);
    this.playBtn = btn('▶ Play', 'play / pause (space)', 'play', () => this.toggle());
    const prevConn = btn('⇤ conn', 'previous packet of the selected connection', 'prev-conn', () => this.conn(-1));
    const nextConn = btn('conn ⇥', 'next packet of the selected connection', 'next-conn', () => this.conn(1));
    this.connBtns = [prevConn, nextConn];
    this.slider = h('input', { type: 'range', min: 0, max: SLIDER_STEPS, value: 0, step: 1, class: 'time-slider', 'data-testid': 'time-slider', 'aria-label': 'simulated time' });
    this.slider.addEventListener('input', () => {
      this.seeking = true;
      this.player.seekTime((Number(this.slider.value) / SLIDER_STEPS) * this.player.horizon);
    });
    this.slider.addEventListener('change', () => { this.seeking = false; });
    this.time = h('span', { class: 'time', 'data-testid': 'time' });
    this.mode = h('select', { 'data-testid': 'mode', title: 'how playback advances' },
      h('option', { value: 'time' }, 'real time ×'), h('option', { value: 'events' }, 'events / s'), h('option', { value: 'max' }, 'as fast as possible'));
    this.mode.addEventListener('change', () => this.store.update((d) => { d.mode = this.mode.value as 'time' | 'events' | 'max'; }));
    this.speed = h('input', { type: 'range', min: -6, max: 2, step: 0.1, value: -4, class: 'speed', 'data-testid': 'speed', 'aria-label': 'speed' });
    this.speed.addEventListener('input', () => this.store.update((d) => {
      const v = Number(this.speed.value);
      if (d.mode === 'events') d.eventsPerSecond = Math.round(10 ** ((v + 6) / 2));
      else d.speed = 10 ** v * 1e9;
    }));
    this.speedLabel = h('span', { class: 'speed-label', 'data-testid': 'speed-label' });
    this.el = h('div', { class: 'playback' },
      btn('⇤ start', 'to the start', 'start', () => this.player.seekEvent(0)),
      btn('◀ step', 'one event back', 'step-back', () => { this.pause(); this.player.step(-1); }),
      this.playBtn,
      btn('step ▶', 'one event forward', 'step-forward', () => { this.pause(); this.player.step(1); }),
      prevConn, nextConn, this.slider, this.time, this.mode, this.speed, this.speedLabel);
    store.subscribe((s, prev) => {
      if (s.mode !== prev.mode || s.speed !== prev.speed || s.eventsPerSecond !== prev.eventsPerSecond || s.playing !== prev.playing || s.conn !== prev.conn) this.sync();
    });
    document.addEventListener('keydown', (e) => {
      if ((e.target as HTMLElement).closest('textarea, input, select, button, summary')) return;
      if (e.key === ' ') { e.preventDefault(); this.toggle(); }
      if (e.key === 'ArrowRight') { this.pause(); this.player.step(1); }
      if (e.key === 'ArrowLeft') { this.pause(); this.player.step(-1); }
    });
    this.sync();
  }

  private toggle(): void {
    this.store.update((d) => { d.playing = !d.playing; });
  }

  private pause(): void {
    if (this.store.state.playing) this.store.update((d) => { d.playing = false; });
  }

  private conn(dir: 1 | -1): void {
    const c = this.store.state.conn;
    if (c === null) return;
    this.pause();
    this.player.stepConnection(c, dir);
  }

  /** Copy settings from the store to the player and the controls. */
  sync(): void {
    const s = this.store.state;
    this.player.playing = s.playing;
    this.player.mode = s.mode;
    this.player.speed = s.speed;
    this.player.eventsPerSecond = s.eventsPerSecond;
    this.playBtn.textContent = s.playing ? '⏸ Pause' : '▶ Play';
    this.mode.value = s.mode;
    this.speed.disabled = s.mode === 'max';
    if (s.mode === 'events') {
      this.speed.value = String(2 * Math.log10(s.eventsPerSecond) - 6);
      this.speedLabel.textContent = `${s.eventsPerSecond} events/s`;
    } else if (s.mode === 'time') {
      const f = s.speed / 1e9;
      this.speed.value = String(Math.log10(f));
      this.speedLabel.textContent = `×${f < 0.01 ? f.toExponential(0) : f.toPrecision(2)} (1 s shows ${span(s.speed)})`;
    } else this.speedLabel.textContent = 'as fast as the page goes';
    for (const b of this.connBtns) b.disabled = s.conn === null;
  }

  /** Per frame: the time label and the slider (unless the user is dragging it). */
  update(): void {
    const p = this.player;
    const hz = p.horizon;
    const text = `t = ${simTime(p.tau)} / ${span(hz)} · event ${p.state.k} / ${p.length}`;
    if (text !== this.lastText) this.time.textContent = this.lastText = text;
    const v = String(hz > 0 ? Math.round((p.tau / hz) * SLIDER_STEPS) : 0);
    if (!this.seeking && v !== this.slider.value) this.slider.value = v;
    if (this.store.state.playing !== p.playing) this.store.update((d) => { d.playing = p.playing; });
  }
}
