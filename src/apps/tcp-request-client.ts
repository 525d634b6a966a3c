/**
 * TcpRequestClient: the client side of the TCP request/response workload.
 * It issues requests in a Poisson stream, in a closed loop (issue, wait for
 * the response, think, repeat) or at the times of a replayed trace, over one
 * connection per request or persistent connections carrying several
 * requests in sequence (HTTP/1.1 keep-alive without pipelining).
 *
 * Latency is the time from issuing a request (before connecting, for a new
 * connection) to the arrival of its whole response. On a new connection the
 * request is written once the handshake completes, as ns-3's tcp_bench
 * client writes it from its connect callback: written before, it would leave
 * with the handshake's last ACK, ahead of the point where TCP arms "answer
 * the first data at once", and the client would then acknowledge the first
 * response segment alone; written after, the request's segment carries the
 * ACK and clears that, so the response is acknowledged every second segment
 * from the start. The ACK clock of every response differs between the two
 * (which, on a switch, moved device-queue drops by a factor of ~2). Every issued request
 * ends completed or failed with a reason (RequestStats); the client closes a
 * connection after its last request. All draws come from streams named
 * `<app name>/<purpose>`.
 *
 * Cost per request: the request message and a Map lookup by socket (object
 * identity) per callback.
 */
import { checkPort, type Ipv4 } from '../net/address';
import { TraceSource } from '../net/trace-source';
import { Application } from '../nodes/application';
import type { IpNode } from '../nodes/ip-node';
import type { TcpLayer } from '../transport/tcp-layer';
import type { TcpError, TcpSocket } from '../transport/tcp-socket';
import { sampler, type Dist } from './dist';
import type { RequestFailure, RequestStats } from './request-stats';
import { isRequest, messageSize, TCP_REQUEST_PORT, type TcpRequest, type TcpResponse } from './tcp-messages';

export interface TcpClientOptions {
  /** Server addresses; a new connection goes to one drawn uniformly. */
  servers: readonly Ipv4[];
  /** Default 80. */
  port?: number;
  /**
   * 'poisson' (default): issue at exponential gaps of mean `meanInterval`, regardless of completions.
   * 'closed-loop': issue one request, wait for its end, think, repeat.
   * 'trace': issue the requests of `schedule` at their times (from the client's start).
   */
  arrival?: 'poisson' | 'closed-loop' | 'trace';
  /** Mean gap between requests for Poisson arrivals, ns (default 10 ms). */
  meanInterval?: number;
  /** Closed loop: pause before each request (the first too), ns (default 0). */
  thinkTime?: Dist;
  /** Requests to issue in all (a trace: its length). */
  requests: number;
  /** Trace arrivals: request times from the start (ns, ascending) and the sizes each asks for (null: drawn). */
  schedule?: { at: readonly number[]; requestBytes: readonly (number | null)[]; responseBytes: readonly (number | null)[] };
  /** Request size, bytes (rounded, at least 1; default 100). */
  requestSize?: Dist;
  /** 1 (default): a new connection per request; k > 1: a connection carries up to k requests, one at a time. */
  requestsPerConnection?: number;
  /** A request not answered this long after it was issued fails ('deadline') and its connection is reset; 0 (default): wait for ever, as TCP does. */
  deadline?: number;
}

interface ClientConn {
  socket: TcpSocket;
  /** Requests sent on it so far. */
  uses: number;
  /** The request awaiting its response (null: idle). */
  req: TcpRequest | null;
  /** Its deadline timer (-1: none). */
  deadlineTimer: number;
  /** The handshake has completed (a request is written at once only then). */
  established: boolean;
  /** Bytes of `req` held until the handshake completes (0: none). */
  pendingBytes: number;
}

export class TcpRequestClient extends Application {
  readonly servers: readonly Ipv4[];
  readonly port: number;
  readonly arrival: 'poisson' | 'closed-loop' | 'trace';
  readonly requests: number;
  private readonly traceSchedule: TcpClientOptions['schedule'] | null;
  private startedAt = 0;
  readonly perConnection: number;
  private readonly deadline: number;
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

  /** A request issued, on the connection that carries it. */
  readonly issueTrace = new TraceSource<[TcpRequest, TcpSocket]>('request-issued');
  /** A request ended: completed, or failed with its reason. */
  readonly endTrace = new TraceSource<[TcpRequest, 'completed' | RequestFailure]>('request-ended');

  constructor(readonly node: IpNode, readonly tcp: TcpLayer, opts: TcpClientOptions, readonly stats: RequestStats, name = `${node.name}/tcp-client`) {
    super(node.net, name);
    const o = opts;
    if (!(o.servers?.length > 0)) throw new RangeError(`${name}: servers must list at least one server address`);
    this.servers = o.servers;
    this.port = o.port ?? TCP_REQUEST_PORT;
    checkPort(this.port, name);
    this.arrival = o.arrival ?? 'poisson';
    if (this.arrival !== 'poisson' && this.arrival !== 'closed-loop' && this.arrival !== 'trace') {
      throw new RangeError(`${name}: arrival "${String(this.arrival)}" is not valid; expected "poisson", "closed-loop" or "trace"`);
    }
    this.traceSchedule = o.schedule ?? null;
    if (this.arrival === 'trace' && (this.traceSchedule === null || this.traceSchedule.at.length !== o.requests)) {
      throw new RangeError(`${name}: trace arrivals need a schedule of exactly \`requests\` (${o.requests}) entries`);
    }
    this.meanInterval = o.meanInterval ?? 10_000_000;
    if (this.arrival === 'poisson' && !(this.meanInterval > 0 && Number.isFinite(this.meanInterval))) {
      throw new RangeError(`${name}: meanInterval must be a finite number of ns > 0 for Poisson arrivals, got ${this.meanInterval}`);
    }
    if (!(Number.isInteger(o.requests) && o.requests >= 0)) throw new RangeError(`${name}: requests must be an integer >= 0, got ${o.requests}`);
    this.requests = o.requests;
    this.deadline = o.deadline ?? 0;
    if (!(Number.isFinite(this.deadline) && this.deadline >= 0)) throw new RangeError(`${name}: deadline must be a finite number of ns >= 0, got ${this.deadline}`);
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
    this.connectedCb = (s) => this.connected(s);
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
    this.startedAt = this.net.now;
    if (this.issuedHere < this.requests) this.scheduleNext();
  }

  /** Stop issuing; requests outstanding fail as 'stopped' and their connections are reset. */
  protected onStop(): void {
    this.net.sim.cancel(this.timer);
    this.timer = -1;
    for (const c of [...this.conns.values()]) {
      if (c.req !== null) {
        this.stats.recordFailure('stopped');
        if (this.endTrace.active) this.endTrace.fire(c.req, 'stopped');
      }
      c.req = null;
      c.socket.abort();
    }
    this.conns.clear();
    this.idle.length = 0;
  }

  private scheduleNext(): void {
    const gap = this.arrival === 'poisson' ? this.gapRng.exponential(this.meanInterval)
      : this.arrival === 'trace' ? Math.max(0, this.startedAt + this.traceSchedule!.at[this.issuedHere] - this.net.now) : this.think();
    this.timer = this.net.sim.schedule(gap, this.onTimer);
  }

  private timerFired(): void {
    this.timer = -1;
    if (!this.running) return;
    this.issue();
    if (this.arrival !== 'closed-loop' && this.issuedHere < this.requests) this.scheduleNext();
  }

  private issue(): void {
    const k = this.issuedHere++;
    const req: TcpRequest = { reqId: k, clientId: this.node.id, sentAt: this.net.now };
    const wanted = this.traceSchedule?.responseBytes[k] ?? null;
    if (wanted !== null) req.responseBytes = wanted;
    this.stats.recordIssue(this.net.now);
    let c = this.idle.pop();
    if (c === undefined) c = this.open();
    const bytes = this.traceSchedule?.requestBytes[k] ?? messageSize(this.reqSize());
    c.req = req;
    c.uses++;
    if (c.established) c.socket.send(bytes, req);
    else c.pendingBytes = bytes; // sent by connected(), as ns-3's client sends from its connect callback
    if (this.deadline > 0) c.deadlineTimer = this.net.sim.schedule(this.deadline, () => this.deadlinePassed(c, req));
    if (this.issueTrace.active) this.issueTrace.fire(req, c.socket);
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
    const c: ClientConn = { socket: s, uses: 0, req: null, deadlineTimer: -1, established: false, pendingBytes: 0 };
    this.conns.set(s, c);
    return c;
  }

  /** The handshake completed: write the request that waited for it. */
  private connected(s: TcpSocket): void {
    this.stats.connectionsEstablished++;
    const c = this.conns.get(s);
    if (c === undefined) return;
    c.established = true;
    if (c.pendingBytes > 0 && c.req !== null) {
      const bytes = c.pendingBytes;
      c.pendingBytes = 0;
      s.send(bytes, c.req);
    }
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
      this.clearDeadline(c);
      if (this.endTrace.active) this.endTrace.fire(c.req, 'completed');
      c.req = null;
      if (c.uses >= this.perConnection || this.issuedHere >= this.requests || !this.running) s.close();
      else this.idle.push(c);
      this.requestEnded();
    }
  }

  private clearDeadline(c: ClientConn): void {
    if (c.deadlineTimer >= 0) this.net.sim.cancel(c.deadlineTimer);
    c.deadlineTimer = -1;
  }

  /** A request completed or failed: a closed loop thinks, then issues the next. */
  private requestEnded(): void {
    if (this.arrival === 'closed-loop' && this.running && this.issuedHere < this.requests) this.scheduleNext();
  }

  private dropIdle(c: ClientConn): void {
    const k = this.idle.indexOf(c);
    if (k >= 0) this.idle.splice(k, 1);
  }

  /** No response in time: give the request up and reset its connection. */
  private deadlinePassed(c: ClientConn, req: TcpRequest): void {
    c.deadlineTimer = -1;
    if (c.req !== req) return;
    this.conns.delete(c.socket);
    this.dropIdle(c);
    this.fail(c, 'deadline');
    c.socket.abort();
  }

  private fail(c: ClientConn, why: RequestFailure): void {
    this.clearDeadline(c);
    if (c.req === null) return;
    if (this.endTrace.active) this.endTrace.fire(c.req, why);
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
