/**
 * The header stack of a packet at one moment, layer by layer, every field
 * with a readable value: what the visualizer's inspector and `netsim`
 * tooling show. It reads the packet generically (every own field of the
 * Packet object), so fields added to Packet later (TCP options, SACK blocks,
 * timestamps) appear without a change here: a field is placed in the layer
 * its name belongs to (tcp*, encap*, arp*, outer*, ...) and otherwise under
 * "other fields".
 *
 * Invariants: `snapshotPacket` copies values (numbers, booleans, strings,
 * arrays of plain data) and summarises the opaque application data, so a
 * snapshot stays as it was while the packet travels on.
 * Cost: one object per snapshot; only on demand.
 */
import { formatIpv4, formatMac } from '../net/address';
import { ENCAP_FORWARDED, EtherType, IpProtocol, NO_ARP, NO_ENCAP, PathFlag, TcpFlag, type Packet } from '../net/packet';

export type FieldValue = number | boolean | string | null | FieldValue[] | { [k: string]: FieldValue };
export type PacketSnapshot = Record<string, FieldValue>;

/** A plain copy of every field of `p` (application data summarised). */
export function snapshotPacket(p: Packet): PacketSnapshot {
  const out: PacketSnapshot = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'function') continue;
    if (k === 'arp' || k === 'encap') {
      // The header objects read as fields of the packet, named as the wire's: arpOp, encapOwnerIp, ...
      for (const [f, x] of Object.entries(v ?? (k === 'arp' ? NO_ARP : NO_ENCAP))) out[k + f[0].toUpperCase() + f.slice(1)] = plain(x, 0);
      continue;
    }
    out[k] = k === 'appData' ? summarise(v, 0) : plain(v, 0);
  }
  return out;
}

function plain(v: unknown, depth: number): FieldValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (depth > 3) return '…';
  if (Array.isArray(v)) return v.slice(0, 32).map((x) => plain(x, depth + 1));
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>).slice(0, 32);
  if (typeof v === 'object') {
    const o: Record<string, FieldValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 24)) if (typeof x !== 'function') o[k] = plain(x, depth + 1);
    return o;
  }
  return String(v);
}

/** Application data in words: a cluster message by its kind, TCP message marks by count, else a short copy. */
function summarise(v: unknown, depth: number): FieldValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.length === 0 ? null : `${v.length} application message${v.length > 1 ? 's' : ''} end in this segment`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.kind === 'string') {
      const parts = [`${o.kind} message`];
      if (typeof o.from === 'number') parts.push(`from server${o.from}`);
      const tcb = o.tcb as { remoteIp?: number; remotePort?: number; state?: string } | undefined;
      if (tcb?.remoteIp !== undefined) parts.push(`connection ${formatIpv4(tcb.remoteIp)}:${tcb.remotePort} (${tcb.state})`);
      if (typeof o.clientIp === 'number') parts.push(`connection ${formatIpv4(o.clientIp)}:${String(o.clientPort)}`);
      return parts.join(', ');
    }
    if (typeof o.server === 'number' && typeof o.load === 'number') return `load report: server${o.server} load ${o.load}`;
    return plain(v, depth);
  }
  return plain(v, depth);
}

export interface HeaderField { name: string; value: string; raw: FieldValue }
export interface HeaderLayer { name: string; fields: HeaderField[] }

const ETHER_NAMES: Record<number, string> = { [EtherType.IPV4]: 'IPv4', [EtherType.ARP]: 'ARP', [EtherType.ENCAP]: 'cluster encapsulation' };
const PROTO_NAMES: Record<number, string> = { [IpProtocol.TCP]: 'TCP', [IpProtocol.UDP]: 'UDP', [IpProtocol.IPIP]: 'IP-in-IP' };

export function tcpFlagNames(f: number): string {
  const names = Object.entries(TcpFlag).filter(([, b]) => (f & b) !== 0).map(([n]) => n);
  return names.length > 0 ? names.join('|') : 'none';
}

function pathFlagNames(f: number): string {
  const names = Object.entries(PathFlag).filter(([, b]) => (f & b) !== 0).map(([n]) => n);
  return names.length > 0 ? names.join(' ') : 'none';
}

/** A field's value as people read it, by its name. */
export function formatField(name: string, v: FieldValue): string {
  if (v === null) return '—';
  if (typeof v === 'number') {
    if (/Ip$/.test(name) || name === 'ip') return formatIpv4(v);
    if (/Mac$/.test(name)) return formatMac(v);
    if (name === 'etherType') return `0x${v.toString(16).padStart(4, '0')} (${ETHER_NAMES[v] ?? 'unknown'})`;
    if (name === 'protocol') return `${v} (${PROTO_NAMES[v] ?? 'other'})`;
    if (name === 'tcpFlags') return `0x${v.toString(16).padStart(2, '0')} (${tcpFlagNames(v)})`;
    if (name === 'encapFlags') return `0x${v.toString(16).padStart(2, '0')} (${(v & ENCAP_FORWARDED) !== 0 ? 'forwarded' : 'not forwarded'})`;
    if (name === 'pathFlags') return `0x${v.toString(16).padStart(2, '0')} (${pathFlagNames(v)})`;
    if (name === 'arpOp') return v === 1 ? '1 (request)' : v === 2 ? '2 (reply)' : String(v);
    if (name === 'createdAt' || name === 'appTs') return `${(v / 1e6).toFixed(6)} ms`;
    if (/Bytes$/.test(name)) return `${v} B`;
    return String(v);
  }
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  const s = JSON.stringify(v);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

type LayerKey = 'link' | 'arp' | 'encap' | 'outer' | 'ip' | 'l4' | 'payload' | 'sim' | 'other';

const SIM_FIELDS = new Set(['id', 'createdAt', 'pathFlags', 'hops', 'settled']);
const LINK_FIELDS = new Set(['srcMac', 'dstMac', 'etherType']);
const IP_FIELDS = new Set(['srcIp', 'dstIp', 'ttl', 'protocol', 'ipId']);

function layerOf(name: string): LayerKey {
  if (SIM_FIELDS.has(name)) return 'sim';
  if (LINK_FIELDS.has(name)) return 'link';
  if (name.startsWith('arp')) return 'arp';
  if (name.startsWith('encap')) return 'encap';
  if (name === 'tunnel' || name.startsWith('outer')) return 'outer';
  if (IP_FIELDS.has(name) || /^(ip|dscp|ecn|tos)[A-Z]?/.test(name)) return 'ip';
  if (name === 'srcPort' || name === 'dstPort' || /^(tcp|udp|sack|ts[A-Z]|mss|wscale|window|urg)/.test(name)) return 'l4';
  if (name.startsWith('payload') || name.startsWith('app')) return 'payload';
  return 'other';
}

/** The layers of a snapshot, outermost first, each with every field it carries. */
export function headerStack(s: PacketSnapshot): HeaderLayer[] {
  const et = s.etherType as number;
  const proto = s.protocol as number;
  const byLayer = new Map<LayerKey, HeaderField[]>();
  for (const [name, raw] of Object.entries(s)) {
    const l = layerOf(name);
    let list = byLayer.get(l);
    if (list === undefined) byLayer.set(l, (list = []));
    list.push({ name, value: formatField(name, raw), raw });
  }
  const isArp = et === EtherType.ARP;
  const l4 = proto === IpProtocol.TCP ? 'TCP' : proto === IpProtocol.UDP ? 'UDP' : null;
  const keep = (l: LayerKey, fields: HeaderField[]): HeaderField[] => {
    if (l !== 'l4' || l4 !== 'UDP') return fields;
    return fields.filter((f) => f.name === 'srcPort' || f.name === 'dstPort' || f.name.startsWith('udp'));
  };
  const order: [LayerKey, string, boolean][] = [
    ['link', 'Ethernet / PPP', true],
    ['arp', 'ARP', isArp],
    ['encap', 'Encapsulation header (reference to the connection)', et === EtherType.ENCAP],
    ['outer', 'Outer IPv4 (IP-in-IP tunnel)', s.tunnel === true],
    ['ip', 'IPv4', !isArp],
    ['l4', l4 ?? 'Transport', !isArp && l4 !== null],
    ['payload', 'Payload', !isArp],
    ['other', 'Other fields', true],
    ['sim', 'Simulation bookkeeping', true],
  ];
  const out: HeaderLayer[] = [];
  for (const [key, name, present] of order) {
    const fields = keep(key, byLayer.get(key) ?? []);
    if (present && fields.length > 0) out.push({ name, fields });
  }
  return out;
}
