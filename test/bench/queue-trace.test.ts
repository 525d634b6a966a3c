import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrace, recordTrace, replayTrace, writeTrace } from '../../bench/queue-trace';
import { STRUCTURES } from '../../bench/queue-worker';
import { benchTcpAnchor } from '../../bench/tcp-anchor';
import { NS3_TCP_DEFAULTS } from '../../src/scenario/presets';

describe('queue traces (bench queues --traces)', () => {
  const trace = recordTrace('tcp-hub');

  it('records every event the run ran, with the pushes and cancels it made', () => {
    // As many as the same run unrecorded reports (293,713 at the defaults today), some of them cancelling timers.
    expect(trace.starts.length).toBe(Number(benchTcpAnchor({ ...NS3_TCP_DEFAULTS, variant: 'hub' }).extra.events));
    expect(trace.ops.some((v) => v < 0)).toBe(true);
    for (let k = 1; k < trace.times.length; k++) expect(trace.times[k] >= trace.times[k - 1]).toBe(true);
  });

  it('replays in the run\'s own order on every structure, and survives a round trip through a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netsim-trace-'));
    try {
      writeTrace(join(dir, 't.bin'), trace);
      const back = readTrace(join(dir, 't.bin'));
      expect(back.ops).toEqual(trace.ops);
      for (const [name, make] of Object.entries(STRUCTURES)) {
        expect(replayTrace(make(1024, {}), back), name).toBe(trace.starts.length);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a replay whose pops leave the recorded order', () => {
    const times = trace.times.slice();
    times[1000] += 1;
    expect(() => replayTrace(STRUCTURES.heap(1024, {}), { ...trace, times })).toThrow(/as event 1000/);
  });
});
