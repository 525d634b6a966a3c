/**
 * PathRecorder: the cluster measures of DESIGN.md, defined once.
 *
 * - first device of a request: the NIC (or balancer) that received it from
 *   the first LAN; packets it processes carry PathFlag.FIRST_PROCESSED, and
 *   on a hub the frames its NIC only overheard carry FIRST_SEEN.
 * - response bypass ratio: response segments (TCP from the service port,
 *   with payload) that reached a client without being processed by their
 *   first device, over response segments delivered. Seen-but-filtered
 *   frames are counted apart and still count as bypassing.
 * - forward first-LAN bypass ratio: forwarded request segments (payload,
 *   forwarded by a first device) that reached their owner without crossing a
 *   first-LAN device after being forwarded, over forwarded request segments.
 *
 * It listens to trace sources only, so nothing is paid when no recorder is
 * attached; attach it before the run.
 */
import { IpProtocol, PathFlag, type Packet } from '../net/packet';
import type { Node } from '../nodes/node';
import type { Lan, Topology } from '../nodes/topology';
import type { TcpLayer } from '../transport/tcp-layer';

/** What the recorder needs of a built network. */
export interface MeasuredNetwork {
  topo: Topology;
  servicePort: number;
  /** Hosts whose arrivals are responses (the workload's clients). */
  clientNodes: readonly Node[];
  /** TCP of the servers that own connections (forwarded segments arrive there). */
  serverTcp: readonly TcpLayer[];
  lans: readonly Lan[];
}

export interface LanUsage {
  frames: number;
  bytes: number;
  /** Mean and peak busy fraction of the LAN's media over the run. */
  meanUtilisation: number;
  peakUtilisation: number;
}

export class PathRecorder {
  responses = 0;
  responsesBypassed = 0;
  responsesSeenNotProcessed = 0;
  forwardedRequests = 0;
  forwardedRequestsBypassingFirstLan = 0;
  forwardedSegments = 0;
  forwardedBytesOnFirstLan = 0;

  constructor(readonly network: MeasuredNetwork) {
    const port = network.servicePort;
    const onClientRx = (p: Packet): void => {
      if (p.protocol !== IpProtocol.TCP || p.srcPort !== port || p.payloadBytes === 0) return;
      this.responses++;
      const f = p.pathFlags;
      if ((f & PathFlag.FIRST_PROCESSED) === 0) {
        this.responsesBypassed++;
        if (f & PathFlag.FIRST_SEEN) this.responsesSeenNotProcessed++;
      }
    };
    for (const n of network.clientNodes) for (const d of n.devices) d.rxTrace.connect(onClientRx);
    const onServerRx = (p: Packet): void => {
      if (p.dstPort !== port || (p.pathFlags & PathFlag.FORWARDED) === 0) return;
      this.forwardedSegments++;
      if (p.pathFlags & PathFlag.FIRST_LAN) this.forwardedBytesOnFirstLan += p.ipBytes();
      if (p.payloadBytes === 0) return;
      this.forwardedRequests++;
      if ((p.pathFlags & PathFlag.FIRST_LAN) === 0) this.forwardedRequestsBypassingFirstLan++;
    };
    for (const t of network.serverTcp) t.rxTrace.connect(onServerRx);
  }

  responseBypassRatio(): number | null {
    return this.responses > 0 ? this.responsesBypassed / this.responses : null;
  }

  forwardBypassRatio(): number | null {
    return this.forwardedRequests > 0 ? this.forwardedRequestsBypassingFirstLan / this.forwardedRequests : null;
  }

  /** Frames, bytes and utilisation of the devices of the LAN with `role` (all zero when there is none). */
  lanUsage(role: 'first' | 'second' | 'third'): LanUsage {
    const lan = this.network.lans.find((l) => l.role === role);
    if (lan === undefined) return { frames: 0, bytes: 0, meanUtilisation: 0, peakUtilisation: 0 };
    const elapsed = Math.max(1, this.network.topo.net.now);
    let frames = 0, bytes = 0;
    for (const d of lan.ports) {
      frames += d.txFrames;
      bytes += d.txBytes;
    }
    const utils = lan.channels.map((c) => Math.min(1, c.busyNs / elapsed));
    const mean = utils.length > 0 ? utils.reduce((a, b) => a + b, 0) / utils.length : 0;
    return { frames, bytes, meanUtilisation: mean, peakUtilisation: utils.length > 0 ? Math.max(...utils) : 0 };
  }
}
