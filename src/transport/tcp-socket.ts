/**
 * TcpSocket: one TCP connection end point and its state machine (RFC 793),
 * with the loss recovery of RFC 6298 (RTO from smoothed RTT samples, Karn's
 * rule, exponential back-off) and fast retransmit on three duplicate ACKs.
 * Data is acknowledged at once, or with delayed ACKs when the options ask
 * for them (every second segment or 200 ms, as ns-3); an ACK rides on any
 * segment the application sends meanwhile. The send window is the peer's
 * advertised window: no congestion control yet.
 *
 * All connection state is in `tcb` (a plain record, see tcb.ts); the socket
 * adds only callbacks and timer handles, so a connection can be exported and
 * re-imported elsewhere mid-transfer.
 */
import { IpProtocol, TcpFlag, type Packet } from '../net/packet';
import { collectMarks, holdOutOfOrder, marksIn } from './tcp-reassembly';
import { rtoAfterSample } from './tcp-rtt';
import { unwrap, wrap, type Tcb, type TcpMark, type TcpState } from './tcb';
import type { TcpLayer, TcpOptions } from './tcp-layer';

export type TcpError = 'timeout' | 'reset' | 'refused';

const { FIN, SYN, RST, PSH, ACK } = TcpFlag;

export class TcpSocket {
  onConnected: (s: TcpSocket) => void = () => {};
  /** New in-order bytes, and the messages whose last byte they completed (null: none). */
  onData: (s: TcpSocket, bytes: number, messages: unknown[] | null) => void = () => {};
  /** The peer sent FIN: no more data will come. */
  onPeerClose: (s: TcpSocket) => void = () => {};
  /** The connection is fully closed. */
  onClosed: (s: TcpSocket) => void = () => {};
  onError: (s: TcpSocket, e: TcpError) => void = () => {};

  /** Slot of this connection in its layer's table (0: none), by which the cluster references it. */
  handle = 0;
  /** Segments sent so far (to know whether an ACK already left). */
  private emitted = 0;
  private rtxTimer = -1;
  private ackTimer = -1;
  private readonly onAckTimer: () => void;
  private twTimer = -1;
  private readonly onRtx: () => void;
  private readonly onTimeWaitEnd: () => void;
  constructor(readonly layer: TcpLayer, readonly tcb: Tcb, readonly opts: TcpOptions) {
    this.onRtx = () => this.retransmitTimeout();
    this.onTimeWaitEnd = () => this.destroy(true);
    this.onAckTimer = () => {
      this.ackTimer = -1;
      if (this.tcb.unackedSegments > 0 && this.tcb.state !== 'CLOSED') this.sendAck();
    };
  }

  get state(): TcpState {
    return this.tcb.state;
  }

  private get now(): number {
    return this.layer.node.net.now;
  }

  // ---------------------------------------------------------------- app API

  /** Queue `bytes` of application data; `message` reaches the peer with the last byte. */
  send(bytes: number, message?: unknown): void {
    const t = this.tcb;
    if (t.finQueued || !(t.state === 'ESTABLISHED' || t.state === 'CLOSE_WAIT' || t.state === 'SYN_SENT' || t.state === 'SYN_RCVD')) {
      throw new Error(`tcp ${this.describe()}: send in state ${t.state} (after close or before connect)`);
    }
    if (!(bytes > 0 && Number.isInteger(bytes))) throw new RangeError(`tcp send: bytes must be a positive integer, got ${bytes}`);
    t.sndBufEnd += bytes;
    if (message !== undefined) t.sendMarks.push({ end: t.sndBufEnd, data: message });
    if (t.state === 'ESTABLISHED' || t.state === 'CLOSE_WAIT') this.trySend();
  }

  /** Close after all queued data (FIN). */
  close(): void {
    const t = this.tcb;
    if (t.finQueued || t.state === 'CLOSED' || t.state === 'TIME_WAIT') return;
    t.finQueued = true;
    if (t.state === 'SYN_SENT') {
      this.destroy(true);
      return;
    }
    if (t.state === 'ESTABLISHED' || t.state === 'CLOSE_WAIT') this.trySend();
  }

  /** Abort with RST. */
  abort(): void {
    if (this.tcb.state !== 'CLOSED') this.emit(RST | ACK, this.tcb.sndNxt, 0);
    this.destroy(false);
  }

  describe(): string {
    const t = this.tcb;
    return `${t.localIp >>> 24}.${(t.localIp >>> 16) & 255}.${(t.localIp >>> 8) & 255}.${t.localIp & 255}:${t.localPort}`
      + `<->${t.remoteIp >>> 24}.${(t.remoteIp >>> 16) & 255}.${(t.remoteIp >>> 8) & 255}.${t.remoteIp & 255}:${t.remotePort}`;
  }

  // --------------------------------------------------------------- opening

  /** Active open: send SYN. */
  openActive(): void {
    this.tcb.state = 'SYN_SENT';
    this.emit(SYN, this.tcb.iss, 0);
    this.startTimer();
  }

  /** Passive open for an arriving SYN: answer SYN|ACK. */
  openPassive(synSeq: number, window: number): void {
    const t = this.tcb;
    t.irs = synSeq;
    t.rcvNxt = synSeq + 1;
    t.sndWnd = window;
    t.state = 'SYN_RCVD';
    this.emit(SYN | ACK, t.iss, 0);
    this.startTimer();
  }

  // -------------------------------------------------------------- receiving

  segmentArrived(p: Packet): void {
    const t = this.tcb;
    const flags = p.tcpFlags;
    if (flags & RST) {
      this.onReset();
      return;
    }
    switch (t.state) {
      case 'SYN_SENT':
        if ((flags & (SYN | ACK)) === (SYN | ACK) && unwrap(p.tcpAck, t.iss) === t.iss + 1) {
          t.irs = p.tcpSeq;
          t.rcvNxt = t.irs + 1;
          t.sndUna = t.iss + 1;
          t.sndWnd = p.tcpWindow;
          this.sampleRtt(t.iss + 1);
          t.retries = 0;
          t.state = 'ESTABLISHED';
          this.stopTimer();
          this.sendAck();
          this.onConnected(this);
          this.trySend();
        }
        return;
      case 'SYN_RCVD':
        if (flags & SYN) {
          this.emit(SYN | ACK, t.iss, 0); // our SYN|ACK was lost
          return;
        }
        if (!(flags & ACK) || unwrap(p.tcpAck, t.sndUna) < t.iss + 1) return;
        t.state = 'ESTABLISHED';
        this.layer.established(this);
        break;
      case 'TIME_WAIT':
        if (flags & FIN) this.sendAck();
        return;
      case 'CLOSED':
        return;
      default:
        if (flags & SYN) {
          this.sendAck(); // a duplicate SYN|ACK: our ACK was lost
          return;
        }
    }
    const len = p.payloadBytes;
    if (flags & ACK) this.processAck(unwrap(p.tcpAck, t.sndUna), p.tcpWindow, len === 0 && !(flags & FIN));
    if ((t.state as TcpState) === 'CLOSED') return; // processAck may have closed it
    if (len > 0 || flags & FIN) this.processData(unwrap(p.tcpSeq, t.rcvNxt), len, (flags & FIN) !== 0, p.appData as TcpMark[] | null);
  }

  private processAck(ack: number, window: number, pureAck: boolean): void {
    const t = this.tcb;
    t.sndWnd = window;
    if (ack > t.sndUna && ack <= this.tcb.sndMax) {
      this.sampleRtt(ack);
      t.sndUna = ack;
      if (t.sndNxt < ack) t.sndNxt = ack;
      t.retries = 0;
      t.dupAcks = 0;
      const marks = t.sendMarks;
      let k = 0;
      while (k < marks.length && marks[k].end <= ack) k++;
      if (k > 0) marks.splice(0, k);
      if (t.sndUna === this.tcb.sndMax) this.stopTimer();
      else this.restartTimer();
      if (t.finQueued && ack === t.sndBufEnd + 1) this.ourFinAcked();
    } else if (ack === t.sndUna && pureAck && this.tcb.sndMax > t.sndUna) {
      if (++t.dupAcks === 3) this.fastRetransmit();
    }
    if (t.state !== 'CLOSED' && t.state !== 'TIME_WAIT') this.trySend();
  }

  private ourFinAcked(): void {
    const t = this.tcb;
    if (t.state === 'FIN_WAIT_1') t.state = 'FIN_WAIT_2';
    else if (t.state === 'CLOSING') this.enterTimeWait();
    else if (t.state === 'LAST_ACK') this.destroy(true);
  }

  private processData(seq: number, len: number, fin: boolean, marks: TcpMark[] | null): void {
    const t = this.tcb;
    const end = seq + len;
    if (fin && t.peerFinSeq < 0) t.peerFinSeq = end;
    if (seq > t.rcvNxt) {
      if (len > 0 && end <= t.rcvNxt + t.rcvWnd) holdOutOfOrder(t.outOfOrder, seq, end, marks);
      this.sendAck(); // duplicate ACK tells the sender what is missing
      return;
    }
    const before = t.rcvNxt;
    let delivered: unknown[] | null = null;
    if (end > t.rcvNxt) {
      t.rcvNxt = end;
      delivered = collectMarks(marks, before, end, delivered);
    }
    const ooo = t.outOfOrder;
    while (ooo.length > 0 && ooo[0].start <= t.rcvNxt) {
      const r = ooo.shift()!;
      if (r.end > t.rcvNxt) {
        delivered = collectMarks(r.marks, t.rcvNxt, r.end, delivered);
        t.rcvNxt = r.end;
      }
    }
    const newBytes = t.rcvNxt - before;
    t.bytesReceived += newBytes;
    let finNow = false;
    if (t.peerFinSeq >= 0 && t.rcvNxt === t.peerFinSeq) {
      t.rcvNxt++;
      finNow = true;
    }
    // Acknowledge after the application has seen the data: whatever it sends
    // at once (an answer, its own FIN) carries the ACK; else a pure ACK goes.
    const emitted = this.emitted;
    if (newBytes > 0) this.onData(this, newBytes, delivered);
    if (finNow) this.peerFinReceived();
    if (this.emitted !== emitted || t.state === 'CLOSED') return;
    // Delayed ACK: hold it for in-order data, up to the count or the timeout;
    // a FIN or data that filled a hole is acknowledged at once.
    if (!finNow && newBytes > 0 && before + len === t.rcvNxt && ++t.unackedSegments < this.opts.delayedAckCount) {
      if (this.ackTimer < 0) this.ackTimer = this.layer.node.net.sim.schedule(this.opts.delayedAckTimeout, this.onAckTimer);
      return;
    }
    this.sendAck();
  }

  private peerFinReceived(): void {
    const t = this.tcb;
    if (t.state === 'ESTABLISHED') {
      t.state = 'CLOSE_WAIT';
      this.onPeerClose(this);
    } else if (t.state === 'FIN_WAIT_1') {
      t.state = 'CLOSING';
      this.onPeerClose(this);
    } else if (t.state === 'FIN_WAIT_2') {
      this.onPeerClose(this);
      this.enterTimeWait();
    }
  }

  private onReset(): void {
    const t = this.tcb;
    const e: TcpError = t.state === 'SYN_SENT' ? 'refused' : 'reset';
    if (t.state === 'TIME_WAIT' || t.state === 'CLOSED') return;
    this.destroy(false);
    this.onError(this, e);
  }

  // ---------------------------------------------------------------- sending

  private trySend(): void {
    const t = this.tcb;
    const s = t.state;
    if (!(s === 'ESTABLISHED' || s === 'CLOSE_WAIT' || s === 'FIN_WAIT_1' || s === 'CLOSING' || s === 'LAST_ACK')) return;
    const wndEnd = t.sndUna + Math.max(t.sndWnd, 1);
    while (t.sndNxt < t.sndBufEnd && t.sndNxt < wndEnd) {
      const len = Math.min(t.mss, t.sndBufEnd - t.sndNxt, wndEnd - t.sndNxt);
      const last = t.sndNxt + len === t.sndBufEnd;
      if (t.rttSeq < 0 && t.sndNxt >= this.tcb.sndMax) {
        t.rttSeq = t.sndNxt + len;
        t.rttSentAt = this.now;
      }
      if (t.sndNxt < this.tcb.sndMax) t.retransmits++;
      this.emit(ACK | (last ? PSH : 0), t.sndNxt, len);
      t.sndNxt += len;
      t.bytesSent += len;
      if (t.sndNxt > this.tcb.sndMax) this.tcb.sndMax = t.sndNxt;
    }
    if (t.finQueued && t.sndNxt === t.sndBufEnd) {
      this.emit(FIN | ACK, t.sndNxt, 0);
      t.sndNxt++;
      if (t.sndNxt > this.tcb.sndMax) this.tcb.sndMax = t.sndNxt;
      if (t.state === 'ESTABLISHED') t.state = 'FIN_WAIT_1';
      else if (t.state === 'CLOSE_WAIT') t.state = 'LAST_ACK';
    }
    if (t.sndUna < t.sndNxt && this.rtxTimer < 0) this.startTimer();
  }

  private fastRetransmit(): void {
    const t = this.tcb;
    const len = Math.min(t.mss, t.sndBufEnd - t.sndUna);
    t.retransmits++;
    t.rttSeq = -1;
    if (len > 0) this.emit(ACK, t.sndUna, len);
    else if (t.finQueued) this.emit(FIN | ACK, t.sndUna, 0);
    this.restartTimer();
  }

  private sendAck(): void {
    this.emit(ACK, this.tcb.sndNxt, 0);
  }

  /** Build and send one segment starting at `seq` with `len` payload bytes. */
  private emit(flags: number, seq: number, len: number): void {
    const t = this.tcb;
    this.emitted++;
    if (flags & ACK) {
      t.unackedSegments = 0;
      if (this.ackTimer >= 0) {
        this.layer.node.net.sim.cancel(this.ackTimer);
        this.ackTimer = -1;
      }
    }
    const p = this.layer.node.net.newPacket();
    p.protocol = IpProtocol.TCP;
    p.srcIp = t.localIp;
    p.dstIp = t.remoteIp;
    p.srcPort = t.localPort;
    p.dstPort = t.remotePort;
    p.tcpSeq = wrap(seq);
    p.tcpAck = flags & ACK ? wrap(t.rcvNxt) : 0;
    p.tcpFlags = flags;
    p.tcpWindow = t.rcvWnd > 65535 ? 65535 : t.rcvWnd;
    p.payloadBytes = len;
    if (len > 0 && t.sendMarks.length > 0) p.appData = marksIn(t.sendMarks, seq, seq + len);
    this.layer.output(p);
  }

  // ----------------------------------------------------------------- timers

  private sampleRtt(ackedTo: number): void {
    const t = this.tcb;
    if (t.state === 'SYN_SENT' || t.state === 'SYN_RCVD') {
      if (t.retries > 0) return; // Karn: the SYN was retransmitted
      this.updateRto(this.now - t.rttSentAt);
      return;
    }
    if (t.rttSeq < 0 || ackedTo < t.rttSeq) return;
    this.updateRto(this.now - t.rttSentAt);
    t.rttSeq = -1;
  }

  private updateRto(sample: number): void {
    rtoAfterSample(this.tcb, sample, this.opts);
  }

  private startTimer(): void {
    if (this.tcb.state === 'SYN_SENT' || this.tcb.state === 'SYN_RCVD') this.tcb.rttSentAt = this.now;
    this.rtxTimer = this.layer.node.net.sim.schedule(this.tcb.rto, this.onRtx);
  }

  private stopAckTimer(): void {
    if (this.ackTimer >= 0) this.layer.node.net.sim.cancel(this.ackTimer);
    this.ackTimer = -1;
  }

  private stopTimer(): void {
    if (this.rtxTimer >= 0) this.layer.node.net.sim.cancel(this.rtxTimer);
    this.rtxTimer = -1;
  }

  private restartTimer(): void {
    this.stopTimer();
    this.rtxTimer = this.layer.node.net.sim.schedule(this.tcb.rto, this.onRtx);
  }

  private retransmitTimeout(): void {
    this.rtxTimer = -1;
    const t = this.tcb;
    const o = this.opts;
    const opening = t.state === 'SYN_SENT' || t.state === 'SYN_RCVD';
    if (++t.retries > (opening ? o.synRetries : o.maxRetries)) {
      this.destroy(false);
      this.onError(this, 'timeout');
      return;
    }
    t.rto = Math.min(o.maxRto, t.rto * 2);
    t.rttSeq = -1;
    t.dupAcks = 0;
    if (t.state === 'SYN_SENT') {
      t.retransmits++;
      this.emit(SYN, t.iss, 0);
      this.rtxTimer = this.layer.node.net.sim.schedule(t.rto, this.onRtx);
      return;
    }
    if (t.state === 'SYN_RCVD') {
      t.retransmits++;
      this.emit(SYN | ACK, t.iss, 0);
      this.rtxTimer = this.layer.node.net.sim.schedule(t.rto, this.onRtx);
      return;
    }
    t.sndNxt = t.sndUna; // go back N: resend from the first unacknowledged byte
    if (t.finQueued && t.sndUna === t.sndBufEnd + 1) return;
    const sent = this.tcb.sndMax;
    this.trySend();
    if (this.tcb.sndMax === sent && t.sndNxt === t.sndUna) {
      this.rtxTimer = this.layer.node.net.sim.schedule(t.rto, this.onRtx);
    }
  }

  private enterTimeWait(): void {
    this.stopTimer();
    this.tcb.state = 'TIME_WAIT';
    this.twTimer = this.layer.node.net.sim.schedule(this.opts.timeWait, this.onTimeWaitEnd);
  }

  /** Leave the connection table; `clean` reports onClosed, otherwise silent. */
  destroy(clean: boolean): void {
    this.stopTimer();
    this.stopAckTimer();
    if (this.twTimer >= 0) this.layer.node.net.sim.cancel(this.twTimer);
    this.twTimer = -1;
    const wasOpen = this.tcb.state !== 'CLOSED';
    this.tcb.state = 'CLOSED';
    if (wasOpen) this.layer.ended(this);
    else this.layer.remove(this);
    if (clean && wasOpen) this.onClosed(this);
  }

  /** Stop timers without closing (the TCB is being exported). */
  detach(): void {
    this.stopTimer();
    this.stopAckTimer();
    if (this.twTimer >= 0) this.layer.node.net.sim.cancel(this.twTimer);
    this.twTimer = -1;
  }

  /** Restart timers after an import. */
  resume(): void {
    const t = this.tcb;
    if (t.unackedSegments > 0 && t.state !== 'CLOSED') this.sendAck(); // its delayed-ACK timer stayed behind
    if (t.state === 'TIME_WAIT') this.twTimer = this.layer.node.net.sim.schedule(this.opts.timeWait, this.onTimeWaitEnd);
    else if (t.sndUna < this.tcb.sndMax || t.sndNxt < t.sndBufEnd || (t.finQueued && t.sndNxt <= t.sndBufEnd)) {
      this.trySend();
      if (this.rtxTimer < 0 && t.sndUna < this.tcb.sndMax) this.startTimer();
    }
  }
}
