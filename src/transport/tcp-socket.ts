/**
 * TcpSocket: one TCP connection end point, with the behaviour of ns-3
 * 3.37's TcpSocketBase segment for segment, so that a scenario means the
 * same thing in netsim and in ns-3:
 *
 * - the state machine of RFC 793 as ns-3 runs it (including its simultaneous
 *   close when the application closes on the peer's last data, a FIN riding
 *   on the last data segment, TIME_WAIT of 2·MSL);
 * - congestion control and recovery as plug-ins (tcp-congestion.ts): slow
 *   start, congestion avoidance, fast retransmit on the third duplicate ACK
 *   or when the scoreboard says the head is lost, PRR during recovery,
 *   limited transmit, RTO back-off that resets cwnd to one segment;
 * - the SACK scoreboard of RFC 6675 (tcp-tx-buffer.ts), window scaling and
 *   timestamps of RFC 7323 (their header bytes are on the wire: 32-byte
 *   headers on data, 36 on SYN), RTT from the echoed timestamp with ms
 *   resolution, RTO = max(minRto, SRTT + max(G, 4·RTTVAR));
 * - delayed ACKs (every second segment or 200 ms; the first data after the
 *   handshake and anything out of order at once), SYN retransmission after
 *   3 s doubling, send and receive buffers.
 *
 * All connection state is in `tcb` (a plain record, see tcb.ts); the socket
 * adds only callbacks and timer handles, so a connection can be exported and
 * re-imported elsewhere mid-transfer.
 *
 * Applications write whole messages (`send(bytes, message)`). Bytes beyond
 * the send buffer wait in the socket and enter it as acknowledgements free
 * room, as an ns-3 application writing from its send callback would.
 */
import { IpProtocol, TCP_HEADER, TcpFlag, TcpOpt, type Packet } from '../net/packet';
import { doRecovery, enterRecovery, recoverySent, type CongestionOps } from './tcp-congestion';
import { computeRto, MAX_RTO, resetRtt, rttMeasurement } from './tcp-rtt';
import { marksIn, maxRxSequence, rxAdd, rxFinished, setFinSequence, type RxDelivery } from './tcp-rx-buffer';
import {
  addRenoSack, bytesInFlight, copyFromSequence, discardUpTo, isHeadRetransmitted, isLost, isRetransmittedDataAcked,
  markHeadAsLost, nextSeg, resetLastSegmentSent, resetRenoSack, setHead, setSentListLost, sizeFromSeq, txAdd, txAvailable, updateSack,
} from './tcp-tx-buffer';
import { STATE_ORDER, unwrap, wrap, type CongState, type Tcb, type TcpMark, type TcpState } from './tcb';
import type { TcpLayer, TcpOptions } from './tcp-layer';

export type TcpError = 'timeout' | 'reset' | 'refused';

const { FIN, SYN, RST, PSH, ACK } = TcpFlag;
const ESTABLISHED = STATE_ORDER.ESTABLISHED;
/** Duplicate ACKs (or SACKed segments above a hole) that mean a loss (ns-3's ReTxThreshold). */
const DUP_THRESH = 3;
/** Largest window field (ns-3's MaxWindowSize). */
const MAX_WIN = 65535;
/** Option bytes a TCP header can carry. */
const MAX_OPTIONS = 40;

/** What the retransmission timer does when it fires. */
const enum Rtx { NONE, RTO, EMPTY }

export class TcpSocket {
  onConnected: (s: TcpSocket) => void = () => {};
  /** New in-order bytes, and the messages whose last byte they completed (null: none). */
  onData: (s: TcpSocket, bytes: number, messages: unknown[] | null) => void = () => {};
  /** The peer sent FIN: no more data will come. */
  onPeerClose: (s: TcpSocket) => void = () => {};
  /** The connection closed normally (entered TIME_WAIT, or finished its close). */
  onClosed: (s: TcpSocket) => void = () => {};
  onError: (s: TcpSocket, e: TcpError) => void = () => {};

  /** Slot of this connection in its layer's table (0: none), by which the cluster references it. */
  handle = 0;
  private rtxTimer = -1;
  private rtxKind = Rtx.NONE;
  private rtxFlags = 0;
  private delAckTimer = -1;
  private lastAckTimer = -1;
  private timeWaitTimer = -1;
  private persistTimer = -1;
  private persistTimeout: number;
  private sendPendingTimer = -1;
  /** Left the layer's table (deallocated): nothing more is sent. */
  private gone = false;
  private peerCloseNotified = false;
  private readonly seg: [number, number] = [0, 0];
  private readonly rxOut: RxDelivery = { bytes: 0, marks: null };
  private readonly sackOut = { delivered: 0 };
  private readonly fire: { rtx: () => void; delAck: () => void; lastAck: () => void; timeWait: () => void; persist: () => void; sendPending: () => void };
  readonly cc: CongestionOps;

  constructor(readonly layer: TcpLayer, readonly tcb: Tcb, readonly opts: TcpOptions) {
    this.cc = layer.congestion(tcb.cc);
    this.persistTimeout = opts.persistTimeout;
    this.fire = {
      rtx: () => this.rtxFired(),
      delAck: () => this.delAckTimeout(),
      lastAck: () => this.lastAckTimeout(),
      timeWait: () => {
        this.timeWaitTimer = -1;
        this.closeAndNotify();
      },
      persist: () => this.persistFired(),
      sendPending: () => {
        this.sendPendingTimer = -1;
        this.sendPendingData(this.tcb.connected);
      },
    };
  }

  get state(): TcpState {
    return this.tcb.state;
  }

  /** The application has closed its side (a FIN is queued or sent). */
  get closing(): boolean {
    const s = this.tcb.state;
    return this.tcb.closeOnEmpty || !(s === 'ESTABLISHED' || s === 'CLOSE_WAIT' || s === 'SYN_SENT' || s === 'SYN_RCVD');
  }

  private get now(): number {
    return this.layer.node.net.now;
  }

  private get sim() {
    return this.layer.node.net.sim;
  }

  // ---------------------------------------------------------------- app API

  /** Queue `bytes` of application data; `message` reaches the peer with the last byte. */
  send(bytes: number, message?: unknown): void {
    const t = this.tcb;
    if (this.closing) throw new Error(`tcp ${this.describe()}: send in state ${t.state} after close`);
    if (!(bytes > 0 && Number.isInteger(bytes))) throw new RangeError(`tcp send: bytes must be a positive integer, got ${bytes}`);
    t.unbuffered += bytes;
    this.refill();
    if (message !== undefined) t.sendMarks.push({ end: t.tx.head + t.tx.size + t.unbuffered, data: message });
    if ((t.state === 'ESTABLISHED' || t.state === 'CLOSE_WAIT') && this.availableWindow() > 0 && this.sendPendingTimer < 0) {
      // ns-3 lets the application write more in the same instant: one time step later.
      this.sendPendingTimer = this.sim.schedule(1, this.fire.sendPending);
    }
  }

  /** Close after all queued data (FIN). */
  close(): void {
    const t = this.tcb;
    if (this.gone || t.closeOnEmpty) return;
    const st = t.state;
    if (st === 'FIN_WAIT_1' || st === 'FIN_WAIT_2' || st === 'CLOSING' || st === 'LAST_ACK' || st === 'TIME_WAIT') return; // closed already
    if (t.rx.held > 0) {
      // ns-3 answers a close with unread data by a reset.
      this.sendEmpty(RST);
      this.deallocate();
      this.onError(this, 'reset');
      return;
    }
    if (sizeFromSeq(t.tx, t.sndNxt) > 0 || t.unbuffered > 0) {
      t.closeOnEmpty = true;
      return;
    }
    this.doClose();
  }

  /** Abort with RST. */
  abort(): void {
    if (this.gone) return;
    if (this.tcb.state !== 'CLOSED') this.sendEmpty(RST);
    this.deallocate();
  }

  describe(): string {
    const t = this.tcb;
    return `${ip(t.localIp)}:${t.localPort}<->${ip(t.remoteIp)}:${t.remotePort}`;
  }

  // --------------------------------------------------------------- opening

  /** Active open: send SYN. */
  openActive(): void {
    const t = this.tcb;
    resetRtt(t, this.opts);
    t.synCount = this.opts.synRetries;
    t.dataRetrCount = this.opts.dataRetries;
    this.sendEmpty(SYN);
    t.state = 'SYN_SENT';
  }

  /** Passive open for a SYN that reached a listener: adopt its options, answer SYN|ACK. */
  openPassive(p: Packet): void {
    const t = this.tcb;
    this.synOptions(p);
    t.state = 'SYN_RCVD';
    t.synCount = this.opts.synRetries;
    t.dataRetrCount = this.opts.dataRetries;
    t.irs = p.tcpSeq;
    t.rx.next = t.irs + 1;
    t.highRxMark = t.irs;
    this.sendEmpty(SYN | ACK);
  }

  /** A SYN or SYN|ACK: options, the peer's window, the initial window. */
  private synOptions(p: Packet): void {
    const t = this.tcb;
    t.rWnd = p.tcpWindow;
    if (t.windowScaling && (p.tcpOptions & TcpOpt.WSCALE) !== 0) {
      t.sndWindShift = Math.min(14, p.tcpWscale);
    } else {
      t.windowScaling = false;
      t.rcvWindShift = 0;
    }
    if (!(t.sack && (p.tcpOptions & TcpOpt.SACK_PERM) !== 0)) t.sack = false;
    if (t.timestamps && (p.tcpOptions & TcpOpt.TS) !== 0) {
      // ns-3 takes a SYN's timestamp as any segment's (ProcessOptionTimestamp):
      // the value unless older, the echo only if the SYN sits at RCV.NXT and
      // RCV.NXT was acknowledged. Its ISN is 0 and its receive buffer starts
      // at 0, so that holds for every SYN before the connection is
      // synchronised and for none after: a server in SYN_RCVD that gets the
      // SYN again (its SYN|ACK was lost) keeps echoing the first SYN's
      // timestamp, and the client then measures the RTT from its first SYN
      // (about 3 s), which gives RTO = SRTT + 4·RTTVAR, about 9 s.
      if (t.rcvTsValue <= p.tcpTsVal) {
        t.rcvTsValue = p.tcpTsVal;
        if (STATE_ORDER[t.state] < STATE_ORDER.SYN_RCVD) t.tsToEcho = p.tcpTsVal;
      }
    } else {
      t.timestamps = false;
    }
    t.cwnd = this.opts.initialCwnd * t.mss;
    t.ssThresh = this.opts.initialSsThresh;
  }

  // -------------------------------------------------------------- receiving

  segmentArrived(p: Packet): void {
    const t = this.tcb;
    if (this.gone) return;
    const flags = p.tcpFlags;
    if (flags & RST) {
      this.onReset();
      return;
    }
    const len = p.payloadBytes;
    const seq = unwrap(p.tcpSeq, t.rx.next);
    if (len > 0 && this.outOfRange(seq, seq + len)) {
      this.sendEmpty(ACK); // RFC 793 p. 69: acknowledge an unacceptable segment
      return;
    }
    if (flags & SYN) {
      this.synOptions(p);
      if (flags & ACK) {
        this.estimateRtt(p);
        t.highRxAckMark = unwrap(p.tcpAck, t.sndNxt);
      }
    } else if (flags & ACK) {
      if (t.timestamps) {
        if ((p.tcpOptions & TcpOpt.TS) === 0) return; // RFC 7323: discard a segment without timestamps
        this.processTimestamp(p, seq);
      }
      this.estimateRtt(p);
      this.updateWindowSize(p, seq);
    }
    if (t.rWnd === 0 && this.persistTimer < 0 && t.connected) {
      this.cancelRtx();
      this.persistTimer = this.sim.schedule(this.persistTimeout, this.fire.persist);
    }
    switch (t.state) {
      case 'ESTABLISHED': this.processEstablished(p, seq); break;
      case 'SYN_SENT': this.processSynSent(p, seq); break;
      case 'SYN_RCVD': this.processSynRcvd(p, seq); break;
      case 'FIN_WAIT_1': case 'FIN_WAIT_2': case 'CLOSE_WAIT': this.processWait(p, seq); break;
      case 'CLOSING': this.processClosing(p, seq); break;
      case 'LAST_ACK': this.processLastAck(p, seq); break;
      case 'TIME_WAIT':
        // RFC 793: acknowledge a retransmitted FIN (ns-3 ignores it, and the
        // peer then retransmits until it gives up).
        if (p.tcpFlags & FIN) this.sendEmpty(ACK);
        break;
      default: break;
    }
    if (t.rWnd !== 0 && this.persistTimer >= 0) {
      this.sim.cancel(this.persistTimer);
      this.persistTimer = -1;
      this.sendPendingData(t.connected);
    }
  }

  private outOfRange(head: number, tail: number): boolean {
    const s = this.tcb.state;
    if (s === 'LISTEN' || s === 'SYN_SENT' || s === 'SYN_RCVD') return false;
    const rx = this.tcb.rx;
    if (s === 'LAST_ACK' || s === 'CLOSING' || s === 'CLOSE_WAIT') return rx.next !== head;
    return tail < rx.next || maxRxSequence(rx) <= head;
  }

  private processEstablished(p: Packet, seq: number): void {
    const t = this.tcb;
    const f = p.tcpFlags & ~PSH;
    if (f === ACK) {
      const ack = unwrap(p.tcpAck, t.tx.head);
      if (ack < t.tx.head) return; // an old duplicate: ignored (RFC 793 p. 72)
      if (ack > t.sndMax) {
        this.sendEmpty(ACK); // acknowledges what was never sent
        return;
      }
      this.receivedAck(p, seq);
    } else if (f === (FIN | ACK) || f === FIN) {
      this.peerClose(p, seq);
    } else if (f === 0) {
      this.receivedData(p, seq);
      if (rxFinished(t.rx)) this.peerClose(p, seq);
    }
    // A SYN or SYN|ACK here is a late duplicate: nothing to do.
  }

  private processSynSent(p: Packet, seq: number): void {
    const t = this.tcb;
    const f = p.tcpFlags & ~PSH;
    if (f === 0) {
      this.established();
      this.cancelRtx();
      t.delAckCount = t.delAckMax;
      this.receivedData(p, seq);
      this.onConnected(this);
    } else if ((f & ACK) !== 0 && (f & SYN) === 0) {
      // an ACK in SYN_SENT is ignored
    } else if ((f & SYN) !== 0 && (f & ACK) === 0) {
      // Simultaneous open.
      t.state = 'SYN_RCVD';
      t.synCount = this.opts.synRetries;
      t.irs = p.tcpSeq;
      t.rx.next = t.irs + 1;
      this.sendEmpty(SYN | ACK);
    } else if (unwrap(p.tcpAck, t.sndNxt) === t.sndNxt + 1) {
      this.established();
      this.cancelRtx();
      t.irs = p.tcpSeq;
      t.rx.next = t.irs + 1;
      t.highRxMark = t.irs;
      t.sndMax = ++t.sndNxt;
      setHead(t.tx, t.sndNxt);
      this.sendEmpty(ACK);
      this.sendPendingData(t.connected);
      t.delAckCount = t.delAckMax; // answer the first data at once
      this.onConnected(this);
    } else {
      this.sendRst();
      this.closeAndNotify();
    }
  }

  private processSynRcvd(p: Packet, seq: number): void {
    const t = this.tcb;
    const f = p.tcpFlags & ~PSH;
    if (f === 0 || (f === ACK && unwrap(p.tcpAck, t.sndNxt) === t.sndNxt + 1)) {
      this.established();
      this.cancelRtx();
      t.sndMax = ++t.sndNxt;
      setHead(t.tx, t.sndNxt);
      t.delAckCount = t.delAckMax;
      this.layer.established(this);
      if (this.gone) return;
      this.receivedAck(p, seq);
    } else if (f === SYN) {
      t.rx.next = p.tcpSeq + 1; // our SYN|ACK was lost
      this.sendEmpty(SYN | ACK);
    } else if (f === (FIN | ACK)) {
      if (seq === t.rx.next) {
        t.connected = true;
        this.cancelRtx();
        t.sndMax = ++t.sndNxt;
        setHead(t.tx, t.sndNxt);
        this.layer.established(this);
        if (this.gone) return;
        this.peerClose(p, seq);
      }
    } else {
      this.sendRst();
      this.closeAndNotify();
    }
  }

  private established(): void {
    const t = this.tcb;
    this.cc.congestionStateSet(t, 'open', this.now);
    t.congState = 'open';
    t.state = 'ESTABLISHED';
    t.connected = true;
  }

  private processWait(p: Packet, seq: number): void {
    const t = this.tcb;
    const f = p.tcpFlags & ~PSH;
    if (p.payloadBytes > 0 && (f & ACK) === 0) {
      this.receivedData(p, seq);
    } else if (f === ACK) {
      this.receivedAck(p, seq);
      if (this.gone) return;
      if (t.state === 'FIN_WAIT_1' && t.tx.size === 0 && unwrap(p.tcpAck, t.sndMax) === t.sndMax + 1) t.state = 'FIN_WAIT_2';
    } else if (f === FIN || f === (FIN | ACK)) {
      if (f & ACK) {
        this.receivedAck(p, seq);
        if (this.gone) return;
      }
      // The FIN follows the segment's data. (ns-3 takes it at the segment's
      // first byte, so a FIN riding on data is never acknowledged here.)
      setFinSequence(t.rx, seq + p.payloadBytes);
    } else {
      return; // a duplicate SYN or SYN|ACK
    }
    if ((t.state === 'FIN_WAIT_1' || t.state === 'FIN_WAIT_2') && rxFinished(t.rx)) {
      if (t.state === 'FIN_WAIT_1') {
        t.state = 'CLOSING';
        if (t.tx.size === 0 && unwrap(p.tcpAck, t.sndMax) === t.sndMax + 1) this.timeWait();
      } else {
        this.timeWait();
      }
      this.sendEmpty(ACK);
      this.notifyPeerClose();
    }
  }

  private processClosing(p: Packet, seq: number): void {
    const f = p.tcpFlags & ~PSH;
    if (f === ACK) {
      if (seq === this.tcb.rx.next && this.acksOurFin(p)) this.timeWait();
      return;
    }
    if (f === FIN || f === (FIN | ACK)) this.sendEmpty(ACK);
    else this.sendRst();
    this.closeAndNotify();
  }

  private processLastAck(p: Packet, seq: number): void {
    const f = p.tcpFlags & ~PSH;
    if (f === 0) {
      this.receivedData(p, seq);
    } else if (f === ACK) {
      if (seq === this.tcb.rx.next && this.acksOurFin(p)) this.closeAndNotify();
    } else if (f === FIN) {
      this.sendEmpty(FIN | ACK); // the peer lost our FIN|ACK
    } else if (f === (FIN | ACK)) {
      this.closeAndNotify();
    } else {
      this.sendRst();
      this.closeAndNotify();
    }
  }

  /**
   * The segment acknowledges our FIN. ns-3 checks only the sequence number
   * in CLOSING and LAST_ACK, and so takes an ACK of earlier data for the
   * ACK of its FIN when the FIN is lost, leaving the peer in FIN_WAIT_2.
   */
  private acksOurFin(p: Packet): boolean {
    return unwrap(p.tcpAck, this.tcb.sndMax) === this.tcb.sndMax + 1;
  }

  /** The peer sent a FIN: note where it is, take its data, close once everything before it arrived. */
  private peerClose(p: Packet, seq: number): void {
    const t = this.tcb;
    if (seq < t.rx.next || seq > maxRxSequence(t.rx)) return;
    setFinSequence(t.rx, seq + p.payloadBytes);
    if (p.payloadBytes > 0) {
      this.receivedData(p, seq);
      if (this.gone) return;
    }
    if (!rxFinished(t.rx)) return;
    if (t.state === 'FIN_WAIT_1') {
      t.state = 'CLOSING'; // the application closed while this FIN was being taken
      this.notifyPeerClose();
      return;
    }
    this.doPeerClose();
  }

  private doPeerClose(): void {
    const t = this.tcb;
    // ns-3 moves to CLOSE_WAIT from every state; after our own FIN that
    // strands the connection, so there netsim takes RFC 793's way.
    if (t.state === 'FIN_WAIT_1' || t.state === 'FIN_WAIT_2') {
      const finAcked = t.state === 'FIN_WAIT_2';
      t.state = 'CLOSING';
      this.notifyPeerClose();
      if (this.gone) return;
      if (finAcked) this.timeWait();
      this.sendEmpty(ACK);
      return;
    }
    t.state = 'CLOSE_WAIT';
    this.notifyPeerClose();
    if (this.gone) return;
    this.sendEmpty(ACK);
    if ((t.state as TcpState) === 'LAST_ACK') {
      t.dataRetrCount = this.opts.dataRetries; // no endless FINs
      this.startLastAckTimer();
    }
  }

  private notifyPeerClose(): void {
    if (this.peerCloseNotified) return;
    this.peerCloseNotified = true;
    this.onPeerClose(this);
  }

  private onReset(): void {
    const t = this.tcb;
    const e: TcpError = t.state === 'SYN_SENT' ? 'refused' : 'reset';
    if (t.state === 'TIME_WAIT' || t.state === 'CLOSED') return;
    this.deallocate();
    this.onError(this, e);
  }

  // ------------------------------------------------------------- ACK path

  private receivedAck(p: Packet, seq: number): void {
    const t = this.tcb;
    const tx = t.tx;
    this.sackOut.delivered = 0;
    let bytesSacked = 0;
    if (p.tcpSack !== null) bytesSacked = updateSack(tx, this.unwrapSack(p.tcpSack), DUP_THRESH, this.sackOut);
    const ack = unwrap(p.tcpAck, tx.head);
    const oldHead = tx.head;
    if (ack < oldHead) {
      if (p.payloadBytes > 0) this.receivedData(p, seq);
      return;
    }
    if (ack > oldHead && ack < t.recover && t.congState === 'recovery') {
      const segAcked = Math.floor((ack - oldHead) / t.mss);
      for (let i = 0; i < segAcked; i++) if (isRetransmittedDataAcked(tx, ack - i * t.mss)) t.retransDataAcked = true;
    }
    const delivered = this.sackOut.delivered + discardUpTo(tx, ack, this.now);
    t.delivered += delivered;
    const marks = t.sendMarks;
    let k = 0;
    while (k < marks.length && marks[k].end <= tx.head) k++;
    if (k > 0) marks.splice(0, k);
    this.bytesInFlight();
    this.processAck(ack, bytesSacked > 0, delivered, oldHead);
    t.retransDataAcked = false;
    if (this.gone) return;
    if (p.payloadBytes > 0) {
      this.receivedData(p, seq);
      if (this.gone) return;
    }
    this.sendPendingData(t.connected);
    if (t.closeOnEmpty && t.tx.size === 0 && t.unbuffered === 0 && (t.state === 'ESTABLISHED' || t.state === 'CLOSE_WAIT')) {
      // The close came while sent data waited to be resent, and no resend
      // carried the FIN: send it alone now (ns-3 would never send it).
      t.closeOnEmpty = false;
      this.doClose();
    }
  }

  private unwrapSack(wire: readonly number[]): number[] {
    const head = this.tcb.tx.head;
    const out = new Array<number>(wire.length);
    for (let i = 0; i < wire.length; i++) out[i] = unwrap(wire[i], head);
    return out;
  }

  private processAck(ack: number, scoreboardUpdated: boolean, delivered: number, oldHead: number): void {
    const t = this.tcb;
    const cc = this.cc;
    const now = this.now;
    let exitedFastRecovery = false;
    const oldDupAcks = t.dupAcks;
    t.lastAckedSeq = ack;
    const isDupack = t.sack ? scoreboardUpdated : ack === oldHead && ack < t.sndMax;
    if (isDupack) this.dupAck(delivered);
    if (ack === oldHead && ack === t.sndMax) return;
    if (ack === oldHead && ack > t.sndMax) {
      t.sndNxt = ack; // the ACK of our FIN
      return;
    }
    if (ack === oldHead) {
      cc.pktsAcked(t, 1, t.lastRtt, now);
      return;
    }
    let bytesAcked = ack - oldHead;
    let segsAcked = Math.floor(bytesAcked / t.mss);
    t.bytesAckedNotProcessed += bytesAcked % t.mss;
    bytesAcked -= bytesAcked % t.mss;
    if (t.bytesAckedNotProcessed >= t.mss) {
      segsAcked++;
      bytesAcked += t.mss;
      t.bytesAckedNotProcessed -= t.mss;
    }
    if (!isDupack) t.dupAcks = 0;
    if (ack < t.recover && t.congState === 'recovery') {
      // A partial ACK (RFC 6582): the next hole is lost too.
      if (!t.sack) markHeadAsLost(t.tx);
      if (segsAcked >= 1) doRecovery(t, delivered);
      if (!isRetransmittedDataAcked(t.tx, ack + t.mss)) this.doRetransmit();
      cc.pktsAcked(t, 1, t.lastRtt, now);
      this.newAck(ack, t.isFirstPartialAck);
      t.isFirstPartialAck = false;
      return;
    }
    if (ack < t.recover && t.congState === 'loss') {
      cc.pktsAcked(t, segsAcked, t.lastRtt, now);
      cc.increaseWindow(t, segsAcked, now);
      this.newAck(ack, true);
      return;
    }
    const state: CongState = t.congState;
    if (state === 'open') {
      cc.pktsAcked(t, segsAcked, t.lastRtt, now);
    } else if (state === 'disorder') {
      if (segsAcked >= oldDupAcks) cc.pktsAcked(t, segsAcked - oldDupAcks, t.lastRtt, now);
      if (!isDupack) this.setCongState('open');
    } else if (state === 'recovery') {
      t.isFirstPartialAck = true;
      segsAcked = Math.floor((ack - oldHead) / t.mss);
      cc.pktsAcked(t, segsAcked, t.lastRtt, now);
      this.setCongState('open');
      exitedFastRecovery = true;
      t.dupAcks = 0;
    } else if (state === 'loss') {
      t.isFirstPartialAck = true;
      segsAcked = Math.floor((ack - t.recover) / t.mss);
      cc.pktsAcked(t, segsAcked, t.lastRtt, now);
      this.setCongState('open');
    }
    if (ack >= t.recover) t.recoverActive = false;
    if (exitedFastRecovery) {
      this.newAck(ack, true);
      t.cwnd = t.ssThresh;
    }
    if (t.congState === 'open') {
      cc.increaseWindow(t, segsAcked, now);
      this.newAck(ack, true);
    }
  }

  private setCongState(s: CongState): void {
    this.cc.congestionStateSet(this.tcb, s, this.now);
    this.tcb.congState = s;
  }

  private dupAck(delivered: number): void {
    const t = this.tcb;
    if (t.congState === 'loss') return; // dupacks after an RTO may come from spurious retransmissions
    if (t.congState !== 'recovery') t.dupAcks++;
    if (t.congState === 'open') this.setCongState('disorder');
    if (t.congState === 'recovery') {
      if (!t.sack) addRenoSack(t.tx);
      doRecovery(t, delivered);
    } else if (t.congState === 'disorder') {
      if (t.dupAcks === DUP_THRESH && (t.highRxAckMark >= t.recover || !t.recoverActive)) {
        this.enterRecovery(delivered);
      } else if (isLost(t.tx, t.highRxAckMark + t.mss)) {
        this.enterRecovery(delivered);
      } else if (!t.sack && this.opts.limitedTransmit) {
        addRenoSack(t.tx); // limited transmit (RFC 3042): the dupack lets a new segment out
      }
    }
  }

  private enterRecovery(delivered: number): void {
    const t = this.tcb;
    if (!t.sack) {
      addRenoSack(t.tx);
      markHeadAsLost(t.tx);
    } else if (!isLost(t.tx, t.tx.head)) {
      markHeadAsLost(t.tx);
    }
    t.recover = t.sndMax;
    t.recoverActive = true;
    this.setCongState('recovery');
    const inFlight = t.sack ? this.bytesInFlight() : this.bytesInFlight() + t.mss;
    t.ssThresh = this.cc.getSsThresh(t, inFlight);
    enterRecovery(t, t.dupAcks, t.sndMax - t.tx.head, delivered);
    this.doRetransmit();
  }

  private doRetransmit(): void {
    const t = this.tcb;
    let seq: number;
    let size: number;
    if (nextSeg(t.tx, false, t.mss, t.rWnd, this.seg)) {
      seq = this.seg[0];
      size = this.seg[1] - this.seg[0];
    } else {
      seq = t.tx.head; // the head again: three dupacks or an RTO with nothing marked
      size = t.mss;
    }
    t.sndNxt = seq;
    this.sendDataPacket(seq, size, true);
  }

  private newAck(ack: number, resetRto: boolean): void {
    const t = this.tcb;
    t.dataRetrCount = this.opts.dataRetries;
    if (t.state !== 'SYN_RCVD' && resetRto) {
      this.cancelRtx();
      t.rto = computeRto(t, this.opts);
      this.startRtx(Rtx.RTO, 0, t.rto);
    }
    this.refill();
    if (ack > t.sndNxt) t.sndNxt = ack;
    if (t.tx.size === 0 && t.state !== 'FIN_WAIT_1' && t.state !== 'CLOSING') this.cancelRtx();
  }

  // ------------------------------------------------------------- data in

  private receivedData(p: Packet, seq: number): void {
    const t = this.tcb;
    const len = p.payloadBytes;
    const expected = t.rx.next;
    if (!rxAdd(t.rx, seq, len, p.appData as TcpMark[] | null, this.rxOut)) {
      this.sendEmpty(ACK); // nothing new: tell the peer what we have
      return;
    }
    if (expected < t.rx.next) {
      const bytes = this.rxOut.bytes;
      if (bytes > 0) {
        t.bytesReceived += bytes;
        this.onData(this, bytes, this.rxOut.marks);
        if (this.gone) return;
      }
      if (rxFinished(t.rx) && (p.tcpFlags & FIN) === 0) {
        this.doPeerClose(); // the last hole before the FIN was filled
        return;
      }
    }
    if (t.rx.held > 0 || t.rx.next > expected + len) {
      this.sendEmpty(ACK); // a hole, or one just filled: acknowledge at once
    } else if (++t.delAckCount >= t.delAckMax) {
      this.cancelDelAck();
      t.delAckCount = 0;
      this.sendEmpty(ACK);
    } else if (this.delAckTimer < 0) {
      this.delAckTimer = this.sim.schedule(this.opts.delayedAckTimeout, this.fire.delAck);
    }
  }

  private estimateRtt(p: Packet): void {
    const t = this.tcb;
    const ack = unwrap(p.tcpAck, t.sndNxt);
    let m = 0;
    const h0 = t.history[0];
    if (h0 !== undefined && !h0.retx && ack >= h0.seq + h0.count) {
      if (t.timestamps && (p.tcpOptions & TcpOpt.TS) !== 0) {
        const now32 = Math.floor(this.now / 1e6) % 4294967296;
        m = now32 > p.tcpTsEcr ? (now32 - p.tcpTsEcr) * 1e6 : 0;
        if (m === 0) m = 1000; // below the 1 ms clock: ns-3 takes 1 us
      } else {
        m = this.now - h0.time;
      }
    }
    const hist = t.history;
    let k = 0;
    while (k < hist.length && hist[k].seq + hist[k].count <= ack) k++;
    if (k > 0) hist.splice(0, k);
    if (m !== 0) {
      rttMeasurement(t, m);
      t.rto = computeRto(t, this.opts);
      t.lastRtt = t.srtt;
      if (t.lastRtt < t.minRtt) t.minRtt = t.lastRtt;
    }
  }

  private processTimestamp(p: Packet, seq: number): void {
    const t = this.tcb;
    if (t.rcvTsValue > p.tcpTsVal) return; // an older timestamp (reordering)
    t.rcvTsValue = p.tcpTsVal;
    if (seq === t.rx.next && seq <= t.highTxAck) t.tsToEcho = p.tcpTsVal;
  }

  private updateWindowSize(p: Packet, seq: number): void {
    const t = this.tcb;
    const w = p.tcpWindow * 2 ** t.sndWindShift;
    if (STATE_ORDER[t.state] < ESTABLISHED) {
      t.rWnd = w;
      return;
    }
    const ack = unwrap(p.tcpAck, t.sndNxt);
    let update = false;
    if (ack === t.highRxAckMark && w > t.rWnd) update = true;
    if (ack > t.highRxAckMark) {
      t.highRxAckMark = ack;
      update = true;
    }
    if (seq > t.highRxMark) {
      t.highRxMark = seq;
      update = true;
    }
    if (update) t.rWnd = w;
  }

  // ---------------------------------------------------------------- sending

  /** Bytes in flight, remembered as ns-3's traced value is (PRR reads it). */
  private bytesInFlight(): number {
    return (this.tcb.inFlight = bytesInFlight(this.tcb.tx));
  }

  private availableWindow(): number {
    const t = this.tcb;
    const win = Math.min(t.rWnd, t.cwnd);
    const inFlight = this.bytesInFlight();
    return inFlight > win ? 0 : win - inFlight;
  }

  /** Move waiting application bytes into the send buffer as room allows. */
  private refill(): void {
    const t = this.tcb;
    if (t.unbuffered === 0) return;
    const n = Math.min(t.unbuffered, txAvailable(t.tx));
    if (n > 0 && txAdd(t.tx, n)) t.unbuffered -= n;
  }

  private sendPendingData(withAck: boolean): number {
    const t = this.tcb;
    if (t.tx.size === 0 || this.gone) return 0;
    let sent = 0;
    let avail = this.availableWindow();
    const seg = this.seg;
    while (avail > 0) {
      if (t.congState === 'open' && t.state === 'FIN_WAIT_1') break;
      if (!nextSeg(t.tx, t.sack && t.congState === 'recovery', t.mss, t.rWnd, seg)) break;
      const availableData = sizeFromSeq(t.tx, seg[0]);
      if (availableData < avail) this.refill();
      if (avail < t.mss && availableData > avail) break; // silly window avoidance
      if (!this.opts.noDelay && t.sndMax - t.tx.head > 0 && availableData < t.mss) break; // Nagle
      const s = Math.min(avail, t.mss, seg[1] - seg[0]);
      t.sndNxt = seg[0];
      t.sndNxt += this.sendDataPacket(t.sndNxt, s, withAck);
      sent++;
      if (this.gone) break;
      avail = this.availableWindow();
    }
    return sent;
  }

  private sendDataPacket(seq: number, maxSize: number, withAck: boolean): number {
    const t = this.tcb;
    this.bytesInFlight();
    const item = copyFromSequence(t.tx, maxSize, seq, this.now);
    if (item === null) throw new Error(`tcp ${this.describe()}: no data at ${seq - t.iss}`);
    item.rateSent = true;
    const isRetx = item.retrans;
    const sz = item.len;
    let flags = withAck ? ACK : 0;
    if (withAck) {
      this.cancelDelAck();
      t.delAckCount = 0;
    }
    if (t.closeOnEmpty && sizeFromSeq(t.tx, seq + sz) === 0 && t.unbuffered === 0) {
      flags |= FIN;
      if (t.state === 'ESTABLISHED') t.state = 'FIN_WAIT_1';
      else if (t.state === 'CLOSE_WAIT') t.state = 'LAST_ACK';
    }
    if (this.rtxTimer < 0) this.startRtx(Rtx.RTO, 0, t.rto);
    if (sizeFromSeq(t.tx, seq + sz) === 0 && t.unbuffered === 0) flags |= PSH;
    this.emit(flags, seq, sz, this.advertisedWindow(true));
    if (isRetx) t.retransmits++;
    else t.bytesSent += sz;
    this.updateRttHistory(seq, sz, isRetx);
    if (t.congState === 'recovery' || t.congState === 'cwr') recoverySent(t, sz);
    if (seq + sz > t.sndMax) t.sndMax = seq + sz;
    return sz;
  }

  private updateRttHistory(seq: number, size: number, isRetx: boolean): void {
    const hist = this.tcb.history;
    if (!isRetx) {
      hist.push({ seq, count: size, time: this.now, retx: false });
      return;
    }
    for (const h of hist) {
      if (seq >= h.seq && seq < h.seq + h.count) {
        h.retx = true;
        h.count = seq + size - h.seq;
        break;
      }
    }
  }

  private advertisedWindow(scale: boolean): number {
    const t = this.tcb;
    let w = t.rx.gotFin ? t.advWnd : maxRxSequence(t.rx) - t.rx.next;
    t.advWnd = w;
    if (scale) w = Math.floor(w / 2 ** t.rcvWindShift);
    return w > MAX_WIN ? MAX_WIN : w;
  }

  /** A segment without data (ns-3's SendEmptyPacket): ACK, SYN, FIN or RST, with their timers. */
  private sendEmpty(flags: number): void {
    const t = this.tcb;
    if (this.gone) return;
    let s = t.sndNxt;
    if (flags & FIN) flags |= ACK;
    else if (t.state === 'FIN_WAIT_1' || t.state === 'LAST_ACK' || t.state === 'CLOSING') s++;
    t.rto = computeRto(t, this.opts);
    let window = this.advertisedWindow(true);
    const hasSyn = (flags & SYN) !== 0;
    const hasFin = (flags & FIN) !== 0;
    const isAck = flags === ACK;
    if (hasSyn) {
      if (t.windowScaling) t.rcvWindShift = windowShift(t.rx.maxSize);
      if (t.synCount === 0) {
        // No retries left: the connection failed.
        resetRtt(t, this.opts);
        this.deallocate();
        this.onError(this, 'timeout');
        return;
      }
      t.rto = this.opts.connTimeout * (1 << (this.opts.synRetries - t.synCount));
      t.synCount--;
      const first = this.opts.synRetries - 1 === t.synCount;
      if (!first) t.retransmits++;
      this.updateRttHistory(s, 0, !first);
      window = this.advertisedWindow(false);
    }
    if (flags & ACK) {
      this.cancelDelAck();
      t.delAckCount = 0;
      if (t.highTxAck < t.rx.next) t.highTxAck = t.rx.next;
    }
    this.emit(flags, s, 0, window);
    if (this.rtxTimer < 0 && (hasSyn || hasFin) && !isAck) this.startRtx(Rtx.EMPTY, flags, t.rto);
  }

  private sendRst(): void {
    this.sendEmpty(RST);
  }

  /** Build and send one segment. */
  private emit(flags: number, seq: number, len: number, window: number): void {
    const t = this.tcb;
    const p = this.layer.node.net.newPacket();
    p.protocol = IpProtocol.TCP;
    p.srcIp = t.localIp;
    p.dstIp = t.remoteIp;
    p.srcPort = t.localPort;
    p.dstPort = t.remotePort;
    p.tcpSeq = wrap(seq);
    p.tcpAck = wrap(t.rx.next);
    p.tcpFlags = flags;
    p.tcpWindow = window;
    let opts = 0;
    let optBytes = 0;
    if (t.timestamps) {
      opts |= TcpOpt.TS;
      optBytes += 10;
      p.tcpTsVal = Math.floor(this.now / 1e6) % 4294967296;
      p.tcpTsEcr = t.tsToEcho;
    }
    if (flags & SYN) {
      if (t.windowScaling) {
        opts |= TcpOpt.WSCALE;
        optBytes += 3;
        p.tcpWscale = t.rcvWindShift;
      }
      if (t.sack) {
        opts |= TcpOpt.SACK_PERM;
        optBytes += 2;
      }
    } else if ((flags & ACK) !== 0 && t.sack && t.rx.sackList.length > 0) {
      const allowed = Math.floor((MAX_OPTIONS - optBytes - 2) / 8);
      const n = Math.min(allowed, t.rx.sackList.length);
      if (n > 0) {
        const blocks = new Array<number>(2 * n);
        for (let i = 0; i < n; i++) {
          blocks[2 * i] = wrap(t.rx.sackList[i][0]);
          blocks[2 * i + 1] = wrap(t.rx.sackList[i][1]);
        }
        p.tcpSack = blocks;
        opts |= TcpOpt.SACK;
        optBytes += 2 + 8 * n;
      }
    }
    p.tcpOptions = opts;
    p.tcpHeaderBytes = TCP_HEADER + ((optBytes + 3) & ~3);
    p.payloadBytes = len;
    if (len > 0 && t.sendMarks.length > 0) p.appData = marksIn(t.sendMarks, seq, seq + len);
    this.layer.output(p, this);
  }

  // ----------------------------------------------------------------- timers

  private startRtx(kind: Rtx, flags: number, delay: number): void {
    this.rtxKind = kind;
    this.rtxFlags = flags;
    this.rtxTimer = this.sim.schedule(delay, this.fire.rtx);
  }

  private cancelRtx(): void {
    if (this.rtxTimer >= 0) this.sim.cancel(this.rtxTimer);
    this.rtxTimer = -1;
    this.rtxKind = Rtx.NONE;
  }

  private cancelDelAck(): void {
    if (this.delAckTimer >= 0) this.sim.cancel(this.delAckTimer);
    this.delAckTimer = -1;
  }

  private rtxFired(): void {
    const kind = this.rtxKind;
    this.rtxTimer = -1;
    this.rtxKind = Rtx.NONE;
    if (kind === Rtx.EMPTY) this.sendEmpty(this.rtxFlags);
    else this.retxTimeout();
  }

  /** RFC 6298 (5.4-5.7) and RFC 6675 5.1: resend from the first loss with one segment of window. */
  private retxTimeout(): void {
    const t = this.tcb;
    if (t.state === 'CLOSED' || t.state === 'TIME_WAIT' || this.gone) return;
    if (t.state === 'SYN_SENT') {
      this.sendEmpty(SYN);
      return;
    }
    if (t.tx.size === 0) {
      if (t.state === 'FIN_WAIT_1' || t.state === 'CLOSING') this.sendEmpty(FIN); // the FIN was lost
      return;
    }
    if (t.dataRetrCount === 0) {
      this.deallocate();
      this.onError(this, 'timeout');
      return;
    }
    t.dataRetrCount--;
    const inFlightBefore = this.bytesInFlight();
    t.dupAcks = 0;
    if (!t.sack) resetRenoSack(t.tx);
    setSentListLost(t.tx, !t.sack);
    t.recover = t.sndMax;
    t.recoverActive = true;
    t.rto = Math.min(2 * t.rto, MAX_RTO);
    t.history.length = 0;
    if (t.congState !== 'loss' || !isHeadRetransmitted(t.tx)) t.ssThresh = this.cc.getSsThresh(t, inFlightBefore);
    this.setCongState('loss');
    t.cwnd = t.mss;
    this.sendPendingData(t.connected);
  }

  private delAckTimeout(): void {
    this.delAckTimer = -1;
    this.tcb.delAckCount = 0;
    this.sendEmpty(ACK);
  }

  private startLastAckTimer(): void {
    const t = this.tcb;
    const delay = t.srtt + Math.max(this.opts.clockGranularity, 4 * t.rttvar);
    this.lastAckTimer = this.sim.schedule(delay, this.fire.lastAck);
  }

  private lastAckTimeout(): void {
    this.lastAckTimer = -1;
    const t = this.tcb;
    if (t.state !== 'LAST_ACK') return;
    if (t.dataRetrCount === 0) {
      this.deallocate();
      this.onError(this, 'timeout');
      return;
    }
    t.dataRetrCount--;
    this.sendEmpty(FIN | ACK);
    this.startLastAckTimer();
  }

  /** The peer's window is zero: probe it with one byte, backing off to 60 s. */
  private persistFired(): void {
    this.persistTimer = -1;
    const t = this.tcb;
    if (this.gone) return;
    this.persistTimeout = Math.min(60e9, 2 * this.persistTimeout);
    const item = copyFromSequence(t.tx, 1, t.sndNxt, this.now);
    if (item !== null) {
      resetLastSegmentSent(t.tx);
      this.emit(0, t.sndNxt, 1, this.advertisedWindow(true));
    }
    this.persistTimer = this.sim.schedule(this.persistTimeout, this.fire.persist);
  }

  private timeWait(): void {
    this.tcb.state = 'TIME_WAIT';
    this.cancelAllTimers();
    this.notifyClosed();
    this.timeWaitTimer = this.sim.schedule(this.opts.timeWait, this.fire.timeWait);
  }

  private notifyClosed(): void {
    if (this.tcb.closeNotified) return;
    this.tcb.closeNotified = true;
    this.onClosed(this);
  }

  private closeAndNotify(): void {
    this.notifyClosed();
    this.tcb.state = 'CLOSED';
    this.deallocate();
  }

  private doClose(): void {
    const t = this.tcb;
    switch (t.state) {
      case 'SYN_RCVD': case 'ESTABLISHED':
        this.sendEmpty(FIN);
        t.state = 'FIN_WAIT_1';
        break;
      case 'CLOSE_WAIT':
        this.sendEmpty(FIN | ACK);
        t.state = 'LAST_ACK';
        break;
      case 'SYN_SENT':
        this.sendRst();
        this.deallocate();
        break;
      default: break;
    }
  }

  private cancelAllTimers(): void {
    const sim = this.sim;
    this.cancelRtx();
    this.cancelDelAck();
    if (this.lastAckTimer >= 0) sim.cancel(this.lastAckTimer);
    if (this.timeWaitTimer >= 0) sim.cancel(this.timeWaitTimer);
    if (this.persistTimer >= 0) sim.cancel(this.persistTimer);
    if (this.sendPendingTimer >= 0) sim.cancel(this.sendPendingTimer);
    this.lastAckTimer = this.timeWaitTimer = this.persistTimer = this.sendPendingTimer = -1;
  }

  /** Leave the connection table and stop every timer. */
  private deallocate(): void {
    if (this.gone) return;
    this.cancelAllTimers();
    this.gone = true;
    this.tcb.state = 'CLOSED';
    this.layer.ended(this);
  }

  /** Stop timers without closing (the TCB is being exported, or the host crashed). */
  detach(): void {
    this.cancelAllTimers();
    this.gone = true;
  }

  /** Restart timers after an import. */
  resume(): void {
    const t = this.tcb;
    this.gone = false;
    if (t.state === 'CLOSED') return;
    if (t.state === 'TIME_WAIT') {
      this.timeWaitTimer = this.sim.schedule(this.opts.timeWait, this.fire.timeWait);
      return;
    }
    if (t.delAckCount > 0) this.sendEmpty(ACK); // its delayed-ACK timer stayed behind
    if (t.state === 'LAST_ACK') this.startLastAckTimer();
    if (t.sndMax > t.tx.head || (STATE_ORDER[t.state] > ESTABLISHED && t.state !== 'CLOSE_WAIT')) this.startRtx(Rtx.RTO, 0, t.rto);
    this.sendPendingData(t.connected);
  }
}

/** Window scale so that the receive buffer fits a 16-bit window (RFC 7323, at most 14). */
export function windowShift(bufferBytes: number): number {
  let space = bufferBytes;
  let scale = 0;
  while (space > MAX_WIN) {
    space = Math.floor(space / 2);
    scale++;
  }
  return Math.min(scale, 14);
}

function ip(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}
