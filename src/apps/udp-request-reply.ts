/**
 * The UDP request/reply workload of the ns-3 anchor (cluster_bench.cc):
 * each client sends `requests` datagrams with exponential gaps (mean
 * `interval`) to a uniformly chosen server; each server answers every request
 * with a datagram of `respSize` bytes carrying the request's SeqTs (12 B:
 * sequence number and send time), and the client measures the round trip.
 */
import type { RandomStream } from '../engine';
import type { Ipv4 } from '../net/address';
import { SEQ_TS_HEADER, type Packet } from '../net/packet';
import { Application } from '../nodes/application';
import type { IpNode } from '../nodes/ip-node';
import { UdpSocket } from '../transport/udp-socket';

export const REQUEST_PORT = 9;

/** Counters shared by all clients and servers of one workload. */
export class UdpRequestStats {
  reqSent = 0;
  reqRcvd = 0;
  respSent = 0;
  respRcvd = 0;
  rttSumNs = 0;
  rttMaxNs = 0;

  meanRttNs(): number {
    return this.respRcvd > 0 ? this.rttSumNs / this.respRcvd : 0;
  }
}

export class UdpReplyServer extends Application {
  private socket: UdpSocket | null = null;

  constructor(readonly node: IpNode, readonly respSize: number, readonly stats: UdpRequestStats, readonly port = REQUEST_PORT) {
    super(node.net, `${node.name}/udp-server`);
  }

  protected onStart(): void {
    const s = new UdpSocket(this.node).bind(this.port);
    s.onReceive = (p) => this.reply(s, p);
    this.socket = s;
  }

  protected onStop(): void {
    this.socket?.close();
    this.socket = null;
  }

  private reply(s: UdpSocket, req: Packet): void {
    this.stats.reqRcvd++;
    const r = s.newDatagram(req.srcIp, req.srcPort, Math.max(this.respSize, SEQ_TS_HEADER));
    r.appSeq = req.appSeq;
    r.appTs = req.appTs;
    this.stats.respSent++;
    s.send(r);
  }
}

export class UdpRequestClient extends Application {
  private socket: UdpSocket | null = null;
  private sentCount = 0;
  private timer = -1;
  private readonly gap: RandomStream;
  private readonly pick: RandomStream;
  private readonly onSend: () => void;

  constructor(
    readonly node: IpNode,
    readonly servers: readonly Ipv4[],
    readonly requests: number,
    readonly meanIntervalNs: number,
    readonly reqSize: number,
    readonly stats: UdpRequestStats,
    readonly port = REQUEST_PORT,
  ) {
    super(node.net, `${node.name}/udp-client`);
    if (servers.length === 0) throw new RangeError(`${this.name}: needs at least one server address`);
    this.gap = node.net.streams.stream(`${this.name}/gap`);
    this.pick = node.net.streams.stream(`${this.name}/pick`);
    this.onSend = () => this.sendOne();
  }

  protected onStart(): void {
    const s = new UdpSocket(this.node).bind(0);
    s.onReceive = (p) => this.receive(p);
    this.socket = s;
    if (this.requests > 0) this.timer = this.net.sim.schedule(this.gap.exponential(this.meanIntervalNs), this.onSend);
  }

  protected onStop(): void {
    this.net.sim.cancel(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  private sendOne(): void {
    const s = this.socket!;
    const dst = this.servers[this.pick.integer(0, this.servers.length - 1)];
    const p = s.newDatagram(dst, this.port, Math.max(this.reqSize, SEQ_TS_HEADER));
    p.appSeq = this.sentCount;
    p.appTs = this.net.now;
    this.stats.reqSent++;
    s.send(p);
    if (++this.sentCount < this.requests) {
      this.timer = this.net.sim.schedule(this.gap.exponential(this.meanIntervalNs), this.onSend);
    }
  }

  private receive(p: Packet): void {
    const rtt = this.net.now - p.appTs;
    const st = this.stats;
    st.respRcvd++;
    st.rttSumNs += rtt;
    if (rtt > st.rttMaxNs) st.rttMaxNs = rtt;
  }
}
