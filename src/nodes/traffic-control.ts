/**
 * Traffic control: which root queue disc sits on an IP device, as the
 * topology option names it, and the factory that builds one.
 *
 * ns-3 3.37's Ipv4AddressHelper::Assign installs TrafficControlHelper::
 * Default on every device that gets an IPv4 address and has a flow-
 * controlled queue (point-to-point and CSMA; not a bridge): one
 * FqCoDelQueueDisc with its defaults. netsim's Topology does the same with
 * `DEFAULT_QUEUE_DISC`; `{ kind: 'none' }` sends packets straight to the
 * device queue (ns-3's TrafficControlHelper::Uninstall, the anchors'
 * `--qdisc=none`).
 *
 * Every quantity carries its unit: durations as ns or a string with its
 * unit ("5ms"), sizes in the field's name (limitPackets, quantumBytes).
 */
import { timeNs } from '../engine';
import type { Network } from '../net/network';
import { CoDelQueueDisc } from './codel-queue-disc';
import { FqCoDelQueueDisc, type FqCoDelParams } from './fq-codel-queue-disc';
import { PfifoFastQueueDisc } from './pfifo-fast-queue-disc';
import type { QueueDisc } from './queue-disc';

/** ns, or a string with its unit ("5ms"). */
type Duration = number | string;

interface CommonOptions {
  /** Packets one run of the disc may hand to the device (ns-3 "Quota": 64). */
  quota?: number;
}

export interface FqCoDelOptions extends CommonOptions {
  kind: 'fq-codel';
  /** Flow queues (1024). */
  flows?: number;
  /** DRR quantum, bytes (0: the device's MTU, 1500). */
  quantumBytes?: number;
  /** Most packets dropped from the fattest flow at once (64). */
  dropBatchSize?: number;
  /** Packets held before the fattest flow loses some (10240). */
  limitPackets?: number;
  /** CoDel target (5 ms) and interval (100 ms). */
  target?: Duration;
  interval?: Duration;
  /** Bytes that must remain queued for CoDel to drop (1500). */
  minBytes?: number;
  /** Salt of the flow hash (0). */
  perturbation?: number;
  /** Set-associative hashing over sets of `setWays` queues (off, 8). */
  setAssociativeHash?: boolean;
  setWays?: number;
  /** Keep every flow queue ever used, as ns-3 (false: forget idle ones in a fresh state; see fq-codel-queue-disc.ts). */
  keepInactiveFlows?: boolean;
}

export interface CoDelOptions extends CommonOptions {
  kind: 'codel';
  target?: Duration;
  interval?: Duration;
  minBytes?: number;
  /** Limit in bytes (1,500,000), or in packets when `limitPackets` is set. */
  limitBytes?: number;
  limitPackets?: number;
}

export interface PfifoFastOptions extends CommonOptions {
  kind: 'pfifo-fast';
  /** Packets held in all three bands (1000). */
  limitPackets?: number;
}

/** The root queue disc of IP devices: its kind and parameters (unset ones take ns-3 3.37's defaults). */
export type QueueDiscSpec = { kind: 'none' } | FqCoDelOptions | CoDelOptions | PfifoFastOptions;

export const QUEUE_DISC_KINDS = ['none', 'fq-codel', 'codel', 'pfifo-fast'] as const;

/** ns-3 3.37's default: FqCoDel with its defaults on every IP device. */
export const DEFAULT_QUEUE_DISC: QueueDiscSpec = { kind: 'fq-codel' };

function durationOpt(v: Duration | undefined, name: string, where: string): number | undefined {
  if (v === undefined) return undefined;
  const ns = timeNs(v);
  if (!(ns > 0)) throw new RangeError(`${where}: ${name} must be a duration > 0 ("5ms" or ns), got ${String(v)}`);
  return ns;
}

function defined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** The parameters read from each spec, kept so that every disc built from one spec shares one resolved copy (see FqCoDelQueueDisc). */
const FQ_PARAMS = new WeakMap<QueueDiscSpec, Partial<FqCoDelParams>>();

/** A disc for the device named `devName` as `spec` says (null for 'none'); throws a RangeError naming the bad field. */
export function createQueueDisc(net: Network, devName: string, spec: QueueDiscSpec): QueueDisc | null {
  const where = `queue disc of ${devName}`;
  const name = `${devName}/qdisc`;
  let disc: QueueDisc;
  switch (spec.kind) {
    case 'none':
      return null;
    case 'fq-codel': {
      const p: Partial<FqCoDelParams> = FQ_PARAMS.get(spec) ?? defined({
        flows: spec.flows, quantumBytes: spec.quantumBytes, dropBatchSize: spec.dropBatchSize, limitPackets: spec.limitPackets,
        targetNs: durationOpt(spec.target, 'target', where), intervalNs: durationOpt(spec.interval, 'interval', where),
        minBytes: spec.minBytes, perturbation: spec.perturbation, setAssociativeHash: spec.setAssociativeHash, setWays: spec.setWays,
        keepInactiveFlows: spec.keepInactiveFlows,
      });
      FQ_PARAMS.set(spec, p);
      disc = new FqCoDelQueueDisc(net, name, p);
      break;
    }
    case 'codel':
      disc = new CoDelQueueDisc(net, name, defined({
        targetNs: durationOpt(spec.target, 'target', where), intervalNs: durationOpt(spec.interval, 'interval', where),
        minBytes: spec.minBytes, limitBytes: spec.limitBytes, limitPackets: spec.limitPackets,
      }));
      break;
    case 'pfifo-fast':
      disc = new PfifoFastQueueDisc(net, name, defined({ limitPackets: spec.limitPackets }));
      break;
    default:
      throw new RangeError(`${where}: kind "${String((spec as { kind: unknown }).kind)}" is not one of ${QUEUE_DISC_KINDS.join(', ')}`);
  }
  if (spec.quota !== undefined) {
    if (!(Number.isInteger(spec.quota) && spec.quota >= 1)) throw new RangeError(`${where}: quota must be an integer >= 1 packet, got ${spec.quota}`);
    disc.quota = spec.quota;
  }
  return disc;
}
