/**
 * Recorded workloads, replayed as a digital twin is fed: a CSV of requests
 * (`time_s,client,request_bytes,response_bytes`, the last two optional) or a
 * pcap whose client SYNs start the requests (the bytes each flow carried
 * each way become the request and response sizes).
 *
 * CSV: one header line naming the columns (any order; `time_s` and
 * `client` required), then one request per line; `client` is an index into
 * the workload's clients or a client's node id. pcap: libpcap files with
 * microsecond or nanosecond stamps, either byte order, Ethernet, PPP or raw
 * IPv4 frames; a SYN without ACK starts a request at its time relative to
 * the first record, its source address picks a client (addresses in order of
 * first appearance, spread over the clients in turn). A flow's sizes are
 * the furthest byte it carried each way, so retransmissions count once.
 *
 * Errors name the file and line (CSV) or record (pcap). No I/O: the caller
 * reads the bytes. Cost: O(size of the file).
 */
import { SECOND } from '../engine';

export interface TraceRow {
  /** Time of the request from the start of the workload, ns. */
  at: number;
  /** Index into the workload's clients, or a node id still to resolve. */
  client: number | string;
  requestBytes: number | null;
  responseBytes: number | null;
  /** Where it came from, for errors ("file:line"). */
  where: string;
}

export class TraceError extends Error {}

export function parseCsvTrace(text: string, file: string): TraceRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const col = (name: string): number => header.indexOf(name);
  const known = ['time_s', 'client', 'request_bytes', 'response_bytes'];
  for (const h of header) {
    if (!known.includes(h)) throw new TraceError(`${file}:1: unknown column "${h}"; the columns are ${known.join(', ')} (time in seconds, sizes in bytes)`);
  }
  const [tc, cc, qc, rc] = known.map(col);
  if (tc < 0 || cc < 0) throw new TraceError(`${file}:1: the header must name time_s and client (and may name request_bytes, response_bytes); found "${lines[0] ?? ''}"`);
  const rows: TraceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(',').map((x) => x.trim());
    const where = `${file}:${i + 1}`;
    if (f.length !== header.length) throw new TraceError(`${where}: ${f.length} fields, the header has ${header.length}`);
    const t = Number(f[tc]);
    if (!(Number.isFinite(t) && t >= 0)) throw new TraceError(`${where}: time_s "${f[tc]}" is not a number of seconds >= 0`);
    const num = (c: number, name: string): number | null => {
      if (c < 0 || f[c] === '') return null;
      const v = Number(f[c]);
      if (!(Number.isInteger(v) && v >= 1)) throw new TraceError(`${where}: ${name} "${f[c]}" is not a whole number of bytes >= 1`);
      return v;
    };
    const c = f[cc];
    const client = /^\d+$/.test(c) ? Number(c) : c;
    if (client === '') throw new TraceError(`${where}: client is empty`);
    rows.push({ at: Math.round(t * SECOND), client, requestBytes: num(qc, 'request_bytes'), responseBytes: num(rc, 'response_bytes'), where });
  }
  if (rows.length === 0) throw new TraceError(`${file}: no requests (only a header)`);
  return rows.sort((a, b) => a.at - b.at);
}

/** A flow's first sequence numbers each way and the furthest byte seen each way (retransmissions count once). */
interface Flow { row: TraceRow; isnUp: number; isnDown: number; req: number; resp: number }

export function parsePcapTrace(bytes: Uint8Array, file: string): TraceRow[] {
  if (bytes.length < 24) throw new TraceError(`${file}: too short for a pcap file (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  let little: boolean, nanos: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) { little = true; nanos = magic === 0xa1b23c4d; }
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) { little = false; nanos = magic === 0x4d3cb2a1; }
  else throw new TraceError(`${file}: not a libpcap file (magic 0x${magic.toString(16)}); pcapng is not read, convert it with "editcap -F pcap"`);
  const linkType = dv.getUint32(20, little);
  const l2 = linkType === 1 ? 14 : linkType === 9 ? 2 : linkType === 101 ? 0 : -1;
  if (l2 < 0) throw new TraceError(`${file}: link type ${linkType} is not read; Ethernet (1), PPP (9) or raw IPv4 (101) are`);
  const flows = new Map<string, Flow>();
  const rows: TraceRow[] = [];
  const clientOf = new Map<number, number>();
  let t0 = -1;
  let off = 24, rec = 0;
  while (off + 16 <= bytes.length) {
    rec++;
    const sec = dv.getUint32(off, little), frac = dv.getUint32(off + 4, little), incl = dv.getUint32(off + 8, little);
    const start = off + 16;
    off = start + incl;
    if (off > bytes.length) throw new TraceError(`${file}: record ${rec} is cut short`);
    const t = sec * SECOND + (nanos ? frac : frac * 1000);
    if (t0 < 0) t0 = t;
    let ip = start + l2;
    if (linkType === 1 && incl >= 14 && dv.getUint16(start + 12) !== 0x0800) continue;
    if (linkType === 9 && incl >= 2 && dv.getUint16(start) !== 0x0021) continue;
    if (ip + 20 > off || bytes[ip] >> 4 !== 4) continue;
    const ihl = (bytes[ip] & 15) * 4, total = dv.getUint16(ip + 2), proto = bytes[ip + 9];
    if (proto !== 6) continue;
    const src = dv.getUint32(ip + 12), dst = dv.getUint32(ip + 16);
    const tcp = ip + ihl;
    if (tcp + 20 > off) continue;
    const sport = dv.getUint16(tcp), dport = dv.getUint16(tcp + 2);
    const seq = dv.getUint32(tcp + 4);
    const doff = (bytes[tcp + 12] >> 4) * 4, flags = bytes[tcp + 13];
    const payload = Math.max(0, total - ihl - doff);
    const fwd = `${src}:${sport}>${dst}:${dport}`, rev = `${dst}:${dport}>${src}:${sport}`;
    if ((flags & 0x12) === 0x02) {
      if (flows.has(fwd)) continue; // a retransmitted SYN
      let c = clientOf.get(src);
      if (c === undefined) clientOf.set(src, (c = clientOf.size));
      const row: TraceRow = { at: t - t0, client: c, requestBytes: null, responseBytes: null, where: `${file}: record ${rec}` };
      flows.set(fwd, { row, isnUp: seq, isnDown: -1, req: 0, resp: 0 });
      rows.push(row);
      continue;
    }
    const f = flows.get(fwd);
    if (f !== undefined && payload > 0) f.req = Math.max(f.req, ((seq - f.isnUp - 1) >>> 0) + payload);
    const r = flows.get(rev);
    if (r !== undefined) {
      if ((flags & 0x12) === 0x12) r.isnDown = seq;
      else if (payload > 0 && r.isnDown >= 0) r.resp = Math.max(r.resp, ((seq - r.isnDown - 1) >>> 0) + payload);
    }
  }
  for (const f of flows.values()) {
    f.row.requestBytes = f.req > 0 ? f.req : null;
    f.row.responseBytes = f.resp > 0 ? f.resp : null;
  }
  if (rows.length === 0) throw new TraceError(`${file}: no TCP SYN from a client in ${rec} records`);
  return rows;
}
