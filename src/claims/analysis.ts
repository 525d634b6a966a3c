/**
 * Analysis of a run: per client packet a Story (received, looked up, decided,
 * migrated, kept or forwarded, reached which TCP, served by which
 * application), per connection a Conn; and the queries on them that both the
 * element and the order checks use (the frames that brought a client packet
 * in, the requests kept and moved, the second-LAN frame of a forward).
 *
 * Invariants: built from the recorded trace (and the site's fixed addresses),
 * never from live state, which has moved on by the end of the run; the steps
 * of a Story are linked by trace order (seq); at most one analysis per run
 * (memoised).
 * Cost: grouping is linear in the recorded events; each Story also scans its
 * NIC's migrations and its packet's frames, once per run.
 */
import { PathFlag, TcpFlag } from '../net/packet';
import type { Run } from './claim-run';
import { ep } from './format';
import {
  push, type ClientRxEv, type DecisionEv, type DevRxEv, type ForwardEv, type LocalEv, type LookupEv, type MigrateEv, type NicRxEv,
  type RequestEv, type Stamp, type TcpRxEv, type TxEv,
} from '../metrics/recorder';

const { FIRST_LAN, SECOND_LAN } = PathFlag;

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

export function group<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) push(m, key(x), x);
  return m;
}

function buildAnalysis(r: Run): Analysis {
  const rec = r.rec;
  const port = r.c.servicePort;
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

// Queries on a run's analysis that the element and order checks share.

export const SYN_ONLY = (f: number): boolean => (f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;

export function clientName(r: Run, addr: number): string {
  return r.c.clients.find((a) => a.node.interfaces[0].ip === addr)?.node.name ?? '?';
}

/** Frames of a client packet before its NIC got it: sent by the client, from the cloud to the edge, first first-LAN frame. */
export function inbound(r: Run, s: Story): { client: TxEv | null; edge: TxEv | null; firstLan: TxEv | null } {
  const lin = r.rec.lineage(s.rx.root).filter((x) => x.seq < s.rx.seq);
  const client = lin.find((x) => x.dev === `${clientName(r, s.rx.srcIp)}->internet`) ?? null;
  const edge = lin.find((x) => x.dev === `internet->${r.c.edge.name}`) ?? null;
  const firstLan = edge !== null ? lin.find((x) => x.lan === FIRST_LAN && x.seq > edge.seq) ?? null : null;
  return { client, edge, firstLan };
}

export const secondLanFrame = (s: Story): TxEv | undefined => s.afterForward.find((x) => x.lan === SECOND_LAN);
export const moved = (a: Analysis): Story[] => a.stories.filter((s) => s.decision !== null && s.decision.rec.chosen !== s.rx.nic);
export const kept = (a: Analysis): Story[] => a.stories.filter((s) => s.decision !== null && s.decision.rec.chosen === s.rx.nic);
