/**
 * CoDelQueueDisc: one FIFO under CoDel (codel.ts), as ns-3 3.37's
 * CoDelQueueDisc: a packet that would take the disc over its limit is
 * refused ("Overlimit drop"); dequeue applies the control law. ns-3's
 * limit is in bytes, 1500 x 1000 by default (DEFAULT_CODEL_LIMIT packets of
 * 1500 bytes); `limitPackets` sets a packet limit instead.
 */
import { DropReason } from '../net/drop-reason';
import type { Network } from '../net/network';
import type { Packet } from '../net/packet';
import { CoDel, CODEL_DEFAULTS, type CoDelDropSink, type CoDelParams } from './codel';
import { checkCoDelParams } from './fq-codel-queue-disc';
import { QueueDisc } from './queue-disc';

export interface CoDelDiscParams extends CoDelParams {
  /** Limit in bytes (ns-3: 1,500,000); ignored when `limitPackets` is set. */
  limitBytes: number;
  /** Limit in packets instead of bytes (0: use `limitBytes`). */
  limitPackets: number;
}

export const CODEL_DISC_DEFAULTS: CoDelDiscParams = { ...CODEL_DEFAULTS, limitBytes: 1500 * 1000, limitPackets: 0 };

export class CoDelQueueDisc extends QueueDisc implements CoDelDropSink {
  readonly kind = 'codel';
  readonly params: CoDelDiscParams;
  /** The FIFO and its CoDel state. */
  readonly codel: CoDel;

  constructor(net: Network, name: string, params: Partial<CoDelDiscParams> = {}) {
    super(net, name);
    const p = { ...CODEL_DISC_DEFAULTS, ...params };
    const where = `codel ${name}`;
    checkCoDelParams(p, where);
    if (!(Number.isInteger(p.limitPackets) && p.limitPackets >= 0)) throw new RangeError(`${where}: limitPackets must be an integer >= 0 (0: limit in bytes), got ${p.limitPackets}`);
    if (p.limitPackets === 0 && !(Number.isInteger(p.limitBytes) && p.limitBytes >= 1)) throw new RangeError(`${where}: limitBytes must be an integer >= 1, got ${p.limitBytes}`);
    this.params = p;
    this.codel = new CoDel(p);
  }

  protected doEnqueue(p: Packet, size: number, now: number): void {
    const o = this.params;
    const over = o.limitPackets > 0 ? this.nPackets + 1 > o.limitPackets : this.nBytes + size > o.limitBytes;
    if (over) {
      this.dropBeforeEnqueue(p, DropReason.QDISC_OVERLIMIT);
      return;
    }
    this.packetEnqueued(p, this.codel.push(p, now));
  }

  protected doDequeue(now: number): Packet | null {
    const p = this.codel.dequeue(now, this);
    if (p !== null) this.packetDequeued(this.codel.shiftedSize);
    return p;
  }

  codelDrop(p: Packet, size: number): void {
    this.dropAfterDequeue(p, size, DropReason.QDISC_CODEL);
  }

  protected purge(out: Packet[]): void {
    for (let p = this.codel.shift(); p !== null; p = this.codel.shift()) out.push(p);
  }
}
