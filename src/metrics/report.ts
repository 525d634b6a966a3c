/**
 * Result tables and their renderings: Markdown, CSV, JSON and aligned text.
 *
 * A Table holds raw values (ns, fractions, counts); a column's `format` says
 * how to print them: 'int' rounds, 'pct' prints a fraction as a percentage with
 * one decimal (0.97 → "97.0%"), 'ms' prints ns as ms with 3 decimals, 'mb'
 * prints bytes as MB (10^6) with 3 decimals,
 * 'float' prints 3 decimals, 'text' prints the value as is. Without a format a
 * number prints as 'int' if it is an integer, else as 'float'. Strings print
 * as they are in any column; null (or a missing key) prints "n/a", and is an
 * empty cell in CSV. NaN and ±Infinity print as "NaN", "Infinity",
 * "-Infinity" so a bug stays visible. A negative value that rounds to zero
 * prints without its sign ("0.000", not "-0.000").
 *
 * Invariant: output depends only on the table (no locale, no clock), so it
 * can be compared with golden files. Every rendering ends with a newline.
 * Row keys not named by a column are ignored. Column keys must be unique.
 *
 * Cost: O(rows × columns) string building, once per report; never per event.
 */

export type ColumnFormat = 'int' | 'pct' | 'ms' | 'mb' | 'float' | 'text';

export interface Column {
  key: string;
  header: string;
  /** Shown after the header in parentheses: "p99 (ms)". Defaults to "ms" for the 'ms' format. */
  unit?: string;
  format?: ColumnFormat;
}

export type Cell = number | string | null;

export interface Table {
  title?: string;
  columns: Column[];
  rows: Record<string, Cell>[];
}

const NA = 'n/a';
const NS_PER_MS = 1_000_000;

/** toFixed without a "-" on a result that is all zeros (locale-independent). */
function fixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return s.charCodeAt(0) === 45 /* - */ && /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A number printed by format; NaN and infinities print as JavaScript names them. */
function formatNumber(x: number, format: ColumnFormat | undefined): string {
  if (!Number.isFinite(x)) return String(x);
  switch (format) {
    case 'int': return fixed(x, 0);
    case 'pct': return `${fixed(x * 100, 1)}%`;
    case 'ms': return fixed(x / NS_PER_MS, 3);
    case 'mb': return fixed(x / 1e6, 3);
    case 'float': return fixed(x, 3);
    case 'text': return String(x);
    case undefined: return Number.isInteger(x) ? fixed(x, 0) : fixed(x, 3);
  }
}

/** One cell as printed in Markdown and text ("n/a" for null or missing). */
export function formatCell(value: Cell | undefined, column: Column): string {
  if (value === null || value === undefined) return NA;
  if (typeof value === 'string') return value;
  return formatNumber(value, column.format);
}

/** The header as printed: "header (unit)", or just "header" without a unit. */
export function columnTitle(column: Column): string {
  const unit = column.unit ?? (column.format === 'ms' ? 'ms' : column.format === 'mb' ? 'MB' : undefined);
  return unit === undefined || unit === '' ? column.header : `${column.header} (${unit})`;
}

function checkColumns(table: Table): void {
  const seen = new Set<string>();
  table.columns.forEach((c, i) => {
    if (seen.has(c.key)) {
      throw new RangeError(
        `table${table.title !== undefined ? ` "${table.title}"` : ''}: columns[${i}] repeats key "${c.key}"; column keys must be unique`,
      );
    }
    seen.add(c.key);
  });
}

/** Numbers align right, text left: 'text' columns, and unformatted columns holding any string. */
function isLeftAligned(table: Table, column: Column): boolean {
  if (column.format === 'text') return true;
  if (column.format !== undefined) return false;
  return table.rows.some((r) => typeof r[column.key] === 'string');
}

interface Grid {
  headers: string[];
  cells: string[][];
  left: boolean[];
  widths: number[];
}

function grid(table: Table, escape: (s: string) => string): Grid {
  checkColumns(table);
  const cols = table.columns;
  const headers = cols.map((c) => escape(columnTitle(c)));
  const cells = table.rows.map((r) => cols.map((c) => escape(formatCell(r[c.key], c))));
  const left = cols.map((c) => isLeftAligned(table, c));
  const widths = headers.map((h, j) => cells.reduce((w, row) => Math.max(w, row[j].length), h.length));
  return { headers, cells, left, widths };
}

function pad(s: string, width: number, left: boolean): string {
  return left ? s.padEnd(width) : s.padStart(width);
}

function escapeMarkdown(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, '<br>');
}

function flattenLines(s: string): string {
  return s.replace(/\r\n|\r|\n/g, ' ');
}

/**
 * GitHub-flavoured Markdown: an optional "## title" heading, then a pipe table
 * padded to aligned columns, with ":--"/"--:" marking text and number columns.
 * "|" in cells is escaped and line breaks become <br>.
 */
export function toMarkdown(table: Table): string {
  const g = grid(table, escapeMarkdown);
  const widths = g.widths.map((w) => Math.max(w, 2)); // so each rule cell has >= 3 dashes
  const line = (row: string[]): string =>
    `| ${row.map((s, j) => pad(s, widths[j], g.left[j])).join(' | ')} |`;
  const dashes = (j: number): string => '-'.repeat(widths[j] + 1);
  const rule = `|${widths.map((_, j) => (g.left[j] ? `:${dashes(j)}` : `${dashes(j)}:`)).join('|')}|`;
  const out: string[] = [];
  if (table.title !== undefined) out.push(`## ${flattenLines(table.title)}`, '');
  if (g.headers.length > 0) out.push(line(g.headers), rule, ...g.cells.map(line));
  return out.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface CsvOptions {
  /** Line ending; RFC 4180 says CRLF, the default "\n" suits golden files and Unix tools. */
  eol?: '\n' | '\r\n';
}

/**
 * CSV (RFC 4180 quoting: a field holding a comma, double quote, CR or LF is
 * quoted, quotes doubled): one header line of "header (unit)", then one line
 * per row with cells formatted as in the other renderings, null as an empty
 * field. No title line (CSV has no place for one); ends with the line ending.
 */
export function toCsv(table: Table, options: CsvOptions = {}): string {
  checkColumns(table);
  const eol = options.eol ?? '\n';
  const cols = table.columns;
  const lines = [cols.map((c) => csvField(columnTitle(c))).join(',')];
  for (const r of table.rows) {
    lines.push(cols.map((c) => {
      const v = r[c.key];
      return v === null || v === undefined ? '' : csvField(formatCell(v, c));
    }).join(','));
  }
  return lines.join(eol) + eol;
}

/**
 * JSON of the raw (unformatted) table, keys in a fixed order: title (if any),
 * columns (key, header, unit, format as present), rows (one key per column, in
 * column order; missing keys as null, other keys dropped). Indented by 2.
 * JSON has no NaN or Infinity: those become null. (JavaScript puts integer-
 * like keys such as "1" first in any object; avoid them as column keys.)
 */
export function toJson(table: Table): string {
  checkColumns(table);
  const columns = table.columns.map((c) => ({
    key: c.key,
    header: c.header,
    ...(c.unit !== undefined ? { unit: c.unit } : {}),
    ...(c.format !== undefined ? { format: c.format } : {}),
  }));
  // fromEntries defines own properties, so even a key "__proto__" survives.
  const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c) => [c.key, r[c.key] ?? null])));
  const doc = table.title !== undefined ? { title: table.title, columns, rows } : { columns, rows };
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * Plain text for a terminal: an optional title line, the headers, a rule of
 * dashes, then the rows; columns padded to a common width and separated by two
 * spaces, numbers right-aligned, text left-aligned, no trailing spaces.
 */
export function toText(table: Table): string {
  const g = grid(table, flattenLines);
  const line = (row: string[]): string =>
    row.map((s, j) => pad(s, g.widths[j], g.left[j])).join('  ').trimEnd();
  const out: string[] = [];
  if (table.title !== undefined) out.push(flattenLines(table.title));
  if (g.headers.length > 0) {
    out.push(line(g.headers), g.widths.map((w) => '-'.repeat(w)).join('  '), ...g.cells.map(line));
  }
  return out.join('\n') + '\n';
}
