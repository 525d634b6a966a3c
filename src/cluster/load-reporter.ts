/**
 * LoadReporter: servers tell each other their load over the third LAN
 * (claims 21, 45). Once a report period (first report at a random phase) a
 * server sends UDP datagrams of `bytes` from its third-LAN interface; every
 * peer's smart NIC that one reaches stores it in its state table, with the
 * arrival time and the packet and device it came by; once a period, its
 * failure detector looks for peers that fell silent (failure-detector.ts).
 *
 * Who a report goes to is the exchange (`ExchangeOptions`):
 *  - `all-to-all`: one broadcast to every peer each period. Each server
 *    hears every other once a period; the third LAN carries n(n-1) frames a
 *    period, which at a thousand servers buries it.
 *  - `scaled-period`: the same broadcast, but the period grows with the
 *    cluster (period x n / referenceServers once n passes the reference), so
 *    the third LAN's load stays what it was at the reference size; reports
 *    age in proportion.
 *  - `sampled`: each period a report goes, unicast, to `fanout` peers: the
 *    next ones of a round through all peers in an order the sender shuffles
 *    afresh each round. A device then holds fresh rows for a random handful
 *    of peers and decides among those whose row is younger than
 *    `freshPeriods` periods (in the manner of power-of-d-choices: a few
 *    random candidates, each with a true load). Rounds, rather than an
 *    independent draw each period, bound the gap between two reports of a
 *    server at a peer to two rounds, so silence still means something
 *    (independent draws leave geometric gaps: on 24 servers with fanout 2
 *    the detector suspected live peers 1,934 times in 3 s). The third LAN
 *    carries 2 x n x fanout frames a period on a switch, against n^2.
 * A peer hears a given server once per `gapNs` on average (for `sampled`,
 * a round: (n-1)/fanout periods), so the detector's deadAfter is stretched by
 * gapNs/periodNs (`exchangePlan`): silence is judged against the gap this
 * exchange gives, not against one period.
 *
 * Cost: per period and server, one report object and `fanout` datagrams
 * (one broadcast for the broadcast kinds); O(fanout) a period, plus a
 * shuffle of n-1 peers once a round.
 */
import type { RandomStream } from '../engine';
import { IPV4_BROADCAST } from '../net/address';
import type { Packet } from '../net/packet';
import { UdpSocket } from '../transport/udp-socket';
import type { Member } from './member';
import type { SmartNic } from './smart-nic';

export const REPORT_PORT = 7002;

export type ExchangeOptions =
  | { kind: 'all-to-all' }
  | { kind: 'scaled-period'; referenceServers: number }
  | { kind: 'sampled'; fanout: number; freshPeriods: number };

export const EXCHANGE_KINDS = ['all-to-all', 'scaled-period', 'sampled'] as const;

export interface ReportOptions {
  /** Report period at the reference size (the period itself but for scaled-period). */
  periodNs: number;
  bytes: number;
  exchange: ExchangeOptions;
}

/** What an exchange means for a cluster of `n` servers. */
export interface ExchangePlan {
  /** Each server's report period, ns. */
  periodNs: number;
  /** Peers each report goes to (n-1 and `broadcast` for the broadcast kinds). */
  fanout: number;
  broadcast: boolean;
  /** Mean time between two reports of one server at one peer, ns. */
  gapNs: number;
  /** A peer whose last report is older than this is no candidate, ns (Infinity: any age). */
  freshNs: number;
}

/** Throw a RangeError naming `where` unless `o` is an exchange a cluster can run. */
function validateReportOptions(o: ReportOptions, where: string): void {
  if (!(o.periodNs > 0)) throw new RangeError(`${where}: the report period must be > 0 ns, got ${o.periodNs}`);
  if (!(Number.isInteger(o.bytes) && o.bytes >= 1)) throw new RangeError(`${where}: a report's size must be an integer >= 1 byte, got ${o.bytes}`);
  const x = o.exchange;
  if (x === undefined || !(EXCHANGE_KINDS as readonly string[]).includes(x.kind)) {
    throw new RangeError(`${where}: exchange kind "${String(x?.kind)}" is not one of ${EXCHANGE_KINDS.join(', ')}`);
  }
  if (x.kind === 'scaled-period' && !(Number.isInteger(x.referenceServers) && x.referenceServers >= 1)) {
    throw new RangeError(`${where}: scaled-period needs referenceServers, an integer >= 1, got ${x.referenceServers}`);
  }
  if (x.kind === 'sampled' && !(Number.isInteger(x.fanout) && x.fanout >= 1 && x.freshPeriods > 0)) {
    throw new RangeError(`${where}: sampled needs fanout, an integer >= 1, and freshPeriods > 0, got ${x.fanout} and ${x.freshPeriods}`);
  }
}

/**
 * What the exchange `o` means for `n` servers; throws a RangeError naming
 * `where` unless it is one a cluster can run. A cluster computes it once and
 * hands it to its NICs (freshness, detector bounds) and reporters.
 */
export function exchangePlan(o: ReportOptions, n: number, where: string): ExchangePlan {
  validateReportOptions(o, where);
  const peers = Math.max(1, n - 1);
  const x = o.exchange;
  switch (x.kind) {
    case 'all-to-all': return { periodNs: o.periodNs, fanout: peers, broadcast: true, gapNs: o.periodNs, freshNs: Infinity };
    case 'scaled-period': {
      const periodNs = o.periodNs * Math.max(1, n / x.referenceServers);
      return { periodNs, fanout: peers, broadcast: true, gapNs: periodNs, freshNs: Infinity };
    }
    case 'sampled': {
      const fanout = Math.min(x.fanout, peers);
      return { periodNs: o.periodNs, fanout, broadcast: false, gapNs: o.periodNs * (peers / fanout), freshNs: o.periodNs * x.freshPeriods };
    }
  }
}

export interface LoadReport {
  server: number;
  load: number;
}

export class LoadReporter {
  sent = 0;
  received = 0;
  private readonly socket: UdpSocket;
  private readonly rng: RandomStream;
  private readonly onTick: () => void;
  /** sampled: the other members' indices in this round's order, and the next one's place. */
  private readonly peers: Int32Array;
  private cursor: number;

  /** `plan`: exchangePlan(opts, members.length, ...), computed once for the cluster. */
  constructor(readonly member: Member, readonly members: readonly Member[], readonly nic: SmartNic | null, readonly opts: ReportOptions,
    readonly plan: ExchangePlan) {
    const node = member.node;
    if (member.thirdIface === null) throw new Error(`${node.name}: load reports need a third-LAN interface`);
    this.peers = Int32Array.from(members.filter((m) => m !== member), (m) => m.index);
    this.cursor = this.peers.length; // the first report starts a round
    this.rng = node.net.streams.stream(`reports/${node.name}`);
    this.socket = new UdpSocket(node).bind(REPORT_PORT);
    this.socket.onReceive = (p) => this.receive(p);
    this.onTick = () => this.tick();
  }

  start(): void {
    this.member.node.net.sim.schedule(this.rng.uniform(0, this.plan.periodNs), this.onTick);
  }

  private tick(): void {
    const node = this.member.node;
    if (node.up) {
      const report: LoadReport = { server: this.member.index, load: this.loadNow() };
      if (this.plan.broadcast) this.send(report, IPV4_BROADCAST);
      else {
        // The next `fanout` peers of this server's round; each round is a fresh shuffle of all peers.
        const peers = this.peers;
        for (let k = 0; k < this.plan.fanout; k++) {
          if (this.cursor === peers.length) {
            this.shuffle();
            this.cursor = 0;
          }
          this.send(report, this.members[peers[this.cursor++]].thirdIface!.ip);
        }
      }
      this.nic?.detector.check(node.net.now);
    }
    node.net.sim.schedule(this.plan.periodNs, this.onTick);
  }

  /** Fisher-Yates over the peers. */
  private shuffle(): void {
    const a = this.peers;
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.rng.integer(0, i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private send(report: LoadReport, to: number): void {
    const iface = this.member.thirdIface!;
    const p = this.socket.newDatagram(to, REPORT_PORT, this.opts.bytes);
    p.srcIp = iface.ip;
    p.appData = report;
    this.sent++;
    this.member.node.outputVia(p, iface, to);
  }

  /** The load a report says: the server's own, read now. */
  loadNow(): number {
    return this.member.load();
  }

  private receive(p: Packet): void {
    const r = p.appData as LoadReport;
    this.received++;
    this.nic?.reportArrived(r.server, r.load, p, this.member.thirdIface!.dev.name);
  }
}
