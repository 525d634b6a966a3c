/**
 * TcpServerApp: the server side of the TCP request/response workload. A
 * request is complete when its message arrives (with the write's last
 * byte); the server then submits a CPU job drawn from `serviceTime` to the
 * host's CPU and, when it is done, answers with a response of the size the
 * request asked for or one drawn from `responseSize`, carrying a
 * TcpResponse that echoes the request. It closes a connection once the
 * client has closed it and every response is sent.
 *
 * It can also adopt an established connection imported from another host
 * (the cluster's migration) and release one being exported.
 *
 * Observers subscribe to `requestTrace` (a complete request, before it
 * queues for the CPU). All draws come from streams named
 * `<app name>/<purpose>`.
 *
 * Cost per request: one CPU job record and the response message; a Map
 * lookup by socket (object identity) per callback.
 */
import { checkPort } from '../net/address';
import { TraceSource } from '../net/trace-source';
import { Application } from '../nodes/application';
import type { IpNode } from '../nodes/ip-node';
import type { TcpLayer } from '../transport/tcp-layer';
import type { TcpError, TcpSocket } from '../transport/tcp-socket';
import { Cpu } from './cpu';
import { sampler, type Dist } from './dist';
import type { RequestStats } from './request-stats';
import { isRequest, messageSize, type TcpRequest, type TcpResponse } from './tcp-messages';

export interface TcpServerOptions {
  port: number;
  /** CPU time per request, ns. */
  serviceTime: Dist;
  /** Response size, bytes (rounded, at least 1). */
  responseSize: Dist;
  /** The host's CPU (default: a new one-core CPU). */
  cpu?: Cpu;
  /**
   * 'client' (default): close once the client has closed and every response
   * is sent (HTTP/1.1 keep-alive); 'response': close right after answering,
   * the FIN riding on the response's last segment (HTTP/1.0, ns-3's
   * tcp_bench server).
   */
  closeAfter?: 'client' | 'response';
}

interface ServerConn {
  socket: TcpSocket;
  /** Requests accepted and not yet answered. */
  pending: number;
  peerClosed: boolean;
  /** Closed, failed or released: responses for it are abandoned. */
  gone: boolean;
}

interface ServerJob {
  conn: ServerConn;
  req: TcpRequest;
}

export class TcpServerApp extends Application {
  readonly cpu: Cpu;
  readonly port: number;
  readonly closeAfter: 'client' | 'response';
  /** A request is complete, before it queues for the CPU. */
  readonly requestTrace = new TraceSource<[TcpSocket, TcpRequest]>('request');
  private readonly conns = new Map<TcpSocket, ServerConn>();
  private readonly service: () => number;
  private readonly respSize: () => number;
  private readonly onServed: (job: ServerJob) => void;
  private readonly onAccept: (s: TcpSocket) => void;
  private readonly dataCb: (s: TcpSocket, bytes: number, msgs: unknown[] | null) => void;
  private readonly peerCloseCb: (s: TcpSocket) => void;
  private readonly closedCb: (s: TcpSocket) => void;
  private readonly errorCb: (s: TcpSocket, e: TcpError) => void;

  constructor(readonly node: IpNode, readonly tcp: TcpLayer, opts: TcpServerOptions, readonly stats: RequestStats, name = `${node.name}/tcp-server`) {
    super(node.net, name);
    this.port = checkPort(opts.port, name);
    this.closeAfter = opts.closeAfter ?? 'client';
    if (this.closeAfter !== 'client' && this.closeAfter !== 'response') throw new RangeError(`${name}: closeAfter must be 'client' or 'response', got ${String(this.closeAfter)}`);
    this.cpu = opts.cpu ?? new Cpu(node.net.sim, 1, `${node.name}/cpu`);
    this.service = sampler(opts.serviceTime, node.net.streams.stream(`${name}/service`), `${name}: serviceTime`);
    this.respSize = sampler(opts.responseSize, node.net.streams.stream(`${name}/response-size`), `${name}: responseSize`);
    this.onServed = (job) => this.served(job);
    this.onAccept = (s) => {
      this.stats.serverConnectionsAccepted++;
      this.adopt(s);
    };
    this.dataCb = (s, bytes, msgs) => this.data(s, bytes, msgs);
    this.peerCloseCb = (s) => this.peerClosed(s);
    this.closedCb = (s) => {
      this.stats.serverConnectionsClosed++;
      this.forget(s);
    };
    this.errorCb = (s) => {
      this.stats.serverErrors++;
      this.forget(s);
    };
  }

  protected onStart(): void {
    this.tcp.listen(this.port, this.onAccept);
  }

  /** Stop accepting; connections already open are served to the end. */
  protected onStop(): void {
    this.tcp.unlisten(this.port);
  }

  /** Connections this application serves now. */
  get connections(): number {
    return this.conns.size;
  }

  /**
   * Serve an established connection: one this application accepted, or one
   * imported from another host (set before the imported socket resumes,
   * i.e. in the same event as `importConnection`). Idempotent.
   */
  adopt(socket: TcpSocket): void {
    if (this.conns.has(socket)) return;
    this.conns.set(socket, { socket, pending: 0, peerClosed: false, gone: false });
    socket.onData = this.dataCb;
    socket.onPeerClose = this.peerCloseCb;
    socket.onClosed = this.closedCb;
    socket.onError = this.errorCb;
  }

  /**
   * Stop serving `socket` (it is being exported to another host): requests
   * of it still at the CPU are abandoned (counted). Returns how many were.
   */
  release(socket: TcpSocket): number {
    const c = this.conns.get(socket);
    if (c === undefined) return 0;
    this.forget(socket);
    return c.pending;
  }

  private forget(s: TcpSocket): void {
    const c = this.conns.get(s);
    if (c === undefined) return;
    c.gone = true;
    this.conns.delete(s);
  }

  private data(s: TcpSocket, bytes: number, msgs: unknown[] | null): void {
    this.stats.requestBytesReceived += bytes;
    if (msgs === null) return;
    const c = this.conns.get(s);
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      if (!isRequest(m) || c === undefined) {
        this.stats.unknownMessages++;
        continue;
      }
      this.stats.requestsReceived++;
      if (this.requestTrace.active) this.requestTrace.fire(s, m);
      c.pending++;
      this.cpu.submit(this.service(), this.onServed, { conn: c, req: m });
    }
  }

  private served(job: ServerJob): void {
    const c = job.conn;
    c.pending--;
    const s = c.socket;
    const st = s.state;
    // A socket exported without release() is no longer in its layer's table.
    if (c.gone || s.closing || !(st === 'ESTABLISHED' || st === 'CLOSE_WAIT')
      || s.layer.find(s.tcb.localPort, s.tcb.remoteIp, s.tcb.remotePort) !== s) {
      this.stats.responsesAbandoned++;
      return;
    }
    const bytes = job.req.responseBytes ?? messageSize(this.respSize());
    const r = job.req;
    const resp: TcpResponse = { reqId: r.reqId, clientId: r.clientId, sentAt: r.sentAt, bytes, servedBy: this.node.id };
    s.send(bytes, resp);
    this.stats.responsesSent++;
    this.stats.responseBytesSent += bytes;
    if (c.pending === 0 && (c.peerClosed || this.closeAfter === 'response')) s.close();
  }

  private peerClosed(s: TcpSocket): void {
    const c = this.conns.get(s);
    if (c === undefined) {
      s.close();
      return;
    }
    c.peerClosed = true;
    if (c.pending === 0) s.close();
  }
}
