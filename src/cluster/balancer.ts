/**
 * Balancer: the central load balancer of the baseline designs, a node on the
 * first LAN that owns the service address (VIP) clients use.
 *
 *  - `nat` (LVS-NAT): rewrites the destination of client packets to the
 *    chosen server and the source of the servers' responses back to the VIP;
 *    servers route through it, so both directions cross it.
 *  - `dsr` (LVS-TUN, Maglev, Katran): tunnels client packets (IP-in-IP) over
 *    the first LAN to the chosen server, which holds the VIP on loopback and
 *    answers the client directly.
 *  - `beamer` (daisy chaining): stateless; a flow's hash picks a bucket and
 *    the bucket its server; when buckets move (servers join or leave) the
 *    bucket remembers its previous server, and a server that lacks a flow's
 *    connection passes the packet on to that previous server.
 *
 * The balancer's processor serves one packet at a time (`processingNs`), so
 * it saturates as a real one does. Connection choice: least connections (its
 * own count) for nat/dsr; the bucket table for beamer.
 */
import { SECOND } from '../engine';
import { endpointKey, type Ipv4 } from '../net/address';
import { IpProtocol, LAN_FLAGS, PathFlag, TcpFlag, type Packet } from '../net/packet';
import { TraceSource } from '../net/trace-source';
import type { Ipv4Interface, IpNode } from '../nodes/ip-node';
import type { Member } from './member';
import { PacketProcessor } from './packet-processor';
import { flowHash } from './placement';
import { TimedFifo } from './timed-fifo';

/** How long a finished connection's entry stays (LVS's default tcpfin timeout, 120 s). */
export const FIN_TIMEOUT_NS = 120 * SECOND;

export type BalancerMode = 'nat' | 'dsr' | 'beamer';

export interface BalancerOptions {
  processingNs: number;
  bufferPackets: number;
  /** Buckets of the beamer table (Beamer uses many more buckets than servers). */
  buckets: number;
}

export const BALANCER_DEFAULTS: BalancerOptions = {
  processingNs: 2_000, bufferPackets: 1000, buckets: 256,
};

export class Balancer {
  readonly opts: BalancerOptions;
  readonly vip: Ipv4;
  /** Connection -> server index (nat, dsr). */
  private readonly table = new Map<number, number>();
  private readonly active: Int32Array;
  /** The balancer's processor: `processingNs` per packet, in either direction. */
  readonly processor: PacketProcessor;
  private readonly serverIps: Set<Ipv4>;
  /** Beamer: bucket -> server, and bucket -> previous server (-1: none). */
  readonly bucketOwner: Int32Array;
  readonly bucketPrev: Int32Array;

  /** A new connection (client IP, port) was mapped to a server (nat, dsr). */
  readonly pickTrace = new TraceSource<[Ipv4, number, number]>('balancer-pick');

  /** Packets servers passed on to a bucket's previous owner (beamer). */
  daisyChained = 0;
  inbound = 0;
  outbound = 0;

  constructor(
    readonly node: IpNode, readonly iface: Ipv4Interface, readonly members: readonly Member[], opts: Partial<BalancerOptions>,
    readonly mode: BalancerMode, readonly servicePort: number,
  ) {
    this.opts = { ...BALANCER_DEFAULTS, ...opts };
    const o = this.opts;
    if (mode !== 'nat' && mode !== 'dsr' && mode !== 'beamer') throw new RangeError(`${node.name}: balancer mode "${String(mode)}" is not nat, dsr or beamer`);
    if (!(Number.isFinite(o.processingNs) && o.processingNs >= 0)) throw new RangeError(`${node.name}: processingNs must be a finite number >= 0, got ${o.processingNs}`);
    if (!(Number.isInteger(o.bufferPackets) && o.bufferPackets >= 1)) throw new RangeError(`${node.name}: bufferPackets must be an integer >= 1, got ${o.bufferPackets}`);
    if (!(Number.isInteger(o.buckets) && o.buckets >= 1)) throw new RangeError(`${node.name}: buckets must be an integer >= 1, got ${o.buckets}`);
    if (members.length === 0) throw new RangeError(`${node.name}: a balancer needs at least one server`);
    this.vip = iface.ip;
    this.active = new Int32Array(members.length);
    this.processor = new PacketProcessor(node.net, node.name, this.opts.processingNs, this.opts.bufferPackets, (p) => this.handle(p));
    this.serverIps = new Set(members.map((m) => m.firstIface.ip));
    this.bucketOwner = new Int32Array(this.opts.buckets);
    this.bucketPrev = new Int32Array(this.opts.buckets).fill(-1);
    this.assignBuckets(members.map((m) => m.index));
    node.setRxIntercept((p) => this.intercept(p));
  }

  private intercept(p: Packet): boolean {
    if (p.protocol !== IpProtocol.TCP) return false;
    const isIn = p.dstIp === this.vip && p.dstPort === this.servicePort;
    const isOut = this.mode === 'nat' && p.srcPort === this.servicePort && this.serverIps.has(p.srcIp);
    if (!isIn && !isOut) return false;
    this.processor.submit(p);
    return true;
  }

  private handle(p: Packet): void {
    p.pathFlags |= PathFlag.FIRST_PROCESSED;
    if (p.dstIp !== this.vip) {
      // NAT, response direction: the server's answer leaves as the VIP.
      this.outbound++;
      p.srcIp = this.vip;
      this.node.forward(p);
      return;
    }
    this.inbound++;
    const server = this.mode === 'beamer' ? this.bucketOwner[flowHash(p.srcIp, p.srcPort) % this.opts.buckets] : this.pick(p);
    const m = this.members[server];
    if (this.mode === 'nat') {
      p.dstIp = m.firstIface.ip;
      p.pathFlags = (p.pathFlags & ~LAN_FLAGS) | PathFlag.FORWARDED;
      this.node.forward(p);
      return;
    }
    tunnel(p, this.vip, m.firstIface.ip);
    this.node.forward(p);
  }

  /**
   * Least connections, sticky per connection. A connection's entry outlives
   * its FIN or RST by LVS's tcpfin timeout (`FIN_TIMEOUT_NS`), for the last
   * ACKs and retransmissions, and is then forgotten, so the table holds the
   * connections of the last two minutes, not every one of the run.
   */
  private pick(p: Packet): number {
    const key = endpointKey(p.srcIp, p.srcPort);
    let s = this.table.get(key);
    if (s === undefined) {
      this.expire();
      s = 0;
      for (let i = 1; i < this.members.length; i++) if (this.active[i] < this.active[s]) s = i;
      this.table.set(key, s);
      this.active[s]++;
      if (this.pickTrace.active) this.pickTrace.fire(p.srcIp, p.srcPort, s);
    }
    if (p.tcpFlags & (TcpFlag.FIN | TcpFlag.RST)) {
      // The client is closing: later segments still map, the count drops now.
      if (this.active[s] > 0 && !this.closing.has(key)) {
        this.active[s]--;
        this.closing.add(key);
        this.finished.push(key, this.node.net.now);
      }
    }
    return s;
  }

  /** Connections the table maps now (nat, dsr): the open ones and those closed within FIN_TIMEOUT_NS. */
  get mapped(): number {
    return this.table.size;
  }

  private expire(): void {
    const bound = this.node.net.now - FIN_TIMEOUT_NS;
    const q = this.finished;
    while (q.oldestTime() <= bound) {
      const key = q.oldestId();
      this.table.delete(key);
      this.closing.delete(key);
      q.shift();
    }
  }

  private readonly closing = new Set<number>();
  /** Closed connections by the time their FIN or RST passed. */
  private readonly finished = new TimedFifo();

  /** Beamer: spread all buckets over `servers` afresh (no previous owners). */
  assignBuckets(servers: readonly number[]): void {
    for (let b = 0; b < this.opts.buckets; b++) {
      this.bucketOwner[b] = servers[b % servers.length];
      this.bucketPrev[b] = -1;
    }
  }

  /** Beamer: move bucket `b` to server `to`, remembering its previous owner. */
  reassign(b: number, to: number): void {
    if (this.bucketOwner[b] === to) return;
    this.bucketPrev[b] = this.bucketOwner[b];
    this.bucketOwner[b] = to;
  }

  /** The bucket of a flow (servers use it to find the previous owner). */
  bucketOf(clientIp: Ipv4, clientPort: number): number {
    return flowHash(clientIp, clientPort) % this.opts.buckets;
  }

}

/** Wrap `p` in an outer IPv4 header (IP-in-IP) from `src` to `dst`. */
export function tunnel(p: Packet, src: Ipv4, dst: Ipv4): void {
  p.tunnel = true;
  p.outerSrcIp = src;
  p.outerDstIp = dst;
  p.pathFlags = (p.pathFlags & ~LAN_FLAGS) | PathFlag.FORWARDED;
}

/**
 * Daisy chaining at a beamer server: a tunnelled packet for a connection this
 * server does not have (and not a SYN) goes on to the bucket's previous
 * server. Returns true when the packet was passed on.
 */
export function daisyChain(p: Packet, self: Member, members: readonly Member[], lb: Balancer): boolean {
  if (!p.tunnel || p.outerDstIp !== self.firstIface.ip || p.protocol !== IpProtocol.TCP) return false;
  if (p.tcpFlags & TcpFlag.SYN) return false;
  if (self.tcp.find(p.dstPort, p.srcIp, p.srcPort) !== undefined) return false;
  const prev = lb.bucketPrev[lb.bucketOf(p.srcIp, p.srcPort)];
  if (prev < 0 || prev === self.index) return false;
  p.outerSrcIp = self.firstIface.ip;
  p.outerDstIp = members[prev].firstIface.ip;
  lb.daisyChained++;
  self.node.output(p);
  return true;
}
