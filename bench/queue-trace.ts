/**
 * Event-queue traces of real runs, for the queues bench: every push and
 * cancel a model run made, and the time of every event it ran, so that each
 * pending-event structure can be timed on the very sequence of operations a
 * simulation asks of it (timers pushed a second ahead and cancelled, bursts
 * at one instant, ...), which the hold model's increments only approximate.
 *
 * A trace is recorded by running the workload with Simulator.schedule,
 * scheduleAt and cancel and the queue's pop wrapped; the wrappers are
 * removed afterwards. Encoding (one Float64Array, `ops`): a value >= 0 is a
 * push at that absolute time, -(i + 1) a cancel of the i-th push's handle.
 * `starts[k]` is where the ops made while the k-th event ran begin (the ops
 * before `starts[0]` were made while the network was built); `times[k]` is
 * that event's time, which a replay checks its own pops against, so a
 * structure that pops in another order fails instead of being timed.
 *
 * Replay: pop, then the ops of that event, as many times as the run ran
 * events; every handler is one no-op function, so what is timed is the
 * queue alone (and the loop over the trace, the same for every structure).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Handler } from '../src/engine/event-slots';
import { LadderQueue } from '../src/engine/ladder-queue';
import { Simulator } from '../src/engine/simulator';
import { NS3_CLUSTER_DEFAULTS, NS3_TCP_DEFAULTS } from '../src/scenario/presets';
import { buildSimulation } from '../src/scenario/build';
import { withDesign } from '../src/scenario/load';
import { runSimulation } from '../src/scenario/runner';
import { loadScenarioFile } from '../src/cli/files';
import { benchCluster } from './cluster';
import { benchTcpAnchor } from './tcp-anchor';

export interface QueueTrace {
  ops: Float64Array;
  starts: Float64Array;
  times: Float64Array;
}

/** The workloads a trace can be recorded from, each a real run. */
export const TRACE_WORKLOADS: Record<string, { note: string; run: () => void }> = {
  'tcp-hub': { note: 'the ns-3 TCP anchor network, hub, defaults (bench tcp-anchor)', run: () => { benchTcpAnchor({ ...NS3_TCP_DEFAULTS, variant: 'hub' }); } },
  'udp-hub': { note: 'the ns-3 UDP anchor cluster, hub, defaults (bench cluster)', run: () => { benchCluster({ ...NS3_CLUSTER_DEFAULTS, variant: 'hub' }); } },
  comparison: {
    note: 'the bundled comparison under nic-forward (one design of npm start)',
    run: () => {
      const r = loadScenarioFile('comparison', []);
      if (!r.ok) throw new Error('queues bench: the bundled comparison does not load');
      const d = withDesign(r.scenario, 'nic-forward');
      if (!d.ok) throw new Error('queues bench: nic-forward does not apply to the comparison');
      runSimulation(buildSimulation(d.scenario, { run: 1 }));
    },
  },
};

/** Growable Float64Array. */
class Column {
  a = new Float64Array(1 << 16);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Float64Array {
    return this.a.slice(0, this.n);
  }
}

/** Run `workload` and return the trace of its event queue. */
export function recordTrace(workload: string): QueueTrace {
  const w = TRACE_WORKLOADS[workload];
  if (w === undefined) throw new Error(`queues bench: no trace workload "${workload}"; valid: ${Object.keys(TRACE_WORKLOADS).join(', ')}`);
  const ops = new Column(), starts = new Column(), times = new Column();
  // Push i's id by the handle it got (a handle is reused once its event ran or was cancelled).
  const idOf = new Map<number, number>();
  let pushes = 0;
  const S = Simulator.prototype, Q = LadderQueue.prototype;
  const { schedule, scheduleAt, cancel } = S;
  const pop = Q.pop;
  const pushed = (time: number, handle: number): number => {
    ops.push(time);
    idOf.set(handle, pushes++);
    return handle;
  };
  S.schedule = function (this: Simulator, delay: number, fn: Handler, arg?: unknown): number {
    return pushed(this.now + Math.trunc(delay), schedule.call(this, delay, fn, arg));
  };
  S.scheduleAt = function (this: Simulator, time: number, fn: Handler, arg?: unknown): number {
    return pushed(Math.trunc(time), scheduleAt.call(this, time, fn, arg));
  };
  S.cancel = function (this: Simulator, handle: number): boolean {
    const id = idOf.get(handle);
    if (id !== undefined) ops.push(-(id + 1));
    return cancel.call(this, handle);
  };
  Q.pop = function (this: LadderQueue): Handler | null {
    const fn = pop.call(this);
    // The ops made while this event runs follow starts[k].
    if (fn !== null) {
      starts.push(ops.n);
      times.push(this.poppedTime);
    }
    return fn;
  };
  try {
    w.run();
  } finally {
    S.schedule = schedule;
    S.scheduleAt = scheduleAt;
    S.cancel = cancel;
    Q.pop = pop;
  }
  if (starts.n === 0) throw new Error(`queues bench: the ${workload} run ran no event`);
  return { ops: ops.done(), starts: starts.done(), times: times.done() };
}

/** Write a trace as three length-prefixed Float64Array blocks. */
export function writeTrace(file: string, t: QueueTrace): void {
  const parts = [t.ops, t.starts, t.times];
  const head = new Float64Array(parts.map((p) => p.length));
  writeFileSync(file, Buffer.concat([head, ...parts].map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

export function readTrace(file: string): QueueTrace {
  const buf = readFileSync(file);
  const all = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const [a, b, c] = [all[0], all[1], all[2]];
  let at = 3;
  const take = (n: number): Float64Array => all.subarray(at, (at += n));
  return { ops: take(a), starts: take(b), times: take(c) };
}

export interface TraceQueue {
  push(time: number, fn: Handler, arg: unknown): number;
  pop(): Handler | null;
  cancel(handle: number): boolean;
  poppedTime: number;
}

const noop: Handler = () => {};

/** Replay `t` on `q` (empty); throws if a pop differs from the recorded run. Returns the events popped. */
export function replayTrace(q: TraceQueue, t: QueueTrace): number {
  const { ops, starts, times } = t;
  const handles = new Float64Array(ops.length);
  let pushes = 0;
  const apply = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const v = ops[i];
      if (v >= 0) handles[pushes++] = q.push(v, noop, null);
      else q.cancel(handles[-v - 1]);
    }
  };
  const n = starts.length;
  apply(0, n > 0 ? starts[0] : ops.length);
  for (let k = 0; k < n; k++) {
    if (q.pop() === null || q.poppedTime !== times[k]) {
      throw new Error(`queues bench: replay popped ${q.poppedTime} as event ${k}, the run ran it at ${times[k]}`);
    }
    apply(starts[k], k + 1 < n ? starts[k + 1] : ops.length);
  }
  return n;
}
