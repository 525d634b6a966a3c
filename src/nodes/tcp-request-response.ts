/**
 * TCP request/response applications: a server whose requests queue for the
 * host's CPU, and a client issuing requests in a Poisson stream or a closed
 * loop, over one connection per request or persistent connections carrying
 * several requests in sequence (HTTP/1.1 keep-alive without pipelining).
 *
 * A request is a write of `requestSize` bytes carrying the message
 * `{ reqId, clientId, sentAt }`; it is complete when that message arrives
 * (with the write's last byte). The server then submits a CPU job drawn from
 * `serviceTime` and answers with `responseSize` bytes carrying a
 * TcpResponse that echoes the request. Latency is the time from issuing the
 * request (before connecting, for a new connection) to the arrival of the
 * whole response.
 *
 * Invariants: every issued request ends completed or failed with a reason
 * (TcpWorkloadStats); the client closes a connection after its last request;
 * the server closes when the client has closed and its responses are sent.
 * All draws come from streams named `<app name>/<purpose>`.
 *
 * Cost per request: the request and response messages, one CPU job record,
 * and a Map lookup by socket (object identity) per callback.
 */
import type { Ipv4 } from '../net/address';
import { Application } from './application';
import { Cpu } from './cpu';
import { sampler, type Dist } from './dist';
import type { IpNode } from './ip-node';
import type { TcpLayer } from './tcp-layer';
import type { TcpError, TcpSocket } from './tcp-socket';
import type { RequestFailure, TcpWorkloadStats } from './tcp-workload-stats';

export { sampler, distMean, validateDist, DIST_KINDS, type Dist } from './dist';
export { TcpWorkloadStats, percentileOfSorted, type RequestFailure } from './tcp-workload-stats';

export const TCP_REQUEST_PORT = 80;

/** The message a request carries. */
export interface TcpRequest {
  reqId: number;
  /** Node id of the client host. */
  clientId: number;
  /** When the request was issued, ns. */
  sentAt: number;
}

/** The message a response carries: the request echoed, its size and who served it. */
export interface TcpResponse extends TcpRequest {
  bytes: number;
  /** Node id of the host whose application served it. */
  servedBy: number;
}

function isRequest(m: unknown): m is TcpRequest {
  return typeof m === 'object' && m !== null && typeof (m as TcpRequest).reqId === 'number';
}

const size = (x: number): number => (x >= 1 ? Math.round(x) : 1);

// ---------------------------------------------------------------- server

export interface TcpServerOptions {
  port: number;
  /** CPU time per request, ns. */
  serviceTime: Dist;
  /** Response size, bytes (rounded, at least 1). */
  responseSize: Dist;
  /** The host's CPU (default: a new one-core CPU). */
  cpu?: Cpu;
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
  /** Called when a request is complete, before it queues for the CPU. */
  onRequest: ((socket: TcpSocket, request: TcpRequest) => void) | undefined = undefined;
  private readonly conns = new Map<TcpSocket, ServerConn>();
  private readonly service: () => number;
  private readonly respSize: () => number;
  private readonly onServed: (job: ServerJob) => void;
  private readonly onAccept: (s: TcpSocket) => void;
  private readonly dataCb: (s: TcpSocket, bytes: number, msgs: unknown[] | null) => void;
  private readonly peerCloseCb: (s: TcpSocket) => void;
  private readonly closedCb: (s: TcpSocket) => void;
  private readonly errorCb: (s: TcpSocket, e: TcpError) => void;

  constructor(readonly node: IpNode, readonly tcp: TcpLayer, opts: TcpServerOptions, readonly stats: TcpWorkloadStats, name = `${node.name}/tcp-server`) {
    super(node.net, name);
    if (!(Number.isInteger(opts.port) && opts.port >= 1 && opts.port <= 65535)) {
      throw new RangeError(`${name}: port must be an integer in 1-65535, got ${opts.port}`);
    }
    this.port = opts.port;
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
      if (this.onRequest !== undefined) this.onRequest(s, m);
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
    if (c.gone || s.tcb.finQueued || !(st === 'ESTABLISHED' || st === 'CLOSE_WAIT')
      || s.layer.find(s.tcb.localPort, s.tcb.remoteIp, s.tcb.remotePort) !== s) {
      this.stats.responsesAbandoned++;
      return;
    }
    const bytes = size(this.respSize());
    const r = job.req;
    const resp: TcpResponse = { reqId: r.reqId, clientId: r.clientId, sentAt: r.sentAt, bytes, servedBy: this.node.id };
    s.send(bytes, resp);
    this.stats.responsesSent++;
    this.stats.responseBytesSent += bytes;
    if (c.peerClosed && c.pending === 0) s.close();
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

// ---------------------------------------------------------------- client

export interface TcpClientOptions {
  /** Server addresses; a new connection goes to one drawn uniformly. */
  servers: readonly Ipv4[];
  /** Default 80. */
  port?: number;
  /** 'poisson' (default): issue at exponential gaps of mean `meanInterval`, regardless of completions. 'closed-loop': issue one request, wait for its end, think, repeat. */
  arrival?: 'poisson' | 'closed-loop';
  /** Mean gap between requests for Poisson arrivals, ns (default 10 ms). */
  meanInterval?: number;
  /** Closed loop: pause before each request (the first too), ns (default 0). */
  thinkTime?: Dist;
  /** Requests to issue in all. */
  requests: number;
  /** Request size, bytes (rounded, at least 1; default 100). */
  requestSize?: Dist;
  /** 1 (default): a new connection per request; k > 1: a connection carries up to k requests, one at a time. */
  requestsPerConnection?: number;
}

interface ClientConn {
  socket: TcpSocket;
  /** Requests sent on it so far. */
  uses: number;
  /** The request awaiting its response (null: idle). */
  req: TcpRequest | null;
}

export class TcpRequestClient extends Application {
  readonly servers: readonly Ipv4[];
  readonly port: number;
  readonly arrival: 'poisson' | 'closed-loop';
  readonly requests: number;
  readonly perConnection: number;
  private readonly meanInterval: number;
  private readonly think: () => number;
  private readonly reqSize: () => number;
  private readonly gapRng;
  private readonly pickRng;
  private readonly conns = new Map<TcpSocket, ClientConn>();
  /** Established connections with no request outstanding and uses left (LIFO: the warmest first). */
  private readonly idle: ClientConn[] = [];
  private issuedHere = 0;
  private timer = -1;
  private readonly onTimer: () => void;
  private readonly connectedCb: (s: TcpSocket) => void;
  private readonly dataCb: (s: TcpSocket, bytes: number, msgs: unknown[] | null) => void;
  private readonly peerCloseCb: (s: TcpSocket) => void;
  private readonly closedCb: (s: TcpSocket) => void;
  private readonly errorCb: (s: TcpSocket, e: TcpError) => void;

  constructor(readonly node: IpNode, readonly tcp: TcpLayer, opts: TcpClientOptions, readonly stats: TcpWorkloadStats, name = `${node.name}/tcp-client`) {
    super(node.net, name);
    const o = opts;
    if (!(o.servers?.length > 0)) throw new RangeError(`${name}: servers must list at least one server address`);
    this.servers = o.servers;
    this.port = o.port ?? TCP_REQUEST_PORT;
    if (!(Number.isInteger(this.port) && this.port >= 1 && this.port <= 65535)) {
      throw new RangeError(`${name}: port must be an integer in 1-65535, got ${this.port}`);
    }
    this.arrival = o.arrival ?? 'poisson';
    if (this.arrival !== 'poisson' && this.arrival !== 'closed-loop') {
      throw new RangeError(`${name}: arrival "${String(this.arrival)}" is not valid; expected "poisson" or "closed-loop"`);
    }
    this.meanInterval = o.meanInterval ?? 10_000_000;
    if (this.arrival === 'poisson' && !(this.meanInterval > 0 && Number.isFinite(this.meanInterval))) {
      throw new RangeError(`${name}: meanInterval must be a finite number of ns > 0 for Poisson arrivals, got ${this.meanInterval}`);
    }
    if (!(Number.isInteger(o.requests) && o.requests >= 0)) throw new RangeError(`${name}: requests must be an integer >= 0, got ${o.requests}`);
    this.requests = o.requests;
    this.perConnection = o.requestsPerConnection ?? 1;
    if (!(Number.isInteger(this.perConnection) && this.perConnection >= 1)) {
      throw new RangeError(`${name}: requestsPerConnection must be an integer >= 1, got ${this.perConnection}`);
    }
    const streams = node.net.streams;
    this.gapRng = streams.stream(`${name}/gap`);
    this.pickRng = streams.stream(`${name}/pick`);
    this.think = sampler(o.thinkTime ?? { kind: 'constant', value: 0 }, streams.stream(`${name}/think`), `${name}: thinkTime`);
    this.reqSize = sampler(o.requestSize ?? { kind: 'constant', value: 100 }, streams.stream(`${name}/request-size`), `${name}: requestSize`);
    this.onTimer = () => this.timerFired();
    this.connectedCb = () => { this.stats.connectionsEstablished++; };
    this.dataCb = (s, bytes, msgs) => this.data(s, bytes, msgs);
    this.peerCloseCb = (s) => this.peerClosed(s);
    this.closedCb = (s) => {
      this.stats.connectionsClosed++;
      this.conns.delete(s);
    };
    this.errorCb = (s, e) => this.failed(s, e);
  }

  /** Requests this client has issued. */
  get issued(): number {
    return this.issuedHere;
  }

  /** Connections open now. */
  get connections(): number {
    return this.conns.size;
  }

  protected onStart(): void {
    if (this.issuedHere < this.requests) this.scheduleNext();
  }

  /** Stop issuing; requests outstanding fail as 'stopped' and their connections are reset. */
  protected onStop(): void {
    this.net.sim.cancel(this.timer);
    this.timer = -1;
    for (const c of [...this.conns.values()]) {
      if (c.req !== null) this.stats.recordFailure('stopped');
      c.req = null;
      c.socket.abort();
    }
    this.conns.clear();
    this.idle.length = 0;
  }

  private scheduleNext(): void {
    const gap = this.arrival === 'poisson' ? this.gapRng.exponential(this.meanInterval) : this.think();
    this.timer = this.net.sim.schedule(gap, this.onTimer);
  }

  private timerFired(): void {
    this.timer = -1;
    if (!this.running) return;
    this.issue();
    if (this.arrival === 'poisson' && this.issuedHere < this.requests) this.scheduleNext();
  }

  private issue(): void {
    const req: TcpRequest = { reqId: this.issuedHere++, clientId: this.node.id, sentAt: this.net.now };
    this.stats.issued++;
    let c = this.idle.pop();
    if (c === undefined) c = this.open();
    const bytes = size(this.reqSize());
    c.req = req;
    c.uses++;
    c.socket.send(bytes, req);
    this.stats.requestBytesSent += bytes;
    if (this.issuedHere === this.requests) this.closeIdle();
  }

  private open(): ClientConn {
    const dst = this.servers[this.servers.length === 1 ? 0 : this.pickRng.integer(0, this.servers.length - 1)];
    const s = this.tcp.connect(dst, this.port);
    this.stats.connectionsOpened++;
    s.onConnected = this.connectedCb;
    s.onData = this.dataCb;
    s.onPeerClose = this.peerCloseCb;
    s.onClosed = this.closedCb;
    s.onError = this.errorCb;
    const c: ClientConn = { socket: s, uses: 0, req: null };
    this.conns.set(s, c);
    return c;
  }

  /** No more requests will come: close the connections waiting for one. */
  private closeIdle(): void {
    for (const c of this.idle) c.socket.close();
    this.idle.length = 0;
  }

  private data(s: TcpSocket, bytes: number, msgs: unknown[] | null): void {
    this.stats.responseBytesReceived += bytes;
    if (msgs === null) return;
    const c = this.conns.get(s);
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as TcpResponse;
      if (c === undefined || c.req === null || !isRequest(m) || m.reqId !== c.req.reqId) {
        this.stats.unmatchedResponses++;
        continue;
      }
      this.stats.recordLatency(this.net.now - c.req.sentAt);
      c.req = null;
      if (c.uses >= this.perConnection || this.issuedHere >= this.requests || !this.running) s.close();
      else this.idle.push(c);
      this.requestEnded();
    }
  }

  /** A request completed or failed: a closed loop thinks, then issues the next. */
  private requestEnded(): void {
    if (this.arrival === 'closed-loop' && this.running && this.issuedHere < this.requests) this.scheduleNext();
  }

  private dropIdle(c: ClientConn): void {
    const k = this.idle.indexOf(c);
    if (k >= 0) this.idle.splice(k, 1);
  }

  private fail(c: ClientConn, why: RequestFailure): void {
    if (c.req === null) return;
    c.req = null;
    this.stats.recordFailure(why);
    this.requestEnded();
  }

  private failed(s: TcpSocket, e: TcpError): void {
    this.stats.connectionErrors++;
    const c = this.conns.get(s);
    if (c === undefined) return;
    this.conns.delete(s);
    this.dropIdle(c);
    this.fail(c, e);
  }

  /** The server closed: a request still on the connection will get no response. */
  private peerClosed(s: TcpSocket): void {
    const c = this.conns.get(s);
    if (c !== undefined) {
      this.dropIdle(c);
      this.fail(c, 'peer-closed');
    }
    s.close();
  }
}
