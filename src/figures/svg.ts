/**
 * A minimal SVG writer for the patent figures: elements as strings with
 * escaped text and numbers rounded to 0.01 mm, in millimetres (the figure's
 * viewBox is the sheet in mm). No DOM, so the page and `netsim figure`
 * write the same bytes.
 *
 * Invariants: every stroke and fill is black, white or none (37 CFR
 * 1.84(a)(1): black ink on white); text is black.
 */
export const INK = '#000000';
export const PAPER = '#ffffff';

const num = (v: number): string => (Math.round(v * 100) / 100).toString();

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : esc(v!)}"`).join('');
}

export interface Pt { x: number; y: number }

export class SvgDoc {
  private readonly parts: string[] = [];

  constructor(readonly width: number, readonly height: number, readonly stroke = 0.35) {}

  line(a: Pt, b: Pt, extra: Record<string, string | number> = {}): void {
    this.parts.push(`<line${attrs({ x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: INK, 'stroke-width': this.stroke, ...extra })}/>`);
  }

  polyline(pts: Pt[], extra: Record<string, string | number> = {}): void {
    this.parts.push(`<polyline${attrs({ points: pts.map((p) => `${num(p.x)},${num(p.y)}`).join(' '), fill: 'none', stroke: INK, 'stroke-width': this.stroke, ...extra })}/>`);
  }

  rect(x: number, y: number, w: number, h: number, extra: Record<string, string | number> = {}): void {
    this.parts.push(`<rect${attrs({ x, y, width: w, height: h, fill: 'none', stroke: INK, 'stroke-width': this.stroke, ...extra })}/>`);
  }

  ellipse(cx: number, cy: number, rx: number, ry: number, extra: Record<string, string | number> = {}): void {
    this.parts.push(`<ellipse${attrs({ cx, cy, rx, ry, fill: 'none', stroke: INK, 'stroke-width': this.stroke, ...extra })}/>`);
  }

  dot(cx: number, cy: number, r: number): void {
    this.parts.push(`<circle${attrs({ cx, cy, r, fill: INK, stroke: 'none' })}/>`);
  }

  path(d: string, extra: Record<string, string | number> = {}): void {
    this.parts.push(`<path${attrs({ d, fill: 'none', stroke: INK, 'stroke-width': this.stroke, ...extra })}/>`);
  }

  /** Text with its baseline at y; `size` is the font size in mm. */
  text(x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' | 'end' = 'middle', extra: Record<string, string | number> = {}): void {
    this.parts.push(`<text${attrs({ x, y, 'font-size': size, 'font-family': 'Arial, Helvetica, sans-serif', 'text-anchor': anchor, fill: INK, ...extra })}>${esc(s)}</text>`);
  }

  raw(s: string): void {
    this.parts.push(s);
  }

  /** The document: an A4 (or given) sheet in mm, white. */
  toString(title: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${num(this.width)}mm" height="${num(this.height)}mm" viewBox="0 0 ${num(this.width)} ${num(this.height)}">\n`
      + `<title>${esc(title)}</title>\n<rect x="0" y="0" width="${num(this.width)}" height="${num(this.height)}" fill="${PAPER}" stroke="none"/>\n${this.parts.join('\n')}\n</svg>\n`;
  }
}
