/**
 * The UDP request/reply workload of the ns-3 anchor (cluster_bench.cc):
 * each client sends `requests` datagrams with exponential gaps (mean
 * `meanIntervalNs`) to a uniformly chosen server; each server answers every
 * request with a datagram of the response size carrying the request's SeqTs
 * (12 B: sequence number and send time), and the client measures the round
 * trip as the request's latency.
 *
 * Counters go to the workload's RequestStats: a client's sends are
 * `issued`, its answers `completed` (latency = RTT); a server counts
 * `requestsReceived` and `responsesSent`. A lost datagram is neither
 * completed nor failed: it stays unfinished.
 */
import type { RandomStream } from '../engine';
import type { Ipv4 } from '../net/address';
import { SEQ_TS_HEADER, type Packet } from '../net/packet';
import { Application } from '../nodes/application';
import type { IpNode } from '../nodes/ip-node';
import { UdpSocket } from '../transport/udp-socket';
import { sampler, type Dist } from './dist';
import type { RequestStats } from './request-stats';

export const UDP_REQUEST_PORT = 9;

export class UdpReplyServer extends Application {
  private socket: UdpSocket | null = null;
  private readonly respSize: () => number;
  /** Requests this server answered. */
  served = 0;

  constructor(readonly node: IpNode, responseSize: Dist, readonly stats: RequestStats, readonly port = UDP_REQUEST_PORT) {
    super(node.net, `${node.name}/udp-server`);
    this.respSize = sampler(responseSize, node.net.streams.stream(`${this.name}/response-size`), `${this.name}: responseSize`);
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
    this.stats.requestsReceived++;
    this.stats.requestBytesReceived += req.payloadBytes;
    const bytes = Math.max(Math.round(this.respSize()), SEQ_TS_HEADER);
    const r = s.newDatagram(req.srcIp, req.srcPort, bytes);
    r.appSeq = req.appSeq;
    r.appTs = req.appTs;
    this.stats.responsesSent++;
    this.served++;
    this.stats.responseBytesSent += bytes;
    s.send(r);
  }
}

export interface UdpClientOptions {
  servers: readonly Ipv4[];
  requests: number;
  /** Mean gap between requests, ns (exponential gaps). */
  meanIntervalNs: number;
  requestSize: Dist;
  port?: number;
}

export class UdpRequestClient extends Application {
  private socket: UdpSocket | null = null;
  private sentCount = 0;
  private timer = -1;
  private readonly gap: RandomStream;
  private readonly pick: RandomStream;
  private readonly reqSize: () => number;
  private readonly onSend: () => void;
  readonly servers: readonly Ipv4[];
  readonly requests: number;
  readonly port: number;

  constructor(readonly node: IpNode, readonly opts: UdpClientOptions, readonly stats: RequestStats) {
    super(node.net, `${node.name}/udp-client`);
    if (opts.servers.length === 0) throw new RangeError(`${this.name}: needs at least one server address`);
    if (!(opts.meanIntervalNs > 0)) throw new RangeError(`${this.name}: meanIntervalNs must be > 0, got ${opts.meanIntervalNs}`);
    this.servers = opts.servers;
    this.requests = opts.requests;
    this.port = opts.port ?? UDP_REQUEST_PORT;
    this.gap = node.net.streams.stream(`${this.name}/gap`);
    this.pick = node.net.streams.stream(`${this.name}/pick`);
    this.reqSize = sampler(opts.requestSize, node.net.streams.stream(`${this.name}/request-size`), `${this.name}: requestSize`);
    this.onSend = () => this.sendOne();
  }

  /** Requests sent so far. */
  get issued(): number {
    return this.sentCount;
  }

  protected onStart(): void {
    const s = new UdpSocket(this.node).bind(0);
    s.onReceive = (p) => this.receive(p);
    this.socket = s;
    if (this.requests > 0) this.timer = this.net.sim.schedule(this.gap.exponential(this.opts.meanIntervalNs), this.onSend);
  }

  protected onStop(): void {
    this.net.sim.cancel(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  private sendOne(): void {
    const s = this.socket!;
    const dst = this.servers[this.pick.integer(0, this.servers.length - 1)];
    const bytes = Math.max(Math.round(this.reqSize()), SEQ_TS_HEADER);
    const p = s.newDatagram(dst, this.port, bytes);
    p.appSeq = this.sentCount;
    p.appTs = this.net.now;
    this.stats.recordIssue(this.net.now);
    this.stats.requestBytesSent += bytes;
    s.send(p);
    if (++this.sentCount < this.requests) {
      this.timer = this.net.sim.schedule(this.gap.exponential(this.opts.meanIntervalNs), this.onSend);
    }
  }

  private receive(p: Packet): void {
    this.stats.responseBytesReceived += p.payloadBytes;
    this.stats.recordLatency(this.net.now - p.appTs);
  }
}
