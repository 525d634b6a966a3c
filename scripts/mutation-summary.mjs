// Summarise StrykerJS JSON reports (default reports/mutation/mutation.json) as the tables of
// docs/MUTATION.md, and list the mutants that survived or had no coverage:
// `node scripts/mutation-summary.mjs [report.json ...]`. Several reports are merged mutant by
// mutant (same file, place, mutator and replacement): a later report's result wins, so a run
// over a few lines (`--mutate file:line-line`) can update a full run.
import { readFileSync } from 'node:fs';

// The survivors judged equivalent or unobservable, with the reason: "file:line:column mutator" -> reason.
const REASONS = JSON.parse(readFileSync(new URL('./mutation-equivalents.json', import.meta.url), 'utf8'));
const paths = process.argv.slice(2);
if (paths.length === 0) paths.push('reports/mutation/mutation.json');
const files = {};
const keyOf = (m) => `${m.location.start.line}:${m.location.start.column}:${m.location.end.line}:${m.location.end.column}:${m.mutatorName}:${m.replacement}`;
for (const p of paths) {
  for (const [name, f] of Object.entries(JSON.parse(readFileSync(p, 'utf8')).files)) {
    const into = (files[name] ??= { source: f.source, byKey: new Map() });
    for (const m of f.mutants) into.byKey.set(keyOf(m), m);
  }
}
for (const f of Object.values(files)) f.mutants = [...f.byKey.values()].sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);

const KINDS = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];
const pct = (n, d) => (d === 0 ? 'n/a' : `${(100 * n / d).toFixed(1)}%`);
const total = Object.fromEntries(KINDS.map((k) => [k, 0]));
const rows = [];
const left = [];
for (const name of Object.keys(files).sort()) {
  const c = Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const m of files[name].mutants) {
    c[m.status]++;
    total[m.status]++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      const lines = files[name].source.split('\n');
      const { start, end } = m.location;
      const orig = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)} …`;
      const one = (t) => t.replace(/\s+/g, ' ').slice(0, 70);
      const where = `${name.replace(/^.*src\/cluster\//, '')}:${start.line}:${start.column} ${m.mutatorName}`;
      const tick = (t) => `\`${t.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
      const why = REASONS[`${where} ${one(orig)} -> ${one(m.replacement ?? '')}`] ?? REASONS[`${where} ${one(m.replacement ?? '')}`] ?? REASONS[where] ?? '**not yet judged**';
      left.push(`| ${where}${m.status === 'NoCoverage' ? ' (no coverage)' : ''} | ${tick(one(orig))} → ${tick(one(m.replacement ?? ''))} | ${why} |`);
    }
  }
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  rows.push(`| ${name.replace(/^.*src\//, 'src/')} | ${pct(detected, valid)} | ${valid} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.Ignored} |`);
}
const detected = total.Killed + total.Timeout;
const valid = detected + total.Survived + total.NoCoverage;
console.log('| file | score | mutants | killed | timeout | survived | no coverage | ignored |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`| **all** | **${pct(detected, valid)}** | ${valid} | ${total.Killed} | ${total.Timeout} | ${total.Survived} | ${total.NoCoverage} | ${total.Ignored} |`);
if (total.CompileError + total.RuntimeError > 0) console.log(`\n(${total.CompileError} compile errors, ${total.RuntimeError} runtime errors: not counted)`);
console.log(`\nLeft alive (${left.length}):\n`);
console.log('| where | mutant | why it is left |');
console.log('|---|---|---|');
for (const l of left) console.log(l);
