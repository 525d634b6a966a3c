/**
 * Reports of runs: the summary table (metrics down, designs or scenarios
 * across, so six designs fit a 100-column terminal), the paired differences
 * against the first design, `metrics.csv` in long format (scenario, design,
 * run, seed, metric, value), `report.json` and `report.md`.
 *
 * Invariant: a report depends only on the runs' metrics (no wall time, no
 * clock, no locale), so the same scenario and seed give byte-identical
 * reports from `run`, `compare` and `sweep`.
 */
import { METRICS, PLAIN_METRICS, STANDARD_METRICS, type MetricName } from '../metrics/catalog';
import { formatCell, toCsv, toMarkdown, toText, type Column, type Table } from '../metrics/report';
import { NETSIM_VERSION } from '../version';
import { pairedDifference, summarize, type Estimate } from './replications';
import type { RunResult } from './runner';

export interface ReportGroup {
  /** A design (compare) or the scenario (run). */
  label: string;
  runs: RunResult[];
}

export interface Report {
  scenario: string;
  description: string;
  hash: string;
  seed: number;
  groups: ReportGroup[];
  /** Metrics in the summary. */
  metrics: readonly MetricName[];
}

/** Column labels short enough for six designs across a terminal. */
export const SHORT_LABELS: Readonly<Record<string, string>> = {
  'nic-forward': 'nic-fwd', 'nic-forward-first-lan': 'nic-fwd-1st', 'lb-nat': 'lb-nat', 'lb-dsr': 'lb-dsr',
  'no-forward': 'no-fwd', 'daisy-chain': 'daisy', none: 'plain',
};

/** What a scenario's summary shows: its `measure`, or the standard set for a cluster or a plain network. */
export function metricsOf(s: { measure?: readonly MetricName[]; cluster: unknown }): readonly MetricName[] {
  if (s.measure !== undefined && s.measure.length > 0) return s.measure;
  return s.cluster !== null ? STANDARD_METRICS : PLAIN_METRICS;
}

function cell(m: MetricName, e: Estimate, signed = false): string {
  const def = METRICS[m];
  if (e.mean === null) return 'n/a';
  if (m === 'conserved') return e.mean === 1 ? 'yes' : 'NO';
  const col: Column = { key: m, header: def.title, format: def.format === 'text' ? 'float' : def.format };
  const sign = signed && e.mean > 0 ? '+' : '';
  const v = sign + formatCell(e.mean, col);
  if (e.halfWidth === null) return v;
  const hw = formatCell(e.halfWidth, def.format === 'pct' ? { ...col, format: 'float' } : col);
  return `${v}±${def.format === 'pct' ? `${(e.halfWidth * 100).toFixed(1)}` : hw}`;
}

function title(m: MetricName): string {
  const d = METRICS[m];
  const unit = d.unit ?? (d.format === 'ms' ? 'ms' : d.format === 'mb' ? 'MB' : undefined);
  return unit !== undefined ? `${d.title} (${unit})` : d.title;
}

function runsNote(groups: readonly ReportGroup[]): string {
  const n = groups[0]?.runs.length ?? 0;
  return n > 1 ? `, ${n} runs, mean ± 95% CI` : '';
}

/** Metrics down, groups across; cells are mean (± half-width with several runs). */
export function summaryTable(r: Report): Table {
  const labels = r.groups.map((g) => SHORT_LABELS[g.label] ?? g.label);
  const sums = r.groups.map((g) => summarize(g.runs));
  return {
    title: `${r.scenario} (seed ${r.seed}${runsNote(r.groups)})`,
    columns: [{ key: 'metric', header: 'metric', format: 'text' }, ...labels.map((l, i) => ({ key: `g${i}`, header: l, format: 'float' as const }))],
    rows: r.metrics.map((m) => ({ metric: title(m), ...Object.fromEntries(sums.map((s, i) => [`g${i}`, cell(m, s[m])])) })),
  };
}

/** Each group minus the first, paired by run (meaningful with several runs). */
export function differenceTable(r: Report): Table {
  const base = r.groups[0];
  const others = r.groups.slice(1);
  const diffs = others.map((g) => pairedDifference(base.runs, g.runs));
  return {
    title: `difference from ${base.label}, paired by run (mean ± 95% CI)`,
    columns: [{ key: 'metric', header: 'metric', format: 'text' },
      ...others.map((g, i) => ({ key: `g${i}`, header: SHORT_LABELS[g.label] ?? g.label, format: 'float' as const }))],
    rows: r.metrics.filter((m) => m !== 'conserved').map((m) => ({ metric: title(m), ...Object.fromEntries(diffs.map((d, i) => [`g${i}`, cell(m, d[m], true)])) })),
  };
}

/** What the short labels stand for, when any differs from its design. */
function legend(r: Report): string {
  const parts = r.groups.filter((g) => SHORT_LABELS[g.label] !== undefined && SHORT_LABELS[g.label] !== g.label).map((g) => `${SHORT_LABELS[g.label]} = ${g.label}`);
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + part.length + 2 <= 100) lines[last] += `, ${part}`;
    else lines.push(part);
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** The summary for a terminal or a file: text, markdown, csv (the summary table) or json (the whole report). */
export function renderSummary(r: Report, format: 'text' | 'markdown' | 'csv' | 'json'): string {
  if (format === 'json') return reportJson(r);
  const several = r.groups.length > 1 && r.groups[0].runs.length > 1;
  const tables = [summaryTable(r), ...(several ? [differenceTable(r)] : [])];
  if (format === 'csv') return toCsv(tables[0]);
  if (format === 'markdown') return tables.map(toMarkdown).join('\n');
  return tables.map(toText).join('\n') + legend(r);
}

/** Long format: one row per scenario, design, run and metric. */
export function metricsCsv(r: Report): string {
  const lines = ['scenario,design,run,seed,metric,value'];
  for (const g of r.groups) for (const run of g.runs) {
    for (const [m, v] of Object.entries(run.metrics)) lines.push(`${r.scenario},${g.label},${run.run},${run.seed},${m},${v === null ? '' : v}`);
  }
  return lines.join('\n') + '\n';
}

/** Everything measured, as JSON (keys in a fixed order). */
export function reportJson(r: Report): string {
  return JSON.stringify({
    netsim: NETSIM_VERSION, scenario: r.scenario, description: r.description, hash: r.hash, seed: r.seed,
    groups: r.groups.map((g) => ({
      label: g.label,
      summary: summarize(g.runs),
      runs: g.runs.map((x) => ({ run: x.run, stopReason: x.stopReason, metrics: x.metrics, drops: x.drops, failures: x.failures })),
    })),
  }, null, 2) + '\n';
}

/** A Markdown page: title, description, the tables, drops and how each run ended. */
export function reportMarkdown(r: Report): string {
  const out = [`# ${r.scenario}`, ''];
  if (r.description !== '') out.push(r.description, '');
  out.push(`netsim ${NETSIM_VERSION}, scenario hash ${r.hash}, seed ${r.seed}.`, '');
  out.push(renderSummary(r, 'markdown'), '## How the runs ended', '');
  for (const g of r.groups) for (const x of g.runs) {
    const drops = Object.entries(x.drops).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    out.push(`- ${g.label}, run ${x.run}: ${x.stopReason}; drops: ${drops}`);
  }
  return out.join('\n') + '\n';
}
