/**
 * UdpSocket: datagram endpoint on an IpNode (ns-3's UdpSocket, trimmed to
 * what applications use): bind to a port, send datagrams of a given payload
 * size to an address and port, receive through a callback.
 */
import type { Ipv4 } from '../net/address';
import { IpProtocol, type Packet } from '../net/packet';
import type { IpNode } from '../nodes/ip-node';
import { UdpLayer } from './udp-layer';

export class UdpSocket {
  port = 0;
  onReceive: (p: Packet, socket: UdpSocket) => void = () => {};
  sent = 0;
  received = 0;

  private readonly layer: UdpLayer;

  constructor(readonly node: IpNode) {
    this.layer = UdpLayer.of(node);
  }

  /** Bind to `port`, or to a free ephemeral port when 0. */
  bind(port = 0): this {
    this.port = this.layer.bind(this, port);
    return this;
  }

  /** A fresh UDP packet from this socket; the caller fills payload fields and calls send(). */
  newDatagram(dstIp: Ipv4, dstPort: number, payloadBytes: number): Packet {
    if (this.port === 0) this.bind(0);
    const p = this.node.net.newPacket();
    p.protocol = IpProtocol.UDP;
    p.srcIp = this.node.sourceAddressFor(dstIp);
    p.dstIp = dstIp;
    p.srcPort = this.port;
    p.dstPort = dstPort;
    p.payloadBytes = payloadBytes;
    return p;
  }

  send(p: Packet): void {
    this.sent++;
    this.node.sendIp(p);
  }

  close(): void {
    if (this.port !== 0) this.layer.unbind(this.port);
    this.port = 0;
  }
}
