/**
 * Where a sweep's rows go as they arrive: appended to a CSV --out (so an
 * interrupted sweep keeps every finished row), or the whole JSON --out
 * rewritten; at the end the file (or stdout) gets every row sorted by point
 * and run. A row for a point and run the sink already holds is dropped: a
 * point that a queue ran twice (a worker died after computing it) still
 * appears once.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { csvLine, renderRows, rowFormat } from './sweep-rows';
import { rowKey } from './sweep-plan';
import type { SweepRow } from './sweep-task';

export class RowSink {
  private readonly rows = new Map<string, SweepRow>();
  readonly format: 'csv' | 'json';

  /** `kept`: rows of this sweep already in `out` (see resume() in sweep-plan.ts). */
  constructor(private readonly out: string | undefined, private readonly names: readonly string[], kept: readonly SweepRow[], stdoutFormat: 'csv' | 'json' = 'csv') {
    this.format = out !== undefined ? rowFormat(out) : stdoutFormat;
    for (const r of kept) this.rows.set(rowKey(r), r);
    // The file starts as the rows kept, in this sweep's columns; rows are appended from here.
    if (out !== undefined) writeFileSync(out, renderRows(this.sorted(), names, this.format));
  }

  has(r: Pick<SweepRow, 'point' | 'run'>): boolean {
    return this.rows.has(rowKey(r));
  }

  /** Records `row`; false when a row for its point and run was already there. */
  add(row: SweepRow): boolean {
    if (this.has(row)) return false;
    this.rows.set(rowKey(row), row);
    if (this.out !== undefined) {
      if (this.format === 'csv') appendFileSync(this.out, `${csvLine(row, this.names)}\n`);
      else writeFileSync(this.out, renderRows(this.sorted(), this.names, 'json'));
    }
    return true;
  }

  get size(): number {
    return this.rows.size;
  }

  sorted(): SweepRow[] {
    return [...this.rows.values()].sort((a, b) => a.point - b.point || a.run - b.run);
  }

  /** The whole file, sorted; or the rows on stdout when there is no --out. */
  finish(): void {
    const text = renderRows(this.sorted(), this.names, this.format);
    if (this.out !== undefined) {
      writeFileSync(this.out, text);
      process.stderr.write(`wrote ${this.rows.size} rows to ${this.out}\n`);
    } else process.stdout.write(text);
  }
}
