/**
 * netsim's public surface: one entry point with explicit named exports, for
 * the CLI, the browser visualizer and anyone embedding the simulator. Layers
 * as in DESIGN.md: engine, net, nodes, transport, apps, cluster, metrics,
 * scenario. Nothing here uses
 * Node-only APIs.
 */

// engine
export {
  Simulator, EventQueue, RandomStream, RandomStreams, DiscreteDistribution, EmpiricalDistribution,
  NS, US, MS, SECOND, seconds, toSeconds, parseTime, parseRate, parseSize, formatTime, transmitTime,
  type Handler, type RunOptions, type StopReason,
} from './engine';

// net
export {
  formatIpv4, parseIpv4, formatMac, parseMac, parseCidr, prefixMask, inPrefix, MacAllocator, SubnetAllocator,
  BROADCAST_MAC, IPV4_BROADCAST, type Ipv4, type Mac,
} from './net/address';
export { Packet, EtherType, IpProtocol, TcpFlag, ArpOp, PathFlag, LAN_FLAGS, ENCAP_HEADER } from './net/packet';
export { Network, type NetworkOptions, type PacketHolder } from './net/network';
export { DropReason, DROP_REASON_NAMES, type DropReasonCode } from './net/drop-reason';
export { TraceSource } from './net/trace-source';
export { NetDevice } from './net/net-device';
export { PointToPointDevice, connectPointToPoint } from './net/point-to-point';
export { CsmaChannel, CsmaDevice } from './net/csma';
export { DropTailQueue } from './net/drop-tail-queue';
export { PcapWriter, attachPcap, serializeFrame, frameLength, LinkType } from './net/pcap-writer';

// nodes
export { Node, type NodeKind } from './nodes/node';
export { IpNode, type Ipv4Interface } from './nodes/ip-node';
export { Application } from './nodes/application';
export { BridgeDevice } from './nodes/bridge';
export { InternetCloud, type InternetOptions } from './nodes/internet-cloud';
export { Topology, type LinkOptions, type Lan, type P2pLink } from './nodes/topology';
export { RoutingTable, type Route } from './nodes/routing-table';
export { UdpSocket } from './transport/udp-socket';
export { TcpLayer, TCP_DEFAULTS, type TcpOptions } from './transport/tcp-layer';
export { TcpSocket, type TcpError } from './transport/tcp-socket';
export { type Tcb, type TcpState } from './transport/tcb';
export { Cpu } from './apps/cpu';
export { sampler, type Dist } from './apps/dist';
export { TcpServerApp } from './apps/tcp-server-app';
export { TcpRequestClient } from './apps/tcp-request-client';
export { RequestStats } from './apps/request-stats';
export { UdpReplyServer, UdpRequestClient } from './apps/udp-request-reply';

// cluster
export { installCluster, DESIGNS, type Design, type ClusterParts, type ClusterConfig } from './cluster/install';
export { SmartNic, NIC_DEFAULTS, type NicOptions, type DecisionRecord } from './cluster/smart-nic';
export { Balancer, type BalancerMode, type BalancerOptions } from './cluster/balancer';
export { decide, POLICY_NAMES, type PolicyName, type PlacementInput } from './cluster/placement';
export { encapsulate, decapsulate, isEncapsulated, referenceOf, type ConnectionRef } from './cluster/encapsulation';

// metrics
export * from './metrics';
export { PathRecorder, type MeasuredNetwork } from './metrics/path-recorder';
export { METRICS, METRIC_NAMES, STANDARD_METRICS, type MetricName, type Metrics, type MetricDef } from './metrics/catalog';
export { TraceHash } from './metrics/trace-hash';
export { Recorder, type RecordedNetwork, type RecorderOptions } from './metrics/recorder';

// scenario
export * from './scenario';
export { NETSIM_VERSION } from './version';
