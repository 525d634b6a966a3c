/**
 * Member: one server of the cluster as the claimed logic sees it: its node,
 * its interfaces on the three LANs, its host TCP and socket application, and
 * its load. Built by the cluster builder; read by the smart NICs.
 */
import type { Ipv4 } from '../net/address';
import type { Ipv4Interface, IpNode } from '../nodes/ip-node';
import type { TcpLayer } from '../transport/tcp-layer';
import type { TcpSocket } from '../transport/tcp-socket';

/** A socket application that can take over an established connection. */
export interface SocketApplication {
  adopt(s: TcpSocket): void;
}

export interface Member {
  index: number;
  node: IpNode;
  /** Interface on the first (client-facing) LAN: the address clients use. */
  firstIface: Ipv4Interface;
  /** Interface on the second LAN (back end), if any. */
  secondIface: Ipv4Interface | null;
  /** Interface on the third LAN (state exchange), if any. */
  thirdIface: Ipv4Interface | null;
  tcp: TcpLayer;
  app: SocketApplication;
  /** Current load as the server itself sees it. */
  load(): number;
}

/** The address of `m` on the LAN used for forwarding. */
export function forwardAddress(m: Member, via: 'second' | 'first'): Ipv4 {
  return via === 'second' && m.secondIface !== null ? m.secondIface.ip : m.firstIface.ip;
}
