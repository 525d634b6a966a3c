/**
 * TcpLayer: the TCP of one IpNode: listeners, connection demultiplexing by
 * 4-tuple, ephemeral ports, RST for segments nobody owns, and export/import
 * of connections (a TCB leaves one layer and resumes in another).
 *
 * Demultiplexing uses numeric keys only: local port, then remote address and
 * port packed into one number (48 bits, `endpointKey`).
 *
 * Observers subscribe to `rxTrace` (every segment handed to the layer) and
 * `endTrace` (a connection left the table for good: closed, reset or timed
 * out; not when exported, nor when a crash wipes the table).
 */
import { MS, SECOND } from '../engine';
import { endpointKey, type Ipv4 } from '../net/address';
import type { Network } from '../net/network';
import { DropReason } from '../net/drop-reason';
import { IpProtocol, TcpFlag, type Packet } from '../net/packet';
import { TraceSource } from '../net/trace-source';
import type { IpNode, L4Protocol } from '../nodes/ip-node';
import { cloneTcb, wrap, type Tcb } from './tcb';
import { congestionOps, CUBIC_DEFAULTS, SSTHRESH_INFINITE, type CongestionName, type CongestionOps, type CubicOptions, type RecoveryName } from './tcp-congestion';
import { newRxBuffer } from './tcp-rx-buffer';
import { newTxBuffer } from './tcp-tx-buffer';
import { TcpSocket } from './tcp-socket';

/**
 * TCP configuration of a node, with ns-3 3.37's defaults (TcpSocket,
 * TcpSocketBase, TcpL4Protocol, RttEstimator attributes) so that the same
 * scenario means the same thing in both simulators. Times are ns.
 */
export interface TcpOptions {
  /** Congestion control (ns-3's TcpL4Protocol::SocketType): 'cubic' (default) or 'newreno'. */
  congestionControl: CongestionName;
  /** Loss recovery (TcpL4Protocol::RecoveryType): 'prr' (default) or 'classic'. */
  recovery: RecoveryName;
  /** CUBIC's parameters (TcpCubic attributes). */
  cubic: CubicOptions;
  /** Payload bytes per segment (TcpSocket::SegmentSize, 536). */
  mss: number;
  /** Initial window, segments (InitialCwnd, 10). */
  initialCwnd: number;
  /** Initial slow-start threshold, bytes (InitialSlowStartThreshold, 2^32 - 1: unbounded). */
  initialSsThresh: number;
  /** Send and receive buffers, bytes (SndBufSize, RcvBufSize, 131072). */
  sndBufSize: number;
  rcvBufSize: number;
  sack: boolean;
  windowScaling: boolean;
  timestamps: boolean;
  /** RFC 3042 limited transmit (used without SACK). */
  limitedTransmit: boolean;
  /** Nagle off (TcpNoDelay, true). */
  noDelay: boolean;
  /** RTT estimate before any sample (RttEstimator::InitialEstimation, 1 s). */
  initialRtt: number;
  minRto: number;
  clockGranularity: number;
  /** SYN retransmission timeout, doubling (ConnTimeout, 3 s) and attempts (ConnCount, 6). */
  connTimeout: number;
  synRetries: number;
  /** Retransmissions of data before the connection is abandoned (DataRetries, 6). */
  dataRetries: number;
  /** Acknowledge every n-th in-order segment (DelAckCount, 2) or after the timeout (DelAckTimeout, 200 ms). */
  delayedAckCount: number;
  delayedAckTimeout: number;
  /** First zero-window probe (PersistTimeout, 6 s). */
  persistTimeout: number;
  /** Time spent in TIME_WAIT; ns-3 waits 2 MSL = 240 s, netsim 1 s unless asked (the table would hold every closed connection). */
  timeWait: number;
}

export const TCP_DEFAULTS: TcpOptions = {
  congestionControl: 'cubic', recovery: 'prr', cubic: CUBIC_DEFAULTS, mss: 536, initialCwnd: 10, initialSsThresh: SSTHRESH_INFINITE,
  sndBufSize: 131072, rcvBufSize: 131072, sack: true, windowScaling: true, timestamps: true, limitedTransmit: true, noDelay: true,
  initialRtt: 1 * SECOND, minRto: 1 * SECOND, clockGranularity: 1 * MS, connTimeout: 3 * SECOND, synRetries: 6, dataRetries: 6,
  delayedAckCount: 2, delayedAckTimeout: 200 * MS, persistTimeout: 6 * SECOND, timeWait: 1 * SECOND,
};

/** Check a TCP configuration; throws RangeError naming the first bad option. */
export function checkTcpOptions(o: TcpOptions): void {
  const int = (k: keyof TcpOptions, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = o[k] as number;
    if (!(Number.isInteger(v) && v >= min && v <= max)) throw new RangeError(`tcp: ${k} must be an integer in [${min}, ${max}], got ${v}`);
  };
  const pos = (k: keyof TcpOptions) => {
    const v = o[k] as number;
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`tcp: ${k} must be > 0 ns, got ${v}`);
  };
  if (o.congestionControl !== 'cubic' && o.congestionControl !== 'newreno') throw new RangeError(`tcp: congestionControl must be 'cubic' or 'newreno', got ${String(o.congestionControl)}`);
  if (o.recovery !== 'prr' && o.recovery !== 'classic') throw new RangeError(`tcp: recovery must be 'prr' or 'classic', got ${String(o.recovery)}`);
  int('mss', 1, 65495);
  int('initialCwnd', 1, 65535);
  int('initialSsThresh', 2, SSTHRESH_INFINITE);
  int('sndBufSize', 1, 2 ** 30);
  int('rcvBufSize', 1, 2 ** 30);
  int('synRetries', 1, 100);
  int('dataRetries', 0, 100);
  int('delayedAckCount', 1, 1000);
  for (const k of ['initialRtt', 'minRto', 'clockGranularity', 'connTimeout', 'delayedAckTimeout', 'persistTimeout', 'timeWait'] as const) pos(k);
}

export type AcceptHandler = (s: TcpSocket) => void;

/**
 * The RST that answers segment `seg` (RFC 793): with the segment's ACK
 * number as sequence when it carried an ACK, else RST|ACK acknowledging it.
 */
export function resetFor(seg: Packet, net: Network): Packet {
  const r = net.newPacket();
  r.protocol = IpProtocol.TCP;
  r.srcIp = seg.dstIp;
  r.dstIp = seg.srcIp;
  r.srcPort = seg.dstPort;
  r.dstPort = seg.srcPort;
  if (seg.tcpFlags & TcpFlag.ACK) {
    r.tcpSeq = seg.tcpAck;
    r.tcpFlags = TcpFlag.RST;
  } else {
    const len = seg.payloadBytes + (seg.tcpFlags & TcpFlag.SYN ? 1 : 0) + (seg.tcpFlags & TcpFlag.FIN ? 1 : 0);
    r.tcpSeq = 0;
    r.tcpAck = wrap(seg.tcpSeq + len);
    r.tcpFlags = TcpFlag.RST | TcpFlag.ACK;
  }
  return r;
}

/**
 * The options a layer runs with (defaults filled in, checked, frozen) and
 * its congestion controller (stateless: per-connection state is in the TCB),
 * made once per options object a builder passes: the layers of a hundred
 * thousand clients built from one scenario share one of each.
 */
const RESOLVED = new WeakMap<Partial<TcpOptions>, { opts: TcpOptions; ccOps: CongestionOps }>();

function resolvedOptions(given: Partial<TcpOptions>): { opts: TcpOptions; ccOps: CongestionOps } {
  let r = RESOLVED.get(given);
  if (r === undefined) {
    const opts = { ...TCP_DEFAULTS, ...given, cubic: Object.freeze({ ...CUBIC_DEFAULTS, ...given.cubic }) };
    checkTcpOptions(opts);
    r = { opts: Object.freeze(opts), ccOps: congestionOps(opts.congestionControl, opts.cubic) };
    RESOLVED.set(given, r);
  }
  return r;
}

export class TcpLayer implements L4Protocol {
  readonly protocolNumber = IpProtocol.TCP;
  readonly opts: TcpOptions;
  private readonly conns = new Map<number, Map<number, TcpSocket>>();
  /** Connections in `conns`, all ports together. */
  private nConns = 0;
  /**
   * Handles: each connection in the table has a slot (1-65535) by which
   * another device can name it (the cluster's connection reference); a
   * freed slot is reused, so a holder of an old handle must check that the
   * connection it finds is still the one it meant.
   */
  private readonly slots: (TcpSocket | undefined)[] = [undefined];
  private readonly freeSlots: number[] = [];
  /** Listening ports (made on the first listen: a client's layer never has one). */
  private listeners: Map<number, AcceptHandler> | null = null;
  private nextEphemeral = 49153;
  private readonly issRng;
  resetsSent = 0;
  /** Every segment handed to this layer (for measures; costs nothing unless connected). */
  readonly rxTrace = new TraceSource<[Packet, TcpLayer]>('tcp-rx');
  /** Every segment a socket of this layer hands to IP (ns-3's TcpSocketBase "Tx"). */
  readonly txTrace = new TraceSource<[Packet, TcpSocket]>('tcp-tx');
  /** A connection of this layer ended (closed, reset or timed out; not when exported or crashed). */
  readonly endTrace = new TraceSource<[TcpSocket, TcpLayer]>('tcp-end');

  /**
   * `register`: become the node's TCP (its protocol handler). A TCP engine
   * inside a device (the cluster's smart NIC) passes false and is fed
   * segments by its owner.
   */
  constructor(readonly node: IpNode, opts: Partial<TcpOptions> = {}, register = true, name = 'tcp') {
    const shared = resolvedOptions(opts);
    this.opts = shared.opts;
    this.ccOps = shared.ccOps;
    this.issRng = node.net.streams.stream(`${name}-iss/${node.name}`);
    this.counted = register;
    if (register) node.insertL4(this);
  }

  private readonly ccOps: CongestionOps;

  /** The congestion controller named `name` (a migrated connection keeps its own). */
  congestion(name: string): CongestionOps {
    if (name === this.ccOps.name) return this.ccOps;
    return congestionOps(name === 'newreno' ? 'newreno' : 'cubic', this.opts.cubic);
  }

  /** Whether this layer's connections count in the network's openConnections (a NIC's engine does not: it hands them on). */
  private readonly counted: boolean;

  /** Send a segment of socket `s` (its Tx trace fires first, as ns-3's). */
  output(p: Packet, s: TcpSocket): void {
    if (this.txTrace.active) this.txTrace.fire(p, s);
    this.node.sendIp(p);
  }

  listen(port: number, onAccept: AcceptHandler): void {
    const ls = (this.listeners ??= new Map());
    if (ls.has(port)) throw new Error(`${this.node.name}: TCP port ${port} is already listening`);
    ls.set(port, onAccept);
  }

  unlisten(port: number): void {
    this.listeners?.delete(port);
  }

  isListening(port: number): boolean {
    return this.listeners?.has(port) ?? false;
  }

  /** Open a connection to dstIp:dstPort from `srcIp` (default: the route's interface). */
  connect(dstIp: Ipv4, dstPort: number, srcIp: Ipv4 = this.node.sourceAddressFor(dstIp)): TcpSocket {
    const port = this.ephemeralPort(dstIp, dstPort);
    const s = this.newSocket(srcIp, port, dstIp, dstPort);
    s.openActive();
    return s;
  }

  private ephemeralPort(dstIp: Ipv4, dstPort: number): number {
    for (let tries = 0; tries < 16384; tries++) {
      const p = this.nextEphemeral;
      this.nextEphemeral = p >= 65535 ? 49153 : p + 1;
      if (this.find(p, dstIp, dstPort) === undefined && !this.isListening(p)) return p;
    }
    throw new Error(`${this.node.name}: no free TCP ephemeral port towards that peer`);
  }

  private newSocket(localIp: Ipv4, localPort: number, remoteIp: Ipv4, remotePort: number): TcpSocket {
    const o = this.opts;
    const iss = Math.floor(this.issRng.random() * 2 ** 32);
    const tcb: Tcb = {
      localIp, localPort, remoteIp, remotePort, state: 'CLOSED', mss: o.mss, iss, irs: 0,
      sndNxt: iss, sndMax: iss, rWnd: 0, advWnd: 0, tx: newTxBuffer(iss + 1, o.sndBufSize), rx: newRxBuffer(o.rcvBufSize),
      sendMarks: [], unbuffered: 0,
      connected: false, closeOnEmpty: false, closeNotified: false, synCount: 0, dataRetrCount: 0, delAckCount: 0, delAckMax: o.delayedAckCount,
      sack: o.sack, windowScaling: o.windowScaling, timestamps: o.timestamps, rcvWindShift: 0, sndWindShift: 0,
      tsToEcho: 0, rcvTsValue: 0, highTxAck: 0, highRxAckMark: 0, highRxMark: 0,
      srtt: o.initialRtt, rttvar: 0, rttSamples: 0, rto: 0, lastRtt: 0, minRtt: Number.MAX_SAFE_INTEGER, history: [],
      cc: this.ccOps.name, ccState: this.ccOps.initState(), recovery: o.recovery, prrDelivered: 0, prrOut: 0, recoveryFlightSize: 0,
      cwnd: o.initialCwnd * o.mss, ssThresh: o.initialSsThresh, congState: 'open', dupAcks: 0, recover: 0, recoverActive: false,
      isFirstPartialAck: true, retransDataAcked: false, bytesAckedNotProcessed: 0, lastAckedSeq: 0, inFlight: 0, delivered: 0,
      bytesSent: 0, bytesReceived: 0, retransmits: 0,
    };
    const s = new TcpSocket(this, tcb, this.opts);
    this.add(s);
    return s;
  }

  private add(s: TcpSocket): void {
    const t = s.tcb;
    let m = this.conns.get(t.localPort);
    if (m === undefined) this.conns.set(t.localPort, (m = new Map()));
    const k = endpointKey(t.remoteIp, t.remotePort);
    if (!m.has(k)) this.nConns++;
    m.set(k, s);
    if (this.counted) this.node.net.openConnections++;
    const h = this.freeSlots.pop() ?? (this.slots.length <= 65535 ? this.slots.length : 0);
    if (h !== 0) this.slots[h] = s;
    s.handle = h;
  }

  /** Called by a socket when it leaves for good (closed, reset, timed out). */
  ended(s: TcpSocket): void {
    this.remove(s);
    if (this.endTrace.active) this.endTrace.fire(s, this);
  }

  /** Take a socket out of the table (it ended or is being exported). */
  remove(s: TcpSocket): void {
    const t = s.tcb;
    const m = this.conns.get(t.localPort);
    const k = endpointKey(t.remoteIp, t.remotePort);
    if (m !== undefined && m.get(k) === s) {
      m.delete(k);
      this.nConns--;
      if (this.counted) this.node.net.openConnections--;
      if (s.handle !== 0 && this.slots[s.handle] === s) {
        this.slots[s.handle] = undefined;
        this.freeSlots.push(s.handle);
      }
      s.handle = 0;
      if (m.size === 0) this.conns.delete(t.localPort);
    }
  }

  /** The connection in slot `handle`, if any. */
  byHandle(handle: number): TcpSocket | undefined {
    return handle > 0 ? this.slots[handle] : undefined;
  }

  /** Hand segment `p` to connection `s` directly (a caller that found it by reference, not by demultiplexing). */
  deliverTo(s: TcpSocket, p: Packet): void {
    if (this.rxTrace.active) this.rxTrace.fire(p, this);
    this.node.net.deliver(p);
    s.segmentArrived(p);
  }

  find(localPort: number, remoteIp: Ipv4, remotePort: number): TcpSocket | undefined {
    return this.conns.get(localPort)?.get(endpointKey(remoteIp, remotePort));
  }

  /** Every connection in the table (a copy: safe to change the table while walking it). */
  sockets(): TcpSocket[] {
    const out: TcpSocket[] = [];
    for (const m of this.conns.values()) for (const s of m.values()) out.push(s);
    return out;
  }

  /** Number of connections in the table (a server's load report reads it every period). */
  get size(): number {
    return this.nConns;
  }

  /** A passive connection completed its handshake: hand it to the listener. */
  established(s: TcpSocket): void {
    const h = this.listeners?.get(s.tcb.localPort);
    if (h !== undefined) h(s);
  }

  /** A segment for this node. */
  receive(p: Packet): void {
    if (this.rxTrace.active) this.rxTrace.fire(p, this);
    const s = this.find(p.dstPort, p.srcIp, p.srcPort);
    if (s !== undefined) {
      this.node.net.deliver(p);
      s.segmentArrived(p);
      return;
    }
    const flags = p.tcpFlags;
    if ((flags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN && this.isListening(p.dstPort)) {
      this.node.net.deliver(p);
      this.newSocket(p.dstIp, p.dstPort, p.srcIp, p.srcPort).openPassive(p);
      return;
    }
    // Anything else nobody owns gets RST, a listener too (RFC 793; ns-3's
    // listener ignores it, which leaves a peer retrying for minutes).
    this.node.net.drop(p, DropReason.NO_SOCKET, this.node.name);
    if (!(flags & TcpFlag.RST)) this.sendReset(p);
  }

  /** RFC 793: answer a segment that no connection owns with RST. */
  private sendReset(seg: Packet): void {
    this.resetsSent++;
    this.node.sendIp(resetFor(seg, this.node.net));
  }

  /** The host crashed: every connection's state is lost at once (no FIN, no RST). Returns how many. */
  crash(): number {
    let n = 0;
    for (const m of [...this.conns.values()]) {
      for (const sock of [...m.values()]) {
        sock.detach();
        sock.tcb.state = 'CLOSED';
        this.remove(sock);
        n++;
      }
    }
    return n;
  }

  /**
   * Take a connection out of this layer: its TCB as a plain record. The
   * record is the detached socket's own TCB, which nothing changes after
   * this (no copy: importConnection copies what it is given, so a record
   * sent twice, as a migration retry does, stays what it was).
   */
  exportConnection(s: TcpSocket): Tcb {
    s.detach();
    this.remove(s);
    return s.tcb;
  }

  /** Resume an exported connection here; set its callbacks before data flows (on the next event). */
  importConnection(record: Tcb): TcpSocket {
    const existing = this.find(record.localPort, record.remoteIp, record.remotePort);
    if (existing !== undefined) throw new Error(`${this.node.name}: connection ${existing.describe()} already exists`);
    const s = new TcpSocket(this, cloneTcb(record), this.opts);
    this.add(s);
    this.node.net.sim.schedule(0, () => s.resume());
    return s;
  }
}
