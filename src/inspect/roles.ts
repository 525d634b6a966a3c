/**
 * Roles: what a frame is for, as the visualizer colours it and the figures
 * label it (request, encapsulated forward, migration and its
 * acknowledgement, response, load report, ARP, other), and the connection a
 * frame belongs to (the client end point of a service connection; the
 * cluster's migration messages name theirs in their payload).
 *
 * Invariants: a pure function of the packet's fields at the moment it is
 * handed to a device; never reads simulator state.
 * Cost: a few comparisons per frame; only called while recording.
 */
import { CLUSTER_PORT } from '../cluster/control-channel';
import { REPORT_PORT } from '../cluster/load-reporter';
import { EtherType, IpProtocol, NO_ENCAP, type Packet } from '../net/packet';

export const Role = { REQUEST: 0, FORWARD: 1, MIGRATION: 2, RESPONSE: 3, REPORT: 4, ARP: 5, OTHER: 6 } as const;
export type RoleCode = (typeof Role)[keyof typeof Role];
export const ROLE_NAMES = ['request', 'forward', 'migration', 'response', 'report', 'arp', 'other'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
/** What each role stands for, in words a legend can show. */
export const ROLE_TITLES: Record<RoleName, string> = {
  request: 'client request (to the service port)',
  forward: 'encapsulated forward (first device to owner)',
  migration: 'connection migration and its acknowledgement',
  response: 'response (from the service port)',
  report: 'load report (third LAN)',
  arp: 'ARP',
  other: 'other',
};

/** Control message kinds carried on the cluster port, as recorded per frame (0: none). */
export const Ctl = { NONE: 0, MIGRATE: 1, MIGRATE_ACK: 2, CLOSED: 3, REPORT: 4 } as const;
export const CTL_NAMES = ['', 'migrate', 'migrate-ack', 'closed', 'report'] as const;

interface ControlMessage { kind?: string; clientIp?: number; clientPort?: number; tcb?: { remoteIp: number; remotePort: number } }

function controlOf(p: Packet): ControlMessage | null {
  const m = p.appData;
  return m !== null && typeof m === 'object' ? (m as ControlMessage) : null;
}

/** The control message kind of a frame (Ctl). */
export function ctlOf(p: Packet): number {
  if (p.etherType !== EtherType.IPV4 || p.protocol !== IpProtocol.UDP) return Ctl.NONE;
  if (p.dstPort === REPORT_PORT) return Ctl.REPORT;
  if (p.dstPort !== CLUSTER_PORT) return Ctl.NONE;
  const k = controlOf(p)?.kind;
  return k === 'migrate' ? Ctl.MIGRATE : k === 'migrate-ack' ? Ctl.MIGRATE_ACK : k === 'closed' ? Ctl.CLOSED : Ctl.NONE;
}

/** The role of a frame, given the service port and its control kind (ctlOf). */
export function roleOf(p: Packet, servicePort: number, ctl: number): RoleCode {
  const et = p.etherType;
  if (et === EtherType.ARP) return Role.ARP;
  if (et === EtherType.ENCAP || p.tunnel) return Role.FORWARD;
  if (ctl === Ctl.MIGRATE || ctl === Ctl.MIGRATE_ACK) return Role.MIGRATION;
  if (ctl === Ctl.REPORT) return Role.REPORT;
  if (p.protocol === IpProtocol.TCP || p.protocol === IpProtocol.UDP) {
    if (p.dstPort === servicePort) return Role.REQUEST;
    if (p.srcPort === servicePort) return Role.RESPONSE;
  }
  return Role.OTHER;
}

/**
 * The client end point (ip, port) of the service connection a frame belongs
 * to, or null. Encapsulated frames carry it in their header; migration and
 * its acknowledgement in their message.
 */
export function clientEndOf(p: Packet, servicePort: number, ctl: number): [number, number] | null {
  if (p.etherType === EtherType.ENCAP) {
    const e = p.encap ?? NO_ENCAP;
    return [e.clientIp, e.clientPort];
  }
  if (ctl === Ctl.MIGRATE || ctl === Ctl.MIGRATE_ACK || ctl === Ctl.CLOSED) {
    const m = controlOf(p);
    if (m?.tcb !== undefined) return [m.tcb.remoteIp, m.tcb.remotePort];
    if (typeof m?.clientIp === 'number' && typeof m.clientPort === 'number') return [m.clientIp, m.clientPort];
    return null;
  }
  if (p.etherType !== EtherType.IPV4 || (p.protocol !== IpProtocol.TCP && p.protocol !== IpProtocol.UDP)) return null;
  if (p.dstPort === servicePort) return [p.srcIp, p.srcPort];
  if (p.srcPort === servicePort) return [p.dstIp, p.dstPort];
  return null;
}
