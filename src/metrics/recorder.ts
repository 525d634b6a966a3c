/**
 * Recorder: the packet-level record of a run, for the claims suite, `netsim
 * trace` and the visualizer. It listens to a network's trace sources (frames on every device, the
 * smart NICs' receive / look-up / decision / local / forward / migration
 * traces, host TCP segments, server requests, client arrivals, third-LAN
 * report arrivals) and copies the fields it needs at trace time, since
 * packets are mutated in place as they travel; it also links the clones an L2
 * flood makes to their original (a "lineage"), so a packet can be followed
 * from the client to the server.
 *
 * Invariants: every event is stamped from one counter (seq) and the simulated
 * clock (t), so seq is the global trace order and each list is in trace
 * order; a packet id keeps the lineage root it was first given.
 * Cost: one object per traced event (memory linear in the run); a look-up
 * event also searches every NIC engine and host TCP for the connection
 * (O(servers)); lineage and framesOf are map look-ups.
 */
import type { Cpu } from '../apps/cpu';
import type { TcpResponse } from '../apps/tcp-messages';
import type { TcpRequestClient } from '../apps/tcp-request-client';
import type { TcpServerApp } from '../apps/tcp-server-app';
import { referenceOf, type ConnectionRef } from '../cluster/encapsulation';
import { REPORT_PORT, type LoadReport } from '../cluster/load-reporter';
import type { Member } from '../cluster/member';
import { CLUSTER_PORT, type DecisionRecord, type SmartNic } from '../cluster/smart-nic';
import { DROP_REASON_NAMES } from '../net/drop-reason';
import { EtherType, IpProtocol, type Packet } from '../net/packet';
import type { Topology } from '../nodes/topology';
import type { TcpMark } from '../transport/tcb';
import { TcpSocket } from '../transport/tcp-socket';

/** What the recorder listens to: a built network and, when it has one, its cluster. */
export interface RecordedNetwork {
  topo: Topology;
  nics: readonly SmartNic[];
  members: readonly Member[];
  servers: readonly TcpServerApp[];
  clients: readonly TcpRequestClient[];
  /** The servers' CPUs, by member index (ground truth of load reports). */
  cpus?: readonly Cpu[];
}

/** The fields of a packet at one moment (packets are mutated as they travel). */
export interface Pkt {
  pid: number;
  root: number;
  etherType: number;
  tunnel: boolean;
  protocol: number;
  srcMac: number;
  dstMac: number;
  srcIp: number;
  dstIp: number;
  srcPort: number;
  dstPort: number;
  tcpSeq: number;
  tcpAck: number;
  tcpFlags: number;
  payload: number;
  ipBytes: number;
  linkBytes: number;
  frameBytes: number;
  flags: number;
  encapFlags: number;
  ref: ConnectionRef | null;
}

/** Position in the global trace order, and simulated time (ns). */
export interface Stamp {
  seq: number;
  t: number;
}

/**
 * reportTruth: for a load report's first frame, the sender's real load at
 * that moment, read from its host (jobs at its CPU plus open connections of
 * its TCP), not from anything the cluster logic recorded.
 */
export type TxEv = Stamp & Pkt & { dev: string; lan: number; node: string; report: LoadReport | null; reportTruth: number | null; ctl: string | null };
export type NicRxEv = Stamp & Pkt & { nic: number };
/** places: where a TCB of this connection exists at look-up time (nicK: NIC engine of server K, hostK: host TCP of server K). */
export type LookupEv = Stamp & Pkt & { nic: number; holder: number; places: string[]; migrating: boolean };
export type DecisionEv = Stamp & { nic: number; lookup: LookupEv | null; rec: DecisionRecord };
export type LocalEv = Stamp & Pkt & { nic: number };
/** ownerTcb: the connection's TCB in the owner's host TCP when the packet was forwarded (read there, not from the NIC). */
export type ForwardEv = Stamp & Pkt & { nic: number; owner: number; ownerTcb: { localIp: number; iss: number; handle: number } | null };
/** The owner resolving a forwarded packet's reference: by handle or by end point, and the TCB it named. */
export type UnwrapEv = Stamp & Pkt & {
  server: number; byHandle: boolean;
  tcb: { localIp: number; localPort: number; remoteIp: number; remotePort: number; iss: number; handle: number } | null;
};
export type MigrateEv = Stamp & { nic: number; owner: number; rttNs: number };
export type TcpRxEv = Stamp & Pkt & { server: number };
export type RequestEv = Stamp & {
  server: number; localIp: number; localPort: number; remoteIp: number; remotePort: number;
  reqId: number; clientId: number; isTcpSocket: boolean; onHostLayer: boolean; state: string; iss: number;
};
export type ClientRxEv = Stamp & Pkt & { client: number; responses: { reqId: number; servedBy: number }[] };
export type DevRxEv = Stamp & { server: number; pid: number; root: number };
export type RxEv = Stamp & Pkt & { dev: string; node: string };
export type DropEv = Stamp & Pkt & { reason: string; where: string };

export type RecorderSink = (kind: string, ev: Stamp) => void;

export interface RecorderOptions {
  keep?: boolean;
  sink?: RecorderSink;
  allDevices?: boolean;
}

function refOf(p: Packet): ConnectionRef | null {
  return p.etherType === EtherType.ENCAP
    ? referenceOf(p)
    : null;
}

function signature(p: Packet): string {
  return `${p.etherType}/${p.srcIp}/${p.dstIp}/${p.protocol}/${p.srcPort}/${p.dstPort}/${p.tcpSeq}/${p.tcpAck}/${p.tcpFlags}/`
    + `${p.payloadBytes}/${p.ipId}/${p.arp?.op ?? 0}/${p.arp?.targetIp ?? 0}`;
}

export class Recorder {
  private n = 0;
  readonly tx: TxEv[] = [];
  readonly nicRx: NicRxEv[] = [];
  readonly lookups: LookupEv[] = [];
  readonly decisions: DecisionEv[] = [];
  readonly locals: LocalEv[] = [];
  readonly forwards: ForwardEv[] = [];
  readonly unwraps: UnwrapEv[] = [];
  readonly migrations: MigrateEv[] = [];
  readonly tcpRx: TcpRxEv[] = [];
  readonly requests: RequestEv[] = [];
  readonly clientRx: ClientRxEv[] = [];
  /** Frames accepted by a server's first-LAN device. */
  readonly devRx: DevRxEv[] = [];
  /** Frames accepted by a server's third-LAN device. */
  readonly stateRx: DevRxEv[] = [];
  private readonly roots = new Map<number, number>();
  private readonly lastBySignature = new Map<string, number>();
  private readonly byRoot = new Map<number, TxEv[]>();
  private readonly byPid = new Map<number, TxEv[]>();
  private readonly devInfo = new Map<string, { lan: number; node: string }>();
  private readonly lastLookup: (LookupEv | null)[];

  /** Frames accepted by any device, and every drop (with `devices: 'all'`). */
  readonly rx: RxEv[] = [];
  readonly drops: DropEv[] = [];
  private readonly keep: boolean;
  private readonly sink: RecorderSink | null;

  /**
   * `keep` (default true): hold every event in the lists; false with a
   * `sink` streams them instead (netsim trace). `allDevices`: also record
   * what every device accepts and every drop (the visualizer, netsim trace).
   */
  constructor(readonly c: RecordedNetwork, opts: RecorderOptions = {}) {
    this.keep = opts.keep ?? true;
    this.sink = opts.sink ?? null;
    for (const node of c.topo.nodes) for (const d of node.devices) {
      if (this.devInfo.has(d.name)) throw new Error(`recorder: two devices are named ${d.name}`);
      this.devInfo.set(d.name, { lan: d.lanBits, node: node.name });
    }
    this.lastLookup = c.nics.map(() => null);
    c.topo.net.txTrace.connect((p, dev) => this.onTx(p, dev));
    c.nics.forEach((_, i) => this.listenToNic(i));
    this.listenToServers();
    this.listenToClients();
    if (opts.allDevices === true) this.listenToAll();
  }

  /** Every accepted frame on every device, and every drop. */
  private listenToAll(): void {
    for (const node of this.c.topo.nodes) for (const d of node.devices) {
      d.rxTrace.connect((p) => this.record('rx', this.rx, { ...this.stamp(), ...this.copy(p), dev: d.name, node: node.name }));
    }
    this.c.topo.net.dropTrace.connect((p, reason, where) => this.record('drop', this.drops, { ...this.stamp(), ...this.copy(p), reason: DROP_REASON_NAMES[reason], where }));
  }

  private record<E>(kind: string, list: E[], ev: E): void {
    if (this.keep) list.push(ev);
    if (this.sink !== null) this.sink(kind, ev as Stamp);
  }

  /** The smart NIC's steps: receive, look up (with where the TCB really is), decide, keep, forward, migrate. */
  private listenToNic(i: number): void {
    const c = this.c;
    const nic = c.nics[i];
    const conn = (p: Packet): [number, number, number] => [p.dstPort, p.srcIp, p.srcPort];
    nic.receiveTrace.connect((p) => this.record('nic-receive', this.nicRx, { ...this.stamp(), ...this.copy(p), nic: i }));
    nic.lookupTrace.connect((p, holder) => {
      const places: string[] = [];
      for (const k of c.nics) if (k.engine.find(...conn(p)) !== undefined) places.push(`nic${k.self.index}`);
      for (const m of c.members) if (m.tcp.find(...conn(p)) !== undefined) places.push(`host${m.index}`);
      const e = nic.directory.lookup(p.srcIp, p.srcPort, p.dstPort);
      const l: LookupEv = { ...this.stamp(), ...this.copy(p), nic: i, holder, places, migrating: e?.migrating ?? false };
      this.record('nic-lookup', this.lookups, l);
      this.lastLookup[i] = l;
    });
    nic.decisionTrace.connect((d) => {
      const l = this.lastLookup[i];
      const linked = l !== null && l.t === d.time && l.srcIp === d.clientIp && l.srcPort === d.clientPort ? l : null;
      this.record('nic-decision', this.decisions, {
        ...this.stamp(), nic: i, lookup: linked,
        rec: { ...d, candidates: [...d.candidates], loads: [...d.loads], peerRows: d.peerRows.map((r) => ({ ...r })) },
      });
    });
    nic.localTrace.connect((p) => this.record('nic-local', this.locals, { ...this.stamp(), ...this.copy(p), nic: i }));
    nic.forwardTrace.connect((p, owner) => {
      const r = referenceOf(p);
      const s = c.members[owner].tcp.find(r.serverPort, r.clientIp, r.clientPort);
      this.record('nic-forward', this.forwards, {
        ...this.stamp(), ...this.copy(p), nic: i, owner, ownerTcb: s !== undefined ? { localIp: s.tcb.localIp, iss: s.tcb.iss, handle: s.handle } : null,
      });
    });
    nic.unwrapTrace.connect((p, byHandle, s) => this.record('nic-unwrap', this.unwraps, {
      ...this.stamp(), ...this.copy(p), server: i, byHandle,
      tcb: s !== null ? { localIp: s.tcb.localIp, localPort: s.tcb.localPort, remoteIp: s.tcb.remoteIp, remotePort: s.tcb.remotePort, iss: s.tcb.iss, handle: s.handle } : null,
    }));
    nic.migrateTrace.connect((owner, rttNs) => this.record('nic-migrated', this.migrations, { ...this.stamp(), nic: i, owner, rttNs }));
  }

  /** Host TCP segments, first- and third-LAN arrivals, and the requests the server applications get. */
  private listenToServers(): void {
    const c = this.c;
    c.members.forEach((m, i) => {
      m.tcp.rxTrace.connect((p) => this.record('tcp-rx', this.tcpRx, { ...this.stamp(), ...this.copy(p), server: i }));
      m.firstIface.dev.rxTrace.connect((p) => this.record('server-rx', this.devRx, { ...this.stamp(), server: i, pid: p.id, root: this.rootOf(p.id) }));
      m.thirdIface!.dev.rxTrace.connect((p) => this.record('report-rx', this.stateRx, { ...this.stamp(), server: i, pid: p.id, root: this.rootOf(p.id) }));
    });
    c.servers.forEach((app, i) => {
      app.requestTrace.connect((s, req) => {
        const t = s.tcb;
        this.record('request', this.requests, {
          ...this.stamp(), server: i, localIp: t.localIp, localPort: t.localPort, remoteIp: t.remoteIp, remotePort: t.remotePort,
          reqId: req.reqId, clientId: req.clientId, isTcpSocket: s instanceof TcpSocket, onHostLayer: s.layer === c.members[i].tcp,
          state: t.state, iss: t.iss,
        });
      });
    });
  }

  /** What reaches the clients, with the responses (request id, serving node) a segment completes. */
  private listenToClients(): void {
    this.c.clients.forEach((app, k) => {
      for (const d of app.node.devices) d.rxTrace.connect((p) => {
        const marks = (p.appData as TcpMark[] | null) ?? [];
        const responses = p.protocol === IpProtocol.TCP && Array.isArray(marks)
          ? marks.map((m) => m.data as TcpResponse).filter((r) => typeof r?.servedBy === 'number').map((r) => ({ reqId: r.reqId, servedBy: r.servedBy }))
          : [];
        this.record('client-rx', this.clientRx, { ...this.stamp(), ...this.copy(p), client: k, responses });
      });
    });
  }

  private stamp(): Stamp {
    return { seq: this.n++, t: this.c.topo.net.now };
  }

  private copy(p: Packet): Pkt {
    return {
      pid: p.id, root: this.rootOf(p.id), etherType: p.etherType, tunnel: p.tunnel, protocol: p.protocol,
      srcMac: p.srcMac, dstMac: p.dstMac, srcIp: p.srcIp, dstIp: p.dstIp, srcPort: p.srcPort, dstPort: p.dstPort,
      tcpSeq: p.tcpSeq, tcpAck: p.tcpAck, tcpFlags: p.tcpFlags, payload: p.payloadBytes,
      ipBytes: p.ipBytes(), linkBytes: p.linkPayloadBytes(), frameBytes: p.ethernetBytes(),
      flags: p.pathFlags, encapFlags: p.encap?.flags ?? 0, ref: refOf(p),
    };
  }

  /**
   * A frame handed to a device. A packet id seen for the first time with
   * hops > 1 is a clone made by a flooding switch: it joins the lineage of the
   * packet last transmitted with the same headers.
   */
  private onTx(p: Packet, dev: string): void {
    const sig = signature(p);
    if (!this.roots.has(p.id)) {
      const from = p.hops > 1 ? this.lastBySignature.get(sig) : undefined;
      this.roots.set(p.id, from !== undefined ? this.rootOf(from) : p.id);
    }
    this.lastBySignature.set(sig, p.id);
    const info = this.devInfo.get(dev);
    const isUdp = p.protocol === IpProtocol.UDP && p.etherType === EtherType.IPV4;
    const report = isUdp && p.dstPort === REPORT_PORT ? { ...(p.appData as LoadReport) } : null;
    const cpu = report !== null && p.hops === 1 ? this.c.cpus?.[report.server] : undefined;
    const reportTruth = cpu !== undefined ? cpu.load() + this.c.members[report!.server].tcp.size : null;
    const ctl = isUdp && p.dstPort === CLUSTER_PORT ? (p.appData as { kind: string }).kind : null;
    const e: TxEv = { ...this.stamp(), ...this.copy(p), dev, lan: info?.lan ?? 0, node: info?.node ?? '?', report, reportTruth, ctl };
    this.record('tx', this.tx, e);
    if (this.keep) {
      push(this.byRoot, e.root, e);
      push(this.byPid, e.pid, e);
    }
  }

  rootOf(pid: number): number {
    return this.roots.get(pid) ?? pid;
  }

  /** Every frame of a packet and of its clones, in order. */
  lineage(root: number): readonly TxEv[] {
    return this.byRoot.get(root) ?? [];
  }

  /** Frames of exactly this packet id, in order. */
  framesOf(pid: number): readonly TxEv[] {
    return this.byPid.get(pid) ?? [];
  }
}

export function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}
