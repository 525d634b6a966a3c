/**
 * LoadReporter: servers tell each other their load over the third LAN
 * (claims 21, 45). Every `periodNs` (first report at a random phase) a
 * server broadcasts one UDP datagram of `bytes` on its third-LAN interface;
 * every peer's smart NIC stores what arrived in its state table, with the
 * arrival time and the packet and device it came by; once a period, its
 * failure detector looks for peers that fell silent (failure-detector.ts).
 */
import type { RandomStream } from '../engine';
import { IPV4_BROADCAST } from '../net/address';
import type { Packet } from '../net/packet';
import { UdpSocket } from '../transport/udp-socket';
import type { Member } from './member';
import type { SmartNic } from './smart-nic';

export const REPORT_PORT = 7002;

export interface ReportOptions {
  periodNs: number;
  bytes: number;
}

export interface LoadReport {
  server: number;
  load: number;
}

export class LoadReporter {
  sent = 0;
  received = 0;
  private readonly socket: UdpSocket;
  private readonly rng: RandomStream;
  private readonly onTick: () => void;

  constructor(readonly member: Member, readonly nic: SmartNic | null, readonly opts: ReportOptions) {
    const node = member.node;
    if (member.thirdIface === null) throw new Error(`${node.name}: load reports need a third-LAN interface`);
    if (!(opts.periodNs > 0)) throw new RangeError(`${node.name}: the report period must be > 0 ns, got ${opts.periodNs}`);
    this.rng = node.net.streams.stream(`reports/${node.name}`);
    this.socket = new UdpSocket(node).bind(REPORT_PORT);
    this.socket.onReceive = (p) => this.receive(p);
    this.onTick = () => this.tick();
  }

  start(): void {
    this.member.node.net.sim.schedule(this.rng.uniform(0, this.opts.periodNs), this.onTick);
  }

  private tick(): void {
    const node = this.member.node;
    if (node.up) {
      const iface = this.member.thirdIface!;
      const p = this.socket.newDatagram(IPV4_BROADCAST, REPORT_PORT, this.opts.bytes);
      p.srcIp = iface.ip;
      const report: LoadReport = { server: this.member.index, load: this.loadNow() };
      p.appData = report;
      this.sent++;
      node.outputVia(p, iface, IPV4_BROADCAST);
      this.nic?.detector.check(node.net.now);
    }
    node.net.sim.schedule(this.opts.periodNs, this.onTick);
  }

  /** The load a report says: the server's own, read now. */
  loadNow(): number {
    return this.member.load();
  }

  private receive(p: Packet): void {
    const r = p.appData as LoadReport;
    this.received++;
    this.nic?.reportArrived(r.server, r.load, p, this.member.thirdIface!.dev.name);
  }
}
