/**
 * Claim evidence: the machinery of the claim-by-claim conformance suite.
 *
 *  - scenarios: the few small sites the claims are measured on, each run at
 *    most once per test process (memoised);
 *  - Recorder: listens to the trace sources (frames on every device, the smart
 *    NICs' receive / look-up / decision / local / forward / migration traces,
 *    host TCP segments, server requests, client arrivals, third-LAN report
 *    arrivals) and copies the fields it needs at trace time, since packets are
 *    mutated in place as they travel; it also links the clones an L2 flood
 *    makes to their original (a "lineage"), so a packet can be followed from
 *    the client to the server;
 *  - analysis: per client packet a Story (received, looked up, decided,
 *    migrated, kept or forwarded, reached which TCP, served by which
 *    application), per connection a Conn;
 *  - element checks (e*) that system claims compose, and step-order checks
 *    (o*) that method claims add;
 *  - Evidence / ClaimBook: every check is recorded (label, pass, measured
 *    detail) and asserted with expect.soft; the book renders docs/CLAIMS.md.
 *
 * Everything rendered is simulated data (ids, addresses, counts, simulated
 * ns), never wall time, so the document is the same on every run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { buildCluster, type Cluster, type ClusterOptions } from '../../src/cluster/cluster';
import type { ConnectionRef } from '../../src/cluster/encapsulation';
import { REPORT_PORT, type LoadReport } from '../../src/cluster/load-reporter';
import { CLUSTER_PORT, type DecisionRecord } from '../../src/cluster/smart-nic';
import { MS } from '../../src/engine';
import { formatIpv4 } from '../../src/net/address';
import { CsmaChannel } from '../../src/net/csma';
import {
  ENCAP_FORWARDED, ENCAP_HEADER, ETH_FCS, ETH_HEADER, ETH_MIN_PAYLOAD, EtherType, IpProtocol, PathFlag, TcpFlag, type Packet,
} from '../../src/net/packet';
import type { TcpMark } from '../../src/nodes/tcb';
import type { TcpResponse } from '../../src/nodes/tcp-request-response';
import { TcpSocket } from '../../src/nodes/tcp-socket';
import { CLAIMS, claim as claimText, type ClaimText } from './claim-texts';

const { LAN1, LAN2, LAN3, FIRST_PROCESSED, FORWARDED } = PathFlag;

// ====================================================================== scenarios

const WORKLOAD: ClusterOptions['workload'] = {
  requestsPerClient: 3, arrival: 'poisson', meanIntervalNs: 10 * MS,
  thinkTime: { kind: 'constant', value: 0 },
  requestSize: { kind: 'constant', value: 300 },
  responseSize: { kind: 'constant', value: 12_000 },
  requestsPerConnection: 1, servicePort: 80,
};
const SITE: Partial<ClusterOptions> = {
  design: 'nic-forward', servers: 4, clients: 6, seed: 2, workload: WORKLOAD,
  reports: { periodNs: 2 * MS, bytes: 64, deadAfterNs: 7 * MS },
  // A short TIME_WAIT (still > 4 round trips) so a run ends soon after its last request.
  tcp: { timeWait: 100 * MS },
};
const THRESHOLD = 3;

export interface ScenarioSpec {
  opts: Partial<ClusterOptions>;
  /** Jobs put on a server's CPU at time 0: a different state under the same client packet stream. */
  busy?: { server: number; jobs: number; jobNs: number };
}

export const SCENARIOS = {
  'l2-least-loaded': { opts: { ...SITE, firstLan: 'l2-switch', nic: { policy: 'least-loaded' } } },
  'hub-least-loaded': { opts: { ...SITE, firstLan: 'hub', nic: { policy: 'least-loaded' } } },
  'l3-least-loaded': { opts: { ...SITE, firstLan: 'l3-switch', nic: { policy: 'least-loaded' } } },
  'l2-threshold-idle': { opts: { ...SITE, firstLan: 'l2-switch', nic: { policy: 'local-unless-overloaded', threshold: THRESHOLD } } },
  'l2-threshold-busy': {
    opts: { ...SITE, firstLan: 'l2-switch', nic: { policy: 'local-unless-overloaded', threshold: THRESHOLD } },
    busy: { server: 0, jobs: 6, jobNs: 20 * MS },
  },
} satisfies Record<string, ScenarioSpec>;
export type ScenarioKey = keyof typeof SCENARIOS;

export function describeScenario(key: ScenarioKey): string {
  const s: ScenarioSpec = SCENARIOS[key];
  const o = s.opts;
  const w = o.workload!;
  const nic = o.nic ?? {};
  const dist = (d: { kind: string; value?: number }): string => (d.kind === 'constant' ? `${d.value} B` : d.kind);
  let text = `${o.design}, first LAN ${o.firstLan}, ${o.servers} servers, ${o.clients} clients × ${w.requestsPerClient} requests `
    + `(${w.arrival}, mean gap ${w.meanIntervalNs / MS} ms, ${dist(w.requestSize)} requests, ${dist(w.responseSize)} responses, `
    + `one connection each), seed ${o.seed}, NIC policy ${nic.policy}`;
  if (nic.policy === 'local-unless-overloaded') text += ` (threshold ${nic.threshold})`;
  text += `, load reports every ${o.reports!.periodNs / MS} ms on the third LAN, TCP TIME_WAIT ${(o.tcp?.timeWait ?? 0) / MS} ms`;
  if (s.busy) text += `; server${s.busy.server}'s CPU given ${s.busy.jobs} jobs of ${s.busy.jobNs / MS} ms at t = 0`;
  return text;
}

// ====================================================================== recorder

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

export type TxEv = Stamp & Pkt & { dev: string; lan: number; node: string; report: LoadReport | null; ctl: string | null };
export type NicRxEv = Stamp & Pkt & { nic: number };
/** places: where a TCB of this connection exists at look-up time (nicK: NIC engine of server K, hostK: host TCP of server K). */
export type LookupEv = Stamp & Pkt & { nic: number; holder: number; places: string[]; migrating: boolean };
export type DecisionEv = Stamp & { nic: number; lookup: LookupEv | null; rec: DecisionRecord };
export type LocalEv = Stamp & Pkt & { nic: number };
export type ForwardEv = Stamp & Pkt & { nic: number; owner: number; ownerTcb: { localIp: number; iss: number } | null };
export type MigrateEv = Stamp & { nic: number; owner: number; rttNs: number };
export type TcpRxEv = Stamp & Pkt & { server: number };
export type RequestEv = Stamp & {
  server: number; localIp: number; localPort: number; remoteIp: number; remotePort: number;
  reqId: number; clientId: number; isTcpSocket: boolean; onHostLayer: boolean; state: string; iss: number;
};
export type ClientRxEv = Stamp & Pkt & { client: number; responses: { reqId: number; servedBy: number }[] };
export type DevRxEv = Stamp & { server: number; pid: number; root: number };

function refOf(p: Packet): ConnectionRef | null {
  return p.etherType === EtherType.ENCAP
    ? { clientIp: p.encapClientIp, clientPort: p.encapClientPort, ownerIp: p.encapOwnerIp, serverPort: p.encapServerPort }
    : null;
}

function signature(p: Packet): string {
  return `${p.etherType}/${p.srcIp}/${p.dstIp}/${p.protocol}/${p.srcPort}/${p.dstPort}/${p.tcpSeq}/${p.tcpAck}/${p.tcpFlags}/`
    + `${p.payloadBytes}/${p.ipId}/${p.arpOp}/${p.arpTargetIp}`;
}

export class Recorder {
  private n = 0;
  readonly tx: TxEv[] = [];
  readonly nicRx: NicRxEv[] = [];
  readonly lookups: LookupEv[] = [];
  readonly decisions: DecisionEv[] = [];
  readonly locals: LocalEv[] = [];
  readonly forwards: ForwardEv[] = [];
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

  constructor(readonly c: Cluster) {
    for (const node of c.topo.nodes) for (const d of node.devices) {
      if (this.devInfo.has(d.name)) throw new Error(`recorder: two devices are named ${d.name}`);
      this.devInfo.set(d.name, { lan: d.lanBits, node: node.name });
    }
    this.lastLookup = c.nics.map(() => null);
    c.topo.net.txTrace.connect((p, dev) => this.onTx(p, dev));
    c.nics.forEach((_, i) => this.listenToNic(i));
    this.listenToServers();
    this.listenToClients();
  }

  /** The smart NIC's steps: receive, look up (with where the TCB really is), decide, keep, forward, migrate. */
  private listenToNic(i: number): void {
    const c = this.c;
    const nic = c.nics[i];
    const conn = (p: Packet): [number, number, number] => [p.dstPort, p.srcIp, p.srcPort];
    nic.receiveTrace.connect((p) => this.nicRx.push({ ...this.stamp(), ...this.copy(p), nic: i }));
    nic.lookupTrace.connect((p, holder) => {
      const places: string[] = [];
      for (const k of c.nics) if (k.engine.find(...conn(p)) !== undefined) places.push(`nic${k.self.index}`);
      for (const m of c.members) if (m.tcp.find(...conn(p)) !== undefined) places.push(`host${m.index}`);
      const e = nic.directory.lookup(p.srcIp, p.srcPort, p.dstPort);
      const l: LookupEv = { ...this.stamp(), ...this.copy(p), nic: i, holder, places, migrating: e?.migrating ?? false };
      this.lookups.push(l);
      this.lastLookup[i] = l;
    });
    nic.decisionTrace.connect((d) => {
      const l = this.lastLookup[i];
      const linked = l !== null && l.t === d.time && l.srcIp === d.clientIp && l.srcPort === d.clientPort ? l : null;
      this.decisions.push({
        ...this.stamp(), nic: i, lookup: linked,
        rec: { ...d, candidates: [...d.candidates], loads: [...d.loads], peerRows: d.peerRows.map((r) => ({ ...r })) },
      });
    });
    nic.localTrace.connect((p) => this.locals.push({ ...this.stamp(), ...this.copy(p), nic: i }));
    nic.forwardTrace.connect((p, owner) => {
      const s = c.members[owner].tcp.find(p.encapServerPort, p.encapClientIp, p.encapClientPort);
      this.forwards.push({
        ...this.stamp(), ...this.copy(p), nic: i, owner, ownerTcb: s !== undefined ? { localIp: s.tcb.localIp, iss: s.tcb.iss } : null,
      });
    });
    nic.migrateTrace.connect((owner, rttNs) => this.migrations.push({ ...this.stamp(), nic: i, owner, rttNs }));
  }

  /** Host TCP segments, first- and third-LAN arrivals, and the requests the server applications get. */
  private listenToServers(): void {
    const c = this.c;
    c.members.forEach((m, i) => {
      m.tcp.rxTrace.connect((p) => this.tcpRx.push({ ...this.stamp(), ...this.copy(p), server: i }));
      m.firstIface.dev.rxTrace.connect((p) => this.devRx.push({ ...this.stamp(), server: i, pid: p.id, root: this.rootOf(p.id) }));
      m.stateIface!.dev.rxTrace.connect((p) => this.stateRx.push({ ...this.stamp(), server: i, pid: p.id, root: this.rootOf(p.id) }));
    });
    c.servers.forEach((app, i) => {
      app.onRequest = (s, req) => {
        const t = s.tcb;
        this.requests.push({
          ...this.stamp(), server: i, localIp: t.localIp, localPort: t.localPort, remoteIp: t.remoteIp, remotePort: t.remotePort,
          reqId: req.reqId, clientId: req.clientId, isTcpSocket: s instanceof TcpSocket, onHostLayer: s.layer === c.members[i].tcp,
          state: t.state, iss: t.iss,
        });
      };
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
        this.clientRx.push({ ...this.stamp(), ...this.copy(p), client: k, responses });
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
      flags: p.pathFlags, encapFlags: p.encapFlags, ref: refOf(p),
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
    const ctl = isUdp && p.dstPort === CLUSTER_PORT ? (p.appData as { kind: string }).kind : null;
    const e: TxEv = { ...this.stamp(), ...this.copy(p), dev, lan: info?.lan ?? 0, node: info?.node ?? '?', report, ctl };
    this.tx.push(e);
    push(this.byRoot, e.root, e);
    push(this.byPid, e.pid, e);
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

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}

// ====================================================================== runs

export interface Run {
  key: ScenarioKey;
  c: Cluster;
  rec: Recorder;
  clientIps: Set<number>;
  issued: number;
  completed: number;
  failed: number;
  conservation: string | null;
  endNs: number;
}

const runs = new Map<ScenarioKey, Run>();

/** The run of a scenario, simulated once per test process. */
export function run(key: ScenarioKey): Run {
  let r = runs.get(key);
  if (r === undefined) runs.set(key, (r = execute(key)));
  return r;
}

function execute(key: ScenarioKey): Run {
  const spec: ScenarioSpec = SCENARIOS[key];
  const c = buildCluster(spec.opts);
  const rec = new Recorder(c);
  if (spec.busy !== undefined) for (let j = 0; j < spec.busy.jobs; j++) c.cpus[spec.busy.server].submit(spec.busy.jobNs, () => {}, null);
  // Stop once every request ended and every connection is closed (as runDesign does).
  const sim = c.topo.net.sim;
  const period = c.opts.reports.periodNs;
  const total = c.opts.clients * c.opts.workload.requestsPerClient;
  const check = (): void => {
    const done = c.stats.completed + c.stats.failed >= total;
    const quiet = c.members.every((m) => m.tcp.size === 0) && c.clients.every((a) => a.tcp.size === 0);
    if (done && quiet) sim.stop();
    else sim.schedule(period, check);
  };
  sim.schedule(period, check);
  sim.run({ until: 30_000 * MS });
  return {
    key, c, rec, clientIps: new Set(c.clients.map((a) => a.node.interfaces[0].ip)),
    issued: c.stats.issued, completed: c.stats.completed, failed: c.stats.failed,
    conservation: c.topo.net.conservationError(), endNs: sim.now,
  };
}

// ====================================================================== analysis

/** One client packet processed by a first device, and what became of it. */
export interface Story {
  rx: NicRxEv;
  lookup: LookupEv | null;
  decision: DecisionEv | null;
  migrate: MigrateEv | null;
  local: LocalEv | null;
  forward: ForwardEv | null;
  /** Arrival at the TCP of the server that holds the connection. */
  hostRx: TcpRxEv | null;
  /** The request this packet completed, as the server application got it. */
  request: RequestEv | null;
  /** Arrival at the first device's server's first-LAN interface. */
  devRx: DevRxEv | null;
  /** Last frame of this packet id before the NIC got it. */
  lastHop: TxEv | null;
  /** Frames of the lineage between the forward and the arrival at the owner. */
  afterForward: TxEv[];
}

/** One client connection, as its first device saw it. */
export interface Conn {
  key: string;
  clientIp: number;
  clientPort: number;
  /** Index of the server whose NIC the client addressed. */
  first: number;
  stories: Story[];
  decision: DecisionEv | null;
  /** Server holding the connection after the decision. */
  owner: number;
  moved: boolean;
  requestStory: Story | null;
  synAck: TxEv | null;
  /** Response segments (payload from the service port) that reached the client. */
  responses: ClientRxEv[];
}

export interface Analysis {
  stories: Story[];
  conns: Conn[];
  byFirstAndPid: Map<string, Story>;
}

const analyses = new WeakMap<Run, Analysis>();

export function analyse(r: Run): Analysis {
  let a = analyses.get(r);
  if (a === undefined) analyses.set(r, (a = buildAnalysis(r)));
  return a;
}

function firstAfter<T extends Stamp>(list: readonly T[] | undefined, seq: number, ok: (x: T) => boolean = () => true): T | null {
  if (list === undefined) return null;
  for (const x of list) if (x.seq > seq && ok(x)) return x;
  return null;
}

function group<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) push(m, key(x), x);
  return m;
}

function buildAnalysis(r: Run): Analysis {
  const rec = r.rec;
  const port = r.c.opts.workload.servicePort;
  const np = (x: { nic: number; pid: number }): string => `${x.nic}/${x.pid}`;
  const lookups = group(rec.lookups, np);
  const locals = group(rec.locals, np);
  const forwards = group(rec.forwards, np);
  const decisionOf = new Map(rec.decisions.filter((d) => d.lookup !== null).map((d) => [d.lookup!.seq, d]));
  const tcpByRoot = group(rec.tcpRx, (x) => x.root);
  const devByPid = group(rec.devRx, (x) => `${x.server}/${x.pid}`);
  const reqByConn = group(rec.requests, (x) => `${x.server}/${x.remoteIp}:${x.remotePort}`);
  const stories: Story[] = rec.nicRx.map((rx) => {
    const lookup = firstAfter(lookups.get(np(rx)), rx.seq);
    const decision = lookup !== null ? decisionOf.get(lookup.seq) ?? null : null;
    const after = lookup?.seq ?? rx.seq;
    const local = firstAfter(locals.get(np(rx)), after);
    const forward = firstAfter(forwards.get(np(rx)), after);
    const server = forward !== null ? forward.owner : local !== null ? rx.nic : null;
    const from = forward ?? local;
    const hostRx = server !== null && from !== null ? firstAfter(tcpByRoot.get(rx.root), from.seq, (x) => x.server === server) : null;
    const request = hostRx !== null && rx.payload > 0
      ? firstAfter(reqByConn.get(`${server}/${rx.srcIp}:${rx.srcPort}`), hostRx.seq) : null;
    let migrate: MigrateEv | null = null;
    if (forward !== null && decision !== null) {
      for (const m of rec.migrations) if (m.nic === rx.nic && m.owner === forward.owner && m.seq > decision.seq && m.seq < forward.seq) migrate = m;
    }
    const hops = rec.framesOf(rx.pid).filter((x) => x.seq < rx.seq);
    const devRx = [...(devByPid.get(`${rx.nic}/${rx.pid}`) ?? [])].reverse().find((x) => x.seq < rx.seq) ?? null;
    const afterForward = forward !== null
      ? rec.lineage(rx.root).filter((x) => x.seq > forward.seq && (hostRx === null || x.seq < hostRx.seq)) : [];
    return {
      rx, lookup, decision, migrate, local, forward, hostRx, request, devRx,
      lastHop: hops.length > 0 ? hops[hops.length - 1] : null, afterForward,
    };
  });
  const byConn = group(stories, (s) => ep(s.rx.srcIp, s.rx.srcPort));
  const conns: Conn[] = [];
  const clientRxByConn = group(rec.clientRx.filter((x) => x.srcPort === port && x.payload > 0), (x) => ep(x.dstIp, x.dstPort));
  for (const [key, ss] of byConn) {
    const rx = ss[0].rx;
    const decision = ss.find((s) => s.decision !== null)?.decision ?? null;
    const moved = decision !== null && decision.rec.chosen !== rx.nic;
    const firstIp = r.c.members[rx.nic].firstIface.ip;
    conns.push({
      key, clientIp: rx.srcIp, clientPort: rx.srcPort, first: rx.nic, stories: ss, decision,
      owner: decision !== null ? decision.rec.chosen : rx.nic, moved,
      requestStory: ss.find((s) => s.rx.payload > 0) ?? null,
      synAck: rec.tx.find((x) => x.srcIp === firstIp && x.dstIp === rx.srcIp && x.dstPort === rx.srcPort
        && (x.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)) ?? null,
      responses: clientRxByConn.get(key) ?? [],
    });
  }
  return { stories, conns, byFirstAndPid: new Map(stories.map((s) => [np(s.rx), s])) };
}

// ====================================================================== formatting

export const ip = (x: number): string => formatIpv4(x);
export const ep = (a: number, port: number): string => `${formatIpv4(a)}:${port}`;
export const ms = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;
const us = (ns: number): string => `${(ns / 1e3).toFixed(1)} µs`;
const ratio = (a: number, b: number): string => `${a}/${b}${b > 0 ? ` = ${(a / b).toFixed(3)}` : ''}`;
const holderName = (h: number, nic: number): string => (h === -3 ? 'nobody (no entry)' : h === -2 ? `server${nic}'s NIC engine`
  : h === -1 ? `server${nic}'s own host` : `server${h}`);
const pkt = (x: Pkt): string => `#${x.pid} ${ep(x.srcIp, x.srcPort)}→${ep(x.dstIp, x.dstPort)}`
  + `${x.payload > 0 ? ` ${x.payload} B` : ''}${flagNames(x.tcpFlags)}`;
function flagNames(f: number): string {
  const n = [['SYN', TcpFlag.SYN], ['ACK', TcpFlag.ACK], ['FIN', TcpFlag.FIN], ['RST', TcpFlag.RST]].filter(([, b]) => f & (b as number)).map(([s]) => s);
  return n.length > 0 ? ` [${n.join('|')}]` : '';
}

// ====================================================================== evidence

export interface CheckResult {
  label: string;
  ok: boolean;
  detail: string;
}

export type StepAt = Stamp | null | undefined;
export type Steps = [string, StepAt][];

export class Evidence {
  readonly checks: CheckResult[] = [];
  readonly facts: [string, string][] = [];

  constructor(readonly claim: ClaimText, readonly scenarios: ScenarioKey[] = []) {}

  /** The run of a scenario, listed as one this claim was measured on. */
  use(key: ScenarioKey): Run {
    if (!this.scenarios.includes(key)) this.scenarios.push(key);
    return run(key);
  }

  check(label: string, ok: boolean, detail: string): void {
    this.checks.push({ label, ok, detail });
    expect.soft(ok, `claim ${this.claim.n}: ${label}: ${detail}`).toBe(true);
  }

  /** Every item satisfies `ok`, and there are at least `min` items. */
  every<T>(label: string, items: readonly T[], ok: (x: T) => boolean, show: (x: T) => string, min = 1): void {
    const bad = items.filter((x) => !ok(x));
    const detail = items.length < min ? `only ${items.length} instance(s), at least ${min} needed`
      : bad.length > 0 ? `${bad.length} of ${items.length} fail; first: ${show(bad[0])}`
        : `${items.length} of ${items.length}; e.g. ${show(items[0])}`;
    this.check(label, items.length >= min && bad.length === 0, detail);
  }

  /** Each chain of steps is complete and in trace order (and never goes back in simulated time). */
  order(label: string, chains: readonly Steps[], min = 1): void {
    this.every(label, chains, stepsInOrder, showSteps, min);
  }

  fact(key: string, value: string | number): void {
    this.facts.push([key, String(value)]);
  }

  /** The elements of the parent claim, checked in this claim's scenario, recorded as one check. */
  inherit(parent: number, body: (ev: Evidence) => void): void {
    const child = new Evidence(claimText(parent), this.scenarios);
    body(child);
    const bad = child.checks.filter((c) => !c.ok);
    this.check(`the elements of claim ${parent} hold in this scenario (see claim ${parent})`, child.checks.length > 0 && bad.length === 0,
      bad.length === 0 ? `${child.checks.length} of ${child.checks.length} checks pass`
        : `${bad.length} of ${child.checks.length} fail: ${bad.map((c) => c.label).join('; ')}`);
  }
}

function stepsInOrder(ch: Steps): boolean {
  for (let i = 0; i < ch.length; i++) {
    const s = ch[i][1];
    if (s === null || s === undefined) return false;
    if (i > 0) {
      const p = ch[i - 1][1]!;
      if (!(s.seq > p.seq && s.t >= p.t)) return false;
    }
  }
  return true;
}

function showSteps(ch: Steps): string {
  const t0 = ch.find(([, s]) => s)?.[1]?.t ?? 0;
  return ch.map(([name, s]) => (s ? `${name} (+${us(s.t - t0)})` : `${name} MISSING`)).join(' → ');
}

// ====================================================================== the document

const DOC = fileURLToPath(new URL('../../docs/CLAIMS.md', import.meta.url));
const KINDS = ['system', 'method'] as const;
type Kind = (typeof KINDS)[number];
const begin = (k: Kind): string => `<!-- claims:${k}:begin -->`;
const end = (k: Kind): string => `<!-- claims:${k}:end -->`;

const HEADER = `# Claims conformance

Generated by the claim-by-claim conformance suite (\`npx vitest run test/claims\`,
sources in \`test/claims/\`) from the simulation's traces and counters: do not edit
by hand. For each of the 48 claims of \`seeds/000_c60efa58d8f932f1.txt\` it gives the
claim in short, the scenario it was measured on, every assertion the test checked
with its outcome and what was measured, and further evidence (counts, ratios,
packet ids, addresses). Times are simulated. Method claims 25–48 mirror system
claims 1–24 and also check the order of the steps they recite. A dependent claim
re-checks the elements of the claim it depends on in its own scenario and
reports them as one line.

Packet ids are those of the simulation (\`#id\`); "LAN1", "LAN2", "LAN3" are the
first (client-facing), second (back-end) and third (state exchange) LANs.
`;

export class ClaimBook {
  private readonly evidence = new Map<number, Evidence>();

  constructor(readonly kind: Kind) {}

  open(n: number): Evidence {
    const c = claimText(n);
    if (c.kind !== this.kind) throw new Error(`claim ${n} is a ${c.kind} claim, not a ${this.kind} claim`);
    const ev = new Evidence(c);
    this.evidence.set(n, ev);
    return ev;
  }

  /** Rewrite this book's section of docs/CLAIMS.md (only when every claim of the section ran). */
  write(): boolean {
    const mine = CLAIMS.filter((c) => c.kind === this.kind);
    if (!mine.every((c) => this.evidence.has(c.n))) return false;
    const section = renderSection(this.kind, mine.map((c) => this.evidence.get(c.n)!));
    withLock(() => {
      const old = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
      const parts = KINDS.map((k) => (k === this.kind ? section : extract(old, k) ?? placeholder(k)));
      fs.mkdirSync(path.dirname(DOC), { recursive: true });
      fs.writeFileSync(DOC, `${HEADER}\n${parts.join('\n')}`);
    });
    return true;
  }
}

function extract(doc: string, k: Kind): string | null {
  const a = doc.indexOf(begin(k));
  const b = doc.indexOf(end(k));
  return a >= 0 && b > a ? `${doc.slice(a, b + end(k).length)}\n` : null;
}

function placeholder(k: Kind): string {
  return `${begin(k)}\n## ${title(k)}\n\nNot generated yet: run \`npx vitest run test/claims\`.\n${end(k)}\n`;
}

const title = (k: Kind): string => (k === 'system' ? 'System claims 1–24' : 'Method claims 25–48');
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderSection(k: Kind, evs: Evidence[]): string {
  const out: string[] = [begin(k), `## ${title(k)}`, ''];
  const passed = evs.filter((e) => e.checks.length > 0 && e.checks.every((c) => c.ok)).length;
  out.push(`${passed} of ${evs.length} claims pass all their checks `
    + `(${evs.reduce((a, e) => a + e.checks.filter((c) => c.ok).length, 0)} of ${evs.reduce((a, e) => a + e.checks.length, 0)} checks).`, '');
  out.push('| claim | in short | scenario | checks | result |', '|---|---|---|---|---|');
  for (const e of evs) {
    const ok = e.checks.filter((c) => c.ok).length;
    const short = e.claim.short.length > 110 ? `${e.claim.short.slice(0, 107)}…` : e.claim.short;
    out.push(`| [${e.claim.n}](#claim-${e.claim.n}) | ${cell(short)} | ${e.scenarios.map((s) => `\`${s}\``).join(', ')} | ${ok}/${e.checks.length} | `
      + `${ok === e.checks.length && ok > 0 ? 'pass' : '**FAIL**'} |`);
  }
  out.push('');
  for (const e of evs) out.push(...renderClaim(e));
  out.push(end(k), '');
  return out.join('\n');
}

function renderClaim(e: Evidence): string[] {
  const c = e.claim;
  const ok = e.checks.filter((x) => x.ok).length;
  const rel = c.kind === 'system' ? `mirrored by method claim ${c.mirror}` : `mirrors system claim ${c.mirror}`;
  const dep = c.parent !== null ? `depends on claim ${c.parent}; ` : 'independent; ';
  const out = [
    `<a id="claim-${c.n}"></a>`, `### Claim ${c.n}`, '',
    `*${c.kind} claim; ${dep}${rel}.* Result: **${ok === e.checks.length && ok > 0 ? 'pass' : 'FAIL'}** (${ok}/${e.checks.length} checks).`, '',
    `> ${c.short}`, '', 'Scenario:', '',
  ];
  for (const key of e.scenarios) {
    const r = run(key);
    out.push(`- \`${key}\`: ${describeScenario(key)}. Run: ${r.completed}/${r.issued} requests completed, ${r.failed} failed, `
      + `ended at ${ms(r.endNs)}, packet conservation ${r.conservation === null ? 'holds' : `BROKEN (${r.conservation})`}.`);
  }
  out.push('', '| # | assertion | result | measured |', '|---|---|---|---|');
  e.checks.forEach((x, i) => out.push(`| ${i + 1} | ${cell(x.label)} | ${x.ok ? 'pass' : '**FAIL**'} | ${cell(x.detail)} |`));
  if (e.facts.length > 0) {
    out.push('', 'Evidence:', '');
    for (const [k, v] of e.facts) out.push(`- ${k}: ${v}`);
  }
  out.push('');
  return out;
}

/** Both test files may finish at once (vitest runs files in parallel processes): one writer at a time. */
function withLock(body: () => void): void {
  const lock = path.join(os.tmpdir(), `netsim-claims-${DOC.replace(/[^A-Za-z0-9]/g, '_').slice(-80)}.lock`);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed process is stale after 30 s.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 30_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch { /* gone meanwhile */ }
      if (Date.now() > deadline) throw new Error(`claims doc: could not take the lock ${lock} within 20 s`);
      Atomics.wait(sleeper, 0, 0, 20);
    }
  }
  try {
    body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

// ====================================================================== path helpers

const SYN_ONLY = (f: number): boolean => (f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;

function clientName(r: Run, addr: number): string {
  return r.c.clients.find((a) => a.node.interfaces[0].ip === addr)?.node.name ?? '?';
}

/** Frames of a client packet before its NIC got it: sent by the client, from the cloud to the edge, first first-LAN frame. */
export function inbound(r: Run, s: Story): { client: TxEv | null; edge: TxEv | null; lan1: TxEv | null } {
  const lin = r.rec.lineage(s.rx.root).filter((x) => x.seq < s.rx.seq);
  const client = lin.find((x) => x.dev === `${clientName(r, s.rx.srcIp)}->internet`) ?? null;
  const edge = lin.find((x) => x.dev === `internet->${r.c.edge.name}`) ?? null;
  const lan1 = edge !== null ? lin.find((x) => x.lan === LAN1 && x.seq > edge.seq) ?? null : null;
  return { client, edge, lan1 };
}

const firstIpOf = (r: Run, k: Conn): number => r.c.members[k.first].firstIface.ip;

/** First response data segment of a connection, as it left the holder's first-LAN interface. */
function responseLeaves(r: Run, k: Conn): TxEv | null {
  const dev = r.c.members[k.owner].firstIface.dev.name;
  return r.rec.tx.find((x) => x.dev === dev && x.dstIp === k.clientIp && x.dstPort === k.clientPort && x.payload > 0) ?? null;
}

const lan2Frame = (s: Story): TxEv | undefined => s.afterForward.find((x) => x.lan === LAN2);
const moved = (a: Analysis): Story[] => a.stories.filter((s) => s.decision !== null && s.decision.rec.chosen !== s.rx.nic);
const kept = (a: Analysis): Story[] => a.stories.filter((s) => s.decision !== null && s.decision.rec.chosen === s.rx.nic);

function showDecision(d: DecisionEv): string {
  const { candidates: c, loads } = d.rec;
  const peers = c.slice(1).map((s, i) => `server${s}=${loads[i + 1]}`).join(', ');
  return `server${d.nic}'s NIC at ${ms(d.t)} on ${ep(d.rec.clientIp, d.rec.clientPort)}: own load ${d.rec.ownLoad}, `
    + `peers ${peers || 'none'} → ${d.rec.chosen === d.nic ? 'kept' : `server${d.rec.chosen}`}`;
}

/** The servers a policy may pick given the state a decision recorded (ties among peers are drawn at random). */
export function acceptable(d: DecisionEv, policy: string, threshold: number): number[] {
  const { candidates: c, loads, ownLoad } = d.rec;
  if (c[0] !== d.nic || loads[0] !== ownLoad || loads.length !== c.length) return [];
  const least = (): number[] => {
    const min = Math.min(...loads);
    return loads[0] === min ? [c[0]] : c.filter((_, i) => i > 0 && loads[i] === min);
  };
  if (policy === 'least-loaded') return least();
  if (policy === 'local-unless-overloaded') return ownLoad < threshold ? [c[0]] : least();
  return [];
}

const samePacket = (x: Pkt, y: Pkt): boolean => x.srcIp === y.srcIp && x.dstIp === y.dstIp && x.srcPort === y.srcPort
  && x.dstPort === y.dstPort && x.tcpSeq === y.tcpSeq && x.tcpAck === y.tcpAck && x.tcpFlags === y.tcpFlags
  && x.payload === y.payload && x.ipBytes === y.ipBytes && x.protocol === y.protocol;

// ====================================================================== element checks (what the claims recite)

/** Receiving, through the first network, packets originating from clients. */
export function eReceive(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.every('the first device received packets that clients originated', a.stories, (s) => r.clientIps.has(s.rx.srcIp),
    (s) => `${pkt(s.rx)} at server${s.rx.nic}'s NIC`);
  ev.every('each came through the first network: its last frame before the NIC was on a first-LAN device (LAN1 bit set)', a.stories,
    (s) => s.lastHop !== null && s.lastHop.lan === LAN1 && (s.rx.flags & LAN1) !== 0,
    (s) => `#${s.rx.pid} last frame on ${s.lastHop?.dev ?? 'none'}`);
  ev.fact('client packets processed by first devices', `${a.stories.length} (per NIC: ${r.c.nics.map((n) => n.processed).join(', ')})`);
}

/** Receiving packets that came from the global computer network (the Internet cloud). */
export function eFromGlobal(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.every('each packet the first device received came from the global network: it crossed the Internet cloud to the site edge, then the first LAN',
    a.stories, (s) => {
      const p = inbound(r, s);
      return p.edge !== null && p.lan1 !== null && p.lan1.seq < s.rx.seq;
    }, (s) => `#${s.rx.pid}: ${inbound(r, s).edge?.dev ?? 'no frame from the cloud'} then ${inbound(r, s).lan1?.dev ?? 'no first-LAN frame'}`);
}

/** Identifying the device that stores the connection's data structure. */
export function eIdentify(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const rec = r.rec;
  ev.every('for each received packet the first device looked up, once and after receiving it, who stores its connection\'s data structure',
    a.stories, (s) => s.lookup !== null && s.lookup.seq > s.rx.seq && rec.lookups.filter((l) => l.nic === s.rx.nic && l.pid === s.rx.pid).length === 1,
    (s) => `${pkt(s.rx)} → ${s.lookup ? holderName(s.lookup.holder, s.lookup.nic) : 'no look-up'}`);
  const holds = (l: LookupEv): boolean => {
    if (l.holder === -3) return l.places.length === 0; // no entry: a new connection (SYN), or a segment that came after its connection ended
    if (l.holder === l.nic) return false;
    const want = l.holder === -2 ? `nic${l.nic}` : l.holder === -1 ? `host${l.nic}` : `host${l.holder}`;
    return (l.places.length === 1 && l.places[0] === want) || (l.holder >= 0 && l.migrating && l.places.length === 0);
  };
  ev.every('the device identified really holds the TCB at that moment (no entry: nobody holds one; migrating: nobody or the new owner)',
    rec.lookups, holds, (l) => `${pkt(l)}: identified ${holderName(l.holder, l.nic)}; TCB found in [${l.places.join(', ')}]${l.migrating ? ' (migrating)' : ''}`);
  const n = (f: (l: LookupEv) => boolean): number => rec.lookups.filter(f).length;
  const own = n((l) => l.holder === -1), engine = n((l) => l.holder === -2), other = n((l) => l.holder >= 0), fresh = n((l) => l.holder === -3);
  ev.check('both outcomes occur: the first device itself (its NIC engine or own host) and a second device', own + engine > 0 && other > 0,
    `look-ups: ${fresh} without entry (${n((l) => l.holder === -3 && SYN_ONLY(l.tcpFlags))} SYNs of new connections, the rest late segments `
      + `of ended connections), ${engine} NIC engine, ${own} own host, ${other} second device`);
  const ex = rec.lookups.find((l) => l.holder >= 0);
  if (ex) ev.fact('example look-up naming a second device', `${pkt(ex)} at server${ex.nic}'s NIC → server${ex.holder} (TCB there: ${ex.places.join(', ') || 'in flight'})`);
}

/** The identified device is the first device: it performs the operation. */
export function eFirstBranch(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const own = a.stories.filter((s) => s.lookup?.holder === -1);
  ev.every('holder = the first device\'s own host: the NIC handed the packet to it (no forward) and its TCP processed it', own,
    (s) => s.local !== null && s.forward === null && s.hostRx !== null && s.hostRx.server === s.rx.nic && (s.hostRx.flags & FORWARDED) === 0,
    (s) => `${pkt(s.rx)} → server${s.hostRx?.server ?? '?'} TCP`);
  const engine = a.stories.filter((s) => s.lookup?.holder === -2 && s.rx.payload === 0);
  ev.every('holder = the NIC\'s own TCP engine (handshake): the NIC processed the segment itself (no hand-off, no forward)', engine,
    (s) => s.local === null && s.forward === null, (s) => pkt(s.rx));
  ev.every('requests the first device kept: its own server\'s application performed the operation', kept(a),
    (s) => s.local !== null && s.forward === null && s.hostRx?.server === s.rx.nic && s.request !== null && s.request.server === s.rx.nic,
    (s) => `${pkt(s.rx)} → server${s.request?.server ?? '?'} application, request ${s.request?.reqId ?? '?'}`);
  ev.fact('requests performed by the first device\'s own host', kept(a).length);
}

/** The identified device is a second device: the packet is output to it through the second network, and it performs the operation. */
export function eSecondBranch(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const remote = a.stories.filter((s) => (s.lookup?.holder ?? -9) >= 0);
  ev.every('holder = a second device: the packet was output to that device (not handed to the own host) and reached its TCP', remote,
    (s) => s.forward !== null && s.forward.owner === s.lookup!.holder && s.local === null && s.hostRx?.server === s.lookup!.holder,
    (s) => `${pkt(s.rx)} → server${s.forward?.owner ?? '?'} TCP`);
  ev.every('requests moved to a second device: TCB migrated and acknowledged, request output to it, its application performed the operation', moved(a),
    (s) => s.migrate !== null && s.forward !== null && s.forward.owner === s.decision!.rec.chosen && s.hostRx?.server === s.forward.owner
      && s.request !== null && s.request.server === s.forward.owner,
    (s) => `${pkt(s.rx)} first device server${s.rx.nic} → server${s.forward?.owner ?? '?'} application, request ${s.request?.reqId ?? '?'}, `
      + `migration RTT ${s.migrate ? us(s.migrate.rttNs) : '?'}`);
  ev.every('whenever a packet was output to a second device, that device held the connection\'s TCB', r.rec.forwards,
    (f) => f.ownerTcb !== null, (f) => `${pkt(f)} → server${f.owner}: TCB ${f.ownerTcb ? 'present' : 'ABSENT'}`);
  ev.fact('requests performed by a second device', `${moved(a).length}; packets output to second devices: ${r.rec.forwards.length}`);
}

/** The output packet bypasses the first network: second-LAN devices only, from the forward to the owner. */
export function eBypassFirst(ev: Evidence, r: Run, word: 'network' | 'LAN'): void {
  const a = analyse(r);
  const fw = a.stories.filter((s) => s.forward !== null);
  ev.every(`each output packet crossed only second-LAN devices until it reached the second device: it bypassed the first ${word}`, fw,
    (s) => s.hostRx !== null && s.afterForward.length > 0 && s.afterForward.every((x) => x.lan === LAN2),
    (s) => `#${s.rx.pid}: ${s.afterForward.map((x) => x.dev).join(', ') || 'no frames'}`);
  ev.every('on arrival at the second device\'s TCP: forwarded bit set, LAN2 bit set, LAN1 bit clear', fw,
    (s) => s.hostRx !== null && (s.hostRx.flags & FORWARDED) !== 0 && (s.hostRx.flags & LAN2) !== 0 && (s.hostRx.flags & LAN1) === 0,
    (s) => `#${s.rx.pid} flags 0b${(s.hostRx?.flags ?? 0).toString(2)}`);
  const clean = fw.filter((s) => s.hostRx !== null && (s.hostRx.flags & LAN1) === 0).length;
  ev.fact('output packets that reached the second device without crossing the first LAN', ratio(clean, fw.length));
}

/** The first device is a NIC: inside a server, on its first-LAN interface, with its own processor and TCP engine. */
export function eNic(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  ev.check('the first devices are NICs: one SmartNic inside each server, attached to its first-LAN interface',
    c.nics.length === c.members.length && c.nics.length > 0 && c.nics.every((n, i) => n.self === c.members[i] && n.self.node.kind === 'server'
      && n.name === `${n.self.node.name}/nic` && c.firstLan.devices.some((d) => d === n.self.firstIface.dev)),
    `${c.nics.length} NICs: ${c.nics.map((n) => `${n.name} on ${n.self.firstIface.dev.name}`).join(', ')}`);
  const proc = c.nics[0].opts.processingNs;
  ev.every(`each packet reached the server's first-LAN interface, then the NIC's own processor (≥ ${proc} ns) handled it`, a.stories,
    (s) => s.devRx !== null && s.devRx.server === s.rx.nic && s.rx.t - s.devRx.t >= proc,
    (s) => `#${s.rx.pid}: at the interface ${s.devRx ? ms(s.devRx.t) : '?'}, processed ${s.devRx ? us(s.rx.t - s.devRx.t) : '?'} later`);
  const fromClients = r.rec.tcpRx.filter((x) => r.clientIps.has(x.srcIp));
  ev.every('host TCPs got client segments only through a NIC: handed over by their own NIC, or forwarded by a peer\'s NIC', fromClients,
    (x) => r.rec.locals.some((l) => l.root === x.root && l.nic === x.server && l.seq < x.seq)
      || ((x.flags & FORWARDED) !== 0 && r.rec.forwards.some((f) => f.root === x.root && f.owner === x.server && f.seq < x.seq)),
    (x) => `${pkt(x)} at server${x.server}`);
  const syns = r.rec.lookups.filter((l) => l.holder === -3 && SYN_ONLY(l.tcpFlags)).length;
  const hostSyns = fromClients.filter((x) => SYN_ONLY(x.tcpFlags)).length;
  const answered = c.nics.reduce((s, n) => s + n.synAnswered, 0);
  ev.check('the NIC\'s own TCP engine answered every connection request (SYN); no host TCP saw one', syns > 0 && answered === syns && hostSyns === 0,
    `${answered} SYNs answered by NIC engines for ${syns} new connections; host TCPs saw ${hostSyns}`);
}

/** The first network is (includes) a LAN. */
export function eFirstIsLan(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const lan = r.c.firstLan;
  const frames = lan.channels.reduce((s, ch) => s + ch.frames, 0);
  ev.check('the first network is a LAN: Ethernet (CSMA) media in one IPv4 subnet joining the site edge and the servers',
    lan.channels.length > 0 && lan.channels.every((ch) => ch instanceof CsmaChannel) && r.c.members.every((m) => m.firstIface.network === lan.network)
      && r.c.edge.interfaces.some((i) => i.network === lan.network && i.len === lan.len),
    `${lan.name}: ${lan.channels.length} channel(s), subnet ${ip(lan.network)}/${lan.len}, edge ${r.c.edge.name} and ${r.c.members.length} servers, ${frames} frames carried`);
  ev.every('client packets crossed that LAN on their way to the first device', a.stories,
    (s) => (s.rx.flags & LAN1) !== 0 && s.lastHop !== null && lan.channels.some((ch) => ch.name === s.lastHop!.dev || ch.devices.some((d) => d.name === s.lastHop!.dev)),
    (s) => `#${s.rx.pid} via ${s.lastHop?.dev ?? '?'}`);
}

/** The first LAN is coupled through the global network (Internet cloud) to the clients. */
export function eCoupledToClients(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  const nodes = c.clients.map((x) => x.node);
  ev.check('each client\'s only link leads to the Internet cloud (the global network)',
    nodes.length > 0 && nodes.every((n) => n.devices.length === 1 && n.devices[0].name === `${n.name}->internet`),
    `${nodes.length} clients: ${nodes.map((n) => `${n.name} ${ip(n.interfaces[0].ip)}`).join(', ')}`);
  ev.check('the Internet cloud is linked to the site edge, which has an interface on the first LAN',
    c.topo.devices().some((d) => d.name === `internet->${c.edge.name}`) && c.edge.devices.some((d) => d.name === `${c.edge.name}->internet`)
      && c.edge.interfaces.some((i) => i.network === c.firstLan.network),
    `internet ↔ ${c.edge.name} (${c.edge.kind}) ↔ ${c.firstLan.name}`);
  ev.every('each client packet went client → Internet cloud → edge → first LAN → NIC', a.stories, (s) => {
    const p = inbound(r, s);
    return stepsInOrder([['client', p.client], ['edge', p.edge], ['lan1', p.lan1], ['nic', s.rx]]);
  }, (s) => {
    const p = inbound(r, s);
    return `#${s.rx.pid}: ${[p.client, p.edge, p.lan1].map((x) => x?.dev ?? 'MISSING').join(' → ')} → ${r.c.nics[s.rx.nic].name}`;
  });
  ev.check('the Internet cloud forwarded at least every packet the first devices processed', c.internet.ipForwarded >= a.stories.length && a.stories.length > 0,
    `cloud forwarded ${c.internet.ipForwarded} packets; first devices processed ${a.stories.length}`);
}

/** The second network is (includes) a LAN. */
export function eSecondIsLan(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const lan = r.c.backLan;
  const frames = lan.channels.reduce((s, ch) => s + ch.frames, 0);
  ev.check('the second network is a LAN: Ethernet (CSMA) media and a switch in its own IPv4 subnet joining the servers',
    lan.channels.length > 0 && lan.channels.every((ch) => ch instanceof CsmaChannel) && lan.bridge !== undefined
      && r.c.members.every((m) => m.backIface !== null && m.backIface.network === lan.network),
    `${lan.name}: ${lan.channels.length} channels, switch ${lan.bridge?.name ?? 'none'}, subnet ${ip(lan.network)}/${lan.len}, ${frames} frames carried`);
  ev.every('each packet output to a second device crossed second-LAN devices, encapsulated', a.stories.filter((s) => s.forward !== null),
    (s) => s.afterForward.some((x) => x.lan === LAN2 && x.etherType === EtherType.ENCAP), (s) => `#${s.rx.pid} via ${lan2Frame(s)?.dev ?? 'none'}`);
  const migr = r.rec.tx.filter((x) => x.ctl !== null);
  ev.every('migration messages (TCB and acknowledgement) also went over the second LAN', migr, (x) => x.lan === LAN2, (x) => `${x.ctl} on ${x.dev}`);
}

/** First network: a first LAN; second network: a second, separate LAN. */
export function eTwoLans(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const f = r.c.firstLan, b = r.c.backLan;
  ev.check('the first and second LANs are two separate LANs: no shared medium or device, different subnets, one interface on each per server',
    f.channels.every((ch) => !b.channels.includes(ch)) && f.devices.every((d) => !b.devices.includes(d)) && f.network !== b.network
      && r.c.members.every((m) => m.backIface !== null && m.firstIface.dev !== m.backIface.dev),
    `${f.name} ${ip(f.network)}/${f.len} and ${b.name} ${ip(b.network)}/${b.len}`);
  ev.every('packets output to a second device came in on the first LAN and went out on the second LAN', a.stories.filter((s) => s.forward !== null),
    (s) => s.lastHop?.lan === LAN1 && s.afterForward.length > 0 && s.afterForward.every((x) => x.lan === LAN2),
    (s) => `#${s.rx.pid}: in via ${s.lastHop?.dev ?? '?'}, out via ${lan2Frame(s)?.dev ?? '?'}`);
}

/** The operation is part of a software application (scope: every connection, or those moved to a second device). */
export function eApplication(ev: Evidence, r: Run, scope: 'all' | 'moved'): void {
  const a = analyse(r);
  const c = r.c;
  const conns = a.conns.filter((k) => k.decision !== null && (scope === 'all' || k.moved));
  ev.check('every server runs a software application (TcpServerApp) installed on its node',
    c.servers.length === c.members.length && c.servers.every((app, i) => c.members[i].node.applications.includes(app)),
    c.servers.map((s) => s.name).join(', '));
  ev.every(`the operation (serving the request) was performed by the application of the server holding the connection${scope === 'moved' ? ' (the second device)' : ''}`,
    conns, (k) => k.requestStory?.request != null && k.requestStory.request.server === k.owner,
    (k) => `${k.key} (first device server${k.first}) → server${k.requestStory?.request?.server ?? '?'} application, request ${k.requestStory?.request?.reqId ?? '?'}`);
  ev.every('the response the client got was produced by that application (servedBy = that server, same request id)', conns, (k) => {
    const q = k.requestStory?.request;
    return q != null && k.responses.some((x) => x.responses.some((y) => y.reqId === q.reqId && y.servedBy === c.members[k.owner].node.id));
  }, (k) => `${k.key}: responses served by ${[...new Set(k.responses.flatMap((x) => x.responses.map((y) => y.servedBy)))].join(', ') || 'nobody'}`);
  ev.check('every issued request was received by an application and answered', r.issued > 0 && r.completed === r.issued
    && c.stats.requestsReceived === r.issued && c.stats.responsesSent === r.issued,
  `issued ${r.issued}, received by applications ${c.stats.requestsReceived}, answered ${c.stats.responsesSent}, completed ${r.completed}`);
}

/** The software application is a socket application. */
export function eSocket(ev: Evidence, r: Run, scope: 'all' | 'moved'): void {
  const a = analyse(r);
  const port = r.c.opts.workload.servicePort;
  const conns = a.conns.filter((k) => k.decision !== null && (scope === 'all' || k.moved));
  ev.every('the application got each request on a TCP socket of its host\'s TCP layer, bound to the client\'s connection with the first device\'s address',
    conns, (k) => {
      const q = k.requestStory?.request;
      return q != null && q.isTcpSocket && q.onHostLayer && q.server === k.owner && q.localIp === firstIpOf(r, k) && q.localPort === port
        && q.remoteIp === k.clientIp && q.remotePort === k.clientPort && (q.state === 'ESTABLISHED' || q.state === 'CLOSE_WAIT');
    }, (k) => {
      const q = k.requestStory?.request;
      return q ? `server${q.server} socket ${ep(q.localIp, q.localPort)}↔${ep(q.remoteIp, q.remotePort)} ${q.state}` : `${k.key}: no request`;
    });
  ev.every('that socket holds the TCB the first device\'s NIC built at the handshake (its ISS = the sequence number of the NIC\'s SYN|ACK)', conns,
    (k) => k.synAck !== null && k.requestStory?.request != null && k.requestStory.request.iss === k.synAck.tcpSeq,
    (k) => `${k.key}: SYN|ACK #${k.synAck?.pid ?? '?'} seq ${k.synAck?.tcpSeq ?? '?'}, socket ISS ${k.requestStory?.request?.iss ?? '?'}`);
  ev.every('the response was written on that socket: it reached the client from the first device\'s address and port to the client\'s port', conns,
    (k) => k.responses.length > 0 && k.responses.every((x) => x.srcIp === firstIpOf(r, k) && x.srcPort === port && x.dstPort === k.clientPort),
    (k) => `${k.key}: ${k.responses.length} response segments`);
}

/** The client addresses the packet to the first device, which receives it because of that addressing. */
export function eAddressing(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  const port = c.opts.workload.servicePort;
  ev.every('each packet a NIC processed was addressed to it: destination IP and MAC of its server\'s first-LAN interface', a.stories,
    (s) => s.rx.dstIp === c.members[s.rx.nic].firstIface.ip && s.rx.dstMac === c.members[s.rx.nic].firstIface.dev.mac,
    (s) => `#${s.rx.pid} to ${ip(s.rx.dstIp)} processed by ${c.nics[s.rx.nic].name}`);
  const sent = c.clients.flatMap((x) => r.rec.tx.filter((t) => t.dev === `${x.node.name}->internet` && t.dstPort === port));
  const nicOfIp = new Map(c.members.map((m) => [m.firstIface.ip, m.index]));
  const byRoot = group(r.rec.nicRx, (x) => x.root);
  ev.every('every packet a client sent to a server address was processed by that server\'s NIC, and by no other', sent, (t) => {
    const got = byRoot.get(t.root) ?? [];
    return nicOfIp.has(t.dstIp) && got.length === 1 && got[0].nic === nicOfIp.get(t.dstIp);
  }, (t) => `${pkt(t)} → ${(byRoot.get(t.root) ?? []).map((x) => c.nics[x.nic].name).join(', ') || 'no NIC'}`);
  const firsts = [...new Set(a.conns.map((k) => k.first))].sort();
  ev.check('the clients chose among several first-device addresses (one per server)', firsts.length >= 2,
    `${a.conns.length} connections addressed to ${firsts.map((i) => ip(c.members[i].firstIface.ip)).join(', ')}`);
}

/** On a hub the other servers hear every frame; their NICs ignore what is not addressed to them. */
export function eHubOverhears(ev: Evidence, r: Run): void {
  const devs = r.c.members.map((m) => m.firstIface.dev);
  ev.check('on the hub every server interface heard frames addressed to other stations (seen > accepted)', devs.every((d) => d.seenFrames > d.rxFrames),
    devs.map((d) => `${d.name}: seen ${d.seenFrames}, accepted ${d.rxFrames}`).join('; '));
}

/** Responses of connections held by a second device bypass the first device (and, optionally, go through the first LAN and the Internet). */
export function eResponseBypass(ev: Evidence, r: Run, throughGlobal: boolean): void {
  const a = analyse(r);
  const c = r.c;
  const mv = a.conns.filter((k) => k.moved);
  const resp = mv.flatMap((k) => k.responses.map((x) => ({ k, x })));
  ev.every('connections output to a second device got their responses at the client', mv, (k) => k.responses.length > 0,
    (k) => `${k.key}: ${k.responses.length} response segments`);
  ev.every('each such response left the second device with the first device\'s address as source', resp,
    ({ k, x }) => x.srcIp === firstIpOf(r, k) && r.rec.lineage(x.root)[0]?.dev === c.members[k.owner].firstIface.dev.name,
    ({ k, x }) => `#${x.pid} from ${ip(x.srcIp)}, first frame on ${r.rec.lineage(x.root)[0]?.dev ?? '?'} (holder server${k.owner})`);
  ev.every('and bypassed the first device: not processed by it (FIRST_PROCESSED clear), no device of its server transmitted it', resp,
    ({ k, x }) => (x.flags & FIRST_PROCESSED) === 0 && r.rec.lineage(x.root).every((t) => t.node !== c.members[k.first].node.name),
    ({ k, x }) => `#${x.pid} (first device server${k.first}): ${r.rec.lineage(x.root).map((t) => t.dev).join(' → ')}`);
  if (throughGlobal) {
    ev.every('those responses went through the first LAN and then the global network: first-LAN frame → edge → Internet cloud → client', resp, ({ x }) => {
      const lin = r.rec.lineage(x.root);
      const lan1 = lin.find((t) => t.lan === LAN1);
      const out = lin.find((t) => t.dev === `${c.edge.name}->internet`);
      const last = lin.find((t) => t.dev === `internet->${clientName(r, x.dstIp)}`);
      return stepsInOrder([['lan1', lan1], ['out', out], ['last', last], ['client', x]]);
    }, ({ x }) => `#${x.pid}: ${r.rec.lineage(x.root).map((t) => t.dev).join(' → ')}`);
  }
  const kp = a.conns.filter((k) => !k.moved).flatMap((k) => k.responses);
  ev.every('contrast (the measure can fail): responses of connections the first device kept do carry FIRST_PROCESSED', kp,
    (x) => (x.flags & FIRST_PROCESSED) !== 0, (x) => `#${x.pid}`);
  const all = a.conns.flatMap((k) => k.responses);
  ev.fact('response segments of moved connections that bypassed their first device',
    ratio(resp.filter(({ x }) => (x.flags & FIRST_PROCESSED) === 0).length, resp.length));
  ev.fact('response bypass ratio over all responses', ratio(all.filter((x) => (x.flags & FIRST_PROCESSED) === 0).length, all.length));
}

/** Selective output in response to the packet and to the state. */
export function eSelective(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const policy = r.c.nics[0].opts.policy, thr = r.c.nics[0].opts.threshold;
  const ds = r.rec.decisions;
  ev.every('each decision was taken in response to a client request packet, while the first device handled it', ds,
    (d) => d.lookup !== null && d.lookup.payload > 0 && d.lookup.nic === d.nic && d.seq > d.lookup.seq && d.t === d.lookup.t && r.clientIps.has(d.rec.clientIp),
    (d) => `${showDecision(d)} on ${d.lookup ? pkt(d.lookup) : 'no packet'}`);
  ev.every(`each outcome is the ${policy} policy applied to the state: own load (first device) and peers' loads (second devices)`, ds,
    (d) => acceptable(d, policy, thr).includes(d.rec.chosen), showDecision);
  const k = kept(a), m = moved(a);
  ev.check('the output is selective: some requests kept by the first device, others output to a second device', k.length > 0 && m.length > 0,
    `kept ${k.length}, output to a second device ${m.length}`);
  if (k[0]?.decision) ev.fact('a request kept', showDecision(k[0].decision));
  if (m[0]?.decision) ev.fact('a request output', showDecision(m[0].decision));
}

/** Same client packet stream, different state: different outcomes, and only where the state crossed the threshold. */
export function eStateDecides(ev: Evidence, idle: Run, busy: Run): void {
  const thr = idle.c.nics[0].opts.threshold;
  const key = (k: Conn): string => `${k.key}>${k.first}`;
  const A = analyse(idle).conns.filter((k) => k.decision !== null);
  const B = analyse(busy).conns.filter((k) => k.decision !== null);
  const inA = new Map(A.map((k) => [key(k), k]));
  const pairs = B.filter((k) => inA.has(key(k))).map((b) => ({ a: inA.get(key(b))!, b }));
  ev.check('the same client connections reached the same first devices in both runs (same packet stream)',
    pairs.length > 0 && pairs.length === A.length && pairs.length === B.length, `${pairs.length} connections in both runs (${A.length} and ${B.length})`);
  ev.every('every decision in both runs follows the state: own load below the threshold → kept, otherwise the least-loaded server',
    [...idle.rec.decisions, ...busy.rec.decisions], (d) => acceptable(d, 'local-unless-overloaded', thr).includes(d.rec.chosen), showDecision);
  const changed = pairs.filter((p) => p.a.moved !== p.b.moved);
  const flipped = changed.filter((p) => !p.a.moved && p.b.moved);
  ev.check('different state, different outcome: connections a first device kept while idle were output to a second device when its server was busy',
    flipped.length > 0, `${changed.length} of ${pairs.length} connections changed outcome; e.g. ${flipped[0]
      ? `${flipped[0].a.key}: idle ${showDecision(flipped[0].a.decision!)}; busy ${showDecision(flipped[0].b.decision!)}` : 'none'}`);
  ev.every('wherever the outcome differs, the first device\'s own load was on different sides of the threshold', changed,
    (p) => (p.a.decision!.rec.ownLoad < thr) !== (p.b.decision!.rec.ownLoad < thr),
    (p) => `${p.a.key}: own load ${p.a.decision!.rec.ownLoad} vs ${p.b.decision!.rec.ownLoad} (threshold ${thr})`);
  const count = (r: Run): string => `kept ${kept(analyse(r)).length}, output ${moved(analyse(r)).length}`;
  ev.fact('idle run', count(idle));
  ev.fact('busy run', count(busy));
}

/** The packet is output as an encapsulated packet: the packet plus a reference to the connection's data structure. */
export function eEncapsulated(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  const fw = r.rec.forwards.map((f) => ({ f, s: a.byFirstAndPid.get(`${f.nic}/${f.pid}`) ?? null }));
  ev.every('each packet output to a second device is encapsulated (EtherType 0x88B5, forwarded flag) around the client\'s packet, unchanged', fw,
    ({ f, s }) => s !== null && s.rx.etherType === EtherType.IPV4 && f.etherType === EtherType.ENCAP && (f.encapFlags & ENCAP_FORWARDED) !== 0 && samePacket(f, s.rx),
    ({ f }) => `${pkt(f)} EtherType 0x${f.etherType.toString(16)}`);
  ev.every('it carries a reference to the connection\'s data structure: client IP and port, owner IP, server port', fw,
    ({ f }) => f.ref !== null && f.ref.clientIp === f.srcIp && f.ref.clientPort === f.srcPort && f.ref.serverPort === f.dstPort
      && f.ref.ownerIp === c.members[f.owner].firstIface.ip,
    ({ f }) => (f.ref ? `#${f.pid}: {client ${ep(f.ref.clientIp, f.ref.clientPort)}, owner ${ip(f.ref.ownerIp)}, server port ${f.ref.serverPort}}` : `#${f.pid}: none`));
  ev.every('the reference resolves at the second device to the TCB of that client connection (addressed to the first device)', fw,
    ({ f }) => f.ownerTcb !== null && f.ownerTcb.localIp === f.dstIp, ({ f }) => `#${f.pid} at server${f.owner}: TCB ${f.ownerTcb ? ep(f.ownerTcb.localIp, f.dstPort) : 'ABSENT'}`);
  ev.every('the second device unwrapped it: its TCP got the client\'s original IPv4 packet', fw,
    ({ s }) => s !== null && s.hostRx !== null && s.hostRx.etherType === EtherType.IPV4 && samePacket(s.hostRx, s.rx),
    ({ f, s }) => `#${f.pid}: at server${f.owner} EtherType 0x${(s?.hostRx?.etherType ?? 0).toString(16)}`);
  ev.every('what is encapsulated originates from a client', fw, ({ f }) => r.clientIps.has(f.srcIp), ({ f }) => pkt(f));
}

/** The reference sits in one header: exactly 16 extra bytes on the wire. */
export function eSingleHeader(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const frames = a.stories.filter((s) => s.forward !== null).flatMap((s) => s.afterForward.filter((x) => x.lan === LAN2).map((x) => ({ s, x })));
  ev.every(`on the second LAN each forwarded frame has exactly one extra header: link payload = IP datagram + ${ENCAP_HEADER} B, no IP-in-IP`, frames,
    ({ x }) => x.etherType === EtherType.ENCAP && !x.tunnel && x.linkBytes === x.ipBytes + ENCAP_HEADER,
    ({ x }) => `#${x.pid} on ${x.dev}: IP ${x.ipBytes} B, link payload ${x.linkBytes} B`);
  ev.every('that one header holds the whole reference, equal on the wire to the connection', frames,
    ({ s, x }) => x.ref !== null && x.ref.clientIp === s.rx.srcIp && x.ref.clientPort === s.rx.srcPort && x.ref.serverPort === s.rx.dstPort
      && x.ref.ownerIp === r.c.members[s.forward!.owner].firstIface.ip,
    ({ x }) => (x.ref ? `#${x.pid}: {${ep(x.ref.clientIp, x.ref.clientPort)}, owner ${ip(x.ref.ownerIp)}, port ${x.ref.serverPort}}` : `#${x.pid}: none`));
  const data = frames.filter(({ x }) => x.payload > 0);
  ev.every(`data segments: forwarded frame = client's frame + ${ENCAP_HEADER} B`, data, ({ s, x }) => x.frameBytes === s.rx.frameBytes + ENCAP_HEADER,
    ({ s, x }) => `#${x.pid}: client frame ${s.rx.frameBytes} B, forwarded frame ${x.frameBytes} B on ${x.dev}`);
  ev.every(`short segments: frame = ${ETH_HEADER} + max(${ETH_MIN_PAYLOAD}, IP + ${ENCAP_HEADER}) + ${ETH_FCS} B (Ethernet padding)`,
    frames.filter(({ x }) => x.payload === 0), ({ x }) => x.frameBytes === ETH_HEADER + Math.max(ETH_MIN_PAYLOAD, x.ipBytes + ENCAP_HEADER) + ETH_FCS,
    ({ x }) => `#${x.pid}: IP ${x.ipBytes} B, frame ${x.frameBytes} B`);
}

/** Part of the state arrives from the second device through a third LAN. */
export function eThirdLan(ev: Evidence, r: Run): void {
  const c = r.c;
  const rows = r.rec.decisions.flatMap((d) => d.rec.peerRows.map((row) => ({ d, row })));
  const stateDevs = new Set(c.stateLan.devices.map((x) => x.name));
  const report = (pid: number): TxEv | undefined => r.rec.lineage(r.rec.rootOf(pid))[0];
  const arrival = (d: DecisionEv, pid: number): DevRxEv | undefined => r.rec.stateRx.find((x) => x.pid === pid && x.server === d.nic);
  ev.check('decisions read state rows of second devices', rows.length > 0 && rows.every(({ d, row }) => row.server !== d.nic),
    `${rows.length} peer rows read by ${r.rec.decisions.length} decisions`);
  ev.every('every peer row a decision used arrived on the first device\'s own third-LAN interface', rows,
    ({ d, row }) => row.viaDevice === c.members[d.nic].stateIface!.dev.name && stateDevs.has(row.viaDevice),
    ({ d, row }) => `server${d.nic} row of server${row.server} via ${row.viaDevice}`);
  ev.every('in a load report that second device sent from its third-LAN interface, which crossed third-LAN devices only, before the decision', rows,
    ({ d, row }) => {
      const lin = r.rec.lineage(r.rec.rootOf(row.viaPacket));
      const first = lin[0];
      const at = arrival(d, row.viaPacket);
      return first !== undefined && first.dev === c.members[row.server].stateIface!.dev.name && first.srcIp === c.members[row.server].stateIface!.ip
        && first.dstPort === REPORT_PORT && first.report?.server === row.server && lin.every((x) => x.lan === LAN3)
        && at !== undefined && at.t === row.at && at.seq < d.seq;
    }, ({ row }) => `report #${r.rec.rootOf(row.viaPacket)} (received as #${row.viaPacket}) from server${row.server}: `
      + `${r.rec.lineage(r.rec.rootOf(row.viaPacket)).map((x) => x.dev).join(', ')}, arrived ${ms(row.at)}`);
  ev.every('the load the decision used = the reported load + the connections this device placed there since the report', rows, ({ d, row }) => {
    const rep = report(row.viaPacket)?.report;
    const at = arrival(d, row.viaPacket);
    if (!rep || !at) return false;
    const bumps = r.rec.decisions.filter((e) => e.nic === d.nic && e.rec.chosen === row.server && e.seq > at.seq && e.seq < d.seq).length;
    return d.rec.loads[d.rec.candidates.indexOf(row.server)] === rep.load + bumps;
  }, ({ d, row }) => `server${d.nic} used ${d.rec.loads[d.rec.candidates.indexOf(row.server)]} for server${row.server}; reported ${report(row.viaPacket)?.report?.load ?? '?'}`);
  const frames = c.stateLan.channels.reduce((s, ch) => s + ch.frames, 0);
  ev.fact('load reports', `sent ${c.reporters.reduce((s, x) => s + x.sent, 0)}, received ${c.reporters.reduce((s, x) => s + x.received, 0)}; third-LAN frames ${frames}`);
}

/** The frames that brought a packet to its NIC (a flooding switch's copies to other ports left out). */
function wayIn(r: Run, s: Story): string {
  const sw = r.c.firstLan.bridge;
  const swName = sw !== undefined ? r.c.topo.nodes.find((n) => n.devices.includes(sw))?.name : undefined;
  const frames = r.rec.lineage(s.rx.root).filter((x) => x.seq < s.rx.seq && (x.node !== swName || x.pid === s.rx.pid));
  return `#${s.rx.pid}: ${frames.map((x) => x.dev).join(' → ')} → ${r.c.nics[s.rx.nic].name}`;
}

/** The first LAN's kind: a hub; an L2 switch behind a router; an L3 switch coupled to the Internet. */
export function eLanKind(ev: Evidence, r: Run, kind: 'hub' | 'l2-switch' | 'l3-switch'): void {
  const a = analyse(r);
  const c = r.c;
  const lan = c.firstLan;
  const swNode = lan.bridge !== undefined ? c.topo.nodes.find((n) => n.devices.includes(lan.bridge!)) : undefined;
  const req = a.stories;
  if (kind === 'hub') {
    const ch = lan.channels[0];
    ev.check('the first LAN includes a hub: one shared medium to which the router and every server attach (no switch)',
      lan.channels.length === 1 && lan.bridge === undefined && ch.devices.length === c.members.length + 1
        && c.members.every((m) => ch.devices.some((d) => d === m.firstIface.dev)) && ch.devices.some((d) => d.name === `${lan.name}/${c.edge.name}`),
      `${ch?.name}: ${ch?.devices.map((d) => d.name).join(', ')}; ${ch?.frames ?? 0} frames carried`);
    ev.every('each client packet crossed the hub: its last frame was on the shared medium', req,
      (s) => s.lastHop !== null && ch.devices.some((d) => d.name === s.lastHop!.dev), (s) => `#${s.rx.pid} via ${s.lastHop?.dev ?? '?'}`);
    eHubOverhears(ev, r);
    return;
  }
  if (kind === 'l2-switch') {
    ev.check('the first LAN includes a Layer 2 switch: a bridge on a node of kind l2-switch, with no IP stack',
      swNode !== undefined && swNode.kind === 'l2-switch' && !('interfaces' in swNode),
      `${swNode?.name ?? 'none'} (${swNode?.kind ?? '-'}) with ${lan.bridge?.ports.length ?? 0} ports`);
    ev.check('the switch is coupled through a router device to the global network: the router has a port on the switch and a link to the Internet cloud',
      c.edge.kind === 'router' && c.edge.devices.some((d) => d.name === `${lan.name}/${c.edge.name}`) && c.edge.devices.some((d) => d.name === `${c.edge.name}->internet`),
      `${c.edge.name} (${c.edge.kind}): ${c.edge.devices.map((d) => d.name).join(', ')}`);
    ev.every('each client packet went Internet cloud → router → switch → NIC', req, (s) => {
      const p = inbound(r, s);
      const routerOut = r.rec.lineage(s.rx.root).find((x) => x.dev === `${lan.name}/${c.edge.name}` && p.edge !== null && x.seq > p.edge.seq);
      return stepsInOrder([['edge', p.edge], ['router', routerOut], ['switch', s.lastHop], ['nic', s.rx]]) && s.lastHop?.node === swNode?.name;
    }, (s) => wayIn(r, s));
    return;
  }
  ev.check('the first LAN includes a Layer 3 switch (bridge and IP routing in one node), coupled straight to the Internet cloud; no router',
    swNode !== undefined && swNode === c.edge && swNode.kind === 'l3-switch' && c.edge.forwarding
      && c.edge.devices.some((d) => d.name === `${c.edge.name}->internet`) && c.topo.nodes.every((n) => n.kind !== 'router'),
    `${c.edge.name} (${c.edge.kind}): ${c.edge.devices.map((d) => d.name).join(', ')}`);
  ev.every('each client packet went Internet cloud → L3 switch → NIC', req, (s) => {
    const p = inbound(r, s);
    return stepsInOrder([['edge', p.edge], ['switch', s.lastHop], ['nic', s.rx]]) && s.lastHop?.node === c.edge.name;
  }, (s) => wayIn(r, s));
}

/** The run itself is sound: every request answered, packets conserved. */
export function eSound(ev: Evidence, r: Run): void {
  ev.check(`run ${r.key}: every request completed and packets are conserved`, r.issued > 0 && r.completed === r.issued && r.failed === 0 && r.conservation === null,
    `${r.completed}/${r.issued} completed, ${r.failed} failed, conservation ${r.conservation ?? 'holds'}`);
}

// ====================================================================== step-order checks (method claims)

/** Receive → identify → perform (own host) or output → second device (method 25). */
export function oIdentifyThenAct(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.order('order when the own host holds it: receive → identify → hand to own host → host TCP',
    a.stories.filter((s) => s.lookup?.holder === -1).map((s) => [['receive', s.rx], ['identify', s.lookup], ['hand to own host', s.local], ['host TCP', s.hostRx]]));
  ev.order('order when a second device holds it: receive → identify → output → second-LAN frame → second device\'s TCP',
    a.stories.filter((s) => (s.lookup?.holder ?? -9) >= 0).map((s) => [['receive', s.rx], ['identify', s.lookup], ['output', s.forward],
      ['second-LAN frame', lan2Frame(s)], ['second device TCP', s.hostRx]]));
  ev.order('order for a request kept: receive → identify → decide → hand to own host → host TCP → application performs',
    kept(a).map((s) => [['receive', s.rx], ['identify', s.lookup], ['decide', s.decision], ['hand to own host', s.local], ['host TCP', s.hostRx],
      ['application', s.request]]));
  ev.order('order for a request moved: receive → identify → decide → migration acknowledged → output → second-LAN frame → second device TCP → its application',
    moved(a).map((s) => [['receive', s.rx], ['identify', s.lookup], ['decide', s.decision], ['migrated', s.migrate], ['output', s.forward],
      ['second-LAN frame', lan2Frame(s)], ['second device TCP', s.hostRx], ['application', s.request]]));
}

/** Interface → NIC processor → identify → TCP of the holder (methods 26, 36). */
export function oNic(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.order('order at the NIC: frame at the server\'s interface → NIC processes it → identify → the holder\'s TCP',
    a.stories.filter((s) => s.hostRx !== null || s.forward !== null || s.local !== null)
      .map((s) => [['interface', s.devRx], ['NIC processes', s.rx], ['identify', s.lookup], ['holder TCP', s.hostRx]]));
}

/** First-LAN frame → receive → identify (method 27). */
export function oFirstLan(ev: Evidence, r: Run): void {
  ev.order('order: frame on the first LAN → receive → identify',
    analyse(r).stories.map((s) => [['first-LAN frame', s.lastHop], ['receive', s.rx], ['identify', s.lookup]]));
}

/** Client → Internet cloud → edge → first LAN → receive (methods 28, 37). */
export function oFromClient(ev: Evidence, r: Run): void {
  ev.order('order: client sends → Internet cloud to the edge → first LAN → receive',
    analyse(r).stories.map((s) => {
      const p = inbound(r, s);
      return [['client sends', p.client], ['Internet cloud → edge', p.edge], ['first LAN', p.lan1], ['receive', s.rx]];
    }));
}

/** Output → second-LAN frame → second device (method 29). */
export function oSecondLan(ev: Evidence, r: Run): void {
  ev.order('order: output → frame on the second LAN → second device\'s TCP',
    analyse(r).stories.filter((s) => s.forward !== null).map((s) => [['output', s.forward], ['second-LAN frame', lan2Frame(s)], ['second device TCP', s.hostRx]]));
}

/** In on the first LAN, out on the second (method 30). */
export function oTwoLans(ev: Evidence, r: Run): void {
  ev.order('order: first-LAN frame → receive → identify → output → second-LAN frame → second device\'s TCP',
    analyse(r).stories.filter((s) => s.forward !== null).map((s) => [['first-LAN frame', s.lastHop], ['receive', s.rx], ['identify', s.lookup],
      ['output', s.forward], ['second-LAN frame', lan2Frame(s)], ['second device TCP', s.hostRx]]));
}

/** TCP → application → response leaves → client (methods 31, 32, 42, 43). */
export function oApplication(ev: Evidence, r: Run, scope: 'all' | 'moved', socket: boolean): void {
  const conns = analyse(r).conns.filter((k) => k.decision !== null && (scope === 'all' || k.moved));
  ev.order(socket
    ? 'order: the NIC builds the TCB (SYN|ACK) → the request arrives on the socket → the response leaves on the socket → the client gets it'
    : 'order: the holder\'s TCP gets the request → the application performs the operation → the response leaves → the client gets it',
  conns.map((k) => {
    const s = k.requestStory;
    const head: Steps = socket ? [['SYN|ACK', k.synAck]] : [['holder TCP', s?.hostRx]];
    return [...head, ['application', s?.request], ['response leaves', responseLeaves(r, k)], ['client', k.responses[0]]];
  }));
}

/** Client addresses the first device → it receives → identifies (methods 33, 44). */
export function oAddressing(ev: Evidence, r: Run): void {
  ev.order('order: the client sends to the first device\'s address → that NIC receives it → identify',
    analyse(r).stories.map((s) => [['client sends to the address', inbound(r, s).client], ['addressed NIC receives', s.rx], ['identify', s.lookup]]));
}

/** Request output to the second device, its response straight to the client (methods 34, 41). */
export function oResponseBypass(ev: Evidence, r: Run, throughGlobal: boolean): void {
  const c = r.c;
  ev.order(throughGlobal
    ? 'order: receive → decide → output → second device\'s application → response on the first LAN → edge → Internet cloud → client'
    : 'order: receive → identify → output → second device\'s TCP → its application → response leaves it → client',
  analyse(r).conns.filter((k) => k.moved).map((k) => {
    const s = k.requestStory;
    const resp = k.responses[0];
    const lin = resp !== undefined ? r.rec.lineage(resp.root) : [];
    if (throughGlobal) {
      return [['receive', s?.rx], ['decide', s?.decision], ['output', s?.forward], ['application', s?.request],
        ['first LAN', lin.find((t) => t.lan === LAN1)], ['edge → Internet', lin.find((t) => t.dev === `${c.edge.name}->internet`)],
        ['Internet → client', lin.find((t) => t.dev === `internet->${clientName(r, k.clientIp)}`)], ['client', resp]];
    }
    return [['receive', s?.rx], ['identify', s?.lookup], ['output', s?.forward], ['second device TCP', s?.hostRx], ['application', s?.request],
      ['response leaves', responseLeaves(r, k)], ['client', resp]];
  }));
}

/** Receive from the Internet through the first LAN → decide on the state → output on the second LAN, or keep (method 35). */
export function oSelective(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.order('order for a request output: Internet cloud → first LAN → receive → decide on the state → output → second-LAN frame → second device\'s TCP',
    moved(a).map((s) => [['Internet cloud → edge', inbound(r, s).edge], ['first LAN', s.lastHop], ['receive', s.rx], ['decide', s.decision],
      ['output', s.forward], ['second-LAN frame', lan2Frame(s)], ['second device TCP', s.hostRx]]));
  ev.order('order for a request kept: receive → decide on the state → hand to own host',
    kept(a).map((s) => [['receive', s.rx], ['decide', s.decision], ['hand to own host', s.local]]));
}

/** Receive → decide → encapsulate and output → encapsulated frame → unwrapped at the second device (methods 38, 39). */
export function oEncapsulate(ev: Evidence, r: Run, header: boolean): void {
  const a = analyse(r);
  if (!header) {
    ev.order('order: receive → decide → encapsulate and output → encapsulated frame on the second LAN → second device\'s TCP',
      moved(a).map((s) => [['receive', s.rx], ['decide', s.decision], ['encapsulate + output', s.forward],
        ['encapsulated frame', s.afterForward.find((x) => x.lan === LAN2 && x.etherType === EtherType.ENCAP)], ['second device TCP', s.hostRx]]));
    return;
  }
  const fw = a.stories.filter((s) => s.forward !== null);
  ev.order('order: client frame (no header) → header added on output → frame with the header on the second LAN → header removed before the second device\'s TCP',
    fw.map((s) => [['client frame', s.rx], ['header added', s.forward], ['frame with header', lan2Frame(s)], ['header removed', s.hostRx]]));
  ev.every('the EtherType along those steps is IPv4 → 0x88B5 → 0x88B5 → IPv4', fw,
    (s) => s.rx.etherType === EtherType.IPV4 && s.forward!.etherType === EtherType.ENCAP && lan2Frame(s)?.etherType === EtherType.ENCAP
      && s.hostRx?.etherType === EtherType.IPV4,
    (s) => [s.rx, s.forward, lan2Frame(s), s.hostRx].map((x) => (x ? `0x${x.etherType.toString(16)}` : '?')).join(' → '));
}

/** Receive → decide → output → second device's TCP → its application performs (method 40). */
export function oOperation(ev: Evidence, r: Run): void {
  ev.order('order: receive → decide on the state → output → second device\'s TCP → its application performs the operation',
    moved(analyse(r)).map((s) => [['receive', s.rx], ['decide', s.decision], ['output', s.forward], ['second device TCP', s.hostRx], ['application', s.request]]));
}

/** Report sent on the third LAN → received by the first device → decision reads it (method 45). */
export function oState(ev: Evidence, r: Run): void {
  const rows = r.rec.decisions.flatMap((d) => d.rec.peerRows.map((row) => ({ d, row })));
  ev.order('order: second device sends its report on the third LAN → it reaches the first device\'s third-LAN interface → a decision reads it',
    rows.map(({ d, row }) => [['report sent', r.rec.lineage(r.rec.rootOf(row.viaPacket))[0]],
      ['report received', r.rec.stateRx.find((x) => x.pid === row.viaPacket && x.server === d.nic)], ['decision', d]]));
}

/** Through the kind of first LAN → receive → decide → output or keep (methods 46-48). */
export function oLanKind(ev: Evidence, r: Run, kind: 'hub' | 'l2-switch' | 'l3-switch'): void {
  const lan = r.c.firstLan;
  const edge = r.c.edge.name;
  const label = kind === 'hub' ? 'Internet cloud → router → hub' : kind === 'l2-switch' ? 'Internet cloud → router → L2 switch' : 'Internet cloud → L3 switch';
  ev.order(`order: ${label} → receive → decide → output or keep`,
    analyse(r).stories.filter((s) => s.decision !== null).map((s) => {
      const p = inbound(r, s);
      const tail: Steps = [['receive', s.rx], ['decide', s.decision], ['output or keep', s.forward ?? s.local]];
      if (kind === 'l3-switch') return [['Internet → L3 switch', p.edge], ['L3 switch → server', s.lastHop], ...tail];
      const routerOut = r.rec.lineage(s.rx.root).find((x) => x.dev === `${lan.name}/${edge}` && p.edge !== null && x.seq > p.edge.seq);
      if (kind === 'hub') return [['Internet → router', p.edge], ['router → hub', routerOut], ...tail];
      return [['Internet → router', p.edge], ['router → switch', routerOut], ['switch → server', s.lastHop], ...tail];
    }));
}
