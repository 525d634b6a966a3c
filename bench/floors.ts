/**
 * What bounds each speed goal: a section of bench/README.md rendered from the
 * records, so that planning reads how far a goal is from what this event
 * model can reach on this machine, not only whether it is met.
 *
 * For each goal the workload's events (from its own line) are split into
 * what the event queue alone costs and what the model costs:
 *
 *   engine floor = events / (the event queue's rate on this workload, below)
 *   model today  = (wall x threads - engine floor) / events
 *   model budget = (goal wall x threads - engine floor) / events
 *   factor       = model time today / model time the goal leaves
 *
 * The queue's rate is that of the workload's own recorded run replayed on
 * the EventQueue (the `queues` suite's queues_ladder_trace_<name> line:
 * every push, cancel and pop the run made, with an empty handler), where the
 * workload has a trace; otherwise the `engine` suite's netsim_hold_p<size>
 * line (one pop and one push per event), the least an event can cost in
 * this engine. A TCP run asks more of the queue than the hold model does
 * (timers a second ahead, cancelled by the next ACK).
 *
 * `threads` is 1 for a single run and, for `npm start`, the machine's
 * cores with the designs split perfectly between them (a floor:
 * real threads share caches and memory bandwidth). A budget at or below zero
 * means the queue alone takes longer than the goal allows, whatever the
 * model costs: the goal needs fewer events, not faster ones.
 *
 * Pending sizes (measured 2026-12-07, mean over the run): the comparison of
 * `npm start` holds 4.3 k events (nic-forward), the ns-3 anchor networks
 * about 1 k, the scale point one arrival per client and more (20 k at
 * 20 k clients), so 100 k at 100 k clients.
 */
import type { BenchLine } from './anchors';

interface Floor {
  goal: string;
  /** The line the workload's events and wall come from. */
  from: string;
  events: number;
  wallS: number;
  goalS: number;
  threads: number;
  holdSize: number;
  /** The recorded trace of this workload (queue-trace.ts), if it has one. */
  trace?: string;
  /** A note on how the events were obtained (estimated, per request, ...). */
  note?: string;
  /** The events today's wall was spent on, when `events` is a hypothetical count (default: events). */
  todayEvents?: number;
}

const num = (l: BenchLine, k: string): number => Number(l.extra[k]);

/** The recorded trace (queue-trace.ts TRACE_WORKLOADS) of a workload line; the hub's stands for the switch, the one nic-forward design for npm start's six. */
const TRACE_OF: Record<string, string> = {
  netsim_cluster_hub: 'udp-hub', netsim_cluster_switch: 'udp-hub', netsim_tcp_hub: 'tcp-hub', netsim_tcp_switch: 'tcp-hub',
};

/** The queue's events/s for `f` and where it comes from. */
function queueRate(f: Floor, engine: BenchLine[], queues: BenchLine[]): { rate: number; from: string } | undefined {
  const t = f.trace === undefined ? undefined : queues.find((l) => l.name === `queues_ladder_trace_${f.trace}`);
  if (t !== undefined) return { rate: t.eventsPerSec, from: `trace ${f.trace}` };
  const h = engine.find((l) => l.name === `netsim_hold_p${f.holdSize}`);
  return h === undefined ? undefined : { rate: h.eventsPerSec, from: `hold p${f.holdSize / 1000} k` };
}

/** The cores of a record's machine string ("..., 2 cores, node v20"). */
export function coresOf(machine: string): number {
  const m = /(\d+) cores/.exec(machine);
  return m ? Number(m[1]) : 1;
}

function floors(by: Map<string, { lines: BenchLine[]; machine: string }>): Floor[] {
  const out: Floor[] = [];
  const get = (suite: string, name: string): BenchLine | undefined => by.get(suite)?.lines.find((l) => l.name === name);
  for (const [suite, ours, anchor, goal, ratio] of [
    ['cluster', 'netsim_cluster_hub', 'ns3_cluster_hub', 'UDP cluster hub: >= 30x ns-3 hops/s', 30],
    ['cluster', 'netsim_cluster_switch', 'ns3_cluster_switch', 'UDP cluster switch: >= 30x ns-3 hops/s', 30],
    ['tcp-anchor', 'netsim_tcp_hub', 'ns3_tcp_hub', 'TCP hub: >= 20x ns-3 hops/s', 20],
    ['tcp-anchor', 'netsim_tcp_switch', 'ns3_tcp_switch', 'TCP switch: >= 20x ns-3 hops/s', 20],
  ] as const) {
    const o = get(suite, ours), a = get(suite, anchor);
    if (o === undefined || a === undefined) continue;
    // ratio x ns-3's hops/s, for netsim's own hop count.
    const goalS = num(o, 'hops') / (ratio * num(a, 'hops_per_sec'));
    out.push({ goal, from: ours, events: num(o, 'events'), wallS: o.wallS, goalS, threads: 1, holdSize: 1000, trace: TRACE_OF[ours] });
  }
  for (const v of ['hub', 'switch']) {
    const o = get('tcp-anchor', `netsim_tcp_${v}`);
    if (o !== undefined) {
      out.push({ goal: `TCP ${v}: >= 1.5 M hops/s`, from: o.name, events: num(o, 'events'), wallS: o.wallS, goalS: num(o, 'hops') / 1.5e6, threads: 1, holdSize: 1000, trace: TRACE_OF[o.name] });
    }
  }
  const start = get('start', 'netsim_start_median');
  if (start !== undefined) {
    const threads = Math.min(coresOf(by.get('start')!.machine), 6);
    out.push({ goal: '`npm start`: < 5 s', from: start.name, events: num(start, 'events'), wallS: start.wallS, goalS: 5, threads, holdSize: 10000, trace: 'comparison', note: 'process start to exit' });
  }
  const scale = (by.get('scale')?.lines ?? []).filter((l) => l.name === 'netsim_scale_nic-forward_requests');
  if (scale.length > 0) {
    const top = scale.reduce((a, b) => (num(b, 'requests') > num(a, 'requests') ? b : a));
    const perReq = num(top, 'events') / num(top, 'requests');
    const k = 10_000_000 / num(top, 'requests');
    out.push({
      goal: 'nic-forward, 1,000 servers, 10 M requests: < 10 min', from: top.name, events: perReq * 1e7, wallS: top.wallS * k, goalS: 600, threads: 1, holdSize: 100000,
      note: `its ${Math.round(perReq)} events a request, and its wall x${k}, from the ${num(top, 'requests').toLocaleString('en')}-request point`,
    });
    const hopsPerReq = num(top, 'hops') / num(top, 'requests');
    out.push({
      goal: 'the same, at one event a hop', from: top.name, events: hopsPerReq * 1e7, todayEvents: perReq * 1e7, wallS: top.wallS * k, goalS: 600, threads: 1, holdSize: 100000,
      note: `${Math.round(hopsPerReq)} hops a request: the fewest events a packet-level model can spend`,
    });
  }
  return out;
}

const us = (s: number): string => (s * 1e6 >= 10 ? (s * 1e6).toFixed(0) : (s * 1e6).toFixed(2));
const secs = (s: number): string => (s >= 100 ? s.toFixed(0) : s >= 1 ? s.toFixed(1) : s.toFixed(3));

/** The section's lines (empty when the engine record or every workload line is missing). */
export function floorSection(by: Map<string, { lines: BenchLine[]; machine: string }>): string[] {
  const engine = by.get('engine')?.lines ?? [];
  const queues = by.get('queues')?.lines ?? [];
  const rows: string[] = [];
  for (const f of floors(by)) {
    const q = queueRate(f, engine, queues);
    if (q === undefined) continue;
    const rate = q.rate;
    const floorS = f.events / rate;
    const today = f.todayEvents ?? f.events;
    const modelToday = (f.wallS * f.threads - today / rate) / today;
    const budget = (f.goalS * f.threads - floorS) / f.events;
    const verdict = f.wallS <= f.goalS ? 'met'
      : budget <= 0 ? `unreachable: the queue alone needs ${secs(floorS / f.threads)} s`
        : `${((modelToday * today) / (budget * f.events)).toFixed(1)}x`;
    rows.push(`| ${f.goal} | ${f.from}${f.note ? ` (${f.note})` : ''} | ${(f.events / 1e6).toFixed(f.events >= 1e8 ? 0 : 2)} M | ${secs(f.wallS)} | ${secs(f.goalS)} | ${secs(floorS / f.threads)} (${q.from}, ${(rate / 1e6).toFixed(2)} M/s${f.threads > 1 ? `, ${f.threads} threads` : ''}) | ${us(modelToday)} | ${budget > 0 ? us(budget) : 'none'} | ${verdict} |`);
  }
  if (rows.length === 0) return [];
  return [
    '## What bounds each goal',
    '',
    'Rendered from the same records (bench/floors.ts says how). "Queue alone" is the time the',
    'workload\'s events take in the event queue with nothing else to do (its own run replayed on the',
    'queue by the queues suite where it has a trace, else the engine suite\'s hold rate at its pending',
    'size); the rest of today\'s time is the model, per event. The',
    'last column is how much less time the model must take in all for the goal, with the queue as',
    'it is; "unreachable" means the queue alone needs more than the goal allows.',
    '',
    '| goal | workload | events | today (s) | goal (s) | queue alone (s) | model today (us/event) | model allowed (us/event) | model must take less time by |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}
