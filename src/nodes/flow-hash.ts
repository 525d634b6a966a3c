/**
 * Flow hash of a packet for a queue disc's classifier, bit for bit as ns-3
 * 3.37 computes it, so that FqCoDel puts the same packets in the same flow
 * queues as the anchors do:
 *
 * - IPv4 (Ipv4QueueDiscItem::Hash): source, destination (4 bytes each, in
 *   network order), protocol, source port, destination port (2 bytes each;
 *   0 unless UDP or TCP), then the perturbation (4 bytes): 17 bytes.
 * - ARP (ArpQueueDiscItem::Hash): sender IP, target IP, sender MAC, target
 *   MAC (a request's target MAC is the broadcast address in ns-3's header),
 *   the operation (1 request, 2 reply), the perturbation: 25 bytes.
 *
 * Both feed MurmurHash3 x86_32 with ns-3's seed 0x8BADF00D (ns3::Hash32).
 * A tunnelled packet is hashed by its outer header (protocol 4, no ports),
 * and a frame of the cluster's encapsulation by the datagram inside it.
 *
 * Cost: IPv4 folds its fields into the hash directly; ARP (rare) goes
 * through a module-level scratch buffer; nothing allocated.
 */
import { BROADCAST_MAC } from '../net/address';
import { ArpOp, EtherType, IpProtocol, NO_ARP, type Packet } from '../net/packet';

const SEED = 0x8badf00d;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const buf = new Uint8Array(32);

/** MurmurHash3_x86_32 of the first `len` bytes of `data` (ns-3's Hash32: seed 0x8BADF00D). */
/** MurmurHash3's 32-bit finaliser (fmix32), unsigned result; also the cluster's placement hash (cluster/placement.ts). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function murmur3(data: Uint8Array, len: number, seed = SEED): number {
  let h = seed | 0;
  const blocks = len >> 2;
  for (let b = 0; b < blocks; b++) {
    const i = b << 2;
    // Little-endian block read, as ns-3 does on x86.
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const t = blocks << 2;
  const rest = len & 3;
  if (rest > 0) {
    let k = data[t];
    if (rest > 1) k ^= data[t + 1] << 8;
    if (rest > 2) k ^= data[t + 2] << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return mix32(h ^ len);
}

function put32(i: number, v: number): void {
  buf[i] = v >>> 24;
  buf[i + 1] = (v >>> 16) & 0xff;
  buf[i + 2] = (v >>> 8) & 0xff;
  buf[i + 3] = v & 0xff;
}

function putMac(i: number, mac: number): void {
  // A MAC is a 48-bit number; bytes in transmission order.
  const hi = Math.floor(mac / 0x1_0000_0000);
  buf[i] = (hi >>> 8) & 0xff;
  buf[i + 1] = hi & 0xff;
  put32(i + 2, mac >>> 0);
}

function bswap(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The 5-tuple hash of an IPv4 datagram (ns-3's Ipv4QueueDiscItem::Hash).
 * The 17 bytes are folded into MurmurHash3's four little-endian blocks and
 * one tail byte directly: the per-packet path writes no buffer (murmur3 over
 * the same bytes gives the same value; a test pins it).
 */
export function ipv4FlowHash(src: number, dst: number, protocol: number, srcPort: number, dstPort: number, perturbation: number): number {
  let h = mixBlock(SEED | 0, bswap(src));
  h = mixBlock(h, bswap(dst));
  h = mixBlock(h, (protocol & 0xff) | (((srcPort >>> 8) & 0xff) << 8) | ((srcPort & 0xff) << 16) | (((dstPort >>> 8) & 0xff) << 24));
  h = mixBlock(h, (dstPort & 0xff) | ((perturbation >>> 24) << 8) | (((perturbation >>> 16) & 0xff) << 16) | (((perturbation >>> 8) & 0xff) << 24));
  let k = perturbation & 0xff;
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  return mix32(h ^ 17);
}

/** The hash of an ARP message (ns-3's ArpQueueDiscItem::Hash). */
export function arpFlowHash(senderIp: number, targetIp: number, senderMac: number, targetMac: number, op: number, perturbation: number): number {
  put32(0, senderIp);
  put32(4, targetIp);
  putMac(8, senderMac);
  putMac(14, targetMac);
  buf[20] = op;
  put32(21, perturbation);
  return murmur3(buf, 25);
}

/** The flow hash of `p` as it leaves through a queue disc. */
export function packetFlowHash(p: Packet, perturbation: number): number {
  if (p.etherType === EtherType.ARP) {
    const a = p.arp ?? NO_ARP;
    const targetMac = a.op === ArpOp.REQUEST ? BROADCAST_MAC : a.targetMac;
    return arpFlowHash(a.senderIp, a.targetIp, a.senderMac, targetMac, a.op, perturbation);
  }
  if (p.tunnel) return ipv4FlowHash(p.outerSrcIp, p.outerDstIp, IpProtocol.IPIP, 0, 0, perturbation);
  const proto = p.protocol;
  const ports = proto === IpProtocol.UDP || proto === IpProtocol.TCP;
  return ipv4FlowHash(p.srcIp, p.dstIp, proto, ports ? p.srcPort : 0, ports ? p.dstPort : 0, perturbation);
}
