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
  writeFileSync(resolve(resultsDir, `${name}.txt`), [
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
  { match: /^netsim_sweep_j2\/netsim_sweep_j1 wall=/, goal: 'sweep: 2 workers >= 1.8x one', min: 1.8 },
];

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
    '| goal | ratio | measured | met |',
    '|---|---|---:|:---:|',
  ];
  for (const r of recs) {
    for (const l of r.lines) {
      const m = /^ratio (\S+) (\S+)=([\d.]+)x/.exec(l);
      if (!m) continue;
      const g = GOALS.find((x) => x.match.test(`${m[1]} ${m[2]}=`));
      if (g) out.push(`| ${g.goal} | ${m[1]} ${m[2]} | ${m[3]}x | ${Number(m[3]) >= g.min ? 'yes' : 'no'} |`);
    }
  }
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
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', resolve(benchDir, 'run.ts'), s, '--anchors'], {
        stdio: 'inherit', cwd: resolve(benchDir, '..'),
      });
      if (r.status !== 0) throw new Error(`report: suite ${s} failed (exit ${r.status}); its old record in bench/results is kept`);
    }
  }
  const readme = renderReadme();
  writeFileSync(resolve(benchDir, 'README.md'), readme);
  console.log(`# report: wrote bench/README.md from ${readRecords().length} result files`);
}
