/**
 * ArpCache: address resolution for one IPv4 interface on an Ethernet-like
 * device, with ns-3 3.37's defaults and behaviour (ArpL3Protocol + ArpCache):
 *
 * - a lookup that misses creates a WAIT_REPLY entry and sends a broadcast
 *   request after a random jitter: ns-3 draws Uniform[0, 10) ms and passes
 *   it to MilliSeconds(uint64_t), so the wait is a whole number of
 *   milliseconds, 0 to 9 (mean 4.5 ms, not 5); netsim draws the same;
 * - up to `pendingQueue` (3) packets wait for the reply; more are dropped;
 * - one wait-reply timer per cache (ns-3's m_waitReplyTimer): started, if
 *   not running, when an entry starts waiting, and firing `waitReplyTimeout`
 *   (1 s) later; then every entry still waiting is asked again at once
 *   (no jitter), up to `maxRetries` (3) times, after which it is DEAD for
 *   `deadTimeout` (100 s) and what waited is dropped; the timer restarts
 *   while some entry was asked again. So a retry can come less than 1 s
 *   after an entry's first request, as in ns-3;
 * - entries stay ALIVE for `aliveTimeout` (120 s), then are asked again;
 * - an entry is made only from a reply to our own request: receiving a
 *   request does not teach the receiver the sender's address (as ns-3).
 *
 * Requests, replies and the packets that waited leave through `out`: the
 * interface's root queue disc when it has one (ns-3's ArpL3Protocol sends
 * through the traffic-control layer too), else the device.
 */
import type { RandomStream } from '../engine';
import { MS, SECOND } from '../engine';
import { BROADCAST_MAC, type Ipv4, type Mac } from '../net/address';
import { DropReason } from '../net/drop-reason';
import type { NetDevice } from '../net/net-device';
import type { Network, PacketHolder } from '../net/network';
import { ArpHeader, ArpOp, EtherType, type Packet } from '../net/packet';
import type { LinkSender } from './queue-disc';

export interface ArpOptions {
  requestJitterMax: number; // ns; requests wait a whole number of ms drawn from Uniform[0, max) (as ns-3)
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
  /** ALIVE until / DEAD until, ns (the entry is valid while now <= until, as ns-3's IsExpired). */
  until = 0;
  constructor(readonly ip: Ipv4) {}
}

export class ArpCache implements PacketHolder {
  private readonly entries = new Map<Ipv4, ArpEntry>();
  /**
   * Neighbours known from configuration (a cluster's static ARP table), one
   * map shared by every cache on the LAN: permanent entries without an
   * entry object per pair of hosts, so a thousand servers cost a thousand
   * rows a LAN, not a million.
   */
  private neighbours: ReadonlyMap<Ipv4, Mac> | null = null;
  private readonly rng: RandomStream;
  requestsSent = 0;
  repliesSent = 0;
  /** Where frames go: the device, or the queue disc above it (set by IpNode.setQueueDisc). */
  out: LinkSender;
  /** The cache's one wait-reply timer (an event handle, -1 when not running). */
  private waitTimer = -1;
  private readonly onWaitTimeout: () => void;

  constructor(
    readonly net: Network,
    readonly dev: NetDevice,
    readonly ip: () => Ipv4,
    readonly opts: ArpOptions = NS3_ARP_DEFAULTS,
  ) {
    this.rng = net.streams.stream(`arp-jitter/${dev.name}`);
    this.out = dev;
    this.onWaitTimeout = () => this.waitReplyTimeout();
    net.registerHolder(this);
  }

  /** Send `p` to next hop `nextHop`, resolving its MAC first if needed. */
  resolveAndSend(p: Packet, nextHop: Ipv4): void {
    const now = this.net.now;
    let e = this.entries.get(nextHop);
    if (e !== undefined && e.state === ALIVE && now <= e.until) {
      this.out.send(p, e.mac);
      return;
    }
    if (e === undefined && this.neighbours !== null) {
      const mac = this.neighbours.get(nextHop);
      if (mac !== undefined) {
        this.out.send(p, mac);
        return;
      }
    }
    if (e !== undefined && e.state === DEAD && now <= e.until) {
      this.net.drop(p, DropReason.ARP_FAILED, this.dev.name);
      return;
    }
    if (e === undefined || e.state !== WAIT_REPLY) {
      // No entry, or an ALIVE or DEAD one that expired: ask (ns-3's MarkWaitReply).
      if (e === undefined) {
        e = new ArpEntry(nextHop);
        this.entries.set(nextHop, e);
      }
      e.state = WAIT_REPLY;
      e.retries = 0;
      e.pending.push(p);
      this.startWaitTimer();
      const entry = e;
      this.net.sim.schedule(this.jitter(), () => this.sendRequest(entry));
      return;
    }
    if (e.pending.length >= this.opts.pendingQueue) {
      this.net.drop(p, DropReason.ARP_PENDING_FULL, this.dev.name);
      return;
    }
    e.pending.push(p);
  }

  /** ns-3's request jitter: MilliSeconds(uint64_t(U[0, max ms))), whole milliseconds. */
  private jitter(): number {
    const maxMs = this.opts.requestJitterMax / MS;
    return maxMs > 0 ? Math.floor(this.rng.uniform(0, maxMs)) * MS : 0;
  }

  private startWaitTimer(): void {
    if (this.waitTimer >= 0) return;
    this.waitTimer = this.net.sim.schedule(this.opts.waitReplyTimeout, this.onWaitTimeout);
  }

  private sendRequest(e: ArpEntry): void {
    if (e.state !== WAIT_REPLY || !this.dev.up) return;
    const p = this.net.newPacket();
    p.etherType = EtherType.ARP;
    p.arp = new ArpHeader(ArpOp.REQUEST, this.dev.mac, this.ip(), 0, e.ip);
    this.requestsSent++;
    this.out.send(p, BROADCAST_MAC);
  }

  /** ns-3's HandleWaitReplyTimeout: ask every waiting entry again, or give it up. */
  private waitReplyTimeout(): void {
    this.waitTimer = -1;
    let restart = false;
    for (const e of this.entries.values()) {
      if (e.state !== WAIT_REPLY) continue;
      if (e.retries < this.opts.maxRetries) {
        this.sendRequest(e);
        e.retries++;
        restart = true;
        continue;
      }
      e.state = DEAD;
      e.retries = 0;
      e.until = this.net.now + this.opts.deadTimeout;
      const pending = e.pending;
      e.pending = [];
      for (const p of pending) this.net.drop(p, DropReason.ARP_FAILED, this.dev.name);
    }
    if (restart) this.waitTimer = this.net.sim.schedule(this.opts.waitReplyTimeout, this.onWaitTimeout);
  }

  /** An ARP packet arrived on this interface (a broadcast reaches several: counted once). */
  receive(p: Packet): void {
    this.net.deliver(p);
    const myIp = this.ip();
    const a = p.arp;
    if (a === null) return;
    if (a.op === ArpOp.REQUEST) {
      if (a.targetIp === myIp) this.sendReply(a.senderIp, a.senderMac);
      return;
    }
    if (a.op === ArpOp.REPLY && a.targetIp === myIp) {
      const e = this.entries.get(a.senderIp);
      if (e === undefined || e.state !== WAIT_REPLY) return;
      e.state = ALIVE;
      e.retries = 0;
      e.mac = a.senderMac;
      e.until = this.net.now + this.opts.aliveTimeout;
      const pending = e.pending;
      e.pending = [];
      for (const q of pending) this.out.send(q, e.mac);
    }
  }

  private sendReply(toIp: Ipv4, toMac: Mac): void {
    const p = this.net.newPacket();
    p.etherType = EtherType.ARP;
    p.arp = new ArpHeader(ArpOp.REPLY, this.dev.mac, this.ip(), toMac, toIp);
    this.repliesSent++;
    this.out.send(p, toMac);
  }

  /** Install a permanent entry (static neighbours). */
  addStatic(ip: Ipv4, mac: Mac): void {
    const e = new ArpEntry(ip);
    e.state = ALIVE;
    e.mac = mac;
    e.until = Infinity;
    this.entries.set(ip, e);
  }

  /**
   * Use `table` as permanent entries (static neighbours shared by a LAN's
   * caches); an entry of this cache's own for the same address comes first.
   */
  useNeighbours(table: ReadonlyMap<Ipv4, Mac>): void {
    this.neighbours = table;
  }

  lookup(ip: Ipv4): Mac | undefined {
    const e = this.entries.get(ip);
    if (e === undefined) return ip === this.ip() ? undefined : this.neighbours?.get(ip); // the shared table lists this host too
    return e.state === ALIVE && this.net.now <= e.until ? e.mac : undefined;
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
