/**
 * Counts what TCP sends, as ns-3's tcp_bench anchor counts it: every
 * segment a socket hands to IP; a retransmission is a segment that takes
 * sequence space (payload, SYN or FIN) and starts below the highest sequence
 * number its socket has sent so far. Pure ACKs and RSTs are never
 * retransmissions. Subscribes to the layers' Tx traces (one callback per
 * segment; nothing is copied).
 */
import { TcpFlag, type Packet } from '../net/packet';
import { unwrap } from './tcb';
import type { TcpLayer } from './tcp-layer';
import type { TcpSocket } from './tcp-socket';

export class TcpCounters {
  segments = 0;
  retransmits = 0;
  retransmitBytes = 0;
  /** Retransmitted SYNs and SYN|ACKs. */
  synRetransmits = 0;
  private readonly high = new WeakMap<TcpSocket, number>();
  private readonly onTx = (p: Packet, s: TcpSocket): void => this.count(p, s);

  constructor(layers: readonly TcpLayer[]) {
    for (const l of layers) l.txTrace.connect(this.onTx);
  }

  private count(p: Packet, s: TcpSocket): void {
    this.segments++;
    const f = p.tcpFlags;
    const len = p.payloadBytes + (f & TcpFlag.SYN ? 1 : 0) + (f & TcpFlag.FIN ? 1 : 0);
    if (len === 0) return;
    const start = unwrap(p.tcpSeq, s.tcb.iss);
    const h = this.high.get(s);
    if (h !== undefined && start < h) {
      this.retransmits++;
      this.retransmitBytes += p.payloadBytes;
      if (f & TcpFlag.SYN) this.synRetransmits++;
    }
    if (h === undefined || start + len > h) this.high.set(s, start + len);
  }
}
