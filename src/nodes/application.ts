/**
 * Application: something that runs on a node between a start and a stop
 * time (ns-3's Application). Subclasses implement onStart/onStop; the client
 * and server applications of UDP and TCP share this life cycle.
 */
import type { Network } from '../net/network';

export abstract class Application {
  running = false;
  private startHandle = -1;

  constructor(readonly net: Network, readonly name: string) {}

  /** Called by Node.addApplication. */
  schedule(startAt: number, stopAt: number): void {
    if (!(startAt >= 0)) throw new RangeError(`application ${this.name}: start time must be >= 0 ns, got ${startAt}`);
    if (!(stopAt > startAt)) throw new RangeError(`application ${this.name}: stop time (${stopAt}) must be after start (${startAt})`);
    this.startHandle = this.net.sim.scheduleAt(this.net.now + startAt, () => this.start());
    if (stopAt !== Infinity) this.net.sim.scheduleAt(this.net.now + stopAt, () => this.stop());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.onStart();
  }

  stop(): void {
    this.net.sim.cancel(this.startHandle);
    if (!this.running) return;
    this.running = false;
    this.onStop();
  }

  protected abstract onStart(): void;
  protected abstract onStop(): void;
}
