/**
 * pcap writer: serialises packets exactly as the model carries them into a
 * libpcap file (nanosecond variant, magic 0xa1b23c4d, little-endian), so that
 * Wireshark/tshark shows what the simulation did, as ns-3's PcapHelper.
 *
 * Frames: link type 1 (DLT_EN10MB) is dst MAC, src MAC, EtherType, payload
 * zero-padded to 46 B; link type 9 (DLT_PPP) is a 2-byte PPP protocol field
 * (0x0021 IPv4) then the payload. Payload by `etherType`: ARP (28 B), IPv4
 * (optional outer IP-in-IP header, IPv4, UDP or TCP, SeqTs, zeros), or the
 * cluster's 16-byte encapsulation header followed by the IPv4 datagram.
 *
 * Invariants: a frame is `p.ethernetBytes() - ETH_FCS` bytes on Ethernet and
 * `p.pppBytes()` on PPP. The Ethernet FCS is omitted from both caplen and
 * len, as captures from real NICs do. (ns-3 differs here: its CSMA sniffer
 * sees the packet with its EthernetTrailer, so ns-3 records carry 4 more
 * bytes, zeros unless checksums are enabled; tshark would show them as a
 * trailer.) IPv4 header, UDP and TCP checksums are real, so tshark with
 * checksum validation on reports them good; a UDP checksum that computes to 0
 * is sent as 0xffff (RFC 768). Bytes the model does not store are zeros.
 * The first 12 payload bytes of UDP/TCP hold ns-3's SeqTsHeader (uint32
 * `appSeq`, uint64 `appTs` ns, big-endian) when the payload has room; for a
 * packet that never set them they are 0, indistinguishable from padding.
 * Records are written at trace time, so in-place header rewrites at later
 * hops do not affect them. A transmitted frame is stamped when it starts on
 * the medium (`phyTxTrace`), as ns-3's sniffer does, so a queued frame shows
 * when it left, not when it was queued. `bytes()` is always a complete pcap
 * file.
 *
 * Cost: nothing while no writer is attached (devices fire traces only when
 * active). Per record: one zero fill of the frame and a checksum over headers
 * and the 12 SeqTs bytes only (the zero tail adds nothing to a ones'
 * complement sum); no allocation except amortised buffer doubling.
 * Runs in browsers: Uint8Array and DataView only, no Node APIs.
 */
import type { NetDevice } from './net-device';
import {
  ARP_SIZE, ENCAP_HEADER, ETH_FCS, ETH_HEADER, ETH_MIN_PAYLOAD, EtherType, IPV4_HEADER, IpProtocol,
  NO_ARP, NO_ENCAP, PPP_HEADER, SEQ_TS_HEADER, TCP_HEADER, TcpOpt, UDP_HEADER, type Packet,
} from './packet';

/** pcap link-layer types (LINKTYPE_*) that netsim devices report. */
export const LinkType = { ETHERNET: 1, PPP: 9 } as const;

/** PPP protocol numbers. */
export const PppProtocol = { IPV4: 0x0021 } as const;

const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_GLOBAL_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const TWO_32 = 2 ** 32;

// Big-endian stores into a byte array (network order).
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** A MAC-48 held in a number (< 2^48). */
function putMac(b: Uint8Array, o: number, mac: number): void {
  put16(b, o, Math.floor(mac / TWO_32));
  put32(b, o + 2, mac >>> 0);
}

/** Unfolded ones' complement sum of big-endian 16-bit words of b[start, end). */
function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (b[i] << 8) | b[i + 1];
  if (i < end) acc += b[i] << 8;
  return acc;
}

/** Fold a sum to 16 bits and complement it: the Internet checksum. */
function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

/** Internet checksum of b[start, end) (IPv4 header checksum field zero while summing). */
export function internetChecksum(b: Uint8Array, start: number, end: number): number {
  return fold(sum16(b, start, end, 0));
}

/** Bytes `serializeFrame` writes for `p` on link type `linkType` (FCS excluded). */
export function frameLength(p: Packet, linkType: number): number {
  if (linkType === LinkType.ETHERNET) return p.ethernetBytes() - ETH_FCS;
  if (linkType === LinkType.PPP) return p.pppBytes();
  throw new RangeError(`pcap: link type ${linkType} is not supported: expected 1 (Ethernet) or 9 (PPP)`);
}

function writeIpv4Header(
  b: Uint8Array, o: number, totalLen: number, id: number, ttl: number, proto: number, src: number, dst: number,
): void {
  b[o] = 0x45; // version 4, IHL 5 words
  b[o + 1] = 0; // DSCP/ECN
  put16(b, o + 2, totalLen);
  put16(b, o + 4, id & 0xffff);
  put16(b, o + 6, 0); // flags, fragment offset
  b[o + 8] = ttl & 0xff;
  b[o + 9] = proto & 0xff;
  put16(b, o + 10, 0);
  put32(b, o + 12, src);
  put32(b, o + 16, dst);
  put16(b, o + 10, internetChecksum(b, o, o + IPV4_HEADER));
}

/** UDP or TCP header (TCP options in ns-3's order, padded with EOL), SeqTs, and the L4 checksum over the pseudo header, at `o`. */
function writeTransport(p: Packet, b: Uint8Array, o: number): void {
  const isTcp = p.protocol === IpProtocol.TCP;
  const hdr = isTcp ? p.tcpHeaderBytes : UDP_HEADER;
  const l4Len = hdr + p.payloadBytes;
  put16(b, o, p.srcPort);
  put16(b, o + 2, p.dstPort);
  if (isTcp) {
    put32(b, o + 4, p.tcpSeq >>> 0);
    put32(b, o + 8, p.tcpAck >>> 0);
    b[o + 12] = (hdr / 4) << 4; // data offset in words
    b[o + 13] = p.tcpFlags & 0xff;
    put16(b, o + 14, p.tcpWindow & 0xffff);
    // checksum (o+16) and urgent pointer (o+18) stay 0 until summed
    writeTcpOptions(p, b, o + TCP_HEADER, o + hdr);
  } else {
    put16(b, o + 4, l4Len);
  }
  let dataEnd = o + hdr;
  if (p.payloadBytes >= SEQ_TS_HEADER) {
    put32(b, dataEnd, p.appSeq >>> 0);
    put32(b, dataEnd + 4, Math.floor(p.appTs / TWO_32));
    put32(b, dataEnd + 8, p.appTs >>> 0);
    dataEnd += SEQ_TS_HEADER;
  }
  // Pseudo header: src, dst, zero+protocol, L4 length. The rest of the
  // payload is zeros, which add nothing to the sum, so it is not read.
  let acc = (p.srcIp >>> 16) + (p.srcIp & 0xffff) + (p.dstIp >>> 16) + (p.dstIp & 0xffff) + p.protocol + l4Len;
  acc = sum16(b, o, dataEnd, acc);
  const ck = fold(acc);
  if (isTcp) put16(b, o + 16, ck);
  else put16(b, o + 6, ck === 0 ? 0xffff : ck);
}

/** The options of a TCP segment from `o` to `end` (kinds 8, 3, 4, 5 of RFC 7323 and 2018), then EOL padding. */
function writeTcpOptions(p: Packet, b: Uint8Array, o: number, end: number): void {
  const f = p.tcpOptions;
  if (f & TcpOpt.TS) {
    b[o] = 8;
    b[o + 1] = 10;
    put32(b, o + 2, p.tcpTsVal >>> 0);
    put32(b, o + 6, p.tcpTsEcr >>> 0);
    o += 10;
  }
  if (f & TcpOpt.WSCALE) {
    b[o] = 3;
    b[o + 1] = 3;
    b[o + 2] = p.tcpWscale & 0xff;
    o += 3;
  }
  if (f & TcpOpt.SACK_PERM) {
    b[o] = 4;
    b[o + 1] = 2;
    o += 2;
  }
  const sack = p.tcpSack;
  if (f & TcpOpt.SACK && sack !== null) {
    b[o] = 5;
    b[o + 1] = 2 + 4 * sack.length;
    o += 2;
    for (let i = 0; i < sack.length; i++, o += 4) put32(b, o, sack[i] >>> 0);
  }
  while (o < end) b[o++] = 0;
}

/** IPv4 datagram (outer tunnel header if any, header, L4, payload) at `o`; returns its end. */
function writeDatagram(p: Packet, b: Uint8Array, o: number): number {
  const total = p.ipBytes();
  const end = o + total;
  if (p.tunnel) {
    writeIpv4Header(b, o, total, p.ipId, p.ttl, IpProtocol.IPIP, p.outerSrcIp, p.outerDstIp);
    o += IPV4_HEADER;
  }
  writeIpv4Header(b, o, end - o, p.ipId, p.ttl, p.protocol, p.srcIp, p.dstIp);
  o += IPV4_HEADER;
  if (p.protocol === IpProtocol.UDP || p.protocol === IpProtocol.TCP) writeTransport(p, b, o);
  return end;
}

function writeArp(p: Packet, b: Uint8Array, o: number): number {
  put16(b, o, 1); // htype Ethernet
  put16(b, o + 2, EtherType.IPV4);
  b[o + 4] = 6;
  b[o + 5] = 4;
  const a = p.arp ?? NO_ARP;
  put16(b, o + 6, a.op);
  putMac(b, o + 8, a.senderMac);
  put32(b, o + 14, a.senderIp);
  putMac(b, o + 18, a.targetMac);
  put32(b, o + 24, a.targetIp);
  return o + ARP_SIZE;
}

/** The cluster's encapsulation header (16 B: flags, 0, client port, server port, handle, client IP, owner IP) then the IPv4 datagram. */
function writeEncap(p: Packet, b: Uint8Array, o: number): number {
  const e = p.encap ?? NO_ENCAP;
  b[o] = e.flags & 0xff;
  b[o + 1] = 0;
  put16(b, o + 2, e.clientPort);
  put16(b, o + 4, e.serverPort);
  put16(b, o + 6, e.handle);
  put32(b, o + 8, e.clientIp);
  put32(b, o + 12, e.ownerIp);
  return writeDatagram(p, b, o + ENCAP_HEADER);
}

function writeLinkPayload(p: Packet, b: Uint8Array, o: number): number {
  const et = p.etherType;
  if (et === EtherType.IPV4) return writeDatagram(p, b, o);
  if (et === EtherType.ARP) return writeArp(p, b, o);
  if (et === EtherType.ENCAP) return writeEncap(p, b, o);
  throw new RangeError(`pcap: packet ${p.id} has etherType 0x${et.toString(16)}: expected 0x0800, 0x0806 or 0x88b5`);
}

/**
 * Write the frame of `p` as it is on link type `linkType` (1 Ethernet, 9 PPP)
 * into `out` at `offset`; returns the bytes written (`frameLength(p, linkType)`).
 * `out` needs that much room from `offset`. Every byte of the frame is
 * written (padding and unstored payload as zeros).
 *
 * On PPP, IPv4 is protocol 0x0021; the encapsulation has no assigned PPP
 * protocol and is written as 0x88b5 (a well-formed, unassigned number); ARP
 * does not run over PPP and throws.
 */
export function serializeFrame(p: Packet, linkType: number, out: Uint8Array, offset: number): number {
  const len = frameLength(p, linkType);
  if (offset < 0 || offset + len > out.length) {
    throw new RangeError(`pcap: frame of packet ${p.id} needs ${len} bytes at offset ${offset}, buffer holds ${out.length}`);
  }
  out.fill(0, offset, offset + len);
  let o = offset;
  if (linkType === LinkType.ETHERNET) {
    putMac(out, o, p.dstMac);
    putMac(out, o + 6, p.srcMac);
    put16(out, o + 12, p.etherType);
    o += ETH_HEADER;
  } else {
    const et = p.etherType;
    if (et === EtherType.ARP) throw new RangeError(`pcap: packet ${p.id} is ARP on a PPP link; ARP runs only on Ethernet (link type 1)`);
    put16(out, o, et === EtherType.IPV4 ? PppProtocol.IPV4 : et);
    o += PPP_HEADER;
  }
  const end = writeLinkPayload(p, out, o);
  // Ethernet pads short payloads; the fill above made the padding zeros.
  const written = linkType === LinkType.ETHERNET && end - offset < ETH_HEADER + ETH_MIN_PAYLOAD ? ETH_HEADER + ETH_MIN_PAYLOAD : end - offset;
  if (written !== len) throw new Error(`pcap: packet ${p.id} serialised to ${written} bytes, model says ${len}`);
  return len;
}

/**
 * A growing in-memory pcap file of one link type. Records may come from
 * several devices of that link type (one file per hub, say); timestamps are
 * integer simulated ns and must not decrease for readers to be happy.
 */
export class PcapWriter {
  private buf: Uint8Array;
  private view: DataView;
  private length = 0;
  private headerWritten = false;
  private readonly disconnects: (() => void)[] = [];
  /** Records written so far. */
  records = 0;

  constructor(readonly linkType: number, readonly snaplen = 65535) {
    if (linkType !== LinkType.ETHERNET && linkType !== LinkType.PPP) {
      throw new RangeError(`pcap: link type ${linkType} is not supported: expected 1 (Ethernet) or 9 (PPP)`);
    }
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x7fffffff) {
      throw new RangeError(`pcap: snaplen ${snaplen} is not valid: expected an integer from 1 to 2147483647`);
    }
    this.buf = new Uint8Array(1 << 16);
    this.view = new DataView(this.buf.buffer);
    this.writeHeader();
  }

  private reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Write the 24-byte global header if not yet written (the constructor does; idempotent). */
  writeHeader(): void {
    if (this.headerWritten) return;
    this.reserve(PCAP_GLOBAL_HEADER);
    const v = this.view, o = this.length;
    v.setUint32(o, PCAP_MAGIC_NS, true);
    v.setUint16(o + 4, 2, true); // version 2.4
    v.setUint16(o + 6, 4, true);
    v.setInt32(o + 8, 0, true); // thiszone: UTC
    v.setUint32(o + 12, 0, true); // sigfigs
    v.setUint32(o + 16, this.snaplen, true);
    v.setUint32(o + 20, this.linkType, true);
    this.length += PCAP_GLOBAL_HEADER;
    this.headerWritten = true;
  }

  /** Append the frame of `p` as seen at simulated time `timeNs` (integer ns >= 0). */
  record(timeNs: number, p: Packet): void {
    if (!(Number.isInteger(timeNs) && timeNs >= 0)) throw new RangeError(`pcap: time ${timeNs} is not valid: expected integer ns >= 0`);
    const len = frameLength(p, this.linkType);
    this.reserve(PCAP_RECORD_HEADER + len);
    const o = this.length;
    // The whole frame is serialised, then only caplen bytes are kept: the
    // bytes past it are overwritten by the next record.
    serializeFrame(p, this.linkType, this.buf, o + PCAP_RECORD_HEADER);
    const caplen = len < this.snaplen ? len : this.snaplen;
    const sec = Math.floor(timeNs / 1e9);
    const v = this.view;
    v.setUint32(o, sec, true);
    v.setUint32(o + 4, timeNs - sec * 1e9, true);
    v.setUint32(o + 8, caplen, true);
    v.setUint32(o + 12, len, true);
    this.length = o + PCAP_RECORD_HEADER + caplen;
    this.records++;
  }

  /** The file so far: a view that later records do not change. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Record every frame `dev` transmits and accepts, timestamped with its network's clock; returns a disconnect. */
  attach(dev: NetDevice): () => void {
    if (dev.linkType !== this.linkType) {
      throw new RangeError(`pcap: device ${dev.name} has link type ${dev.linkType}, this writer records link type ${this.linkType}`);
    }
    // One listener per device, bound once: recording allocates no closure per packet.
    const fn = (p: Packet, d: NetDevice): void => this.record(d.net.now, p);
    const offTx = dev.phyTxTrace.connect(fn);
    const offRx = dev.rxTrace.connect(fn);
    const off = (): void => { offTx(); offRx(); };
    this.disconnects.push(off);
    return off;
  }

  /** Disconnect from every device attached (the bytes stay). */
  detach(): void {
    for (const off of this.disconnects.splice(0)) off();
  }
}

/**
 * Capture on one device as ns-3's EnablePcap: frames it transmits (when
 * they start on the medium) and frames it accepts (including promiscuous ones), with the
 * device's link type. `writer.detach()` stops recording.
 */
export function attachPcap(dev: NetDevice, snaplen = 65535): PcapWriter {
  const w = new PcapWriter(dev.linkType, snaplen);
  w.attach(dev);
  return w;
}
