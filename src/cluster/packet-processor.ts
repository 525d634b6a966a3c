/**
 * PacketProcessor: a device's processor that handles one packet at a time,
 * `serviceNs` each, with a bounded FIFO buffer in front (full: dropped as
 * queue-full). The smart NIC and the central balancer each have one, so
 * their per-packet cost is modelled the same way and a saturated one queues
 * and drops as a real one does. Busy periods are logged (start and end of
 * each run) so utilisation over any window can be read afterwards.
 *
 * Cost per packet: one scheduled event and an O(1) ring-buffer operation.
 */
import { DropReason } from '../net/drop-reason';
import { DropTailQueue } from '../net/drop-tail-queue';
import type { Network, PacketHolder } from '../net/network';
import type { Packet } from '../net/packet';

export class PacketProcessor implements PacketHolder {
  private readonly queue: DropTailQueue;
  private inService: Packet | null = null;
  private readonly onDone: () => void;
  /** Busy time of the runs that ended, ns. */
  private busyEnded = 0;
  /** Start of the run under way, ns; -1 when idle. */
  private runStart = -1;
  /** Packets handled so far. */
  processed = 0;

  constructor(
    readonly net: Network, readonly name: string, readonly serviceNs: number, capacity: number,
    private readonly handler: (p: Packet) => void,
  ) {
    this.queue = new DropTailQueue(capacity);
    this.onDone = () => this.done();
    net.registerHolder(this);
  }

  /** A packet for the processor: handled now when it has no cost, else in turn. */
  submit(p: Packet): void {
    if (this.serviceNs <= 0) {
      this.processed++;
      this.handler(p);
      return;
    }
    if (this.inService !== null) {
      if (!this.queue.enqueue(p)) this.net.drop(p, DropReason.QUEUE_FULL, this.name);
      return;
    }
    this.runStart = this.net.now;
    this.start(p);
  }

  private start(p: Packet): void {
    this.inService = p;
    this.net.sim.schedule(this.serviceNs, this.onDone);
  }

  private done(): void {
    const p = this.inService!;
    this.inService = null;
    this.processed++;
    this.handler(p);
    const next = this.queue.dequeue();
    if (next !== null) this.start(next);
    else {
      this.busyEnded += this.net.now - this.runStart;
      this.runStart = -1;
    }
  }

  /** Time spent processing so far, ns. */
  get busyNs(): number {
    return this.busyEnded + (this.runStart >= 0 ? this.net.now - this.runStart : 0);
  }

  /** Longest the buffer has been, packets. */
  get peakQueue(): number {
    return this.queue.peak;
  }

  packetsHeld(): number {
    return this.queue.length + (this.inService !== null ? 1 : 0);
  }
}
