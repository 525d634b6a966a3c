/**
 * The sheet and lettering of a patent drawing, per 37 CFR 1.84: A4 paper
 * (21.0 x 29.7 cm) with margins of at least 2.5 cm top, 2.5 cm left, 1.5 cm
 * right and 1.0 cm bottom, so the sight (drawing) area is at most 17.0 x
 * 26.2 cm (1.84(f), (g)); reference characters at least 0.32 cm high
 * (1.84(p)(3)), plain, never bracketed, circled or in quotes (1.84(p)(1));
 * black lines only (1.84(a)(1)), dense enough to stay legible reduced to
 * two-thirds (1.84(l)). Units are millimetres.
 *
 * Font sizes are chosen from Arial's proportions (cap and digit height 0.716
 * em): numerals at 4.6 mm have 3.3 mm digits and capital suffix letters
 * (108A, 108B: capitals, so a suffix is as tall as the digits); words at
 * 4.5 mm have 3.2 mm capitals.
 */
export const SHEET = { width: 210, height: 297 } as const;
export const SIGHT = { x: 25, y: 25, width: 170, height: 262 } as const;
export const NUMERAL_SIZE = 4.6;
export const LABEL_SIZE = 4.5;
export const FIG_LABEL_SIZE = 7;
/** Line width: 0.35 mm is 0.23 mm at two-thirds, still a solid black line. */
export const LINE = 0.35;
/** Cap height / font size, and the advance of an average character, for Arial (used to measure text). */
export const CAP = 0.716;
export const XHEIGHT = 0.519;
export const ADVANCE = 0.58;

/** Width of `s` at `size`, mm (an estimate on the wide side: capitals are about 0.68 em, digits 0.556). */
export function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s) w += /[0-9]/.test(ch) ? 0.556 : /[A-Z]/.test(ch) ? 0.68 : ch === ' ' ? 0.28 : ch === '.' ? 0.28 : ADVANCE;
  return w * size;
}

/** A lead line from a numeral to its part, and the numeral's box, for the layout checks. */
export interface Numeral {
  text: string;
  /** Baseline start of the text (anchor start). */
  x: number;
  y: number;
  lead: [{ x: number; y: number }, { x: number; y: number }];
}

export function numeralBox(n: Numeral): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: n.x, y0: n.y - CAP * NUMERAL_SIZE, x1: n.x + textWidth(n.text, NUMERAL_SIZE), y1: n.y + 0.2 * NUMERAL_SIZE };
}

/** Whether segments ab and cd cross (touching at an end point does not count). */
export function segmentsCross(a: { x: number; y: number }, b: { x: number; y: number }, c: { x: number; y: number }, d: { x: number; y: number }): boolean {
  const o = (p: { x: number; y: number }, q: { x: number; y: number }, r: { x: number; y: number }): number => Math.sign((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}
