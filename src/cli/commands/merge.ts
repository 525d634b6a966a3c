/**
 * `netsim merge <out> <part>...`: the row files of a sweep's shards
 * (netsim sweep --shard k/n) joined into exactly the file one sweep would
 * have written, sorted by point and run. Refuses parts of different
 * sweeps, a point whose rows differ between parts, and a missing row.
 */
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { csvLine, readRowFile, renderRows, rowFormat } from '../sweep-rows';
import { rowKey } from '../sweep-plan';
import type { SweepRow } from '../sweep-task';

interface Part { file: string; rows: SweepRow[]; params: string[] | null }

/** How the sweep of row `b` differs from that of row `a`, in words. */
function sweepDifference(a: SweepRow, pa: readonly string[], b: SweepRow, pb: readonly string[]): string {
  if (a.scenario !== b.scenario) return `scenario ${a.scenario} vs ${b.scenario}`;
  if (a.set.join(' ; ') !== b.set.join(' ; ')) return `--set ${a.set.join(' ') || '(none)'} vs ${b.set.join(' ') || '(none)'}`;
  if (pa.join(',') !== pb.join(',')) return `swept ${pa.join(', ')} vs ${pb.join(', ')}`;
  if (a.sweepRows !== b.sweepRows) return `${a.sweepRows} vs ${b.sweepRows} rows in the whole sweep`;
  return 'the same scenario and swept fields, but other values, runs or scenario contents';
}

/** Every row of the sweep the parts belong to, sorted; a UsageError says what does not fit. */
export function mergeParts(parts: readonly Part[]): { rows: SweepRow[]; params: string[] } {
  const first = parts.find((p) => p.rows.length > 0);
  if (first === undefined) throw new UsageError(`no rows in ${parts.map((p) => p.file).join(', ')}: nothing to merge (did the shards run?)`);
  const ref = first.rows[0], params = first.params ?? Object.keys(ref.params);
  if (ref.sweep === '') throw new UsageError(`${first.file}: its rows have no sweep column (written by an older netsim); run the shards again with this one`);
  const byKey = new Map<string, { row: SweepRow; file: string }>();
  for (const p of parts) {
    if (p.params !== null && p.params.join('\n') !== params.join('\n')) {
      throw new UsageError(`${p.file} is from another sweep than ${first.file}: swept ${p.params.join(', ') || '(nothing)'} vs ${params.join(', ')}`);
    }
    for (const [i, r] of p.rows.entries()) {
      if (r.sweep !== ref.sweep || r.sweepRows !== ref.sweepRows) {
        throw new UsageError(`${p.file} row ${i + 1} is from another sweep (${r.sweep || 'none'}) than ${first.file} (${ref.sweep}): ${sweepDifference(ref, params, r, p.params ?? Object.keys(r.params))}`);
      }
      const k = rowKey(r), seen = byKey.get(k);
      if (seen === undefined) byKey.set(k, { row: r, file: p.file });
      else if (csvLine(seen.row, params) !== csvLine(r, params)) {
        throw new UsageError(`point ${r.point} run ${r.run} has different rows in ${seen.file} and ${p.file} (netsim ${seen.row.netsim} vs ${r.netsim}); a row must come from one run of one sweep`);
      }
    }
  }
  const rows = [...byKey.values()].map((v) => v.row).sort((a, b) => a.point - b.point || a.run - b.run);
  if (rows.length !== ref.sweepRows) {
    const runs = Math.max(...rows.map((r) => r.run));
    const points = ref.sweepRows / runs;
    const missing: string[] = [];
    for (let p = 0; p < points && missing.length < 10; p++) for (let r = 1; r <= runs && missing.length < 10; r++) if (!byKey.has(`${p}/${r}`)) missing.push(`point ${p} run ${r}`);
    throw new UsageError(`the parts hold ${rows.length} of the sweep's ${ref.sweepRows} rows; missing ${missing.length > 0 ? `${missing.join(', ')}${ref.sweepRows - rows.length > missing.length ? ', ...' : ''}` : 'rows'} (is a shard missing, or did one not finish? run it again with the same --out: it resumes)`);
  }
  return { rows, params };
}

export function register(program: Command): void {
  program.command('merge')
    .argument('<out>', 'the merged rows (.csv or .json)')
    .argument('<parts...>', 'the shards\' row files (netsim sweep --shard k/n --out ...)')
    .description('join the row files of a sharded sweep into the file one sweep writes')
    .addHelpText('after', `
The result is byte for byte the file netsim sweep writes for the whole
grid. Parts of different sweeps (scenario, --set, swept fields, values or
runs), a point whose rows differ, or a missing row are refused.

Examples:
  netsim merge sweep.csv part-1.csv part-2.csv part-3.csv
  netsim merge sweep.json parts/part-*.csv`)
    .action((out: string, files: string[]) => {
      const missing = files.filter((f) => !existsSync(f));
      if (missing.length > 0) throw new UsageError(`no such part file: ${missing.join(', ')}`);
      const parts = files.map((file) => {
        try {
          return { file, ...readRowFile(file) };
        } catch (e) {
          throw new UsageError(`${file}: not a sweep row file (${(e as Error).message})`);
        }
      });
      const { rows, params } = mergeParts(parts);
      writeFileSync(out, renderRows(rows, params, rowFormat(out)));
      process.stderr.write(`wrote ${rows.length} rows from ${files.length} parts to ${out}\n`);
    });
}
