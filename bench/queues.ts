/**
 * `npm run bench -- queues`: every pending-event structure against the heap,
 * on the hold model at pending sizes 10 .. 1 M under three increment
 * distributions, and on the chain. Each (repetition, structure) runs in a
 * fresh process (bench/queue-worker.ts) so V8 sees one queue class per run;
 * repetitions are interleaved across structures so a burst of load from
 * elsewhere on the machine hits all of them; medians are reported.
 *
 * Flags: --structures=heap,calendar,two-level,ladder --sizes=10,...,1000000
 * --dists=exp,uniform,bimodal --reps=3 --n=1000000 --chainN=2000000
 * --tune=key:value,... (ladder tuning for two-level and ladder)
 * --traces=tcp-hub,udp-hub,comparison (runs recorded here once and replayed
 * by every structure, queue-trace.ts; --traces= for none).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_QUEUE_TUNING } from '../src/engine/event-queue';
import { recordTrace, TRACE_WORKLOADS, writeTrace } from './queue-trace';
import { DISTRIBUTION_NOTES, type CellResult } from './queue-worker';
import { setSummary } from './report';

const here = dirname(fileURLToPath(import.meta.url));

function runWorker(structure: string, args: string[]): CellResult[] {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', resolve(here, 'queue-worker.ts'), `--structure=${structure}`, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 24, cwd: resolve(here, '..'),
  });
  if (r.status !== 0) throw new Error(`queues bench: worker ${structure} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as CellResult);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const sizeLabel = (p: number): string => (p >= 1e6 ? `${p / 1e6}M` : p >= 1e3 ? `${p / 1e3}k` : String(p));
const mps = (x: number): string => (x / 1e6).toFixed(2);

export async function queuesSuite(flags: Map<string, string>): Promise<void> {
  const structures = (flags.get('structures') ?? 'heap,calendar,two-level,ladder').split(',');
  const reps = Number(flags.get('reps') ?? 3);
  const pass = ['sizes', 'dists', 'n', 'chainN', 'meanNs', 'seed', 'tune'].filter((k) => flags.has(k)).map((k) => `--${k}=${flags.get(k)}`);
  const tuning = { ...EVENT_QUEUE_TUNING, ...Object.fromEntries((flags.get('tune') ?? '').split(',').filter(Boolean).map((kv) => kv.split(':'))) };
  const header = [
    `# queues bench node=${process.version} reps=${reps} n=${flags.get('n') ?? 1_000_000} mean_ns=${flags.get('meanNs') ?? 100_000}`,
    `# ladder tuning ${Object.entries(tuning).map(([k, v]) => `${k}=${v}`).join(' ')}; two-level = the same with maxRungs=1; ladder = EventQueue`,
    `# increments: ${Object.entries(DISTRIBUTION_NOTES).map(([k, v]) => `${k} ${v}`).join('; ')}; hold ops = pop + push, events_per_sec = ops/s`,
  ];
  const traces = (flags.get('traces') ?? Object.keys(TRACE_WORKLOADS).join(',')).split(',').filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), 'netsim-traces-'));
  try {
    const files: string[] = [];
    for (const name of traces) {
      const t = recordTrace(name);
      writeTrace(join(dir, `${name}.bin`), t);
      files.push(`${name}=${join(dir, `${name}.bin`)}`);
      header.push(`# trace ${name}: ${TRACE_WORKLOADS[name].note}; ${t.starts.length} events, ${t.ops.filter((v) => v >= 0).length} pushes, ${t.ops.filter((v) => v < 0).length} cancels`);
    }
    if (files.length > 0) pass.push(`--traces=${files.join(',')}`);
    await runAll(structures, reps, pass, header);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAll(structures: string[], reps: number, pass: string[], header: string[]): Promise<void> {
  for (const h of header) console.log(h);
  const cells = new Map<string, CellResult[]>();
  for (let rep = 0; rep < reps; rep++) {
    for (const s of structures) {
      for (const c of runWorker(s, pass)) {
        const key = `${c.structure}|${c.shape}|${c.dist}|${c.p}`;
        cells.set(key, [...(cells.get(key) ?? []), c]);
      }
      console.log(`# rep ${rep + 1}/${reps} ${s} done`);
    }
  }
  const lines: string[] = [...header];
  const med = new Map<string, number>();
  for (const [key, runs] of cells) {
    const [structure, shape, dist, p] = key.split('|');
    const rates = runs.map((r) => r.eventsPerSec);
    const m = median(rates);
    med.set(key, m);
    const name = shape === 'chain' ? `queues_${structure}_chain` : shape === 'trace' ? `queues_${structure}_trace_${dist}` : `queues_${structure}_${dist}_p${p}`;
    const gcs = Math.max(...runs.map((r) => r.gcs));
    lines.push(`${name} events_per_sec=${m.toFixed(0)} wall_s=${median(runs.map((r) => r.wallS)).toFixed(4)} extra=ops=${runs[0].ops},runs=${runs.length},min=${Math.min(...rates).toFixed(0)},max=${Math.max(...rates).toFixed(0)},gcs_max=${gcs}`);
  }
  lines.push(...table(structures, cells, med), ...traceTable(structures, cells, med));
  setSummary(lines);
  for (const l of lines.slice(header.length)) console.log(l);
}

/** Markdown tables: M events/s per structure x distribution x size (best in bold), then each / heap. */
function table(structures: string[], cells: Map<string, CellResult[]>, med: Map<string, number>): string[] {
  const keys = [...cells.keys()].map((k) => k.split('|'));
  const sizes = [...new Set(keys.filter((k) => k[1] === 'hold').map((k) => Number(k[3])))].sort((a, b) => a - b);
  const dists = [...new Set(keys.filter((k) => k[1] === 'hold').map((k) => k[2]))];
  const hasChain = keys.some((k) => k[1] === 'chain');
  const get = (s: string, d: string, p: number): number | undefined => med.get(`${s}|hold|${d}|${p}`);
  const chain = (s: string): number | undefined => med.get(`${s}|chain|-|1`);
  const out = ['', `| structure | increments | ${sizes.map(sizeLabel).join(' | ')}${hasChain ? ' | chain |' : ' |'}`,
    `|---|---|${sizes.map(() => '---:').join('|')}|${hasChain ? '---:|' : ''}`];
  for (const d of dists) {
    for (const s of structures) {
      const row = sizes.map((p) => {
        const v = get(s, d, p);
        if (v === undefined) return '-';
        const best = Math.max(...structures.map((x) => get(x, d, p) ?? 0));
        return v === best ? `**${mps(v)}**` : mps(v);
      });
      let ch = '';
      if (hasChain) {
        const v = chain(s);
        const best = Math.max(...structures.map((x) => chain(x) ?? 0));
        ch = v === undefined ? ' - |' : v === best ? ` **${mps(v)}** |` : ` ${mps(v)} |`;
      }
      out.push(`| ${s} | ${d} | ${row.join(' | ')} |${ch}`);
    }
  }
  out.push('', 'M events/s, median of the runs; best per column in bold.');
  if (structures.includes('heap')) {
    const others = structures.filter((s) => s !== 'heap');
    out.push('', `| / heap | increments | ${sizes.map(sizeLabel).join(' | ')}${hasChain ? ' | chain |' : ' |'}`,
      `|---|---|${sizes.map(() => '---:').join('|')}|${hasChain ? '---:|' : ''}`);
    for (const d of dists) {
      for (const s of others) {
        const row = sizes.map((p) => { const a = get(s, d, p), h = get('heap', d, p); return a && h ? `${(a / h).toFixed(2)}x` : '-'; });
        const a = chain(s), h = chain('heap');
        out.push(`| ${s} | ${d} | ${row.join(' | ')} |${hasChain ? ` ${a && h ? `${(a / h).toFixed(2)}x` : '-'} |` : ''}`);
      }
    }
  }
  return out;
}

/** Markdown table of the trace replays: M events/s per structure and trace, and each / heap. */
function traceTable(structures: string[], cells: Map<string, CellResult[]>, med: Map<string, number>): string[] {
  const names = [...new Set([...cells.keys()].map((k) => k.split('|')).filter((k) => k[1] === 'trace').map((k) => k[2]))];
  if (names.length === 0) return [];
  const get = (s: string, t: string): number | undefined => med.get(`${s}|trace|${t}|0`);
  const out = ['', `| structure | ${names.map((t) => `trace ${t}`).join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`];
  for (const s of structures) {
    out.push(`| ${s} | ${names.map((t) => {
      const v = get(s, t), h = get('heap', t);
      if (v === undefined) return '-';
      const best = Math.max(...structures.map((x) => get(x, t) ?? 0));
      const text = `${mps(v)}${h !== undefined && s !== 'heap' ? ` (${(v / h).toFixed(2)}x)` : ''}`;
      return v === best ? `**${text}**` : text;
    }).join(' | ')} |`);
  }
  out.push('', 'Recorded runs replayed on each structure: M events/s (the queue alone), median of the runs; in brackets, / heap.');
  return out;
}
