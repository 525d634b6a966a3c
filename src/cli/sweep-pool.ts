/**
 * A pool of worker threads that run sweep tasks (sweep-worker.mjs), one
 * task per thread at a time: `run(task)` resolves with the task's row. The
 * local sweep (-j n) and `netsim worker` share it, so a row is computed the
 * same way wherever it is. A thread that dies fails the task it held and is
 * replaced; the pool itself never retries (the queue does, for workers).
 */
import { Worker } from 'node:worker_threads';
import { bundleTaskModule } from './sweep-bundle';
import type { RunResult } from '../scenario/runner';
import type { DesignRunTask, SweepRow, SweepTask } from './sweep-task';

type Message = { kind: 'sweep'; task: SweepTask } | { kind: 'design-run'; task: DesignRunTask };
interface Pending { resolve: (r: never) => void; reject: (e: Error) => void }
interface Slot { worker: Worker; busy: null | Pending }

export class ThreadPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: (Pending & { message: Message })[] = [];
  private closed = false;

  private constructor(private readonly module: string | null, size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /**
   * A pool of `size` threads; `note` hears why threads load TypeScript
   * through tsx, if they must. `bundle`: a build already under way (esbuild
   * works in its own process, so a caller can start it before its own work).
   */
  static async start(size: number, note: (s: string) => void = () => {}, bundle = bundleTaskModule()): Promise<ThreadPool> {
    const b = await bundle;
    if (b.url === null) note(`netsim: ${b.reason}; sweep threads load the TypeScript through tsx instead (about 0.5 s more per thread)`);
    return new ThreadPool(b.url, size);
  }

  get size(): number {
    return this.slots.length;
  }

  run(task: SweepTask): Promise<SweepRow> {
    return this.send({ kind: 'sweep', task });
  }

  /** One replication under one design (netsim compare -j). */
  runDesign(task: DesignRunTask): Promise<RunResult> {
    return this.send({ kind: 'design-run', task });
  }

  private send<T>(message: Message): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the sweep thread pool is closed'));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ message, resolve: resolve as (r: never) => void, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('the sweep thread pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./sweep-worker.mjs', import.meta.url), { workerData: { module: this.module } });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (m: { ok: boolean; row?: never; error?: string }) => {
      const b = slot.busy;
      slot.busy = null;
      if (b !== null) {
        if (m.ok) b.resolve(m.row!);
        else b.reject(new Error(m.error ?? 'a sweep point failed'));
      }
      this.dispatch();
    });
    const died = (why: string): void => {
      const b = slot.busy;
      slot.busy = null;
      if (b !== null) b.reject(new Error(`a sweep thread died while running a point: ${why}`));
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      this.dispatch();
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => { if (!this.closed && this.slots.includes(slot)) died(`exit code ${code}`); });
    return slot;
  }

  private dispatch(): void {
    for (const s of this.slots) {
      if (this.waiting.length === 0) return;
      if (s.busy !== null) continue;
      const w = this.waiting.shift()!;
      s.busy = { resolve: w.resolve, reject: w.reject };
      s.worker.postMessage(w.message);
    }
  }
}
