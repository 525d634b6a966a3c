/**
 * RunModel: one run as the page holds it: its network map, the trace as it
 * arrives (TraceLog), the time-travel Timeline over it, its progress and, at
 * the end, its measures. Chunks arrive while the worker runs; snapshots are
 * built a bounded number of events at a time (`idle`), so the page never
 * stalls on a long trace.
 */
import * as Comlink from 'comlink';
import { TraceLog } from '../../src/inspect/trace-log';
import type { NetworkMap } from '../../src/inspect/network-map';
import { Timeline } from './timeline';
import type { EngineClient } from './engine-client';
import type { Prepared, RunEnd, RunPost, RunRequest, Source } from '../worker/protocol';

export type RunStatus = 'running' | 'done' | 'stopped' | 'failed';

export class RunModel {
  readonly log = new TraceLog();
  /** Known once the worker has built the network (its first post); views get the run only after that. */
  map!: NetworkMap;
  timeline!: Timeline;
  info: Prepared | null = null;
  status: RunStatus = 'running';
  end: RunEnd | null = null;
  error = '';
  progress = { simNs: 0, events: 0, fraction: 0 };
  private readonly listeners = new Set<() => void>();
  readonly started = performance.now();

  constructor(readonly source: Source, readonly design: string | undefined, public label: string) {}

  /** Start the run on `engine` (`onStart` once the network is built); resolves when it ends (done, stopped or failed). */
  async start(engine: EngineClient, req: Omit<RunRequest, 'source' | 'design'>, onStart: (run: RunModel) => void = () => {}): Promise<void> {
    const gen = engine.generation;
    const post = (m: RunPost): void => {
      if (engine.generation !== gen || this.status !== 'running') return;
      if (m.kind === 'start') {
        this.info = m.info;
        this.map = m.info.map;
        this.label = m.info.design ?? m.info.name;
        this.timeline = new Timeline(this.log, this.map.nodes.length, 2048);
        onStart(this);
        return;
      }
      if (m.kind === 'chunk') this.log.append(m.chunk);
      else this.progress = { simNs: m.simNs, events: m.events, fraction: m.fraction };
      this.emit();
    };
    try {
      const end = await engine.api.run({ ...req, source: this.source, design: this.design }, Comlink.proxy(post));
      if (engine.generation !== gen || this.status !== 'running') return;
      this.end = end;
      this.status = 'done';
      this.log.compact();
    } catch (e) {
      if (this.status !== 'running') return;
      this.status = 'failed';
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.emit();
  }

  /** The page stopped it (the worker was terminated): what arrived stays and can be replayed. */
  stop(): void {
    if (this.status === 'running') {
      this.status = 'stopped';
      this.emit();
    }
  }

  /** Build snapshots for up to `budget` events; true when there is nothing left to build. */
  idle(budget: number): boolean {
    return this.timeline === undefined || this.timeline.extend(budget);
  }

  /** Simulated time the trace covers so far. */
  get horizon(): number {
    const n = this.log.events.n;
    return n > 0 ? Math.max(this.log.events.cols.t[n - 1], this.log.now) : 0;
  }

  on(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}
