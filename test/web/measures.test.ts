/**
 * The charts' numbers are the runner's: at the end of a fully recorded run
 * the cumulative response bypass ratio is `response-bypass`, the latencies
 * are every completed request's (p50/p99 within the runner's histogram
 * accuracy), requests served per server are each CPU's completed jobs, and
 * each LAN's utilisation averaged over the run is its media's busy time over
 * media x time. A network without a cluster has no bypass ratio.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { FrameLog } from '../../src/inspect/frame-log';
import { TraceLog } from '../../src/inspect/trace-log';
import { buildSimulation } from '../../src/scenario/build';
import { runSimulation } from '../../src/scenario/runner';
import { BINS, measuresAt } from '../../web/model/measures';

function recorded(name: string) {
  const r = loadScenarioFile(name);
  if (!r.ok) throw new Error(name);
  const sim = buildSimulation(r.scenario);
  const fl = new FrameLog(sim);
  const result = runSimulation(sim);
  const log = new TraceLog();
  log.append(fl.takeChunk());
  return { sim, result, log, map: fl.index.map };
}

describe('measures over time', () => {
  it.each(['l2-switch', 'hub'])('%s: at the end they are the run\'s measures', (name) => {
    const { sim, result, log, map } = recorded(name);
    const end = sim.net.now;
    const m = measuresAt(log, map, end, end);
    expect(m.bypassNow).toBe(result.metrics['response-bypass']);
    expect(m.bypassCum[BINS - 1]).toBe(result.metrics['response-bypass']);
    expect(m.latencies.length).toBe(sim.stats.completed);
    expect(Math.abs(m.p99! - sim.stats.percentileNs(99)!) / m.p99!).toBeLessThan(0.005);
    expect(Math.abs(m.p50! - sim.stats.percentileNs(50)!) / m.p50!).toBeLessThan(0.005);
    expect(m.served.map((s) => s.count)).toEqual(sim.cpus.map((c) => c.completed));
    sim.lans.forEach((lan, i) => {
      const want = lan.channels.reduce((a, c) => a + c.busyNs, 0) / lan.channels.length / end;
      const got = m.lans[i].util.reduce((a, u) => a + u, 0) / BINS;
      expect(got, lan.name).toBeCloseTo(want, 9);
    });
    // Halfway, only what happened by then.
    const half = measuresAt(log, map, end / 2, end);
    expect(half.latencies.length).toBe(log.latencies.cols.t.slice(0, log.latencies.n).filter((t) => t <= end / 2).length);
    expect(half.upTo).toBe(BINS / 2 + 1);
  });

  it('a plain network (no cluster) has no bypass ratio, and its LANs are named', () => {
    const { sim, log, map } = recorded('custom-topology');
    const m = measuresAt(log, map, sim.net.now, sim.net.now);
    expect(m.cluster).toBe(false);
    expect(m.bypassNow).toBeNull();
    expect(m.lans.map((l) => l.role)).toEqual(map.lans.map((l) => l.name));
    expect(m.lans.some((l) => l.util.some((u) => u > 0))).toBe(true);
  });
});
