/**
 * Benchmark records and the table in bench/README.md.
 *
 * Every suite run through bench/run.ts leaves its latest lines in
 * bench/results/<suite>.txt, under a header with the command, the date and
 * the machine (lscpu model, cores, Node version). A suite may hand over a
 * summary (setSummary: medians, ratios, tables); otherwise everything it
 * printed is kept. `npm run bench -- report` runs the suites it can, each in
 * a fresh process with its anchors (engine, queues, cluster by default;
 * --suites=a,b to choose, --render-only to skip running), then renders
 * bench/README.md from all the result files, whoever wrote them: a goals
 * table from the ratio lines, then one section per suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchLine, type BenchLine } from './anchors';
import { floorSection } from './floors';

const benchDir = dirname(fileURLToPath(import.meta.url));
export const resultsDir = resolve(benchDir, 'results');

let summary: string[] | null = null;

/** Lines a suite wants kept as its record instead of everything it printed. */
export function setSummary(lines: string[]): void {
  summary = [...lines];
}

export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }));
    if (m) model = m[1].trim();
  } catch { /* no lscpu: keep os.cpus() */ }
  return `${model}, ${cpus().length} cores, node ${process.version}`;
}

/** Run a suite, echoing its output, and keep its lines in bench/results/<name>.txt. */
export async function recordSuite(name: string, argv: string[], run: () => void | Promise<void>): Promise<void> {
  summary = null;
  const printed: string[] = [];
  let partial = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const parts = (partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())).split('\n');
    partial = parts.pop()!;
    printed.push(...parts);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  if (partial) printed.push(partial);
  const lines = (summary ?? printed).filter((l) => l.trim() !== '' || summary !== null);
  mkdirSync(resultsDir, { recursive: true });
  const file = resolve(resultsDir, `${name}.txt`);
  // A quick run without anchors must not replace a record that holds ratios against them.
  const hasRatio = (ls: string[]): boolean => ls.some((l) => l.startsWith('ratio '));
  if (!hasRatio(lines) && existsSync(file) && hasRatio(readFileSync(file, 'utf8').split('\n'))) {
    process.stderr.write(`# bench: kept ${file}: it holds ratios against anchors and this run has none (run with --anchors to replace it)\n`);
    return;
  }
  writeFileSync(file, [
    `# suite=${name}`,
    `# command=npm run bench -- ${[name, ...argv].join(' ')}`,
    `# date=${new Date().toISOString()}`,
    `# machine=${machine()}`,
    ...lines, '',
  ].join('\n'));
}

interface Record { suite: string; command: string; date: string; machine: string; lines: string[] }

function readRecords(): Record[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir).filter((f) => f.endsWith('.txt')).sort().map((f) => {
    const all = readFileSync(resolve(resultsDir, f), 'utf8').split('\n');
    const meta = (k: string): string => all.find((l) => l.startsWith(`# ${k}=`))?.slice(k.length + 3) ?? '?';
    return {
      suite: meta('suite'), command: meta('command'), date: meta('date'), machine: meta('machine'),
      lines: all.filter((l) => !/^# (suite|command|date|machine)=/.test(l)),
    };
  });
}

/** The goals of DESIGN.md "Performance" that a ratio line can show, by the ratio's name. */
const GOALS: { match: RegExp; goal: string; min: number }[] = [
  { match: /^netsim_hold_p10000\/ns3_sched_hold_best_p10000 /, goal: 'hold 10 k: >= 1.5x ns-3 best', min: 1.5 },
  { match: /^netsim_hold_p1000\/ns3_sched_hold_best_p1000 /, goal: 'hold 1 k: >= 1.0x ns-3 best', min: 1.0 },
  { match: /^netsim_hold_p100000\/ns3_sched_hold_best_p100000 /, goal: 'hold 100 k: >= 1.0x ns-3 best', min: 1.0 },
  { match: /^netsim_cluster_(hub|switch)\/ns3_cluster_\1 hops_per_sec=/, goal: 'UDP cluster: >= 30x ns-3 hops/s', min: 30 },
  { match: /^netsim_tcp_(hub|switch)\/ns3_tcp_\1 hops_per_sec=/, goal: 'TCP cluster: >= 20x ns-3 hops/s', min: 20 },
  { match: /^netsim_sweep_j2\/netsim_sweep_j1 wall=/, goal: 'sweep: 2 threads >= 1.8x one', min: 1.8 },
  { match: /^netsim_sweep_queue2\/netsim_sweep_queue1 wall=/, goal: 'queue sweep: 2 workers >= 1.8x one', min: 1.8 },
];

/** Goals on a line's own numbers rather than a ratio: a value of the line, and the bound it must keep. */
const LINE_GOALS: { match: RegExp; goal: string; /** An extra key, or wall_s for the line's wall time. */ key: string; bound: (v: number) => boolean; show: (v: number) => string }[] = [
  { match: /^netsim_tcp_(hub|switch)$/, goal: 'TCP: >= 1.5 M hops/s', key: 'hops_per_sec', bound: (v) => v >= 1.5e6, show: (v) => `${(v / 1e6).toFixed(2)} M hops/s` },
  { match: /^netsim_start_median$/, goal: '`npm start` (six designs): < 5 s', key: 'wall_s', bound: (v) => v < 5, show: (v) => `${v.toFixed(1)} s` },
];

/** The scale goal: nic-forward with 1,000 servers, 100 k clients and 10 M requests, < 2 GiB peak RSS and < 10 minutes. */
function scaleGoalRows(lines: string[]): string[] {
  const points = lines.map(parseBenchLine).filter((l): l is BenchLine => l !== null && l.name === 'netsim_scale_nic-forward_requests');
  const goal = 'nic-forward, 1,000 servers, 10 M requests: < 10 min, < 2 GiB';
  const full = points.find((l) => Number(l.extra.requests) >= 10_000_000);
  if (full !== undefined) {
    const ok = full.wallS < 600 && Number(full.extra.maxrss_mb) < 2048;
    return [`| ${goal} | ${full.name} | ${(full.wallS / 60).toFixed(1)} min, ${full.extra.maxrss_mb} MB | ${ok ? 'yes' : 'no'} |`];
  }
  if (points.length === 0) return [];
  const top = points.reduce((a, b) => (Number(b.extra.requests) > Number(a.extra.requests) ? b : a));
  return [`| ${goal} | ${top.name} | not run at 10 M; largest point ${Number(top.extra.requests).toLocaleString('en')} requests: ${top.wallS.toFixed(0)} s, ${top.extra.maxrss_mb} MB | no |`];
}

export function renderReadme(): string {
  const recs = readRecords();
  const out = [
    '# netsim benchmarks',
    '',
    'Rendered by `npm run bench -- report` from `bench/results/*.txt`: every suite run by',
    '`npm run bench -- <suite>` leaves its latest lines there. Each speed goal is a ratio',
    'against an anchor (ns-3, SimPy) run in the same command on the same machine; the',
    'absolute rates depend on the machine and on what else ran on it at the time.',
    '',
    `Rendered ${new Date().toISOString()} on ${machine()}.`,
    '',
    '| suite | date | machine | command |',
    '|---|---|---|---|',
    ...recs.map((r) => `| ${r.suite} | ${r.date} | ${r.machine} | \`${r.command}\` |`),
    '',
    '## Goals',
    '',
    '| goal | measured by | value | met |',
    '|---|---|---:|:---:|',
  ];
  for (const r of recs) {
    for (const l of r.lines) {
      const m = /^ratio (\S+) (\S+)=([\d.]+)x/.exec(l);
      if (!m) continue;
      const g = GOALS.find((x) => x.match.test(`${m[1]} ${m[2]}=`));
      if (g) out.push(`| ${g.goal} | ${m[1]} ${m[2]} | ${m[3]}x | ${Number(m[3]) >= g.min ? 'yes' : 'no'} |`);
    }
    for (const l of r.lines.map(parseBenchLine)) {
      if (l === null) continue;
      const g = LINE_GOALS.find((x) => x.match.test(l.name));
      if (g === undefined) continue;
      const v = g.key === 'wall_s' ? l.wallS : Number(l.extra[g.key]);
      out.push(`| ${g.goal} | ${l.name} ${g.key} | ${g.show(v)} | ${g.bound(v) ? 'yes' : 'no'} |`);
    }
    if (r.suite === 'scale') out.push(...scaleGoalRows(r.lines));
  }
  const bySuite = new Map(recs.map((r) => [r.suite, { machine: r.machine, lines: r.lines.map(parseBenchLine).filter((l): l is BenchLine => l !== null) }]));
  const bounds = floorSection(bySuite);
  if (bounds.length > 0) out.push('', ...bounds);
  const changes = resolve(benchDir, 'changes.md');
  if (existsSync(changes)) out.push('', ...readFileSync(changes, 'utf8').trimEnd().split('\n'));
  for (const r of recs) {
    out.push('', `## ${r.suite}`, '', `\`${r.command}\`, ${r.date}, ${r.machine}`, '');
    const tables = r.lines.filter((l) => l.startsWith('|') || l === '' || /^M events\/s/.test(l));
    const rest = r.lines.filter((l) => !(l.startsWith('|') || l === '' || /^M events\/s/.test(l)));
    if (tables.some((l) => l.startsWith('|'))) out.push(...tables.join('\n').trim().split('\n'), '');
    if (rest.length > 0) out.push('```text', ...rest, '```');
  }
  return `${out.join('\n')}\n`;
}

const DEFAULT_SUITES = ['engine', 'queues', 'cluster'];

export async function reportSuite(flags: Map<string, string>): Promise<void> {
  if (!flags.has('render-only')) {
    const suites = (flags.get('suites') ?? DEFAULT_SUITES.join(',')).split(',');
    for (const s of suites) {
      console.log(`# report: npm run bench -- ${s} --anchors`);
      // Through bench/main.js, as `npm run bench` runs: the bundle, not tsx's loader.
      const r = spawnSync(process.execPath, ['--expose-gc', resolve(benchDir, 'main.js'), s, '--anchors'], {
        stdio: 'inherit', cwd: resolve(benchDir, '..'),
      });
      if (r.status !== 0) throw new Error(`report: suite ${s} failed (exit ${r.status}); its old record in bench/results is kept`);
    }
  }
  const readme = renderReadme();
  writeFileSync(resolve(benchDir, 'README.md'), readme);
  console.log(`# report: wrote bench/README.md from ${readRecords().length} result files`);
}
