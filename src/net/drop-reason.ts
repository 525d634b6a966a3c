/**
 * Why a packet ended without delivery. Every drop in netsim names one, so the
 * conservation check (created = delivered + dropped + in flight) can hold and
 * reports can say where packets went. Indexes into a counter array.
 */
export const DropReason = {
  QUEUE_FULL: 0,
  LINK_DOWN: 1,
  TTL_EXPIRED: 2,
  NO_ROUTE: 3,
  ARP_PENDING_FULL: 4,
  ARP_FAILED: 5,
  NOT_FOR_US: 6,
  NO_SOCKET: 7,
  WAN_LOSS: 8,
  BACKOFF_LIMIT: 9,
  MAC_FILTERED: 10,
  NODE_DOWN: 11,
  TCP_DISCARD: 12,
  CLUSTER: 13,
  SAME_PORT: 14,
  /** An encapsulated packet whose connection reference names another device or another connection. */
  BAD_REFERENCE: 15,
  /** An encapsulated packet whose connection reference names no live connection data structure. */
  STALE_REFERENCE: 16,
  /**
   * A queue disc over its limit: FqCoDel's batch from its fattest flow, a
   * pfifo_fast or CoDel disc full (ns-3's "Overlimit drop" and "Queue disc
   * limit exceeded").
   */
  QDISC_OVERLIMIT: 17,
  /** CoDel's control law dropped a packet whose sojourn stayed above target (ns-3's "Target exceeded drop"). */
  QDISC_CODEL: 18,
  /** Lost on arrival by a link's receive error model (a lossy point-to-point link). */
  LINK_LOSS: 19,
} as const;

export type DropReasonCode = (typeof DropReason)[keyof typeof DropReason];

export const DROP_REASON_NAMES: readonly string[] = [
  'queue-full', 'link-down', 'ttl-expired', 'no-route', 'arp-pending-full', 'arp-failed',
  'not-for-us', 'no-socket', 'wan-loss', 'backoff-limit', 'mac-filtered', 'node-down',
  'tcp-discard', 'cluster', 'same-port', 'bad-reference', 'stale-reference', 'qdisc-overlimit',
  'qdisc-codel', 'link-loss',
];

/** Drops by queue discs, of every reason they drop with, from a count by reason (the anchors' one `qdisc_drops` number). */
export function queueDiscDrops(dropped: ArrayLike<number>): number {
  return dropped[DropReason.QDISC_OVERLIMIT] + dropped[DropReason.QDISC_CODEL];
}
