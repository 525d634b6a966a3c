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
import { TcpSocket } from './tcp-socket';

export interface TcpOptions {
  mss: number;
  rcvWnd: number;
  initialRto: number;
  minRto: number;
  maxRto: number;
  /** Retransmissions of data before the connection is abandoned. */
  maxRetries: number;
  /** Retransmissions of SYN or SYN|ACK before giving up. */
  synRetries: number;
  /** Time spent in TIME_WAIT (2 MSL), kept short by default. */
  timeWait: number;
  /**
   * Delayed ACK (RFC 1122): acknowledge every `delayedAckCount`-th in-order
   * data segment, or `delayedAckTimeout` after the first unacknowledged one,
   * whichever comes first; out-of-order data and FIN are acknowledged at
   * once. 1 acknowledges every segment (the default); ns-3 uses 2 and 200 ms.
   */
  delayedAckCount: number;
  delayedAckTimeout: number;
}

export const TCP_DEFAULTS: TcpOptions = {
  mss: 1460, rcvWnd: 65535, initialRto: 1 * SECOND, minRto: 200 * MS, maxRto: 60 * SECOND,
  maxRetries: 12, synRetries: 6, timeWait: 1 * SECOND, delayedAckCount: 1, delayedAckTimeout: 200 * MS,
};

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

export class TcpLayer implements L4Protocol {
  readonly protocolNumber = IpProtocol.TCP;
  readonly opts: TcpOptions;
  private readonly conns = new Map<number, Map<number, TcpSocket>>();
  /**
   * Handles: each connection in the table has a slot (1-65535) by which
   * another device can name it (the cluster's connection reference); a
   * freed slot is reused, so a holder of an old handle must check that the
   * connection it finds is still the one it meant.
   */
  private readonly slots: (TcpSocket | undefined)[] = [undefined];
  private readonly freeSlots: number[] = [];
  private readonly listeners = new Map<number, AcceptHandler>();
  private nextEphemeral = 49153;
  private readonly issRng;
  resetsSent = 0;
  /** Every segment handed to this layer (for measures; costs nothing unless connected). */
  readonly rxTrace = new TraceSource<[Packet, TcpLayer]>('tcp-rx');
  /** A connection of this layer ended (closed, reset or timed out; not when exported or crashed). */
  readonly endTrace = new TraceSource<[TcpSocket, TcpLayer]>('tcp-end');

  /**
   * `register`: become the node's TCP (its protocol handler). A TCP engine
   * inside a device (the cluster's smart NIC) passes false and is fed
   * segments by its owner.
   */
  constructor(readonly node: IpNode, opts: Partial<TcpOptions> = {}, register = true, name = 'tcp') {
    this.opts = { ...TCP_DEFAULTS, ...opts };
    const o = this.opts;
    if (!(Number.isInteger(o.delayedAckCount) && o.delayedAckCount >= 1)) {
      throw new RangeError(`tcp: delayedAckCount must be an integer >= 1 (1 = acknowledge every segment), got ${o.delayedAckCount}`);
    }
    if (!(o.delayedAckTimeout > 0)) throw new RangeError(`tcp: delayedAckTimeout must be > 0 ns, got ${o.delayedAckTimeout}`);
    this.issRng = node.net.streams.stream(`${name}-iss/${node.name}`);
    this.counted = register;
    if (register) node.insertL4(this);
  }

  /** Whether this layer's connections count in the network's openConnections (a NIC's engine does not: it hands them on). */
  private readonly counted: boolean;

  /** Send a segment of one of this layer's sockets. */
  output(p: Packet): void {
    this.node.sendIp(p);
  }

  listen(port: number, onAccept: AcceptHandler): void {
    if (this.listeners.has(port)) throw new Error(`${this.node.name}: TCP port ${port} is already listening`);
    this.listeners.set(port, onAccept);
  }

  unlisten(port: number): void {
    this.listeners.delete(port);
  }

  isListening(port: number): boolean {
    return this.listeners.has(port);
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
      if (this.find(p, dstIp, dstPort) === undefined && !this.listeners.has(p)) return p;
    }
    throw new Error(`${this.node.name}: no free TCP ephemeral port towards that peer`);
  }

  private newSocket(localIp: Ipv4, localPort: number, remoteIp: Ipv4, remotePort: number): TcpSocket {
    const iss = Math.floor(this.issRng.random() * 2 ** 32);
    const tcb: Tcb = {
      localIp, localPort, remoteIp, remotePort, state: 'CLOSED', mss: this.opts.mss,
      iss, irs: 0, sndUna: iss, sndNxt: iss + 1, sndMax: iss + 1, sndBufEnd: iss + 1, finQueued: false,
      sndWnd: this.opts.rcvWnd, rcvNxt: 0, rcvWnd: this.opts.rcvWnd, peerFinSeq: -1,
      outOfOrder: [], sendMarks: [], srtt: 0, rttvar: 0, rto: this.opts.initialRto, retries: 0,
      rttSeq: -1, rttSentAt: 0, dupAcks: 0, unackedSegments: 0, bytesSent: 0, bytesReceived: 0, retransmits: 0,
    };
    const s = new TcpSocket(this, tcb, this.opts);
    this.add(s);
    return s;
  }

  private add(s: TcpSocket): void {
    const t = s.tcb;
    let m = this.conns.get(t.localPort);
    if (m === undefined) this.conns.set(t.localPort, (m = new Map()));
    m.set(endpointKey(t.remoteIp, t.remotePort), s);
    if (this.counted) this.node.net.openConnections++;
    const h = this.freeSlots.pop() ?? (this.slots.length <= 65535 ? this.slots.length : 0);
    if (h !== 0) this.slots[h] = s;
    s.handle = h;
  }

  /** Called by a socket when it ends. */
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

  /** Number of connections in the table. */
  get size(): number {
    let n = 0;
    for (const m of this.conns.values()) n += m.size;
    return n;
  }

  /** A passive connection completed its handshake: hand it to the listener. */
  established(s: TcpSocket): void {
    const h = this.listeners.get(s.tcb.localPort);
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
    if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && this.listeners.has(p.dstPort)) {
      this.node.net.deliver(p);
      const n = this.newSocket(p.dstIp, p.dstPort, p.srcIp, p.srcPort);
      n.openPassive(p.tcpSeq, p.tcpWindow);
      return;
    }
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

  /** Take a connection out of this layer: its TCB as a plain record. */
  exportConnection(s: TcpSocket): Tcb {
    s.detach();
    this.remove(s);
    return cloneTcb(s.tcb);
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
