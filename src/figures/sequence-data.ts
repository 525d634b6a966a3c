/**
 * The sequence of one connection, read from a recorded trace: its lifelines
 * (the client, the first device the client addressed, and the owner that
 * served the request) and its messages in order, each a packet's journey
 * between two lifelines (routers, switches and the Internet in between are
 * left out, as in a sequence diagram), labelled by what it carries, with
 * repeated exchanges folded into one message with a count.
 *
 * Invariants: a message goes from the lifeline a packet left to the next
 * lifeline it reached; a packet forwarded by the first device gives two
 * messages (client to first device, then first device to owner,
 * encapsulated); a response that reaches the client without passing the
 * first device is one message owner to client, marked as bypassing it.
 * Cost: linear in the connection's frames.
 */
import { formatIpv4 } from '../net/address';
import { DropReason } from '../net/drop-reason';
import { EtherType, TcpFlag } from '../net/packet';
import type { NetworkMap } from '../inspect/network-map';
import { Ctl, Role } from '../inspect/roles';
import { Ev } from '../inspect/trace-format';
import type { TraceLog } from '../inspect/trace-log';

export interface Lifeline { node: number; role: 'client' | 'first' | 'owner'; title: string }

export interface SeqMessage {
  from: number;
  to: number;
  label: string;
  count: number;
  /** Time the first packet of it left, ns. */
  t: number;
  /** Passed the first device's lifeline without being processed there. */
  bypass: boolean;
  lost: boolean;
}

export interface Sequence { conn: number; title: string; lifelines: Lifeline[]; messages: SeqMessage[] }

/** Node index of the map node owning IPv4 address `ip` (-1: none). */
function nodeOfIp(map: NetworkMap, ip: number): number {
  return map.nodes.findIndex((n) => n.ifaces.some((i) => i.ip === ip));
}

/** The connection a figure shows by default: one that was forwarded to another server and answered (else the first). */
export function pickConnection(log: TraceLog): number {
  const fc = log.frames.cols;
  const forwarded = new Set<number>();
  const answered = new Set<number>();
  for (let f = 0; f < log.frames.n; f++) {
    if (fc.conn[f] < 0) continue;
    if (fc.role[f] === Role.FORWARD && fc.payload[f] > 0) forwarded.add(fc.conn[f]);
    if (fc.role[f] === Role.RESPONSE && fc.payload[f] > 0) answered.add(fc.conn[f]);
  }
  for (const c of forwarded) if (answered.has(c)) return c;
  return log.conns.length > 0 ? 0 : -1;
}

function label(log: TraceLog, f: number): string {
  const fc = log.frames.cols;
  const ctl = fc.ctl[f];
  if (ctl === Ctl.MIGRATE) return 'MIGRATION (TCB)';
  if (ctl === Ctl.MIGRATE_ACK) return 'MIGRATION ACK';
  if (ctl === Ctl.CLOSED) return 'CONNECTION CLOSED';
  const fl = fc.tcpFlags[f];
  const names: string[] = [];
  if (fl & TcpFlag.SYN) names.push('SYN');
  if (fl & TcpFlag.FIN) names.push('FIN');
  if (fl & TcpFlag.RST) names.push('RST');
  const data = fc.payload[f] > 0;
  const role = fc.role[f];
  let base: string;
  if (data) base = role === Role.RESPONSE ? 'RESPONSE DATA' : 'REQUEST';
  else base = names.length > 0 ? names.join('-') : 'ACK';
  if (names.length > 0 && (fl & TcpFlag.ACK) && !data && !(fl & TcpFlag.RST)) base = `${names.join('-')}-ACK`;
  if (data && names.length > 0) base += ` + ${names.join('-')}`;
  return fc.etherType[f] === EtherType.ENCAP || role === Role.FORWARD ? `${base}, ENCAPSULATED` : base;
}

export function connectionSequence(log: TraceLog, map: NetworkMap, conn: number): Sequence {
  const info = log.conns[conn];
  const fc = log.frames.cols;
  const devNode = (d: number): number => (d >= 0 ? map.devices[d].node : -1);
  const client = nodeOfIp(map, info.clientIp);
  // The first device: where the client's first packet of the connection was addressed.
  let first = -1, owner = -1;
  for (let f = 0; f < log.frames.n && first < 0; f++) {
    if (fc.conn[f] === conn && devNode(fc.dev[f]) === client) first = nodeOfIp(map, fc.dstIp[f]);
  }
  const ec = log.events.cols;
  for (const [e, d] of log.details) if (d.kind === 'request' && d.conn === conn) { owner = ec.node[e]; break; }
  if (owner < 0) owner = first;
  const roles: [number, Lifeline['role']][] = [[client, 'client'], [first, 'first'], ...(owner !== first ? [[owner, 'owner'] as [number, Lifeline['role']]] : [])];
  const lifelines: Lifeline[] = roles.filter(([n]) => n >= 0).map(([node, role]) => ({ node, role, title: map.nodes[node].id }));
  const lane = new Map(lifelines.map((l, i) => [l.node, i]));
  const firstLane = lane.get(first) ?? -1;
  const raw: SeqMessage[] = [];
  const seen = new Set<number>();
  for (let f = 0; f < log.frames.n; f++) {
    if (fc.conn[f] !== conn) continue;
    const pid = fc.pid[f];
    if (seen.has(pid)) continue;
    seen.add(pid);
    const frames = log.allFrames(f);
    // A copy a flooding switch made starts at the switch: it comes from the lifeline its source address belongs to.
    let at = lane.get(devNode(fc.dev[frames[0]])) ?? lane.get(nodeOfIp(map, fc.srcIp[frames[0]]));
    if (at === undefined) continue;
    // Each leg starts with the frame after the one that reached the previous lifeline.
    let legT = fc.tq[frames[0]];
    frames.forEach((x, j) => {
      const next = lane.get(devNode(log.rxDev[x]));
      if (next === undefined || next === at) return;
      // Between two other lifelines, a message never touched the first device (it would have ended there).
      raw.push({ from: at!, to: next, label: label(log, x), count: 1, t: legT, bypass: firstLane >= 0 && at !== firstLane && next !== firstLane, lost: false });
      at = next;
      legT = j + 1 < frames.length ? fc.tq[frames[j + 1]] : fc.t1[x];
    });
    const last = log.lastEvent[pid];
    // Lost: dropped for good (not a flood's copy that a station filtered out, nor a switch's filtered frame).
    if (last >= 0 && ec.kind[last] === Ev.DROP && ec.x[last] !== DropReason.MAC_FILTERED && ec.x[last] !== DropReason.SAME_PORT) {
      const lx = frames[frames.length - 1];
      const dest = lane.get(nodeOfIp(map, fc.dstIp[lx]));
      if (dest !== undefined && dest !== at) raw.push({ from: at, to: dest, label: label(log, lx), count: 1, t: fc.tq[lx], bypass: false, lost: true });
    }
  }
  return {
    conn, title: `connection ${formatIpv4(info.clientIp)}:${info.clientPort}`, lifelines,
    messages: fold(raw.sort((a, b) => a.t - b.t)),
  };
}

const key = (m: SeqMessage): string => `${m.from}>${m.to}:${m.label}:${m.lost}`;

/** Fold runs: the same message repeated, or a cycle of up to three messages repeated, becomes one with counts. */
export function fold(ms: SeqMessage[]): SeqMessage[] {
  const out: SeqMessage[] = [];
  for (const m of ms) {
    const last = out[out.length - 1];
    if (last !== undefined && key(last) === key(m)) last.count += m.count;
    else out.push({ ...m });
  }
  for (let period = 1; period <= 3; period++) {
    for (let i = 0; i + 2 * period <= out.length;) {
      let same = true;
      for (let k = 0; k < period; k++) if (key(out[i + k]) !== key(out[i + period + k])) same = false;
      if (!same) { i++; continue; }
      for (let k = 0; k < period; k++) out[i + k].count += out[i + period + k].count;
      out.splice(i + period, period);
    }
  }
  return out;
}
