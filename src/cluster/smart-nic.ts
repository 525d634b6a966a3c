/**
 * SmartNic: the claimed first computing device, a network interface card
 * with its own processor inside a server (claims 1, 2, 11, 12).
 *
 * Steps, each a method the tests can watch through a trace source:
 *  1. receive: a client packet addressed to this NIC arrives through the
 *     first LAN and waits for the NIC processor (`processingNs` a packet);
 *  2. look up: the connection directory says who holds the connection's TCB;
 *  3. handshake: a new connection's SYN is answered by the NIC's own TCP
 *     engine, which builds the TCB before any application is tied to it
 *     (or, with `decideAt: 'syn'`, the owner is chosen at once);
 *  4. decide: on the request, the placement policy reads the state table
 *     (own load live, peers' as last reported over the third LAN);
 *  5. local: the TCB goes to the own host, whose socket application serves;
 *  6. migrate: or a migration packet carries the TCB over the second LAN to
 *     the chosen server, which acknowledges (migration.ts: retransmitted
 *     when lost, taken back when every try fails); the directory records
 *     the owner;
 *  7. forward: the request and every later packet of the connection go to
 *     the owner encapsulated (one header with the reference) over the
 *     second LAN; the owner answers the client directly with this NIC's
 *     address as source, so the response bypasses this device;
 *  8. clean up: the owner reports the connection closed; the entry goes.
 *
 * Cost per packet: one directory lookup (numeric keys) and the NIC's service
 * time; no allocation on the forwarding path.
 */
import type { RandomStream } from '../engine';
import { checkPort, endpointKey, type Ipv4 } from '../net/address';
import { CsmaDevice } from '../net/csma';
import { DropReason } from '../net/drop-reason';
import type { PacketHolder } from '../net/network';
import { IpProtocol, NO_ENCAP, PathFlag, TcpFlag, type Packet } from '../net/packet';
import { TraceSource } from '../net/trace-source';
import type { Ipv4Interface } from '../nodes/ip-node';
import { resetFor, TcpLayer, type TcpOptions } from '../transport/tcp-layer';
import type { TcpSocket } from '../transport/tcp-socket';
import type { Tcb } from '../transport/tcb';
import { ConnectionDirectory, DirectoryEntry, Holder } from './connection-directory';
import { PacketProcessor } from './packet-processor';
import { decapsulate, encapsulate, isEncapsulated } from './encapsulation';
import { ControlChannel, type ClusterMessage } from './control-channel';
import { forwardAddress, type Member } from './member';
import { Migrator } from './migration';
import { decide, flowHash, POLICY_NAMES, type PolicyName } from './placement';
import { FailureDetector, type DetectorOptions } from './failure-detector';
import { StateTable, type StateRow } from './state-table';

export { CLUSTER_PORT } from './control-channel';

export interface NicOptions {
  /** NIC processor time per received client packet, ns. */
  processingNs: number;
  /** Packets that can wait for the NIC processor. */
  bufferPackets: number;
  policy: PolicyName;
  /** local-unless-overloaded threshold (load units). */
  threshold: number;
  /** Choose the owner on the request (the claims) or already on the SYN (Maglev/Katran/Beamer style). */
  decideAt: 'request' | 'syn';
  /** Payload of a migration packet (the serialised connection end point), bytes. */
  migrationBytes: number;
  /** Wait for a migration's acknowledgement before sending it again, ns (doubles each time). */
  migrationTimeoutNs: number;
  /** Retransmissions of a migration before the first device takes the connection back. */
  migrationRetries: number;
  /** Handing a TCB to the NIC's own host (bus transfer), ns. */
  localHandoffNs: number;
}

export const NIC_DEFAULTS: NicOptions = {
  processingNs: 2_000, bufferPackets: 1000, policy: 'least-loaded', threshold: 4, decideAt: 'request',
  migrationBytes: 256, migrationTimeoutNs: 2_000_000, migrationRetries: 4, localHandoffNs: 1_000,
};

/** Throw a RangeError naming `where` unless `o` are options a NIC can run with. */
export function validateNicOptions(o: NicOptions, where: string): void {
  if (!POLICY_NAMES.includes(o.policy)) throw new RangeError(`${where}: policy "${String(o.policy)}" is not one of ${POLICY_NAMES.join(', ')}`);
  if (o.decideAt !== 'request' && o.decideAt !== 'syn') throw new RangeError(`${where}: decideAt must be "request" or "syn", got "${String(o.decideAt)}"`);
  for (const k of ['processingNs', 'localHandoffNs', 'threshold'] as const) {
    if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new RangeError(`${where}: ${k} must be a finite number >= 0, got ${o[k]}`);
  }
  for (const k of ['bufferPackets', 'migrationBytes'] as const) {
    if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new RangeError(`${where}: ${k} must be an integer >= 1, got ${o[k]}`);
  }
  if (!(o.migrationTimeoutNs > 0)) throw new RangeError(`${where}: migrationTimeoutNs must be > 0, got ${o.migrationTimeoutNs}`);
  if (!(Number.isInteger(o.migrationRetries) && o.migrationRetries >= 0)) throw new RangeError(`${where}: migrationRetries must be an integer >= 0, got ${o.migrationRetries}`);
}

/**
 * Each member's index by its first-LAN address: one map a cluster (its
 * members array), shared by every NIC, where a map a NIC made n^2 entries
 * (60 MB at 1,000 servers).
 */
const MEMBER_INDEX = new WeakMap<readonly Member[], ReadonlyMap<Ipv4, number>>();

function memberIndex(members: readonly Member[]): ReadonlyMap<Ipv4, number> {
  let m = MEMBER_INDEX.get(members);
  if (m === undefined) MEMBER_INDEX.set(members, (m = new Map(members.map((x) => [x.firstIface.ip, x.index]))));
  return m;
}

/** What the design decides for a NIC (not options: the installer sets them). */
export interface NicRole {
  /** The service port whose connections the NIC handles. */
  servicePort: number;
  /** The LAN the NIC forwards and migrates over (first: the ablation). */
  via: 'second' | 'first';
  /** TCP options of the NIC's own engine (those of the hosts). */
  tcp: Partial<TcpOptions>;
  /** How this device decides that a peer is gone. */
  detector: DetectorOptions;
  /** A peer whose last report is older than this takes no new connection, ns (Infinity: any age; the exchange decides). */
  freshNs: number;
}

export interface DecisionRecord {
  nic: number;
  time: number;
  clientIp: Ipv4;
  clientPort: number;
  chosen: number;
  candidates: number[];
  loads: number[];
  /** State rows of peers that the decision read (arrived over the third LAN). */
  peerRows: (StateRow & { server: number })[];
  ownLoad: number;
}


export class SmartNic implements PacketHolder {
  readonly opts: NicOptions;
  readonly directory = new ConnectionDirectory();
  readonly state: StateTable;
  /** Which peers are alive, from their reports (and probes). */
  readonly detector: FailureDetector;
  /** The NIC's own TCP engine: answers SYNs, holds TCBs until the decision. */
  readonly engine: TcpLayer;
  /** The NIC's processor: `processingNs` per received client packet. */
  readonly processor: PacketProcessor;
  private readonly control: ControlChannel;
  /** Step 6: migrations out of this device and into its host. */
  readonly migration: Migrator;
  private readonly rng: RandomStream;
  private readonly loads: Float64Array;
  private turn = 0;
  private readonly forwardIface: Ipv4Interface;
  private readonly memberByIp: ReadonlyMap<Ipv4, number>;

  // Counters.
  processed = 0;
  passedToHost = 0;
  synAnswered = 0;
  decisions = 0;
  keptLocal = 0;
  forwarded = 0;
  forwardedBytes = 0;
  closedNotices = 0;
  broken = 0;
  /** Forwarded packets dropped here because their reference named another device or connection, or no live one. */
  badReferences = 0;
  staleReferences = 0;

  /** Traces for the claim-by-claim evidence (cost nothing when unused). */
  readonly receiveTrace = new TraceSource<[Packet, SmartNic]>('nic-receive');
  readonly lookupTrace = new TraceSource<[Packet, number, SmartNic]>('nic-lookup');
  readonly decisionTrace = new TraceSource<[DecisionRecord]>('nic-decision');
  readonly localTrace = new TraceSource<[Packet, SmartNic]>('nic-local');
  readonly forwardTrace = new TraceSource<[Packet, number, SmartNic]>('nic-forward');
  readonly migrateTrace = new TraceSource<[number, number, SmartNic]>('nic-migrated');
  /** The owner side: a forwarded packet, whether its reference was a handle, and the TCB it named (null: none). */
  readonly unwrapTrace = new TraceSource<[Packet, boolean, TcpSocket | null, SmartNic]>('nic-unwrap');

  readonly servicePort: number;
  readonly via: 'second' | 'first';

  constructor(readonly self: Member, readonly members: readonly Member[], opts: Partial<NicOptions>, role: NicRole) {
    this.opts = { ...NIC_DEFAULTS, ...opts };
    validateNicOptions(this.opts, `${self.node.name}/nic`);
    this.servicePort = checkPort(role.servicePort, `${self.node.name}/nic`);
    this.via = role.via;
    const { tcp: tcpOpts } = role;
    const node = self.node;
    const net = node.net;
    this.detector = new FailureDetector(net, self.index, members, role.detector, {
      probe: (i) => this.control.send(i, { kind: 'probe', from: self.index }, 16),
      forget: (i) => this.forgetServer(i),
    });
    this.state = new StateTable(members.length, self.index, (i) => this.detector.usable(i), role.freshNs);
    this.loads = new Float64Array(members.length);
    this.processor = new PacketProcessor(net, `${node.name}/nic`, this.opts.processingNs, this.opts.bufferPackets, (p) => this.handle(p));
    this.rng = net.streams.stream(`nic/${node.name}/policy`);
    this.engine = new TcpLayer(node, tcpOpts, false, 'nic-tcp');
    this.engine.listen(this.servicePort, () => {});
    this.forwardIface = this.via === 'second' && self.secondIface !== null ? self.secondIface : self.firstIface;
    net.registerHolder(this);
    this.memberByIp = memberIndex(members);

    // Step 8: connections end. One still in the NIC's engine (no request came)
    // leaves the directory; one this server's host holds is reported to the
    // first device whose address it carries (itself, or a peer).
    this.engine.endTrace.connect((s) => this.connectionEnded(s, Holder.NIC));
    self.tcp.endTrace.connect((s) => this.connectionEnded(s, Holder.LOCAL));

    // Step 1: take client packets off the first LAN before the host does.
    node.setRxIntercept((p, iface) => this.intercept(p, iface));
    // The owner side: encapsulated packets from other first devices.
    node.setEncapHandler((p) => this.receiveForwarded(p));
    this.control = new ControlChannel(self, members, this.via, this.forwardIface, (msg) => this.onControl(msg));
    this.migration = new Migrator(net, self, {
      bytes: this.opts.migrationBytes, timeoutNs: this.opts.migrationTimeoutNs, retries: this.opts.migrationRetries,
    }, this.control, {
      acked: (e, owner, rtt, handle) => this.migrationAcked(e, owner, rtt, handle),
      failed: (e, tcb) => this.migrationFailed(e, tcb),
    });
    // Path flags: what leaves through this NIC with its address was processed by it;
    // what it only overhears on a hub was seen.
    const myIp = self.firstIface.ip;
    self.firstIface.dev.txTrace.connect((p) => {
      if (p.srcIp === myIp && p.protocol === IpProtocol.TCP) p.pathFlags |= PathFlag.FIRST_PROCESSED;
    });
    const dev = self.firstIface.dev;
    if (dev instanceof CsmaDevice) {
      dev.overheardTrace.connect((p) => {
        if (p.srcIp === myIp && p.protocol === IpProtocol.TCP) p.pathFlags |= PathFlag.FIRST_SEEN;
      });
    }
  }

  /** Migrations started, and their acknowledged round trips. */
  get migrations(): number {
    return this.migration.started;
  }

  get migrationRttSumNs(): number {
    return this.migration.rttSumNs;
  }

  get migrationRttMaxNs(): number {
    return this.migration.rttMaxNs;
  }

  get name(): string {
    return `${this.self.node.name}/nic`;
  }

  private get now(): number {
    return this.self.node.net.now;
  }

  // ------------------------------------------------------- 1. receive

  private intercept(p: Packet, iface: Ipv4Interface): boolean {
    if (iface !== this.self.firstIface || p.dstIp !== iface.ip || p.tunnel) return false;
    if (p.protocol !== IpProtocol.TCP || p.dstPort !== this.servicePort) return false;
    this.processor.submit(p);
    return true;
  }

  // ------------------------------------------------------- 2. look up

  /** One client packet, after the NIC processor. */
  handle(p: Packet): void {
    this.processed++;
    p.pathFlags |= PathFlag.FIRST_PROCESSED;
    if (this.receiveTrace.active) this.receiveTrace.fire(p, this);
    if (!this.self.node.up) {
      this.self.node.net.drop(p, DropReason.NODE_DOWN, this.name);
      return;
    }
    const e = this.directory.lookup(p.srcIp, p.srcPort, p.dstPort);
    const holder = e === undefined ? Holder.NIC : e.owner;
    if (this.lookupTrace.active) this.lookupTrace.fire(p, e === undefined ? -3 : holder, this);
    if (e === undefined) {
      this.newConnection(p);
      return;
    }
    if (e.owner === Holder.LOCAL) {
      this.toHost(p);
    } else if (e.owner === Holder.NIC) {
      if (p.payloadBytes > 0) this.decideOnRequest(e, p);
      else this.engine.receive(p);
    } else if (e.migrating) {
      e.pending.push(p);
    } else {
      this.forward(p, e.owner, e.handle);
    }
  }

  // ------------------------------------------------------- 3. handshake

  private newConnection(p: Packet): void {
    const flags = p.tcpFlags;
    if ((flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) {
      // Not a connection this NIC knows: the host answers (RST if nobody has it).
      this.toHost(p);
      return;
    }
    const e = new DirectoryEntry(p.srcIp, p.srcPort, p.dstPort, this.now);
    this.directory.add(e);
    if (this.opts.decideAt === 'syn') {
      const owner = this.choose(p);
      if (owner === this.self.index) {
        e.owner = Holder.LOCAL;
        this.keptLocal++;
        this.toHost(p);
      } else {
        e.owner = owner;
        this.forward(p, owner, 0); // the owner's TCP answers the SYN with this NIC's address
      }
      return;
    }
    this.synAnswered++;
    this.engine.receive(p);
  }

  // ------------------------------------------------------- 4. decide

  private decideOnRequest(e: DirectoryEntry, p: Packet): void {
    const sock = this.engine.find(p.dstPort, p.srcIp, p.srcPort);
    if (sock === undefined) {
      // The NIC's TCB is gone (it timed out): nothing to place; let the host answer with RST.
      this.directory.remove(e.clientIp, e.clientPort, e.serverPort);
      this.toHost(p);
      return;
    }
    const owner = this.choose(p);
    if (owner === this.self.index) this.keepLocal(e, sock, p);
    else this.migrate(e, sock, owner, p);
  }

  /** Run the policy on the state table; returns a member index. */
  choose(p: Packet): number {
    this.decisions++;
    const now = this.now;
    const candidates = this.state.alive(now);
    const loads = this.loads;
    const own = this.self.load();
    loads[this.self.index] = own;
    for (let i = 1; i < candidates.length; i++) loads[candidates[i]] = this.peerLoad(candidates[i], now);
    const chosen = decide(this.opts.policy, {
      self: this.self.index, candidates, loads, flowHash: flowHash(p.srcIp, p.srcPort), u: this.rng.random(), turn: this.turn++,
    }, { threshold: this.opts.threshold });
    if (this.decisionTrace.active) {
      // The rows as the decision read them (before this placement is counted in).
      this.decisionTrace.fire({
        nic: this.self.index, time: now, clientIp: p.srcIp, clientPort: p.srcPort, chosen, candidates,
        loads: candidates.map((c) => loads[c]), ownLoad: own,
        peerRows: candidates.slice(1).map((c) => ({ server: c, ...this.state.row(c)! })),
      });
    }
    if (chosen !== this.self.index) this.state.bump(chosen);
    return chosen;
  }

  /** A peer's load as this device knows it: its last report (plus what this device placed there since). */
  peerLoad(index: number, now: number): number {
    return this.state.load(index); // candidates are usable: the row is there
  }

  // ------------------------------------------------------- 5. local

  private keepLocal(e: DirectoryEntry, sock: TcpSocket, p: Packet): void {
    this.keptLocal++;
    const rec = this.engine.exportConnection(sock);
    e.owner = Holder.LOCAL;
    this.self.app.adopt(this.self.tcp.importConnection(rec));
    const net = this.self.node.net;
    net.sim.schedule(this.opts.localHandoffNs, (q: Packet) => this.toHost(q), p);
  }

  private toHost(p: Packet): void {
    this.passedToHost++;
    if (this.localTrace.active) this.localTrace.fire(p, this);
    this.self.node.localDeliver(p, this.self.firstIface);
  }

  // ------------------------------------------------------- 6. migrate

  private migrate(e: DirectoryEntry, sock: TcpSocket, owner: number, p: Packet): void {
    const tcb = this.engine.exportConnection(sock);
    e.owner = owner;
    e.migrating = true;
    e.pending.push(p);
    this.migration.start(e, tcb, owner);
  }

  private migrationAcked(e: DirectoryEntry, owner: number, rtt: number, handle: number): void {
    if (this.migrateTrace.active) this.migrateTrace.fire(owner, rtt, this);
    if (this.directory.lookup(e.clientIp, e.clientPort, e.serverPort) !== e || !e.migrating) return;
    e.migrating = false;
    e.handle = handle;
    const pending = e.pending;
    e.pending = [];
    for (const q of pending) this.forward(q, e.owner, e.handle);
  }

  /** No acknowledgement came: the connection is served here after all. */
  private migrationFailed(e: DirectoryEntry, tcb: Tcb): void {
    if (this.directory.lookup(e.clientIp, e.clientPort, e.serverPort) !== e) return;
    e.migrating = false;
    e.owner = Holder.LOCAL;
    this.keptLocal++;
    this.self.app.adopt(this.self.tcp.importConnection(tcb));
    const pending = e.pending;
    e.pending = [];
    for (const q of pending) this.toHost(q);
  }

  // ------------------------------------------------------- 7. forward

  /** Send a client packet to the server holding its connection, encapsulated with the reference to it. */
  forward(p: Packet, owner: number, handle: number): void {
    const m = this.members[owner];
    if (!this.state.has(owner)) {
      // The owner was forgotten: it is gone, and the connection with it.
      this.breakConnection(p);
      return;
    }
    this.encapsulateFor(p, m.firstIface.ip, handle);
    this.forwarded++;
    this.forwardedBytes += p.ipBytes();
    if (this.forwardTrace.active) this.forwardTrace.fire(p, owner, this);
    this.self.node.outputVia(p, this.forwardIface, forwardAddress(m, this.via));
  }

  /** Step 7's header: the client's packet wrapped with the reference to the owner's connection data structure. */
  encapsulateFor(p: Packet, ownerIp: Ipv4, handle: number): void {
    encapsulate(p, ownerIp, handle);
  }

  /**
   * The owner side: an encapsulated packet from a first device. The
   * reference names this device and the connection's data structure: by its
   * handle (a slot of this host's TCP table) once the migration was
   * acknowledged, else by the client end point and server port it carries.
   * The TCB found must be the inner packet's connection. A reference naming
   * another device or another connection is dropped as bad-reference, one
   * naming no live connection as stale-reference, answered with an RST as
   * TCP answers a segment nobody owns (a SYN forwarded at SYN time has no
   * connection yet: the host's listener takes it).
   */
  receiveForwarded(p: Packet): void {
    const net = this.self.node.net;
    if (!isEncapsulated(p)) {
      net.drop(p, DropReason.NOT_FOR_US, this.name);
      return;
    }
    const tcp = this.self.tcp;
    const ref = p.encap ?? NO_ENCAP;
    const byHandle = ref.handle !== 0;
    const sock = ref.ownerIp !== this.self.firstIface.ip ? undefined
      : byHandle ? tcp.byHandle(ref.handle) : tcp.find(ref.serverPort, ref.clientIp, ref.clientPort);
    if (this.unwrapTrace.active) this.unwrapTrace.fire(p, byHandle, sock ?? null, this);
    decapsulate(p);
    if (ref.ownerIp !== this.self.firstIface.ip) {
      this.badReferences++;
      net.drop(p, DropReason.BAD_REFERENCE, this.name);
      return;
    }
    if (sock === undefined) {
      if (!byHandle && (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && p.srcIp === ref.clientIp && p.srcPort === ref.clientPort) {
        tcp.receive(p); // decided at SYN time: the connection is born here
        return;
      }
      // The connection ended here: answer as TCP answers a segment nobody owns.
      this.staleReferences++;
      net.drop(p, DropReason.STALE_REFERENCE, this.name);
      if (!(p.tcpFlags & TcpFlag.RST)) this.resetClient(p);
      return;
    }
    const t = sock.tcb;
    if (t.remoteIp !== p.srcIp || t.remotePort !== p.srcPort || t.localPort !== p.dstPort) {
      this.badReferences++;
      net.drop(p, DropReason.BAD_REFERENCE, this.name);
      return;
    }
    tcp.deliverTo(sock, p);
  }

  private breakConnection(p: Packet): void {
    const e = this.directory.remove(p.srcIp, p.srcPort, p.dstPort);
    if (e !== undefined) this.broken++;
    this.self.node.net.drop(p, DropReason.CLUSTER, this.name);
    if (!(p.tcpFlags & TcpFlag.RST)) this.resetClient(p);
  }

  private resetClient(p: Packet): void {
    this.self.node.sendIp(resetFor(p, this.self.node.net));
  }

  // ------------------------------------------------------- 8. control messages

  private onControl(msg: ClusterMessage): void {
    if (msg.kind === 'migrate') this.migration.receive(msg);
    else if (msg.kind === 'migrate-ack') this.migration.acknowledge(msg);
    else if (msg.kind === 'probe') this.control.send(msg.from, { kind: 'probe-ack', from: this.self.index }, 16);
    else if (msg.kind === 'probe-ack') this.detector.probeAnswered(msg.from, this.now);
    else {
      this.closedNotices++;
      this.directory.remove(msg.clientIp, msg.clientPort, msg.serverPort);
    }
  }

  private connectionEnded(s: TcpSocket, where: number): void {
    const t = s.tcb;
    const first = this.memberByIp.get(t.localIp);
    if (first === undefined || t.localPort !== this.servicePort) return;
    if (first === this.self.index) {
      const e = this.directory.lookup(t.remoteIp, t.remotePort, t.localPort);
      if (e !== undefined && e.owner === where) this.directory.remove(t.remoteIp, t.remotePort, t.localPort);
    } else if (where === Holder.LOCAL) {
      this.control.send(first, { kind: 'closed', clientIp: t.remoteIp, clientPort: t.remotePort, serverPort: t.localPort, from: this.self.index }, 16);
    }
  }

  /** A load report from a peer arrived over the third LAN. */
  reportArrived(server: number, load: number, p: Packet, device: string): void {
    this.state.update(server, load, this.now, p.id, device);
    this.detector.heard(server, this.now);
  }

  // ------------------------------------------------------- faults

  /** Drop a server from the state table and break the connections it held. */
  forgetServer(index: number): void {
    this.state.forget(index);
    for (const e of this.directory.ownedBy(index)) {
      this.directory.remove(e.clientIp, e.clientPort, e.serverPort);
      this.broken++;
      for (const q of e.pending) this.self.node.net.drop(q, DropReason.CLUSTER, this.name);
      e.pending = [];
    }
  }

  packetsHeld(): number {
    return this.directory.packetsHeld();
  }
}
