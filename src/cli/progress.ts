/**
 * The progress bar on stderr (cli-progress): simulated time, events per
 * second and an ETA from the share of requests ended. It shows only when
 * stderr is a terminal, so logs and pipes stay clean.
 */
import { SingleBar } from 'cli-progress';
import type { RunProgress } from '../scenario/runner';

export interface Progress {
  /** A callback for the runner, labelled (a design, a run). */
  track(label: string): (p: RunProgress) => void;
  /** The current run is over. */
  done(): void;
  stop(): void;
}

const SILENT: Progress = { track: () => () => {}, done: () => {}, stop: () => {} };

export function progress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{label} [{bar}] {percentage}% | sim {sim} s | {rate} M ev/s | ETA {eta_formatted}',
    barsize: 24, hideCursor: true, clearOnComplete: true, etaBuffer: 20, fps: 5,
  });
  let running = false;
  let t0 = 0;
  return {
    track(label: string) {
      if (running) bar.stop();
      bar.start(1000, 0, { label, sim: '0.000', rate: '0.00' });
      running = true;
      t0 = performance.now();
      return (p) => {
        const wall = (performance.now() - t0) / 1000;
        bar.update(Math.round(1000 * Math.min(1, p.fraction)), {
          label, sim: (p.simNs / 1e9).toFixed(3), rate: wall > 0 ? (p.events / wall / 1e6).toFixed(2) : '0.00',
        });
      };
    },
    done() {
      if (running) bar.stop();
      running = false;
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
