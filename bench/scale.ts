/**
 * Scale of the claimed system, and what each report exchange costs.
 *
 * `npm run bench -- scale [--designs=nic-forward,lb-dsr] [--requests=1e4,1e5,1e6,1e7] [--servers=10,100,1000] [--timeout=3600]`
 *   runs scenarios/large.json (TCP, smart NICs, second and third LANs,
 *   sampled load reports) at points of two series, each point in its own
 *   process so its peak RSS is its own:
 *    - requests: 1,000 servers, min(100 k, R) clients, R / clients requests
 *      each, for R in --requests (10 M is the goal: 100 k clients x 100);
 *    - servers: n servers, 20 n clients, 5 requests each (the load per
 *      server fixed), for n in --servers.
 *   Each point prints one line (wall, events/s, hops/s, peak RSS, requests
 *   done); the suite writes bench/scale.svg (time and memory against
 *   requests and against servers) and a table. `--lines=<log>[,<log>]`
 *   re-plots the lines earlier runs printed instead of running the points.
 *   A point runs with the V8 heap limit of the node that runs the suite (its
 *   line says which): `NODE_OPTIONS=--max-old-space-size=1700` holds a point
 *   to a 2 GiB budget, V8 collecting harder instead of growing the heap.
 * `npm run bench -- exchange [--servers=24,100,200]`: the bundled comparison
 *   under nic-forward with each report exchange at each size, one line each:
 *   the third LAN's bytes and frames, the detector's suspicions and false
 *   deaths, load CV, bypass and latency.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { extent, line, max, scaleLinear, scaleLog } from 'd3';
import { loadScenarioFile } from '../src/cli/files';
import { runScenario } from '../src/scenario/runner';
import type { Metrics, MetricName } from '../src/metrics/catalog';
import { EXCHANGE_KINDS } from '../src/cluster/load-reporter';
import { benchLineText, formatBenchLine, parseBenchLine, type BenchLine } from './anchors';
import { setSummary } from './report';

function list(flags: Map<string, string>, key: string, dflt: string): string[] {
  return (flags.get(key) ?? dflt).split(',').map((x) => x.trim()).filter((x) => x !== '');
}

function numbers(flags: Map<string, string>, key: string, dflt: string): number[] {
  return list(flags, key, dflt).map((x) => {
    const n = Number(x);
    if (!(Number.isInteger(n) && n >= 1)) {
      console.error(`bench: --${key}: "${x}" is not a whole number >= 1`);
      process.exit(2);
    }
    return n;
  });
}

/** A measure as a number (NaN where it does not apply). */
const val = (m: Metrics, k: MetricName): number => m[k] ?? NaN;

function load(ref: string, set: string[]) {
  const r = loadScenarioFile(ref, set);
  if (!r.ok) throw new Error(`${ref}: ${r.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
  return r.scenario;
}

// ------------------------------------------------------------------ one point

interface Point { series: 'requests' | 'servers'; design: string; servers: number; clients: number; perClient: number }

const pointName = (p: Point): string => `netsim_scale_${p.design}_${p.series}`;

/** Run one point in this process and print its line (the child side of `scale`). */
function runPoint(p: Point): void {
  const s = load('large', [
    `network.site.design=${p.design}`, `network.site.servers=${p.servers}`, `network.site.clients=${p.clients}`,
    `workload.requestsPerClient=${p.perClient}`,
  ]);
  const { result } = runScenario(s);
  const m = result.metrics;
  const wall = result.wallMs / 1000;
  console.log(formatBenchLine(pointName(p), val(m, 'events') / wall, wall, {
    servers: p.servers, clients: p.clients, requests: p.clients * p.perClient,
    done: val(m, 'requests-completed'), failed: val(m, 'requests-failed'), unfinished: val(m, 'requests-unfinished'), stop: result.stopReason,
    events: val(m, 'events'), hops: val(m, 'hops'), hops_per_sec: (val(m, 'hops') / wall).toFixed(0),
    maxrss_mb: (process.resourceUsage().maxRSS / 1024).toFixed(0), heap_limit_mb: (getHeapStatistics().heap_size_limit / 2 ** 20).toFixed(0), sim_s: (val(m, 'sim-time') / 1e9).toFixed(1),
    bypass: val(m, 'response-bypass').toFixed(3), load_cv: val(m, 'load-cv').toFixed(3),
    third_lan_mb: (val(m, 'third-lan-bytes') / 1e6).toFixed(1), false_deaths: val(m, 'false-deaths'),
    latency_mean_ms: (val(m, 'latency-mean') / 1e6).toFixed(2), date: new Date().toISOString().slice(0, 10),
  }));
}

/** Run one point in a child process (its own peak RSS); null when it failed or ran out of time. */
function childPoint(p: Point, timeoutS: number): BenchLine | null {
  const args = [...process.execArgv, process.argv[1], 'scale', '--no-record',
    `--point=${p.series},${p.design},${p.servers},${p.clients},${p.perClient}`];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutS * 1000, maxBuffer: 1 << 24 });
  const l = (r.stdout ?? '').split('\n').map(parseBenchLine).find((x) => x !== null) ?? null;
  if (l === null) {
    const why = r.error !== undefined ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : r.signal ?? `exit ${r.status}`;
    console.log(`# ${pointName(p)} servers=${p.servers} clients=${p.clients} requests=${p.clients * p.perClient}: no result (${why}; ${(r.stderr ?? '').trim().split('\n').pop() ?? ''})`);
  }
  return l;
}

// ------------------------------------------------------------------ the plot

interface Series { label: string; x: number[]; y: number[] }

function panel(title: string, xLabel: string, yLabel: string, series: Series[], ox: number, oy: number, w: number, h: number): string {
  const xs = series.flatMap((s) => s.x), ys = series.flatMap((s) => s.y);
  if (xs.length === 0) return '';
  const [x0, x1] = extent(xs) as [number, number];
  const x = scaleLog().domain([x0, Math.max(x1, x0 * 10)]).range([ox + 60, ox + w - 10]);
  const y = scaleLinear().domain([0, (max(ys) ?? 1) * 1.1 || 1]).nice().range([oy + h - 40, oy + 30]);
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
  const out: string[] = [`<text x="${ox + w / 2}" y="${oy + 16}" text-anchor="middle" font-weight="bold">${title}</text>`];
  for (const t of x.ticks(4).filter((v) => Number.isInteger(Math.log10(v)))) {
    out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${oy + 30}" y2="${oy + h - 40}" stroke="#eee"/>`,
      `<text x="${x(t)}" y="${oy + h - 26}" text-anchor="middle">${t >= 1e6 ? `${t / 1e6}M` : t >= 1e3 ? `${t / 1e3}k` : t}</text>`);
  }
  for (const t of y.ticks(5)) {
    out.push(`<line x1="${ox + 60}" x2="${ox + w - 10}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`,
      `<text x="${ox + 55}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  }
  out.push(`<text x="${ox + w / 2}" y="${oy + h - 8}" text-anchor="middle">${xLabel}</text>`,
    `<text transform="translate(${ox + 14},${oy + h / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`);
  series.forEach((s, i) => {
    const pts = s.x.map((v, k) => [x(v), y(s.y[k])] as [number, number]);
    out.push(`<path d="${line()(pts)}" fill="none" stroke="${colours[i % 4]}" stroke-width="2"/>`);
    for (const [px, py] of pts) out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${colours[i % 4]}"/>`);
    out.push(`<text x="${ox + 70}" y="${oy + 44 + 14 * i}" fill="${colours[i % 4]}">${s.label}</text>`);
  });
  return out.join('\n');
}

function scaleSvg(lines: BenchLine[], designs: string[], title: string): string {
  const W = 520, H = 300;
  const pick = (series: string, key: 'wall' | 'rss', xKey: 'requests' | 'servers'): Series[] => designs.map((d) => {
    const ls = lines.filter((l) => l.name === `netsim_scale_${d}_${series}`);
    return { label: d, x: ls.map((l) => Number(l.extra[xKey])), y: ls.map((l) => (key === 'wall' ? l.wallS : Number(l.extra.maxrss_mb))) };
  }).filter((s) => s.x.length > 0);
  const body = [
    panel('wall time against requests (1,000 servers)', 'requests', 'wall time (s)', pick('requests', 'wall', 'requests'), 0, 20, W, H),
    panel('peak RSS against requests (1,000 servers)', 'requests', 'peak RSS (MB)', pick('requests', 'rss', 'requests'), W, 20, W, H),
    panel('wall time against servers (20 clients, 100 requests a server)', 'servers', 'wall time (s)', pick('servers', 'wall', 'servers'), 0, 20 + H, W, H),
    panel('peak RSS against servers', 'servers', 'peak RSS (MB)', pick('servers', 'rss', 'servers'), W, 20 + H, W, H),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${2 * H + 30}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${W}" y="14" text-anchor="middle" font-size="12">${title}</text>
${body.join('\n')}
</svg>
`;
}

// ------------------------------------------------------------------ suites

export function scaleSuite(flags: Map<string, string>): void {
  const point = flags.get('point');
  if (point !== undefined) {
    const [series, design, servers, clients, perClient] = point.split(',');
    runPoint({ series: series as Point['series'], design, servers: Number(servers), clients: Number(clients), perClient: Number(perClient) });
    return;
  }
  const designs = list(flags, 'designs', 'nic-forward,lb-dsr');
  const timeoutS = Number(flags.get('timeout') ?? 3600);
  const points: Point[] = [];
  for (const d of designs) {
    for (const r of numbers(flags, 'requests', '10000,100000,1000000,10000000')) {
      const clients = Math.min(100_000, r);
      points.push({ series: 'requests', design: d, servers: 1000, clients, perClient: Math.max(1, Math.round(r / clients)) });
    }
    for (const n of numbers(flags, 'servers', '10,100,1000')) points.push({ series: 'servers', design: d, servers: n, clients: 20 * n, perClient: 5 });
  }
  const lines: BenchLine[] = [];
  const from = flags.get('lines');
  if (from !== undefined) {
    // Re-plot the lines of an earlier run (its log) instead of running the points again.
    // Files in order, a later line of the same point replacing an earlier one.
    // A line without its own date takes its file's (a record's `# date=` header).
    for (const file of from.split(',')) {
      let fileDate = '';
      for (const t of readFileSync(file, 'utf8').split('\n')) {
        const d = /^# date=(\d{4}-\d\d-\d\d)/.exec(t);
        if (d !== null) fileDate = d[1];
        const l = parseBenchLine(t);
        if (l === null || !l.name.startsWith('netsim_scale_')) continue;
        if (l.extra.date === undefined && fileDate !== '') l.extra.date = fileDate;
        const k = lines.findIndex((x) => x.name === l.name && x.extra.servers === l.extra.servers && x.extra.requests === l.extra.requests);
        if (k >= 0) lines[k] = l;
        else lines.push(l);
      }
    }
    lines.sort((a, b) => a.name.localeCompare(b.name) || Number(a.extra.servers) - Number(b.extra.servers) || Number(a.extra.requests) - Number(b.extra.requests));
  } else {
    for (const p of points) {
      const l = childPoint(p, timeoutS);
      if (l === null) continue;
      lines.push(l);
      console.log(benchLineText(l));
    }
  }
  const svg = flags.get('svg') ?? 'bench/scale.svg';
  writeFileSync(svg, scaleSvg(lines, designs, 'netsim scale: scenarios/large.json (TCP, sampled load reports every 50 ms), each point in its own process'));
  const rows = lines.map((l) => `| ${l.name.replace('netsim_scale_', '')} | ${l.extra.servers} | ${l.extra.clients} | ${l.extra.requests} | ${l.extra.done} | ${l.wallS.toFixed(1)} | ${(Number(l.extra.events) / 1e6).toFixed(1)} | ${(l.eventsPerSec / 1e6).toFixed(2)} | ${(Number(l.extra.hops_per_sec) / 1e6).toFixed(2)} | ${l.extra.maxrss_mb} | ${l.extra.heap_limit_mb ?? '(default)'} | ${(Number(l.extra.events) / Number(l.extra.requests)).toFixed(0)} | ${l.extra.date ?? ''} |`);
  setSummary([
    ...lines.map((l) => benchLineText(l)),
    '',
    '| design, series | servers | clients | requests | done | wall (s) | events (M) | events/s (M) | hops/s (M) | peak RSS (MB) | V8 heap limit (MB) | events per request | measured |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...growthLines(lines),
    '',
    `Plot: ${svg}.`,
  ]);
}

/**
 * Where growth stops being linear, read off the lines: each step between
 * neighbouring points of a series compares how wall time, events and peak
 * RSS grew with the size, and names the measure that departs (events a
 * request, which fixed costs such as the report exchange spread or
 * concentrate; events a second, the cost of each event; the third LAN's
 * bytes a request). Steps between points measured on different days say so.
 */
export function growthLines(lines: readonly BenchLine[]): string[] {
  const out = ['Growth between neighbouring points (x: how many times the next point\'s value is the last one\'s):', ''];
  const num = (l: BenchLine, k: string): number => Number(l.extra[k]);
  const f = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  const k = (x: number): string => (x >= 1e6 ? `${+(x / 1e6).toFixed(1)} M` : x >= 1e3 ? `${+(x / 1e3).toFixed(1)} k` : String(x));
  const series = new Map<string, BenchLine[]>();
  for (const l of lines) {
    const key = l.name.replace('netsim_scale_', '');
    if (!series.has(key)) series.set(key, []);
    series.get(key)!.push(l);
  }
  for (const [key, ls] of series) {
    const bySize = key.endsWith('_servers') ? 'servers' : 'requests';
    const pts = [...ls].sort((a, b) => num(a, bySize) - num(b, bySize));
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1], b = pts[i];
      const size = num(b, bySize) / num(a, bySize);
      const wall = b.wallS / a.wallS;
      const ev = num(b, 'events') / num(a, 'events');
      const rss = num(b, 'maxrss_mb') / num(a, 'maxrss_mb');
      const perWall = wall / size;
      const shape = perWall < 0.8 ? 'sublinear' : perWall > 1.25 ? 'superlinear' : 'linear';
      const why: string[] = [];
      const epr = (l: BenchLine): number => num(l, 'events') / num(l, 'requests');
      if (ev < 0.8 * size || ev > 1.25 * size) {
        why.push(`events a request ${ev < size ? 'fell' : 'rose'} from ${epr(a).toFixed(0)} to ${epr(b).toFixed(0)}`);
        const lan = (l: BenchLine): number => num(l, 'third_lan_mb') / num(l, 'requests');
        if (Number.isFinite(lan(a)) && Number.isFinite(lan(b)) && (lan(b) > 1.25 * lan(a) || lan(b) < 0.8 * lan(a))) {
          why.push(`third-LAN report bytes a request from ${(lan(a) * 1e3).toFixed(1)} to ${(lan(b) * 1e3).toFixed(1)} kB`);
        }
      }
      if (wall > 1.25 * ev || wall < 0.8 * ev) {
        const cap = b.extra.heap_limit_mb !== undefined ? ` with the V8 heap capped at ${b.extra.heap_limit_mb} MB` : '';
        why.push(`events a second ${wall > ev ? 'fell' : 'rose'} from ${(a.eventsPerSec / 1e6).toFixed(2)} M to ${(b.eventsPerSec / 1e6).toFixed(2)} M${cap}`);
      }
      const days = a.extra.date !== b.extra.date ? ` (measured on different days: ${a.extra.date ?? '?'}, ${b.extra.date ?? '?'})` : '';
      out.push(`- ${key}, ${bySize} ${k(num(a, bySize))} -> ${k(num(b, bySize))} (x${f(size)}): wall x${f(wall)}, events x${f(ev)}, peak RSS x${f(rss)}: ${shape}${why.length > 0 ? `; ${why.join('; ')}` : ''}${days}.`);
    }
  }
  return out;
}

export function exchangeSuite(flags: Map<string, string>): void {
  const rows: string[] = [];
  const out: string[] = [];
  for (const n of numbers(flags, 'servers', '24,100')) {
    for (const kind of EXCHANGE_KINDS) {
      const s = load('comparison', [
        'network.site.design=nic-forward', `network.site.servers=${n}`, `network.site.clients=${12.5 * n}`, 'workload.requestsPerClient=4',
        `network.site.reports.exchange.kind=${kind}`,
      ]);
      const { sim, result } = runScenario(s);
      const m = result.metrics;
      const wall = result.wallMs / 1000;
      const frames = sim.cluster!.thirdLan.channels.reduce((a, ch) => a + ch.frames, 0);
      const plan = sim.cluster!.reporters[0].plan;
      const ms = (v: number): string => (v / 1e6).toFixed(1);
      const l = formatBenchLine(`netsim_exchange_${kind}_n${n}`, val(m, 'events') / wall, wall, {
        servers: n, period_ms: (plan.periodNs / 1e6).toFixed(2), fanout: plan.fanout, third_lan_mb: (val(m, 'third-lan-bytes') / 1e6).toFixed(2), third_lan_frames: frames,
        suspicions: val(m, 'suspicions'), false_deaths: val(m, 'false-deaths'), load_cv: val(m, 'load-cv').toFixed(3),
        bypass: val(m, 'response-bypass').toFixed(3), latency_mean_ms: ms(val(m, 'latency-mean')), latency_p99_ms: ms(val(m, 'latency-p99')),
        done: val(m, 'requests-completed'), issued: val(m, 'requests-issued'), events: val(m, 'events'),
      });
      console.log(l);
      out.push(l);
      rows.push(`| ${n} | ${kind} | ${(plan.periodNs / 1e6).toFixed(2)} | ${plan.fanout} | ${frames} | ${(val(m, 'third-lan-bytes') / 1e6).toFixed(2)} | ${val(m, 'suspicions')} | ${val(m, 'false-deaths')} | ${val(m, 'load-cv').toFixed(3)} | ${(val(m, 'response-bypass') * 100).toFixed(1)}% | ${ms(val(m, 'latency-mean'))} | ${ms(val(m, 'latency-p99'))} | ${val(m, 'requests-completed')}/${val(m, 'requests-issued')} | ${(val(m, 'events') / 1e6).toFixed(1)} | ${wall.toFixed(1)} |`);
    }
  }
  setSummary([
    ...out, '',
    'The bundled comparison under nic-forward, 12.5 clients a server, 4 requests each:',
    '',
    '| servers | exchange | period (ms) | fanout | third-LAN frames | third LAN (MB) | suspicions | false deaths | load CV | bypass | latency mean (ms) | p99 (ms) | done | events (M) | wall (s) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ]);
}
