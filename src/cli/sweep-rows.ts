/**
 * Sweep rows on disk: CSV (one line per point and run; appended as rows
 * complete, so an interrupted sweep keeps what it did) or JSON (an array,
 * rewritten as rows complete). Reading a file back is how a sweep resumes:
 * a row with the same scenario hash and run is not run again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { METRIC_NAMES, type Metrics } from '../metrics/catalog';
import type { SweepRow } from './sweep-task';

const FIXED = ['point', 'run', 'seed', 'scenario', 'set', 'scenario_hash', 'netsim', 'sweep', 'sweep_rows', 'stop_reason'];

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Swept fields' columns are "param:<path>", apart from the fixed ones (a sweep over seed has both). */
const PARAM = 'param:';

export function csvHeader(params: readonly string[]): string {
  return [...FIXED, ...params.map((p) => PARAM + p), ...METRIC_NAMES].map(field).join(',');
}

export function csvLine(r: SweepRow, params: readonly string[]): string {
  const cells = [String(r.point), String(r.run), String(r.seed), r.scenario, r.set.join(' ; '), r.hash, r.netsim, r.sweep, String(r.sweepRows), r.stopReason,
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
    set: get('set') === '' ? [] : get('set').split(' ; '), hash: get('scenario_hash'), netsim: get('netsim'),
    sweep: get('sweep'), sweepRows: Number(get('sweep_rows')), params: Object.fromEntries(params.map((p) => [p, get(PARAM + p)])), stopReason: get('stop_reason'),
    metrics: Object.fromEntries(METRIC_NAMES.map((m) => [m, get(m) === '' ? null : Number(get(m))])) as Metrics,
  };
}

/** The format of a rows file, from its name. */
export function rowFormat(file: string): 'csv' | 'json' {
  return file.endsWith('.json') ? 'json' : 'csv';
}

/** Rows already in `file` (none when it does not exist), and its swept paths (a JSON file names them only in its rows). */
export function readRowFile(file: string): { rows: SweepRow[]; params: string[] | null } {
  if (!existsSync(file)) return { rows: [], params: null };
  const text = readFileSync(file, 'utf8');
  if (rowFormat(file) === 'json') {
    const rows = text.trim() === '' ? [] : JSON.parse(text) as SweepRow[];
    return { rows, params: rows.length > 0 ? Object.keys(rows[0].params) : null };
  }
  const lines = parseCsv(text).filter((r) => r.length > 1);
  if (lines.length === 0) return { rows: [], params: null };
  const [h, ...data] = lines;
  // A line with fewer cells than the header was cut short (a sweep killed while appending it): not a row.
  return { rows: data.filter((c) => c.length === h.length).map((c) => rowFromCells(h, c)), params: h.filter((k) => k.startsWith(PARAM)).map((k) => k.slice(PARAM.length)) };
}

/** Rows already in `file` (none when it does not exist). */
export function readRows(file: string): SweepRow[] {
  return readRowFile(file).rows;
}

/** The whole file for `rows` in `format`. */
export function renderRows(rows: readonly SweepRow[], params: readonly string[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return [csvHeader(params), ...rows.map((r) => csvLine(r, params))].join('\n') + '\n';
}
