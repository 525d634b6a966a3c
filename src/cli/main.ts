/**
 * netsim command line. For now one command, `compare`: run the bundled
 * comparison scenario (or flags that change it) under every design and print
 * the table. The scenario format and the other commands come later; this
 * entry stays thin so that it becomes `netsim compare` then.
 */
import { COMPARISON_SCENARIO } from '../cluster/comparison-scenario';
import { DESIGNS, type Design, type FirstLanKind } from '../cluster/cluster';
import { compareDesigns, comparisonTable } from '../metrics/design-comparison';
import { toCsv, toJson, toMarkdown, toText } from '../metrics/report';

const USAGE = `usage: netsim compare [--servers=N] [--clients=N] [--requests=N] [--first-lan=hub|l2-switch|l3-switch]
                      [--designs=a,b,...] [--seed=N] [--format=text|markdown|csv|json]
designs: ${DESIGNS.join(', ')}`;

function fail(msg: string): never {
  process.stderr.write(`netsim: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function intFlag(flags: Map<string, string>, key: string, dflt: number, min = 1): number {
  const v = flags.get(key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`--${key}=${v} is not valid: expected an integer >= ${min}`);
  return n;
}

function main(argv: string[]): void {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cmd !== 'compare') fail(`unknown command "${cmd}"; valid commands: compare`);
  const flags = new Map<string, string>();
  for (const a of rest) {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m) fail(`argument "${a}" is not valid: expected --name=value`);
    flags.set(m[1], m[2]);
  }
  const known = new Set(['servers', 'clients', 'requests', 'first-lan', 'designs', 'seed', 'format']);
  for (const k of flags.keys()) if (!known.has(k)) fail(`unknown flag --${k}; valid flags: ${[...known].map((x) => `--${x}`).join(', ')}`);
  const firstLan = (flags.get('first-lan') ?? COMPARISON_SCENARIO.firstLan) as FirstLanKind;
  if (!['hub', 'l2-switch', 'l3-switch'].includes(firstLan)) fail(`--first-lan=${firstLan} is not valid: expected hub, l2-switch or l3-switch`);
  const designs = (flags.get('designs')?.split(',') ?? [...DESIGNS]) as Design[];
  for (const d of designs) if (!DESIGNS.includes(d)) fail(`design "${d}" is not valid: expected one of ${DESIGNS.join(', ')}`);
  const format = flags.get('format') ?? 'text';
  if (!['text', 'markdown', 'csv', 'json'].includes(format)) fail(`--format=${format} is not valid: expected text, markdown, csv or json`);
  const base = {
    ...COMPARISON_SCENARIO,
    firstLan,
    servers: intFlag(flags, 'servers', COMPARISON_SCENARIO.servers!),
    clients: intFlag(flags, 'clients', COMPARISON_SCENARIO.clients!),
    seed: intFlag(flags, 'seed', 1, 0),
    workload: { ...COMPARISON_SCENARIO.workload!, requestsPerClient: intFlag(flags, 'requests', COMPARISON_SCENARIO.workload!.requestsPerClient) },
  };
  const t0 = performance.now();
  const results = compareDesigns(base, designs);
  const table = comparisonTable(results, `netsim design comparison: ${base.servers} servers, ${base.clients} clients, ${base.workload.requestsPerClient} requests each, first LAN ${firstLan}, seed ${base.seed}`);
  const out = format === 'markdown' ? toMarkdown(table) : format === 'csv' ? toCsv(table) : format === 'json' ? toJson(table) : toText(table);
  process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  if (format === 'text') {
    const events = results.reduce((a, r) => a + r.events, 0);
    process.stdout.write(`(${results.length} designs, ${events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s wall)\n`);
  }
  if (results.some((r) => !r.conserved)) {
    process.stderr.write('netsim: packet conservation broken in at least one design\n');
    process.exit(1);
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  // Model errors (bad parameters) are RangeErrors with a message that says what is valid.
  process.stderr.write(`netsim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof RangeError ? 2 : 1);
}
