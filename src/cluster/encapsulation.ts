/**
 * Encapsulation: the first device wraps a client's packet in one extra
 * header carrying a reference to the connection's data structure (claims 14,
 * 15) and sends it to the owner; the owner unwraps it.
 *
 * The header (16 B, EtherType 0x88B5) holds a forwarded flag and the
 * reference: client IP and port, owner IP, server port, and the owner's
 * handle of the connection's data structure (its TCP table slot, learnt
 * from the migration's acknowledgement; 0 until then). The owner finds the
 * TCB through the reference, not by searching the inner headers, and drops
 * a packet whose reference names another device or no live connection. The
 * original IPv4 packet follows unchanged, so the owner's TCP sees exactly
 * what the client sent. Encapsulating clears the packet's LAN path bits, so
 * that the measures can tell which LANs the forwarded packet crossed
 * afterwards.
 */
import type { Ipv4 } from '../net/address';
import { ENCAP_FORWARDED, EncapHeader, EtherType, LAN_FLAGS, NO_ENCAP, PathFlag, type Packet } from '../net/packet';

/** The reference to a connection's data structure carried in the header. */
export interface ConnectionRef {
  clientIp: Ipv4;
  clientPort: number;
  ownerIp: Ipv4;
  serverPort: number;
  /** The owner's TCP table slot of the connection (0: find it by the client end point). */
  handle: number;
}

/** Wrap `p` (in place) for forwarding to `ownerIp`, whose handle of the connection is `handle` (0: unknown). */
export function encapsulate(p: Packet, ownerIp: Ipv4, handle: number): void {
  p.etherType = EtherType.ENCAP;
  p.encap = new EncapHeader(ENCAP_FORWARDED, p.srcIp, p.srcPort, ownerIp, p.dstPort, handle);
  p.pathFlags = (p.pathFlags & ~LAN_FLAGS) | PathFlag.FORWARDED;
}

/** True when `p` carries the encapsulation header with the forwarded flag. */
export function isEncapsulated(p: Packet): boolean {
  return p.etherType === EtherType.ENCAP && p.encap !== null && (p.encap.flags & ENCAP_FORWARDED) !== 0;
}

/** The reference carried by an encapsulated packet. */
export function referenceOf(p: Packet): ConnectionRef {
  const e = p.encap ?? NO_ENCAP;
  return { clientIp: e.clientIp, clientPort: e.clientPort, ownerIp: e.ownerIp, serverPort: e.serverPort, handle: e.handle };
}

/** Unwrap (in place): the original IPv4 packet again. */
export function decapsulate(p: Packet): void {
  p.etherType = EtherType.IPV4;
}
