/**
 * Connection migration (claims 1, 25; step 6 of the smart NIC): the first
 * device sends the connection's TCB in a migration packet over the
 * forwarding LAN and waits for the new owner's acknowledgement before it
 * forwards the packets it held back.
 *
 * A migration packet or its acknowledgement can be lost (a link down, a
 * full queue), so the sender retransmits after `timeoutNs`, doubling it,
 * up to `retries` times; the receiver imports a TCB once and acknowledges
 * every copy. When every retry fails, the sender takes the connection back
 * and serves it on its own host: no connection is lost to a lost message.
 *
 * Cost per migration: one timer, one map entry while it is outstanding.
 */
import { endpointKey, type Ipv4 } from '../net/address';
import type { Network } from '../net/network';
import type { Tcb } from '../transport/tcb';
import type { DirectoryEntry } from './connection-directory';
import type { ClusterMessage, ControlChannel } from './control-channel';
import type { Member } from './member';

export interface MigrationOptions {
  /** Payload of a migration packet (the serialised connection end point), bytes. */
  bytes: number;
  /** Time to wait for the acknowledgement before sending again, ns (doubles on each retry). */
  timeoutNs: number;
  /** Retransmissions before the first device takes the connection back. */
  retries: number;
}

interface Outstanding {
  entry: DirectoryEntry;
  tcb: Tcb;
  owner: number;
  startedAt: number;
  tries: number;
  timer: number;
}

export interface MigrationEvents {
  /** The owner acknowledged, naming its handle of the connection: forward what was held back. */
  acked(entry: DirectoryEntry, owner: number, rttNs: number, handle: number): void;
  /** Every try failed: the connection comes back to this device. */
  failed(entry: DirectoryEntry, tcb: Tcb): void;
}

export class Migrator {
  private readonly outstanding = new Map<number, Outstanding>();
  /**
   * Migrations received recently (client end point -> ISS, arrival time), so
   * that a retransmitted copy is only acknowledged. Entries older than the
   * sender's whole retry window are pruned: no copy can come after it.
   */
  private readonly imported = new Map<number, { iss: number; at: number }>();
  started = 0;
  retransmitted = 0;
  failed = 0;
  rttSumNs = 0;
  rttMaxNs = 0;
  acknowledged = 0;

  constructor(
    readonly net: Network, readonly self: Member, readonly opts: MigrationOptions,
    private readonly channel: ControlChannel, private readonly events: MigrationEvents,
  ) {}

  /** Send `tcb` to `owner` for directory entry `e` (which holds the packets meanwhile). */
  start(e: DirectoryEntry, tcb: Tcb, owner: number): void {
    this.started++;
    const o: Outstanding = { entry: e, tcb, owner, startedAt: this.net.now, tries: 0, timer: -1 };
    this.outstanding.set(endpointKey(e.clientIp, e.clientPort), o);
    this.send(o);
  }

  private send(o: Outstanding): void {
    this.channel.send(o.owner, { kind: 'migrate', tcb: o.tcb, from: this.self.index }, this.opts.bytes);
    o.timer = this.net.sim.schedule(this.opts.timeoutNs * 2 ** o.tries, () => this.timedOut(o));
  }

  private timedOut(o: Outstanding): void {
    if (o.tries < this.opts.retries) {
      o.tries++;
      this.retransmitted++;
      this.send(o);
      return;
    }
    this.outstanding.delete(endpointKey(o.entry.clientIp, o.entry.clientPort));
    this.failed++;
    this.events.failed(o.entry, o.tcb);
  }

  /** The owner's acknowledgement arrived. */
  acknowledge(m: { clientIp: Ipv4; clientPort: number; iss: number; handle: number }): void {
    const key = endpointKey(m.clientIp, m.clientPort);
    const o = this.outstanding.get(key);
    if (o === undefined || o.tcb.iss !== m.iss) return; // a duplicate, or one for a migration given up
    this.outstanding.delete(key);
    this.net.sim.cancel(o.timer);
    this.acknowledged++;
    const rtt = this.net.now - o.startedAt;
    this.rttSumNs += rtt;
    if (rtt > this.rttMaxNs) this.rttMaxNs = rtt;
    this.events.acked(o.entry, o.owner, rtt, m.handle);
  }

  /** A migration packet for this server: import the TCB (once) and acknowledge. */
  receive(msg: Extract<ClusterMessage, { kind: 'migrate' }>): void {
    const t = msg.tcb;
    const key = endpointKey(t.remoteIp, t.remotePort);
    const now = this.net.now;
    const seen = this.imported.get(key);
    if (seen === undefined || seen.iss !== t.iss) {
      if (this.imported.size >= 1024) this.prune(now);
      const s = this.self.tcp.importConnection(t);
      this.imported.set(key, { iss: t.iss, at: now });
      this.self.app.adopt(s);
    }
    const live = this.self.tcp.find(t.localPort, t.remoteIp, t.remotePort);
    const handle = live !== undefined && live.tcb.iss === t.iss ? live.handle : 0;
    this.channel.send(msg.from, { kind: 'migrate-ack', clientIp: t.remoteIp, clientPort: t.remotePort, serverPort: t.localPort, iss: t.iss, handle, from: this.self.index }, 16);
  }

  private prune(now: number): void {
    const window = this.opts.timeoutNs * 2 ** (this.opts.retries + 1);
    for (const [k, v] of this.imported) if (now - v.at > window) this.imported.delete(k);
  }

  /** Migrations waiting for an acknowledgement. */
  get pending(): number {
    return this.outstanding.size;
  }
}
