import { describe, expect, it } from 'vitest';
import { parseBenchLine, type BenchLine } from '../../bench/anchors';
import { coresOf, floorSection } from '../../bench/floors';

const line = (s: string): BenchLine => parseBenchLine(s)!;
const engine = { machine: 'X, 2 cores, node v20', lines: [
  line('netsim_hold_p1000 events_per_sec=10000000 wall_s=0.2 extra=p=1000'),
  line('netsim_hold_p10000 events_per_sec=8000000 wall_s=0.25 extra=p=10000'),
  line('netsim_hold_p100000 events_per_sec=5000000 wall_s=0.4 extra=p=100000'),
] };

function rowOf(lines: string[], goal: string): string[] {
  const row = lines.find((l) => l.startsWith(`| ${goal} |`));
  expect(row, goal).toBeDefined();
  return row!.split('|').slice(1, -1).map((c) => c.trim());
}

describe('floorSection', () => {
  it('splits a workload into queue and model time and says how far the goal is', () => {
    // 1 M events in 1.0 s against ns-3's 10 k hops/s: 30x needs 200 k hops in 0.667 s.
    const cluster = { machine: 'X, 2 cores', lines: [
      line('netsim_cluster_hub events_per_sec=1000000 wall_s=1.0 extra=events=1000000,hops=200000'),
      line('ns3_cluster_hub events_per_sec=1 wall_s=20 extra=hops=200000,hops_per_sec=10000'),
    ] };
    const out = floorSection(new Map([['engine', engine], ['cluster', cluster]]));
    const r = rowOf(out, 'UDP cluster hub: >= 30x ns-3 hops/s');
    // queue alone 0.1 s; model today 0.9 us/event; allowed (0.667 - 0.1) / 1 M = 0.57 us; factor 0.9 / 0.567.
    expect(r[3]).toBe('1.0');
    expect(r[4]).toBe('0.667');
    expect(r[5]).toBe('0.100 (hold p1 k, 10.00 M/s)');
    expect(r[6]).toBe('0.90');
    expect(r[7]).toBe('0.57');
    expect(r[8]).toBe('1.6x');
  });

  it('says a goal is unreachable when the queue alone takes longer, and met when it is met', () => {
    const scale = { machine: 'X, 2 cores', lines: [
      line('netsim_scale_nic-forward_requests events_per_sec=1 wall_s=100 extra=requests=1000000,events=400000000,hops=150000000'),
    ] };
    const start = { machine: 'X, 2 cores', lines: [line('netsim_start_median events_per_sec=1 wall_s=4.0 extra=events=1000000')] };
    const out = floorSection(new Map([['engine', engine], ['scale', scale], ['start', start]]));
    // 4 G events at 5 M/s: 800 s in the queue, over the 600 s goal.
    expect(rowOf(out, 'nic-forward, 1,000 servers, 10 M requests: < 10 min')[8]).toBe('unreachable: the queue alone needs 800 s');
    // One event a hop: 150 hops a request, 1.5 G events for 10 M requests, 300 s in the queue.
    const hop = rowOf(out, 'the same, at one event a hop');
    expect(hop[5]).toMatch(/^300 /);
    expect(rowOf(out, '`npm start`: < 5 s')[8]).toBe('met');
  });

  it('takes the queue\'s rate from the workload\'s own trace replay when the queues suite recorded one', () => {
    const tcp = { machine: 'X, 2 cores', lines: [
      line('netsim_tcp_hub events_per_sec=1 wall_s=0.5 extra=events=300000,hops=120000'),
      line('ns3_tcp_hub events_per_sec=1 wall_s=3 extra=hops=120000,hops_per_sec=40000'),
    ] };
    const queues = { machine: 'X, 2 cores', lines: [line('queues_ladder_trace_tcp-hub events_per_sec=5000000 wall_s=0.06 extra=ops=300000')] };
    const r = rowOf(floorSection(new Map([['engine', engine], ['tcp-anchor', tcp], ['queues', queues]])), 'TCP hub: >= 20x ns-3 hops/s');
    // 300 k events at 5 M/s: 0.06 s in the queue (the hold rate would say 0.03 s).
    expect(r[5]).toBe('0.060 (trace tcp-hub, 5.00 M/s)');
    // Today's model: (0.5 - 0.06) / 300 k = 1.47 us; allowed: (0.15 - 0.06) / 300 k = 0.30 us.
    expect(r[6]).toBe('1.47');
    expect(r[7]).toBe('0.30');
    expect(r[8]).toBe('4.9x');
  });

  it('renders nothing without the engine record', () => {
    expect(floorSection(new Map())).toEqual([]);
  });

  it('reads the cores from a machine string', () => {
    expect(coresOf('AMD EPYC, 2 cores, node v20.20.2')).toBe(2);
    expect(coresOf('unknown')).toBe(1);
  });
});
