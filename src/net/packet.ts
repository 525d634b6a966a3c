/**
 * Packet: one frame's worth of headers as flat numeric fields.
 *
 * A packet is one object for its whole life. Each hop rewrites the L2 fields
 * in place (as a router rewrites MACs); nothing copies the header stack per
 * hop. Only a frame that must exist twice at once (an L2 switch flooding, a
 * hub is *not* such a case) is cloned, as a new packet with a new id.
 *
 * Which headers are present follows from the fields: `etherType` says ARP,
 * IPv4 or the cluster's encapsulation; `protocol` says UDP or TCP; `tunnel`
 * adds an outer IPv4 header (IP-in-IP). On-wire sizes are exact: Ethernet
 * 14 B + 4 B FCS with the payload padded to 46 B, PPP 2 B, ARP 28 B, IPv4
 * 20 B, UDP 8 B, TCP 20 B plus its options padded to 4 B (timestamps 10,
 * window scale 3, SACK permitted 2, SACK 2 + 8 per block; `tcpOptions` says
 * which are present), encapsulation header 16 B.
 *
 * Payload bytes are not stored: a packet carries `payloadBytes` and, for
 * applications that need them, `appSeq`/`appTs` (ns-3's SeqTsHeader, 12 B)
 * and an opaque `appData` reference. pcap writes zeros for the rest, as ns-3.
 */
import type { Ipv4, Mac } from './address';

export const EtherType = { IPV4: 0x0800, ARP: 0x0806, ENCAP: 0x88b5 } as const;
export const IpProtocol = { IPIP: 4, TCP: 6, UDP: 17 } as const;
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;
/** Bits of `Packet.tcpOptions`: the TCP options a segment carries. */
export const TcpOpt = { TS: 1, WSCALE: 2, SACK_PERM: 4, SACK: 8 } as const;

export const ETH_HEADER = 14;
export const ETH_FCS = 4;
export const ETH_MIN_PAYLOAD = 46;
export const PPP_HEADER = 2;
export const ARP_SIZE = 28;
export const IPV4_HEADER = 20;
export const UDP_HEADER = 8;
export const TCP_HEADER = 20;
export const ENCAP_HEADER = 16;
export const SEQ_TS_HEADER = 12;

/** Encapsulation header flag: the packet was forwarded by a first device. */
export const ENCAP_FORWARDED = 0x01;

/**
 * Bits of `Packet.pathFlags`: what happened to a packet on its way, for the
 * measures in metrics/. LAN bits are OR-ed in by every device that transmits
 * the packet (devices carry the bit of the LAN they belong to); the others
 * are set by the cluster's first devices and balancers.
 */
export const PathFlag = {
  /** Crossed a device of the first LAN (client-facing). */
  FIRST_LAN: 1 << 0,
  /** Crossed a device of the second LAN (back end). */
  SECOND_LAN: 1 << 1,
  /** Crossed a device of the third LAN (state exchange). */
  THIRD_LAN: 1 << 2,
  /** Processed by the first device of its connection (NIC or balancer). */
  FIRST_PROCESSED: 1 << 3,
  /** Heard by the first device's NIC on a shared medium but filtered, not processed. */
  FIRST_SEEN: 1 << 4,
  /** Carried inside an encapsulation header (or tunnel) by a first device. */
  FORWARDED: 1 << 5,
} as const;
export const LAN_FLAGS = PathFlag.FIRST_LAN | PathFlag.SECOND_LAN | PathFlag.THIRD_LAN;

/** An ARP message (RFC 826), fixed once made. */
export class ArpHeader {
  constructor(
    readonly op: number,
    readonly senderMac: Mac,
    readonly senderIp: Ipv4,
    readonly targetMac: Mac,
    readonly targetIp: Ipv4,
  ) {}
}

/** The cluster's encapsulation header: flags and the reference to the connection's data structure, fixed once made. */
export class EncapHeader {
  constructor(
    readonly flags: number,
    readonly clientIp: Ipv4,
    readonly clientPort: number,
    readonly ownerIp: Ipv4,
    readonly serverPort: number,
    /** The owner's handle of the connection's data structure (its TCP table slot; 0: by client end point). */
    readonly handle: number,
  ) {}
}

/** What a packet without the header reads as (all zero). */
export const NO_ARP = new ArpHeader(0, 0, 0, 0, 0);
export const NO_ENCAP = new EncapHeader(0, 0, 0, 0, 0, 0);

export class Packet {
  /** Unique per simulation, in creation order. */
  id: number;
  /** Simulated time the packet was created, ns. */
  createdAt: number;

  // Ethernet / PPP (rewritten at each hop)
  srcMac: Mac = 0;
  dstMac: Mac = 0;
  etherType = EtherType.IPV4 as number;

  // The two headers few packets carry, each its own object (null when
  // absent): eleven fields less on every packet (88 B of about 400), and a
  // flood's clones share them, since neither is changed once made.
  /** The ARP message (etherType ARP). */
  arp: ArpHeader | null = null;
  /**
   * The cluster's encapsulation header (etherType ENCAP while wrapped; kept
   * after unwrapping, so the reference stays readable).
   */
  encap: EncapHeader | null = null;

  // Outer IPv4 header (protocol 4) of an IP-in-IP tunnel (LVS-TUN style),
  // present when `tunnel`; `protocol` stays that of the inner datagram.
  tunnel = false;
  outerSrcIp: Ipv4 = 0;
  outerDstIp: Ipv4 = 0;


  // IPv4
  srcIp: Ipv4 = 0;
  dstIp: Ipv4 = 0;
  ttl = 64;
  protocol = 0;
  ipId = 0;
  /** Socket priority 0-15 (ns-3's SocketPriorityTag), read by pfifo_fast to pick a band; not on the wire. */
  priority = 0;
  /** When the packet entered a queue disc's internal queue, ns (CoDel's sojourn); not on the wire. */
  queuedAt = 0;

  // UDP / TCP
  srcPort = 0;
  dstPort = 0;
  tcpSeq = 0;
  tcpAck = 0;
  tcpFlags = 0;
  tcpWindow = 0;
  /** TCP header bytes with options (20 without). */
  tcpHeaderBytes = TCP_HEADER;
  tcpOptions = 0;
  tcpTsVal = 0;
  tcpTsEcr = 0;
  tcpWscale = 0;
  /** SACK blocks as wire sequence numbers [left0, right0, left1, ...], or null. */
  tcpSack: number[] | null = null;

  // Application bytes after the L4 header.
  payloadBytes = 0;
  appSeq = 0;
  appTs = 0;
  appData: unknown = null;

  /** Bit set of path events for metrics (see metrics/); 0 when nobody records. */
  pathFlags = 0;
  /** Frames transmitted for this packet so far. */
  hops = 0;
  /**
   * Set once the packet is counted delivered or dropped, so that a broadcast
   * consumed by several hosts is counted once and conservation stays exact.
   */
  settled = false;

  constructor(id: number, createdAt: number) {
    this.id = id;
    this.createdAt = createdAt;
  }

  /** Bytes of the L3 datagram (IPv4 header onward; outer header included). */
  ipBytes(): number {
    const l4 = this.protocol === IpProtocol.TCP ? this.tcpHeaderBytes : this.protocol === IpProtocol.UDP ? UDP_HEADER : 0;
    return (this.tunnel ? 2 * IPV4_HEADER : IPV4_HEADER) + l4 + this.payloadBytes;
  }

  /** Bytes after the link header: ARP, encapsulation header + datagram, or datagram. */
  linkPayloadBytes(): number {
    const et = this.etherType;
    if (et === EtherType.ARP) return ARP_SIZE;
    return et === EtherType.ENCAP ? ENCAP_HEADER + this.ipBytes() : this.ipBytes();
  }

  /** Bytes of the Ethernet frame on the wire: header, padded payload, FCS. */
  ethernetBytes(): number {
    const p = this.linkPayloadBytes();
    return ETH_HEADER + (p < ETH_MIN_PAYLOAD ? ETH_MIN_PAYLOAD : p) + ETH_FCS;
  }

  /** Bytes of the PPP frame on a point-to-point link. */
  pppBytes(): number {
    return PPP_HEADER + this.linkPayloadBytes();
  }

  /**
   * A field-by-field copy with a new id (for an L2 flood). Written out rather
   * than Object.assign: a 1,000-port switch flooding ARP spent a fifth of its
   * time in the generic copy.
   */
  cloneAs(id: number, now: number): Packet {
    const p = new Packet(id, now);
    p.srcMac = this.srcMac;
    p.dstMac = this.dstMac;
    p.etherType = this.etherType;
    p.arp = this.arp;
    p.encap = this.encap;
    p.tunnel = this.tunnel;
    p.outerSrcIp = this.outerSrcIp;
    p.outerDstIp = this.outerDstIp;
    p.srcIp = this.srcIp;
    p.dstIp = this.dstIp;
    p.ttl = this.ttl;
    p.protocol = this.protocol;
    p.ipId = this.ipId;
    p.priority = this.priority;
    p.srcPort = this.srcPort;
    p.dstPort = this.dstPort;
    p.tcpSeq = this.tcpSeq;
    p.tcpAck = this.tcpAck;
    p.tcpFlags = this.tcpFlags;
    p.tcpWindow = this.tcpWindow;
    p.tcpHeaderBytes = this.tcpHeaderBytes;
    p.tcpOptions = this.tcpOptions;
    p.tcpTsVal = this.tcpTsVal;
    p.tcpTsEcr = this.tcpTsEcr;
    p.tcpWscale = this.tcpWscale;
    p.tcpSack = this.tcpSack;
    p.payloadBytes = this.payloadBytes;
    p.appSeq = this.appSeq;
    p.appTs = this.appTs;
    p.appData = this.appData;
    p.pathFlags = this.pathFlags;
    p.hops = this.hops;
    p.settled = this.settled;
    p.settled = false;
    return p;
  }
}
