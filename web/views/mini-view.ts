/**
 * A small, non-interactive drawing of a run's network with its packets at a
 * given time, for compare mode's side-by-side panels (the same Scene and
 * positions as the main view, on one canvas, fitted).
 */
import { isHeld, heldEvent, type ViewState } from '../model/view-state';
import type { RunModel } from '../model/run-model';
import { Scene } from '../model/scene';
import { ROLE_COLOURS } from './topology-view';

export class MiniView {
  readonly canvas: HTMLCanvasElement;
  private scene: Scene | null = null;

  constructor(width = 300, height = 170) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = width * (window.devicePixelRatio || 1);
    this.canvas.height = height * (window.devicePixelRatio || 1);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.className = 'mini';
  }

  draw(run: RunModel, state: ViewState, tau: number): void {
    if (this.scene === null || this.scene.map !== run.map) this.scene = new Scene(run.map, new Set());
    const s = this.scene;
    const ctx = this.canvas.getContext('2d')!;
    const W = this.canvas.width, H = this.canvas.height;
    const k = Math.min(W / (s.width + 20), H / (s.height + 20));
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    ctx.setTransform(k, 0, 0, k, (W - s.width * k) / 2, (H - s.height * k) / 2);
    ctx.strokeStyle = '#c5cbd3';
    ctx.lineWidth = 1 / k;
    s.dg.edges.forEach((_, i) => {
      const [a, b] = s.edgeEnds(i);
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
    });
    ctx.strokeStyle = '#6b7480';
    for (const b of s.boxes) {
      if (b.bar !== null) ctx.strokeRect(b.bar.x - 3, b.bar.y0, 6, b.bar.y1 - b.bar.y0);
      else ctx.strokeRect(b.x - b.w / 2, b.y - b.h / 2, b.w, b.h);
    }
    const log = run.log;
    const fc = log.frames.cols, ec = log.events.cols;
    let slot = 0;
    for (const place of state.places.values()) {
      const f = isHeld(place) ? ec.frame[heldEvent(place)] : place;
      if (f < 0) continue;
      const pos = s.position(log, place, tau, slot++);
      if (pos === null) continue;
      ctx.fillStyle = ROLE_COLOURS[fc.role[f]];
      ctx.beginPath();
      ctx.arc(pos.p.x, pos.p.y, 3.5 / Math.sqrt(k), 0, Math.PI * 2);
      ctx.fill();
    }
  }
}
