/**
 * The cluster's control messages between smart NICs (UDP port 7001, over
 * the LAN the NICs forward on): a migration carrying a TCB, its
 * acknowledgement, and the notice that a connection a peer held has closed.
 * Messages ride as the datagram's application data; their size on the wire
 * is what the sender says (the TCB's serialised size for a migration).
 *
 * Cost: one datagram per message.
 */
import type { Ipv4 } from '../net/address';
import type { Packet } from '../net/packet';
import type { Ipv4Interface } from '../nodes/ip-node';
import type { Tcb } from '../transport/tcb';
import { UdpSocket } from '../transport/udp-socket';
import { forwardAddress, type Member } from './member';

/** UDP port of the cluster's control messages. */
export const CLUSTER_PORT = 7001;

export type ClusterMessage =
  | { kind: 'migrate'; tcb: Tcb; from: number }
  | { kind: 'migrate-ack'; clientIp: Ipv4; clientPort: number; serverPort: number; iss: number; handle: number; from: number }
  | { kind: 'closed'; clientIp: Ipv4; clientPort: number; serverPort: number; from: number }
  | { kind: 'probe'; from: number }
  | { kind: 'probe-ack'; from: number };

export class ControlChannel {
  private readonly socket: UdpSocket;
  sent = 0;
  received = 0;

  constructor(
    readonly self: Member, readonly members: readonly Member[], readonly via: 'second' | 'first',
    private readonly iface: Ipv4Interface, onMessage: (msg: ClusterMessage, p: Packet) => void,
  ) {
    this.socket = new UdpSocket(self.node).bind(CLUSTER_PORT);
    this.socket.onReceive = (p) => {
      this.received++;
      onMessage(p.appData as ClusterMessage, p);
    };
  }

  /** Send `msg` to member `to` as a datagram of `bytes` payload bytes. */
  send(to: number, msg: ClusterMessage, bytes: number): void {
    const p = this.socket.newDatagram(forwardAddress(this.members[to], this.via), CLUSTER_PORT, bytes);
    p.srcIp = this.iface.ip;
    p.appData = msg;
    this.sent++;
    this.socket.sent++;
    this.self.node.outputVia(p, this.iface, p.dstIp);
  }
}
