/**
 * Sweep rows on disk: CSV (one line per point and run; appended as rows
 * complete, so an interrupted sweep keeps what it did) or JSON (an array,
 * rewritten as rows complete). Reading a file back is how a sweep resumes:
 * a row with the same scenario hash and run is not run again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { METRIC_NAMES, type Metrics } from '../metrics/catalog';
import type { SweepRow } from './sweep-task';

const FIXED = ['point', 'run', 'seed', 'scenario', 'set', 'scenario_hash', 'netsim', 'stop_reason'];

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Swept fields' columns are "param:<path>", apart from the fixed ones (a sweep over seed has both). */
const PARAM = 'param:';

export function csvHeader(params: readonly string[]): string {
  return [...FIXED, ...params.map((p) => PARAM + p), ...METRIC_NAMES].map(field).join(',');
}

export function csvLine(r: SweepRow, params: readonly string[]): string {
  const cells = [String(r.point), String(r.run), String(r.seed), r.scenario, r.set.join(' ; '), r.hash, r.netsim, r.stopReason,
    ...params.map((p) => r.params[p] ?? ''), ...METRIC_NAMES.map((m) => (r.metrics[m] === null ? '' : String(r.metrics[m])))];
  return cells.map(field).join(',');
}

/** RFC 4180 fields of each line. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cur = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cur); cur = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
    } else cur += ch;
  }
  if (cur !== '' || row.length > 0) { row.push(cur); rows.push(row); }
  return rows;
}

function rowFromCells(h: string[], c: string[]): SweepRow {
  const get = (k: string): string => c[h.indexOf(k)] ?? '';
  const params = h.filter((k) => k.startsWith(PARAM)).map((k) => k.slice(PARAM.length));
  return {
    point: Number(get('point')), run: Number(get('run')), seed: Number(get('seed')), scenario: get('scenario'),
    set: get('set') === '' ? [] : get('set').split(' ; '), hash: get('scenario_hash'), netsim: get('netsim'), stopReason: get('stop_reason'),
    params: Object.fromEntries(params.map((p) => [p, get(PARAM + p)])),
    metrics: Object.fromEntries(METRIC_NAMES.map((m) => [m, get(m) === '' ? null : Number(get(m))])) as Metrics,
  };
}

/** Rows already in `file` (none when it does not exist). */
export function readRows(file: string): SweepRow[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return text.trim() === '' ? [] : JSON.parse(text) as SweepRow[];
  const rows = parseCsv(text).filter((r) => r.length > 1);
  if (rows.length === 0) return [];
  const [h, ...data] = rows;
  return data.map((c) => rowFromCells(h, c));
}

/** The whole file for `rows` in `format`. */
export function renderRows(rows: readonly SweepRow[], params: readonly string[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return [csvHeader(params), ...rows.map((r) => csvLine(r, params))].join('\n') + '\n';
}
