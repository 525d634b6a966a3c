/**
 * PfifoFastQueueDisc: Linux's pfifo_fast as ns-3 3.37 models it: three FIFO
 * bands, band 0 served first; a packet's band comes from its socket priority
 * (`Packet.priority`, ns-3's SocketPriorityTag; 0 when unset) through
 * prio2band = [1,2,2,2,1,2,0,0,1,1,1,1,1,1,1,1]; a packet arriving when the
 * disc holds `limitPackets` (1000) in all is refused ("Queue disc limit
 * exceeded", counted as qdisc-overlimit).
 */
import { DropReason } from '../net/drop-reason';
import type { Network } from '../net/network';
import type { Packet } from '../net/packet';
import { QueueDisc } from './queue-disc';
import { TimedPacketQueue } from './timed-packet-queue';

export interface PfifoFastParams {
  /** Packets held in all bands (ns-3 "MaxSize": 1000p). */
  limitPackets: number;
}

export const PFIFO_FAST_DEFAULTS: PfifoFastParams = { limitPackets: 1000 };

/** Band of each socket priority 0-15 (ns-3's and Linux's prio2band). */
export const PRIO2BAND: readonly number[] = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

export class PfifoFastQueueDisc extends QueueDisc {
  readonly kind = 'pfifo-fast';
  readonly params: PfifoFastParams;
  readonly bands = [new TimedPacketQueue(), new TimedPacketQueue(), new TimedPacketQueue()];

  constructor(net: Network, name: string, params: Partial<PfifoFastParams> = {}) {
    super(net, name);
    const p = { ...PFIFO_FAST_DEFAULTS, ...params };
    if (!(Number.isInteger(p.limitPackets) && p.limitPackets >= 1)) throw new RangeError(`pfifo-fast ${name}: limitPackets must be an integer >= 1, got ${p.limitPackets}`);
    this.params = p;
  }

  protected doEnqueue(p: Packet, _size: number, now: number): void {
    if (this.nPackets >= this.params.limitPackets) {
      this.dropBeforeEnqueue(p, DropReason.QDISC_OVERLIMIT);
      return;
    }
    this.packetEnqueued(p, this.bands[PRIO2BAND[p.priority & 0x0f]].push(p, now));
  }

  protected doDequeue(_now: number): Packet | null {
    const bands = this.bands;
    for (let b = 0; b < 3; b++) {
      const q = bands[b];
      if (q.length > 0) {
        const p = q.shift()!;
        this.packetDequeued(q.shiftedSize);
        return p;
      }
    }
    return null;
  }

  protected purge(out: Packet[]): void {
    for (const q of this.bands) for (let p = q.shift(); p !== null; p = q.shift()) out.push(p);
  }
}
