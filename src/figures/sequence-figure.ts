/**
 * FIG. 2: the sequence of one connection as a patent drawing, in the style
 * of FIG. 1 (sheet.ts): a box at the top of each lifeline (the client, the
 * first device, the owner) with the same reference numeral the part has in
 * FIG. 1, a dashed lifeline below it, and each message an arrow in time
 * order with its label above it (what it carries, "x n" when repeated; a
 * response that goes past the first device is labelled as bypassing it; a
 * lost packet ends in a cross before its target).
 *
 * Cost: O(messages); rows beyond what the sight area holds are summarised
 * in one last row.
 */
import type { NetworkMap } from '../inspect/network-map';
import { numeralPlan } from './numerals';
import type { Sequence } from './sequence-data';
import { FIG_LABEL_SIZE, LABEL_SIZE, LINE, NUMERAL_SIZE, SHEET, SIGHT, textWidth, type Numeral } from './sheet';
import { SvgDoc, type Pt } from './svg';
import type { FigureResult } from './topology-figure';

const WORD: Record<string, string> = { client: 'CLIENT', internet: 'INTERNET', server: 'SERVER', balancer: 'BALANCER', host: 'HOST', router: 'ROUTER' };

export function sequenceFigure(map: NetworkMap, seq: Sequence, figure = 2): FigureResult {
  const plan = numeralPlan(map);
  const doc = new SvgDoc(SHEET.width, SHEET.height, LINE);
  const numerals: Numeral[] = [];
  const pts: Pt[] = [];
  const n = seq.lifelines.length;
  const left = SIGHT.x + 16, right = SIGHT.x + SIGHT.width - 30;
  const xs = seq.lifelines.map((_, i) => (n > 1 ? left + ((right - left) * i) / (n - 1) : (left + right) / 2));
  const boxTop = SIGHT.y + 14, boxH = 14;
  const rowH = 10;
  const firstRow = boxTop + boxH + 12;
  const maxRows = Math.floor((SIGHT.y + SIGHT.height - 18 - firstRow) / rowH);
  const msgs = seq.messages.length > maxRows ? seq.messages.slice(0, maxRows - 1) : seq.messages;
  const rest = seq.messages.length - msgs.length;
  const bottom = firstRow + (msgs.length + (rest > 0 ? 1 : 0)) * rowH;
  seq.lifelines.forEach((l, i) => {
    const node = map.nodes[l.node];
    const isNic = l.role === 'first' && plan.nic[l.node] !== '';
    const word = isNic ? 'NIC' : WORD[node.kind] ?? node.kind.toUpperCase();
    const w = Math.max(26, textWidth(word, LABEL_SIZE) + 6);
    doc.rect(xs[i] - w / 2, boxTop, w, boxH);
    doc.text(xs[i], boxTop + boxH / 2 + 1.6, word, LABEL_SIZE);
    doc.line({ x: xs[i], y: boxTop + boxH }, { x: xs[i], y: bottom }, { 'stroke-dasharray': '2 1.5' });
    pts.push({ x: xs[i] - w / 2, y: boxTop }, { x: xs[i] + w / 2, y: bottom });
    const num = isNic ? plan.nic[l.node] : plan.node[l.node];
    const corner = { x: xs[i] + w / 2, y: boxTop };
    const from = { x: corner.x + 3, y: corner.y - 5 }, to = { x: corner.x - 1.5, y: corner.y + 1.5 };
    doc.line(from, to);
    doc.text(from.x, from.y + 1, num, NUMERAL_SIZE, 'start');
    numerals.push({ text: num, x: from.x, y: from.y + 1, lead: [from, to] });
    pts.push({ x: from.x + textWidth(num, NUMERAL_SIZE), y: from.y + 1 - NUMERAL_SIZE * 0.72 });
  });
  msgs.forEach((m, k) => {
    const y = firstRow + k * rowH + rowH / 2;
    const x0 = xs[m.from], x1 = xs[m.to];
    const dir = Math.sign(x1 - x0);
    const end = m.lost ? x1 - dir * 12 : x1 - dir * 0.4;
    doc.line({ x: x0, y }, { x: end - dir * 2.6, y });
    if (m.lost) {
      doc.line({ x: end - 2, y: y - 2 }, { x: end + 2, y: y + 2 });
      doc.line({ x: end - 2, y: y + 2 }, { x: end + 2, y: y - 2 });
    }
    // A filled black arrowhead.
    if (!m.lost) doc.path(`M ${end} ${y} L ${end - dir * 3} ${y - 1.3} L ${end - dir * 3} ${y + 1.3} Z`, { fill: '#000000' });
    const text = `${m.label}${m.count > 1 ? ` ×${m.count}` : ''}${m.bypass ? ', BYPASSING THE NIC' : ''}${m.lost ? ', LOST' : ''}`;
    // The label over the arrow's middle, on a knock-out of the white paper where it passes a lifeline.
    const mid = (x0 + x1) / 2;
    const tw = textWidth(text, LABEL_SIZE);
    doc.rect(mid - tw / 2 - 0.8, y - 1.4 - LABEL_SIZE * 0.8, tw + 1.6, LABEL_SIZE * 0.9, { fill: '#ffffff', stroke: 'none' });
    doc.text(mid, y - 1.4, text, LABEL_SIZE);
    pts.push({ x: Math.min(x0, x1, mid - tw / 2), y: y - 1.4 - LABEL_SIZE }, { x: Math.max(x0, x1, mid + tw / 2), y });
  });
  if (rest > 0) {
    const y = firstRow + msgs.length * rowH + rowH / 2;
    doc.text((xs[0] + xs[1 % n]) / 2, y, `${rest} FURTHER MESSAGES`, LABEL_SIZE);
  }
  const labelY = Math.min(SIGHT.y + SIGHT.height - 2, bottom + 12);
  const fig = `FIG. ${figure}`;
  doc.text(SHEET.width / 2, labelY, fig, FIG_LABEL_SIZE);
  pts.push({ x: SHEET.width / 2 - textWidth(fig, FIG_LABEL_SIZE) / 2, y: labelY - FIG_LABEL_SIZE }, { x: SHEET.width / 2 + textWidth(fig, FIG_LABEL_SIZE) / 2, y: labelY });
  const bx = pts.map((p) => p.x), by = pts.map((p) => p.y);
  return {
    svg: doc.toString(`${fig}: ${seq.title}`), numerals,
    bounds: { x0: Math.min(...bx), y0: Math.min(...by), x1: Math.max(...bx), y1: Math.max(...by) },
  };
}
