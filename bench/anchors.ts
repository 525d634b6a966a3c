/**
 * Runs the ns-3 and SimPy anchors (../shared/anchors/run.sh) in the same
 * process tree as netsim's own benchmark and parses their one-line results,
 * so that every speed goal is a ratio measured in one run on one machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchLine {
  name: string;
  eventsPerSec: number;
  wallS: number;
  extra: Record<string, string>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function anchorScript(): string {
  const p = process.env.NETSIM_ANCHORS ?? resolve(repoRoot, '../shared/anchors/run.sh');
  if (!existsSync(p)) {
    throw new Error(`anchor script not found at ${p}; set NETSIM_ANCHORS to the path of shared/anchors/run.sh`);
  }
  return p;
}

export function parseBenchLine(line: string): BenchLine | null {
  const m = /^(\S+) events_per_sec=(\S+) wall_s=(\S+)(?: extra=(\S*))?/.exec(line.trim());
  if (!m) return null;
  const extra: Record<string, string> = {};
  for (const kv of (m[4] ?? '').split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) extra[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return { name: m[1], eventsPerSec: Number(m[2]), wallS: Number(m[3]), extra };
}

/** Run one anchor (`sched`, `cluster`, `tcp` or `simpy`) and return its result lines. */
export function runAnchor(kind: 'sched' | 'cluster' | 'tcp' | 'simpy', args: string[]): BenchLine[] {
  const r = spawnSync('bash', [anchorScript(), kind, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    throw new Error(`anchor ${kind} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  }
  for (const line of r.stdout.split('\n')) if (line.trim()) process.stdout.write(`${line}\n`);
  return r.stdout.split('\n').map(parseBenchLine).filter((l): l is BenchLine => l !== null);
}

/** Print `ratio <ours>/<anchor> <metric>=x` for a pair, if both are present. */
export function printRatio(ours: BenchLine | undefined, anchor: BenchLine | undefined, metric = 'events_per_sec'): void {
  if (!ours || !anchor) return;
  const pick = (l: BenchLine) => (metric === 'events_per_sec' ? l.eventsPerSec : Number(l.extra[metric]));
  const r = pick(ours) / pick(anchor);
  console.log(`ratio ${ours.name}/${anchor.name} ${metric}=${r.toFixed(2)}x`);
}

/**
 * Run a benchmark twice more in this process after its cold run `cold` and
 * print the third run as `<name>_warm`, with the warm-up the cold run paid:
 * the third run is on code V8 has already compiled, the steady state. The
 * goals stay measured by the cold line (a user's single run); the warm one
 * says how much of a gap is warm-up. The runs must agree on `same` (keys of
 * the line's extra), or this throws.
 */
export function warmLine(cold: BenchLine, again: () => BenchLine, same: readonly string[]): BenchLine {
  again();
  const third = again();
  for (const k of same) {
    if (third.extra[k] !== cold.extra[k]) throw new Error(`bench ${cold.name}: a later run in one process differs from the first (${k} ${cold.extra[k]} then ${third.extra[k]})`);
  }
  const warm: BenchLine = { ...third, name: `${third.name}_warm` };
  console.log(benchLineText(warm));
  console.log(`# warm-up: the cold run took ${cold.wallS.toFixed(3)} s, the same run on compiled code ${warm.wallS.toFixed(3)} s (${(cold.wallS / warm.wallS).toFixed(2)}x)`);
  return warm;
}

export function formatBenchLine(name: string, eventsPerSec: number, wallS: number, extra: Record<string, string | number>): string {
  const ex = Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(',');
  return `${name} events_per_sec=${eventsPerSec.toFixed(0)} wall_s=${wallS.toFixed(4)} extra=${ex}`;
}

/** A parsed line as text again (parseBenchLine's inverse). */
export function benchLineText(l: BenchLine): string {
  return formatBenchLine(l.name, l.eventsPerSec, l.wallS, l.extra);
}
