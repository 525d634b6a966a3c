/**
 * ArpCache: address resolution for one IPv4 interface on an Ethernet-like
 * device, with ns-3's defaults and behaviour (ArpL3Protocol + ArpCache):
 *
 * - a lookup that misses creates a WAIT_REPLY entry and sends a broadcast
 *   request after a random jitter (Uniform[0, 10] ms by default, so that
 *   many nodes do not ask at once);
 * - up to `pendingQueue` (3) packets wait for the reply; more are dropped;
 * - no reply within `waitReplyTimeout` (1 s): ask again, up to `maxRetries`
 *   (3), then the entry is DEAD for `deadTimeout` (100 s) and what waited is
 *   dropped;
 * - entries stay ALIVE for `aliveTimeout` (120 s), then are asked again;
 * - an entry is made only from a reply to our own request: receiving a
 *   request does not teach the receiver the sender's address (as ns-3).
 */
import type { RandomStream } from '../engine';
import { MS, SECOND } from '../engine';
import { BROADCAST_MAC, type Ipv4, type Mac } from '../net/address';
import { DropReason } from '../net/drop-reason';
import type { NetDevice } from '../net/net-device';
import type { Network, PacketHolder } from '../net/network';
import { ArpOp, EtherType, type Packet } from '../net/packet';

export interface ArpOptions {
  requestJitterMax: number; // ns; requests wait Uniform[0, max]
  pendingQueue: number;
  waitReplyTimeout: number; // ns
  maxRetries: number;
  aliveTimeout: number; // ns
  deadTimeout: number; // ns
}

export const NS3_ARP_DEFAULTS: ArpOptions = {
  requestJitterMax: 10 * MS,
  pendingQueue: 3,
  waitReplyTimeout: 1 * SECOND,
  maxRetries: 3,
  aliveTimeout: 120 * SECOND,
  deadTimeout: 100 * SECOND,
};

const WAIT_REPLY = 0, ALIVE = 1, DEAD = 2;

class ArpEntry {
  state = WAIT_REPLY;
  mac: Mac = 0;
  pending: Packet[] = [];
  retries = 0;
  /** ALIVE until / DEAD until, ns. */
  until = 0;
  timer = -1;
  constructor(readonly ip: Ipv4) {}
}

export class ArpCache implements PacketHolder {
  private readonly entries = new Map<Ipv4, ArpEntry>();
  private readonly rng: RandomStream;
  requestsSent = 0;
  repliesSent = 0;

  constructor(
    readonly net: Network,
    readonly dev: NetDevice,
    readonly ip: () => Ipv4,
    readonly opts: ArpOptions = NS3_ARP_DEFAULTS,
  ) {
    this.rng = net.streams.stream(`arp-jitter/${dev.name}`);
    net.registerHolder(this);
  }

  /** Send `p` to next hop `nextHop`, resolving its MAC first if needed. */
  resolveAndSend(p: Packet, nextHop: Ipv4): void {
    const now = this.net.now;
    let e = this.entries.get(nextHop);
    if (e !== undefined && e.state === ALIVE && now < e.until) {
      this.dev.send(p, e.mac);
      return;
    }
    if (e !== undefined && e.state === DEAD && now < e.until) {
      this.net.drop(p, DropReason.ARP_FAILED, this.dev.name);
      return;
    }
    if (e === undefined || e.state !== WAIT_REPLY) {
      if (e === undefined) {
        e = new ArpEntry(nextHop);
        this.entries.set(nextHop, e);
      }
      e.state = WAIT_REPLY;
      e.retries = 0;
      e.pending.push(p);
      const jitter = this.opts.requestJitterMax > 0 ? Math.trunc(this.rng.uniform(0, this.opts.requestJitterMax)) : 0;
      const entry = e;
      this.net.sim.schedule(jitter, () => this.sendRequest(entry));
      return;
    }
    if (e.pending.length >= this.opts.pendingQueue) {
      this.net.drop(p, DropReason.ARP_PENDING_FULL, this.dev.name);
      return;
    }
    e.pending.push(p);
  }

  private sendRequest(e: ArpEntry): void {
    if (e.state !== WAIT_REPLY || !this.dev.up) return;
    const p = this.net.newPacket();
    p.etherType = EtherType.ARP;
    p.arpOp = ArpOp.REQUEST;
    p.arpSenderMac = this.dev.mac;
    p.arpSenderIp = this.ip();
    p.arpTargetMac = 0;
    p.arpTargetIp = e.ip;
    this.requestsSent++;
    this.dev.send(p, BROADCAST_MAC);
    e.timer = this.net.sim.schedule(this.opts.waitReplyTimeout, () => this.replyTimeout(e));
  }

  private replyTimeout(e: ArpEntry): void {
    if (e.state !== WAIT_REPLY) return;
    if (e.retries < this.opts.maxRetries) {
      e.retries++;
      this.sendRequest(e);
      return;
    }
    e.state = DEAD;
    e.until = this.net.now + this.opts.deadTimeout;
    for (const p of e.pending) this.net.drop(p, DropReason.ARP_FAILED, this.dev.name);
    e.pending = [];
  }

  /** An ARP packet arrived on this interface (a broadcast reaches several: counted once). */
  receive(p: Packet): void {
    this.net.deliver(p);
    const myIp = this.ip();
    if (p.arpOp === ArpOp.REQUEST) {
      if (p.arpTargetIp === myIp) this.sendReply(p.arpSenderIp, p.arpSenderMac);
      return;
    }
    if (p.arpOp === ArpOp.REPLY && p.arpTargetIp === myIp) {
      const e = this.entries.get(p.arpSenderIp);
      if (e === undefined || e.state !== WAIT_REPLY) return;
      this.net.sim.cancel(e.timer);
      e.state = ALIVE;
      e.mac = p.arpSenderMac;
      e.until = this.net.now + this.opts.aliveTimeout;
      const pending = e.pending;
      e.pending = [];
      for (const q of pending) this.dev.send(q, e.mac);
    }
  }

  private sendReply(toIp: Ipv4, toMac: Mac): void {
    const p = this.net.newPacket();
    p.etherType = EtherType.ARP;
    p.arpOp = ArpOp.REPLY;
    p.arpSenderMac = this.dev.mac;
    p.arpSenderIp = this.ip();
    p.arpTargetMac = toMac;
    p.arpTargetIp = toIp;
    this.repliesSent++;
    this.dev.send(p, toMac);
  }

  /** Install a permanent entry (static neighbours). */
  addStatic(ip: Ipv4, mac: Mac): void {
    const e = new ArpEntry(ip);
    e.state = ALIVE;
    e.mac = mac;
    e.until = Infinity;
    this.entries.set(ip, e);
  }

  lookup(ip: Ipv4): Mac | undefined {
    const e = this.entries.get(ip);
    return e && e.state === ALIVE && this.net.now < e.until ? e.mac : undefined;
  }

  /** Forget an entry (a peer left). Waiting packets are dropped. */
  flush(ip: Ipv4): void {
    const e = this.entries.get(ip);
    if (!e) return;
    for (const p of e.pending) this.net.drop(p, DropReason.ARP_FAILED, this.dev.name);
    this.entries.delete(ip);
  }

  packetsHeld(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.pending.length;
    return n;
  }
}
