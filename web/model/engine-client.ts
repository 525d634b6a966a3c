/**
 * The page's handle on an engine worker: a module worker wrapped by comlink,
 * which the page can terminate at any moment (the stop button, a run past
 * its time limit) and replace with a fresh one. Every simulation runs in a
 * worker; nothing here blocks the page.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../worker/protocol';

export class EngineClient {
  private worker!: Worker;
  api!: Comlink.Remote<EngineApi>;
  /** Incremented on each replacement, so late answers from a terminated worker can be ignored. */
  generation = 0;

  constructor() {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'netsim-engine' });
    this.api = Comlink.wrap<EngineApi>(this.worker);
    this.generation++;
  }

  /** End whatever the worker is doing, now, and start a fresh one. */
  terminate(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
    this.spawn();
  }
}
