/**
 * FrameLog: the visualizer's recorder. It listens to a built simulation's
 * trace sources and writes what the animation, the event list, the charts
 * and the figures need into typed columns (trace-format.ts), cut into
 * chunks the worker posts to the page:
 *
 *  - every frame handed to a device (TX), its start on the medium (PHY, with
 *    the exact arrival time the medium will give it) and each arrival at a
 *    far-end device (ARR), so a packet is on a link from PHY to its arrival
 *    and queued at the device from TX to PHY, including frames that never
 *    arrive (dropped on the way, or still in flight when the run ends);
 *  - every drop with its reason and where; segments taken by a TCP layer (END);
 *  - the smart NICs' steps and the requests the servers' applications get;
 *  - the series the measures are drawn from: response segments reaching
 *    clients (bypassed or not, as PathRecorder counts them), request
 *    latencies, and jobs each server's CPU completed.
 *
 * Where a packet is at any moment follows from these events alone: on a
 * link or in a device queue (its frame), held at a node after an arrival
 * until its next frame, drop or TCP hand-over, or gone (consumed on
 * arrival: ARR with FINAL). A test checks that against the network's own
 * count of packets in queues, on wires and in the Internet cloud at every
 * engine event.
 *
 * Cost: nothing unless constructed (listeners only); per traced event a few
 * typed-array writes and no allocation except amortised column growth. With
 * `maxEvents` it disconnects itself once the budget is spent and the run goes
 * on unrecorded.
 */
import { transmitTime } from '../engine';
import { endpointKey } from '../net/address';
import { BROADCAST_MAC } from '../net/address';
import { CsmaDevice } from '../net/csma';
import { DROP_REASON_NAMES } from '../net/drop-reason';
import type { NetDevice } from '../net/net-device';
import { EtherType, IpProtocol, PathFlag, type Packet } from '../net/packet';
import { PointToPointDevice } from '../net/point-to-point';
import type { BridgeDevice } from '../nodes/bridge';
import { IpNode } from '../nodes/ip-node';
import type { Simulation } from '../scenario/build';
import { networkIndex, type NetworkIndex } from './network-map';
import { clientEndOf, ctlOf, roleOf } from './roles';
import {
  Ev, EVENT_SCHEMA, FINAL, FRAME_SCHEMA, LATENCY_SCHEMA, RESPONSE_SCHEMA, SERVED_SCHEMA, Table,
  type ConnInfo, type Detail, type TraceChunk,
} from './trace-format';

export interface FrameLogOptions {
  /** Stop recording after this many events (the run goes on unrecorded). */
  maxEvents?: number;
  /** Only number the frames and call `onFrame` (a replay that must count frames as the recording did). */
  countOnly?: boolean;
  /** Called for every frame handed to a device, with the frame's index (the inspector's header capture). */
  onFrame?: (frame: number, p: Packet, dev: number) => void;
}

/** What a device needs at trace time, precomputed once. */
interface DevInfo {
  node: number;
  /** ns per byte is not exact (ceil of the whole frame), so rate and delay stay apart. */
  rate: number;
  delay: number;
  ppp: boolean;
  lanBits: number;
  /** A switch port (its node has a bridge, and this device is not the bridge itself). */
  bridgePort: boolean;
  bridgeMac: number;
  /** The IP node owning the device (null: a switch without IP). */
  ip: IpNode | null;
  /** Has a medium (bridges have none). */
  medium: boolean;
}

export class FrameLog {
  readonly index: NetworkIndex;
  readonly events = new Table(EVENT_SCHEMA, 4096);
  readonly frames = new Table(FRAME_SCHEMA, 2048);
  private readonly responses = new Table(RESPONSE_SCHEMA, 256);
  private readonly latencies = new Table(LATENCY_SCHEMA, 256);
  private readonly served = new Table(SERVED_SCHEMA, 256);
  /** Events and frames recorded so far (global indexes of the next ones). */
  eventCount = 0;
  frameCount = 0;
  private eventBase = 0;
  private frameBase = 0;
  private conns: ConnInfo[] = [];
  private readonly connIds = new Map<number, number>();
  private connCount = 0;
  private details: [number, Detail][] = [];
  /** Current frame (handed over, possibly not yet on the medium) and frame on the wire, by packet id. */
  private cur = new Int32Array(4096).fill(-1);
  private wire = new Int32Array(4096).fill(-1);
  private readonly devs: DevInfo[];
  private readonly lastLookup: number[] = [];
  private readonly off: (() => void)[] = [];
  /** True once the budget was spent: nothing after `truncatedAt` (ns) is recorded. */
  truncated = false;
  truncatedAt = Infinity;
  private readonly maxEvents: number;
  private readonly port: number;

  constructor(readonly sim: Simulation, readonly opts: FrameLogOptions = {}) {
    this.index = networkIndex(sim);
    this.maxEvents = opts.maxEvents ?? Infinity;
    this.port = sim.servicePort;
    const topoDevs = sim.topo.devices();
    this.devs = topoDevs.map((d, i) => this.devInfo(d, i));
    topoDevs.forEach((d, i) => {
      this.off.push(d.txTrace.connect((p) => this.onTx(p, i)));
      if (opts.countOnly === true) return;
      this.off.push(d.phyTxTrace.connect((p) => this.onPhy(p, i)));
      if (this.devs[i].medium) this.off.push(d.rxTrace.connect((p) => this.onRx(p, i)));
    });
    if (opts.countOnly === true) return;
    const net = sim.net;
    this.off.push(net.dropTrace.connect((p, reason, where) => this.onDrop(p, reason, where)));
    const layers = [...sim.tcpLayers.map((l) => [l, 0] as const), ...(sim.cluster?.nics.map((n) => [n.engine, 1] as const) ?? [])];
    for (const [l, engine] of layers) {
      const node = this.index.nodeOfTopo[l.node.id];
      this.off.push(l.rxTrace.connect((p) => this.event(Ev.END, p.id, this.curOf(p.id), node, engine, 0)));
    }
    this.listenToNics();
    this.listenToApps();
  }

  private devInfo(d: NetDevice, i: number): DevInfo {
    const node = this.sim.topo.nodes[d.nodeId];
    const bridge = (node as Partial<{ bridge: BridgeDevice }>).bridge;
    const medium = this.index.map.devices[i].link >= 0;
    const rate = d instanceof PointToPointDevice ? d.rate : d instanceof CsmaDevice ? d.channel.rate : 0;
    const delay = d instanceof PointToPointDevice ? d.delay : d instanceof CsmaDevice ? d.channel.delay : 0;
    return {
      node: this.index.nodeOfTopo[d.nodeId], rate, delay, ppp: d instanceof PointToPointDevice, lanBits: d.lanBits,
      bridgePort: bridge !== undefined && bridge !== d, bridgeMac: bridge?.mac ?? -1, ip: node instanceof IpNode ? node : null, medium,
    };
  }

  // ------------------------------------------------------------- frames

  private grow(pid: number): void {
    let n = this.cur.length;
    while (n <= pid) n *= 2;
    const c = new Int32Array(n).fill(-1);
    c.set(this.cur);
    const w = new Int32Array(n).fill(-1);
    w.set(this.wire);
    this.cur = c;
    this.wire = w;
  }

  private curOf(pid: number): number {
    return pid < this.cur.length ? this.cur[pid] : -1;
  }

  private onTx(p: Packet, dev: number): void {
    const pid = p.id;
    if (pid >= this.cur.length) this.grow(pid);
    const f = this.frameCount++;
    const prev = this.cur[pid];
    this.cur[pid] = f;
    this.opts.onFrame?.(f, p, dev);
    if (this.opts.countOnly === true || this.truncated) return;
    const r = this.frames.push();
    const c = this.frames.cols;
    const info = this.devs[dev];
    const ctl = ctlOf(p);
    const end = clientEndOf(p, this.port, ctl);
    c.tq[r] = this.sim.net.now;
    c.t0[r] = NaN;
    c.t1[r] = NaN;
    c.dev[r] = dev;
    c.to[r] = p.dstMac === BROADCAST_MAC ? -1 : this.index.devOfMac.get(p.dstMac) ?? -1;
    c.pid[r] = pid;
    c.prev[r] = prev;
    c.conn[r] = end !== null ? this.connId(end[0], end[1]) : -1;
    c.role[r] = roleOf(p, this.port, ctl);
    c.ctl[r] = ctl;
    c.etherType[r] = p.etherType;
    c.protocol[r] = p.protocol;
    c.srcIp[r] = p.srcIp;
    c.dstIp[r] = p.dstIp;
    c.sport[r] = p.srcPort;
    c.dport[r] = p.dstPort;
    c.tcpFlags[r] = p.tcpFlags;
    c.payload[r] = p.payloadBytes;
    c.bytes[r] = info.ppp ? p.pppBytes() : p.ethernetBytes();
    c.lan[r] = info.lanBits;
    c.pathFlags[r] = p.pathFlags;
    this.event(Ev.TX, pid, f, info.node, dev, 0);
  }

  private onPhy(p: Packet, dev: number): void {
    const pid = p.id;
    const f = this.curOf(pid);
    if (pid < this.wire.length) this.wire[pid] = f;
    const info = this.devs[dev];
    // The medium's own arithmetic: transmission time of the whole frame, rounded up, then propagation.
    const bytes = info.ppp ? p.pppBytes() : p.ethernetBytes();
    const t1 = this.sim.net.now + transmitTime(bytes, info.rate) + info.delay;
    // Handed to an idle device and started at once: the TX just recorded becomes one SEND event.
    const last = this.events.n - 1;
    const c = this.events.cols;
    if (last >= 0 && c.kind[last] === Ev.TX && c.frame[last] === f && c.t[last] === this.sim.net.now && !this.truncated) {
      c.kind[last] = Ev.SEND;
      c.y[last] = t1;
      return;
    }
    this.event(Ev.PHY, pid, f, info.node, dev, t1);
  }

  private onRx(p: Packet, dev: number): void {
    const pid = p.id;
    const f = pid < this.wire.length ? this.wire[pid] : -1;
    const info = this.devs[dev];
    this.event(Ev.ARR, pid, f, info.node, dev, this.consumedOnArrival(p, info) ? FINAL : 0);
  }

  /** Whether `p` ends at the device it reached (no later event of it follows). */
  private consumedOnArrival(p: Packet, d: DevInfo): boolean {
    if (d.bridgePort) {
      // A switch floods a broadcast as copies and keeps the original; unicast goes on (or up to an L3 switch's IP).
      if (p.dstMac === BROADCAST_MAC) return true;
      if (p.dstMac !== d.bridgeMac || d.ip === null) return false;
    }
    const ip = d.ip;
    if (ip === null) return false;
    if (p.etherType === EtherType.ARP) return true;
    if (p.etherType !== EtherType.IPV4 || p.protocol === IpProtocol.TCP || p.tunnel) return false;
    const dst = p.dstIp;
    if (dst === 0xffffffff || ip.isLocalAddress(dst)) return true;
    return ip.interfaces.some((i) => dst === ((i.network | ~i.mask) >>> 0));
  }

  private onDrop(p: Packet, reason: number, where: string): void {
    const e = this.event(Ev.DROP, p.id, this.curOf(p.id), this.index.siteIndex.get(where) ?? this.siteOf(where), reason, 0);
    if (e >= 0) this.details.push([e, { kind: 'drop', where, reason: DROP_REASON_NAMES[reason] ?? String(reason) }]);
  }

  /** A drop site named by a device of a node ("server3/nic", "first-lan/server0"): the node before the slash. */
  private siteOf(where: string): number {
    const slash = where.indexOf('/');
    return slash > 0 ? this.index.siteIndex.get(where.slice(0, slash)) ?? -1 : -1;
  }

  private connId(ip: number, port: number): number {
    const k = endpointKey(ip, port);
    let id = this.connIds.get(k);
    if (id === undefined) {
      id = this.connCount++;
      this.connIds.set(k, id);
      this.conns.push({ clientIp: ip, clientPort: port });
    }
    return id;
  }

  // ------------------------------------------------------------- cluster and applications

  private listenToNics(): void {
    const c = this.sim.cluster;
    if (c === null) return;
    c.nics.forEach((nic, i) => {
      const node = this.index.nodeOfTopo[c.members[i].node.id];
      this.lastLookup.push(-1);
      this.off.push(nic.receiveTrace.connect((p) => this.event(Ev.NIC_RX, p.id, this.curOf(p.id), node, i, 0)));
      this.off.push(nic.lookupTrace.connect((p, holder) => {
        this.lastLookup[i] = p.id;
        const e = this.event(Ev.NIC_LOOKUP, p.id, this.curOf(p.id), node, holder, 0);
        if (e >= 0) {
          const entry = nic.directory.lookup(p.srcIp, p.srcPort, p.dstPort);
          this.details.push([e, { kind: 'lookup', holder, migrating: entry?.migrating ?? false }]);
        }
      }));
      this.off.push(nic.decisionTrace.connect((d) => {
        const pid = this.lastLookup[i];
        const e = this.event(Ev.NIC_DECIDE, pid, this.curOf(pid), node, d.chosen, 0);
        if (e >= 0) {
          this.details.push([e, {
            kind: 'decision', chosen: d.chosen, candidates: [...d.candidates], loads: [...d.loads], ownLoad: d.ownLoad,
            peers: d.peerRows.map((r) => ({ server: r.server, load: r.load, at: r.at, via: r.viaDevice })),
          }]);
        }
      }));
      this.off.push(nic.localTrace.connect((p) => this.event(Ev.NIC_LOCAL, p.id, this.curOf(p.id), node, i, 0)));
      this.off.push(nic.forwardTrace.connect((p, owner) => this.event(Ev.NIC_FWD, p.id, this.curOf(p.id), node, owner, 0)));
      this.off.push(nic.migrateTrace.connect((owner, rttNs) => {
        const e = this.event(Ev.NIC_MIGRATED, -1, -1, node, owner, rttNs);
        if (e >= 0) this.details.push([e, { kind: 'migrated', owner, rttNs }]);
      }));
    });
  }

  private listenToApps(): void {
    const sim = this.sim;
    const net = sim.net;
    sim.servers.forEach((app) => {
      const node = this.index.nodeOfTopo[app.node.id];
      this.off.push(app.requestTrace.connect((s, req) => {
        const conn = this.connId(s.tcb.remoteIp, s.tcb.remotePort);
        const e = this.event(Ev.REQUEST, -1, -1, node, conn, 0);
        if (e >= 0) this.details.push([e, { kind: 'request', reqId: req.reqId, clientId: req.clientId, conn }]);
      }));
    });
    // Response segments at the clients, counted exactly as PathRecorder counts them.
    const port = this.port;
    const clientNodes = [...sim.clients.map((c) => c.node), ...sim.udpClients.map((c) => c.node)];
    const onClientRx = (p: Packet): void => {
      if (this.truncated || p.protocol !== IpProtocol.TCP || p.srcPort !== port || p.payloadBytes === 0) return;
      const r = this.responses.push();
      const f = p.pathFlags;
      this.responses.cols.t[r] = net.now;
      this.responses.cols.bypassed[r] = (f & PathFlag.FIRST_PROCESSED) === 0 ? 1 : 0;
      this.responses.cols.seen[r] = (f & PathFlag.FIRST_SEEN) !== 0 ? 1 : 0;
    };
    for (const n of clientNodes) for (const d of n.devices) this.off.push(d.rxTrace.connect(onClientRx));
    this.off.push(sim.stats.latencyTrace.connect((ns) => {
      if (this.truncated) return;
      const r = this.latencies.push();
      this.latencies.cols.t[r] = net.now;
      this.latencies.cols.ns[r] = ns;
    }));
    sim.cpus.forEach((cpu, i) => this.off.push(cpu.jobTrace.connect(() => {
      if (this.truncated) return;
      const r = this.served.push();
      this.served.cols.t[r] = net.now;
      this.served.cols.server[r] = i;
    })));
  }

  // ------------------------------------------------------------- rows and chunks

  /** Record one event; returns its global index, or -1 once the budget is spent. */
  private event(kind: number, pid: number, frame: number, node: number, x: number, y: number): number {
    if (this.truncated) return -1;
    if (this.eventCount >= this.maxEvents) {
      this.stopRecording();
      return -1;
    }
    const r = this.events.push();
    const c = this.events.cols;
    c.t[r] = this.sim.net.now;
    c.kind[r] = kind;
    c.pid[r] = pid;
    c.frame[r] = frame;
    c.node[r] = node;
    c.x[r] = x;
    c.y[r] = y;
    c.exec[r] = this.sim.sim.executed;
    return this.eventCount++;
  }

  /** Spend no more: disconnect every listener except frame numbering (replays still count frames). */
  stopRecording(): void {
    if (this.truncated) return;
    this.truncated = true;
    this.truncatedAt = this.sim.net.now;
    for (const off of this.off) off();
    this.off.length = 0;
  }

  /** Disconnect everything. */
  detach(): void {
    this.stopRecording();
  }

  /** What was recorded since the last chunk, as a chunk (the tables start empty again). */
  takeChunk(): TraceChunk {
    const chunk: TraceChunk = {
      eventBase: this.eventBase, frameBase: this.frameBase,
      events: this.events.take(), frames: this.frames.take(),
      conns: this.conns, details: this.details,
      responses: this.responses.take(), latencies: this.latencies.take(), served: this.served.take(),
      now: this.sim.net.now, executed: this.sim.sim.executed,
    };
    this.eventBase = this.eventCount;
    this.frameBase += chunk.frames.n;
    this.conns = [];
    this.details = [];
    return chunk;
  }
}

