/**
 * Cpu: the processor of one host, a FIFO queue in front of `cores` identical
 * servers (an M/G/c station when fed by Poisson arrivals). `submit(service,
 * done, arg)` calls `done(arg)` once the job has waited for a core and been
 * served for `service` ns. Jobs start in submission order; with one core
 * they also finish in that order. Service times are rounded to whole ns.
 *
 * Invariants: inSystem = queueLength + busyCores <= submitted - completed
 * (equal while nothing is cleared); a core is busy exactly while one
 * completion event of it is pending.
 *
 * Cost: O(1) per job and no allocation of its own: waiting jobs sit in
 * parallel ring-buffer arrays (grown by doubling), the job in service on each
 * core in per-core arrays, and a completion event carries the core index as
 * its argument, handled by one function bound at construction. Statistics
 * are time integrals updated at each arrival and departure (a few flops).
 */
import type { Simulator } from '../engine';
import { TraceSource } from '../net/trace-source';

/** What a finished job calls: the `arg` given to `submit`. */
export type CpuDone<T> = (arg: T) => void;

export class Cpu {
  readonly cores: number;
  // Waiting jobs: a ring buffer over parallel arrays (capacity a power of 2).
  private qService: Float64Array;
  private qAt: Float64Array;
  private qFn: (CpuDone<any> | undefined)[];
  private qArg: unknown[];
  private qHead = 0;
  private qLen = 0;
  // Job in service per core (fn undefined: core idle).
  private readonly cFn: (CpuDone<any> | undefined)[];
  private readonly cArg: unknown[];
  private readonly cAt: Float64Array;
  private readonly cStart: Float64Array;
  private readonly cService: Float64Array;
  private readonly freeCores: Int32Array;
  private nFree: number;
  private readonly onComplete: (core: number) => void;

  /** Jobs submitted and completed since construction. */
  submitted = 0;
  completed = 0;
  // Statistics since `statsFrom` (resetStats moves it).
  private statsFrom: number;
  private lastChange: number;
  private inSystemArea = 0;
  private busyArea = 0;
  private sojournCount = 0;
  private sojournSum = 0;
  private waitSum = 0;
  /** Longest sojourn (submit -> done) among jobs counted by the statistics, ns. */
  maxSojournNs = 0;
  /** Each completed job: (submitted at, started at, service ns); costs one test while nobody listens. */
  readonly jobTrace = new TraceSource<[number, number, number]>('cpu-job');

  constructor(readonly sim: Simulator, cores = 1, readonly name = 'cpu') {
    if (!(Number.isInteger(cores) && cores >= 1)) {
      throw new RangeError(`cpu ${name}: cores must be an integer >= 1, got ${cores}`);
    }
    this.cores = cores;
    const cap = 16;
    this.qService = new Float64Array(cap);
    this.qAt = new Float64Array(cap);
    this.qFn = new Array(cap);
    this.qArg = new Array(cap);
    this.cFn = new Array(cores);
    this.cArg = new Array(cores);
    this.cAt = new Float64Array(cores);
    this.cStart = new Float64Array(cores);
    this.cService = new Float64Array(cores);
    this.freeCores = new Int32Array(cores);
    for (let i = 0; i < cores; i++) this.freeCores[i] = cores - 1 - i; // core 0 is taken first
    this.nFree = cores;
    this.onComplete = (core: number) => this.complete(core);
    this.statsFrom = this.lastChange = sim.now;
  }

  /** Jobs waiting for a core. */
  get queueLength(): number {
    return this.qLen;
  }

  /** Cores serving a job. */
  get busyCores(): number {
    return this.cores - this.nFree;
  }

  /** Jobs waiting or in service. */
  get inSystem(): number {
    return this.qLen + this.cores - this.nFree;
  }

  /** Server load for placement decisions: jobs in system per core. */
  load(): number {
    return (this.qLen + this.cores - this.nFree) / this.cores;
  }

  /** Run `done(arg)` after the job has queued and been served for `serviceNs` ns. */
  submit<T>(serviceNs: number, done: CpuDone<T>, arg: T): void {
    if (!(serviceNs >= 0 && serviceNs !== Infinity)) {
      throw new RangeError(`cpu ${this.name}: service time must be a finite number of ns >= 0, got ${serviceNs}`);
    }
    serviceNs = Math.round(serviceNs); // the clock counts whole ns; keep the statistics on it
    this.advance();
    this.submitted++;
    const now = this.sim.now;
    if (this.nFree > 0) {
      this.startOn(this.freeCores[--this.nFree], serviceNs, done, arg, now);
      return;
    }
    if (this.qLen === this.qFn.length) this.grow();
    const i = (this.qHead + this.qLen) & (this.qFn.length - 1);
    this.qService[i] = serviceNs;
    this.qAt[i] = now;
    this.qFn[i] = done;
    this.qArg[i] = arg;
    this.qLen++;
  }

  private startOn(core: number, serviceNs: number, fn: CpuDone<any>, arg: unknown, submittedAt: number): void {
    this.cFn[core] = fn;
    this.cArg[core] = arg;
    this.cAt[core] = submittedAt;
    this.cStart[core] = this.sim.now;
    this.cService[core] = serviceNs;
    this.sim.schedule(serviceNs, this.onComplete, core);
  }

  private complete(core: number): void {
    this.advance();
    const fn = this.cFn[core]!;
    const arg = this.cArg[core];
    const at = this.cAt[core];
    this.cFn[core] = undefined;
    this.cArg[core] = undefined;
    this.completed++;
    const now = this.sim.now;
    if (at >= this.statsFrom) {
      const sojourn = now - at;
      this.sojournCount++;
      this.sojournSum += sojourn;
      this.waitSum += this.cStart[core] - at;
      if (sojourn > this.maxSojournNs) this.maxSojournNs = sojourn;
    }
    if (this.jobTrace.active) this.jobTrace.fire(at, this.cStart[core], this.cService[core]);
    // Hand the core to the head of the queue before `fn` runs, so a job that
    // `fn` submits queues behind the ones already waiting.
    if (this.qLen > 0) {
      const h = this.qHead;
      const qFn = this.qFn[h]!, qArg = this.qArg[h];
      this.qFn[h] = undefined;
      this.qArg[h] = undefined;
      this.qHead = (h + 1) & (this.qFn.length - 1);
      this.qLen--;
      this.startOn(core, this.qService[h], qFn, qArg, this.qAt[h]);
    } else {
      this.freeCores[this.nFree++] = core;
    }
    fn(arg);
  }

  private grow(): void {
    const cap = this.qFn.length, mask = cap - 1;
    const s = new Float64Array(cap * 2), at = new Float64Array(cap * 2);
    const fns: (CpuDone<any> | undefined)[] = new Array(cap * 2), args: unknown[] = new Array(cap * 2);
    for (let k = 0; k < this.qLen; k++) {
      const i = (this.qHead + k) & mask;
      s[k] = this.qService[i];
      at[k] = this.qAt[i];
      fns[k] = this.qFn[i];
      args[k] = this.qArg[i];
    }
    this.qService = s;
    this.qAt = at;
    this.qFn = fns;
    this.qArg = args;
    this.qHead = 0;
  }

  /** Accumulate the time integrals up to now. */
  private advance(): void {
    const now = this.sim.now;
    const dt = now - this.lastChange;
    if (dt > 0) {
      const busy = this.cores - this.nFree;
      this.inSystemArea += (this.qLen + busy) * dt;
      this.busyArea += busy * dt;
      this.lastChange = now;
    }
  }

  /** Start the statistics afresh from now (after a warm-up); jobs in the system stay. */
  resetStats(): void {
    this.advance();
    this.statsFrom = this.lastChange = this.sim.now;
    this.inSystemArea = this.busyArea = 0;
    this.sojournCount = this.sojournSum = this.waitSum = this.maxSojournNs = 0;
  }

  /** Simulated time covered by the statistics, ns. */
  elapsedNs(): number {
    return this.sim.now - this.statsFrom;
  }

  /** Core-ns spent serving since the statistics started (including jobs in service now). */
  busyNs(): number {
    this.advance();
    return this.busyArea;
  }

  /** Fraction of core capacity used since the statistics started, in [0, 1]. */
  utilisation(): number {
    const t = this.elapsedNs();
    return t > 0 ? this.busyNs() / (this.cores * t) : 0;
  }

  /** Time-average number of jobs in the system (waiting + in service). */
  meanInSystem(): number {
    const t = this.elapsedNs();
    if (t <= 0) return 0;
    this.advance();
    return this.inSystemArea / t;
  }

  /** Jobs submitted since the statistics started that have completed. */
  get measuredJobs(): number {
    return this.sojournCount;
  }

  /** Mean time from submit to done, ns, over `measuredJobs`. */
  meanSojournNs(): number {
    return this.sojournCount > 0 ? this.sojournSum / this.sojournCount : 0;
  }

  /** Mean time waiting for a core, ns, over `measuredJobs`. */
  meanWaitNs(): number {
    return this.sojournCount > 0 ? this.waitSum / this.sojournCount : 0;
  }
}
