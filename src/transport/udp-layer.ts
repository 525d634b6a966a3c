/**
 * UdpLayer: the UDP of one IpNode (ns-3's UdpL4Protocol): a table of bound
 * ports and ephemeral port allocation; it inserts itself as the node's
 * transport for protocol 17 and hands each datagram to the socket bound to
 * its destination port (none: dropped as no-socket).
 *
 * Cost: one Map lookup by port (a number) per datagram.
 */
import { checkPort } from '../net/address';
import { DropReason } from '../net/drop-reason';
import { IpProtocol, type Packet } from '../net/packet';
import type { IpNode, L4Protocol } from '../nodes/ip-node';
import type { UdpSocket } from './udp-socket';

export class UdpLayer implements L4Protocol {
  readonly protocolNumber = IpProtocol.UDP;
  private readonly ports = new Map<number, UdpSocket>();
  private nextEphemeral = 49153;

  /** The node's UDP, installed on first use. */
  static of(node: IpNode): UdpLayer {
    const t = node.l4[IpProtocol.UDP];
    return t instanceof UdpLayer ? t : new UdpLayer(node);
  }

  private constructor(readonly node: IpNode) {
    node.insertL4(this);
  }

  /** Bind `s` to `port`, or to a free ephemeral port when 0; returns the port. */
  bind(s: UdpSocket, port: number): number {
    if (port === 0) {
      while (this.ports.has(this.nextEphemeral)) this.nextEphemeral = this.nextEphemeral >= 65535 ? 49153 : this.nextEphemeral + 1;
      port = this.nextEphemeral++;
    }
    checkPort(port, `${this.node.name}: UDP`);
    if (this.ports.has(port)) throw new Error(`${this.node.name}: UDP port ${port} is already bound`);
    this.ports.set(port, s);
    return port;
  }

  unbind(port: number): void {
    this.ports.delete(port);
  }

  receive(p: Packet): void {
    const s = this.ports.get(p.dstPort);
    if (s === undefined) {
      this.node.net.drop(p, DropReason.NO_SOCKET, this.node.name);
      return;
    }
    this.node.net.deliver(p);
    s.received++;
    s.onReceive(p, s);
  }
}
