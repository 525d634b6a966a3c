/**
 * `npm run bench -- start [--reps=3] [--anchors]`: what `npm start` runs
 * (netsim compare on the bundled comparison, all six designs, -j the number
 * of cores), timed from outside as a user sees it: process start to exit,
 * bundle and build included. One line a repetition and the median; the goal
 * is under 5 s.
 *
 * With --anchors, ns-3's TCP hub anchor (`run.sh tcp --variant=hub`) runs
 * once after them and a `yardstick` line gives the median over its wall
 * time: not the same work, but a measure of how fast this machine was in
 * this run, so that medians taken on different days can be compared (the
 * shared machines here vary by more than 1.5x from one day to the next).
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBenchLine, runAnchor } from './anchors';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function startSuite(flags: Map<string, string>): void {
  const reps = Number(flags.get('reps') ?? 3);
  if (!(Number.isInteger(reps) && reps >= 1)) {
    console.error(`bench start: --reps=${flags.get('reps')} is not valid; expected a whole number >= 1`);
    process.exit(2);
  }
  const walls: number[] = [];
  let events = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [resolve(root, 'bin/netsim.js'), 'compare'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      console.error(`bench start: netsim compare failed (${r.signal ?? `exit ${r.status}`}): ${(r.stderr ?? '').slice(-1000)}`);
      process.exit(1);
    }
    const m = /\((\d+) designs, ([\d.]+) M events in ([\d.]+) s\)/.exec(r.stderr ?? '');
    events = m ? Number(m[2]) * 1e6 : NaN;
    walls.push(wall);
    console.log(formatBenchLine('netsim_start', events / wall, wall, { rep: i + 1, designs: m?.[1] ?? '?', events, run_s: m?.[3] ?? '?' }));
  }
  const median = [...walls].sort((a, b) => a - b)[(walls.length - 1) >> 1];
  console.log(formatBenchLine('netsim_start_median', events / median, median, { reps, min_s: Math.min(...walls).toFixed(2), max_s: Math.max(...walls).toFixed(2), events, goal_s: 5 }));
  if (flags.has('anchors')) {
    const ns3 = runAnchor('tcp', ['--variant=hub']).find((l) => l.name === 'ns3_tcp_hub');
    if (ns3 !== undefined) {
      console.log(`yardstick netsim_start_median/ns3_tcp_hub wall_s=${(median / ns3.wallS).toFixed(2)}x (not the same work: the machine's speed in this run)`);
    }
  }
}
