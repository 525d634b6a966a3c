/**
 * The sweep benchmark: the same grid through `netsim sweep` with one worker
 * thread and with two, timed whole (process start to the last row), and the
 * rows of both compared (they must be the same). The goal: -j 2 at least
 * 1.8x faster than -j 1 on this 2-core machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBenchLine, parseBenchLine, type BenchLine } from './anchors';

export interface SweepBenchOptions { scenario: string; points: number; sets: string[] }

export function benchSweep(o: SweepBenchOptions): BenchLine[] {
  const dir = mkdtempSync(join(tmpdir(), 'netsim-bench-sweep-'));
  const lines: BenchLine[] = [];
  const rows: string[] = [];
  try {
    for (const j of [1, 2]) {
      const out = join(dir, `j${j}.csv`);
      const args = ['bin/netsim.js', 'sweep', o.scenario, '--param', `seed=1..${o.points}`, ...o.sets.flatMap((s) => ['--set', s]), '-j', String(j), '--out', out, '--quiet'];
      const t0 = performance.now();
      execFileSync('node', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      const wall = (performance.now() - t0) / 1000;
      rows.push(readFileSync(out, 'utf8'));
      lines.push(parseBenchLine(formatBenchLine(`netsim_sweep_j${j}`, o.points / wall, wall, {
        scenario: o.scenario, points: o.points, jobs: j, points_per_sec: (o.points / wall).toFixed(3), set: o.sets.join(';') || 'none',
      }))!);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (rows[0] !== rows[1]) throw new Error('sweep rows differ between -j 1 and -j 2');
  return lines;
}
