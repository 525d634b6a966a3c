/**
 * FqCoDelQueueDisc: ns-3 3.37's default root queue disc (RFC 8290), with
 * ns-3's defaults and order of operations:
 *
 * - classify: the packet's flow hash (flow-hash.ts: the IPv4 5-tuple, or
 *   ARP's addresses, MurmurHash3 with `perturbation` 0) modulo `flows`
 *   (1024) picks a flow queue; with `setAssociativeHash` (off) a set of
 *   `setWays` (8) neighbouring queues is searched for one tagged with this
 *   hash or inactive. A queue is created on first use, each with its own
 *   CoDel (codel.ts: target 5 ms, interval 100 ms, minBytes 1500) and the
 *   disc's limit;
 * - enqueue: an inactive flow becomes new, with deficit = quantum (0 means
 *   the device's MTU, 1500), and joins the tail of the new-flow list; when
 *   the disc then holds more than `limitPackets` (10240) it drops from the
 *   head of the fattest flow (most bytes; the first created among equals)
 *   until it dropped `dropBatchSize` (64) packets or half that flow's bytes
 *   ("Overlimit drop");
 * - dequeue (deficit round robin): new flows first, then old ones; a flow
 *   whose deficit is used up gets another quantum and moves to the tail of
 *   the old list; a chosen flow's CoDel gives a packet (dropping some on the
 *   way, "Target exceeded drop") whose size is taken from its deficit; a
 *   flow found empty moves from new to old, or from old to inactive.
 *
 * Sizes are L3 bytes (IP header on), as ns-3's Ipv4QueueDiscItem counts.
 *
 * Memory: a flow is two parts. Its slot (bucket, DRR status, deficit, list
 * link) is what the lists hold; its queue (FIFO and CoDel state) is attached
 * only while it holds packets or CoDel state a fresh queue would not have
 * (dropping, a pending above-target time, or count - lastcount > 1, which
 * would let CoDel resume near its last rate). An empty queue in a fresh state
 * behaves as a new one, so it goes back to the disc's spare queues and the
 * slot alone stays on its list. This matters because with one TCP connection
 * per request a client link's flows end empty on the old list and stay there
 * (only a dequeue that finds the new list empty walks the old one): ns-3 keeps
 * a whole queue for each, netsim a slot of a few words.
 *
 * ns-3 also keeps every flow it ever created. netsim drops a slot when it
 * goes inactive with no queue attached, and makes a fresh one when its bucket
 * is used again. The one observable difference: the overlimit drop picks,
 * among flows of exactly equal bytes, the first created, and a re-created
 * flow counts as created later than ns-3 would count it. `keepInactiveFlows`
 * keeps every slot, as ns-3. Slots are found by bucket in a table of live
 * ones (FlowTable: a Map, or a dense array once many are live; values come
 * in creation order, which the fattest-flow drop breaks ties by, as ns-3
 * walks its classes); lists are intrusive and slots and
 * queues are reused, so the per-packet path allocates nothing once the disc
 * has seen its peak.
 */
import { DropReason } from '../net/drop-reason';
import type { NetDevice } from '../net/net-device';
import type { Network } from '../net/network';
import { EtherType, type Packet } from '../net/packet';
import { CoDel, type CoDelDropSink, type CoDelParams } from './codel';
import { packetFlowHash } from './flow-hash';
import { QueueDisc } from './queue-disc';

export interface FqCoDelParams extends CoDelParams {
  /** Flow queues (ns-3 "Flows": 1024). */
  flows: number;
  /** DRR quantum, bytes; 0 = the device's MTU (ns-3's default). */
  quantumBytes: number;
  /** Most packets dropped from the fattest flow at once (ns-3 "DropBatchSize": 64). */
  dropBatchSize: number;
  /** Packets the disc holds before dropping from the fattest flow (ns-3 "MaxSize": 10240p). */
  limitPackets: number;
  /** Salt of the flow hash (ns-3 "Perturbation": 0). */
  perturbation: number;
  /** ns-3 "EnableSetAssociativeHash" (false) and "SetWays" (8). */
  setAssociativeHash: boolean;
  setWays: number;
  /** Keep every flow queue ever created, as ns-3 does (false: drop those that went idle in a fresh state). */
  keepInactiveFlows: boolean;
}

export const FQ_CODEL_DEFAULTS: FqCoDelParams = {
  flows: 1024, quantumBytes: 0, dropBatchSize: 64, limitPackets: 10240, perturbation: 0,
  setAssociativeHash: false, setWays: 8, targetNs: 5_000_000, intervalNs: 100_000_000, minBytes: 1500,
  keepInactiveFlows: false,
};

const INACTIVE = 0, NEW_FLOW = 1, OLD_FLOW = 2;

/** A flow's queue: its FIFO and CoDel state, attached to a slot while it matters (see the header). */
class FlowQueue extends CoDel {
  /** Next spare queue, while this one is spare. */
  nextSpare: FlowQueue | null = null;
  /** True when a fresh queue would behave the same as this one (it is empty, and CoDel could only restart at count 1). */
  get fresh(): boolean {
    return this.length === 0 && !this.dropping && this.firstAboveTime === 0 && ((this.count - this.lastCount) | 0) <= 1;
  }
}

/** A flow: its bucket, DRR state and list link, and its queue when one is attached. */
class FqCoDelFlow {
  status = INACTIVE;
  deficit = 0;
  /** When it was created, as the disc's count of flows created: creation order. */
  created = 0;
  /** Next flow in the list this flow is on (or in the disc's spare slots). */
  next: FqCoDelFlow | null = null;
  q: FlowQueue | null = null;
  constructor(public index: number) {}
}

/** A FIFO of flows linked through `next` (a flow is on at most one list). */
class FlowList {
  head: FqCoDelFlow | null = null;
  tail: FqCoDelFlow | null = null;
  push(f: FqCoDelFlow): void {
    f.next = null;
    if (this.tail === null) this.head = f;
    else this.tail.next = f;
    this.tail = f;
  }
  shift(): FqCoDelFlow | null {
    const f = this.head;
    if (f === null) return null;
    this.head = f.next;
    if (this.head === null) this.tail = null;
    f.next = null;
    return f;
  }
}

/**
 * A disc trades its table's Map for a dense array once it holds more than
 * DENSE_ABOVE live flows and has taken DENSE_AFTER packets: a busy disc
 * (a router's, a server's), where the lookups add up. A client link's disc
 * can hold dozens of empty flows (one a connection, left on the old list)
 * but takes few packets (about 18 a request: the request, the handshake,
 * ACKs of a 40 kB response; 1,800 at the scale goal's 100 requests a
 * client), so it keeps the Map: 8 kB of slots on each of 200,000 client
 * discs would be 1.6 GB.
 */
const DENSE_ABOVE = 16;
const DENSE_AFTER = 4096;

/**
 * The live flows by bucket: a Map, or, once the disc calls `densify`, a
 * dense array of `flows` slots (8 kB at ns-3's 1,024), where a lookup is an
 * index instead of a hash probe (a Map get, set and delete cost ~28 ns
 * against ~4). Creation order, which the fattest-flow drop breaks ties by
 * and a purge follows, is each flow's `created` stamp.
 */
class FlowTable {
  // Both null until the first flow: most of a large site's discs (the
  // internet side of each client link) never see one, and an empty Map is
  // about 200 B on each of 200,000 discs.
  private map: Map<number, FqCoDelFlow> | null = null;
  private dense: (FqCoDelFlow | undefined)[] | null = null;
  size = 0;

  constructor(private readonly buckets: number) {}

  get(h: number): FqCoDelFlow | undefined {
    return this.dense !== null ? this.dense[h] : this.map?.get(h);
  }

  set(h: number, f: FqCoDelFlow): void {
    if (this.dense !== null) this.dense[h] = f;
    else (this.map ??= new Map()).set(h, f);
    this.size++;
  }

  delete(h: number): void {
    if (this.dense !== null) this.dense[h] = undefined;
    else this.map?.delete(h);
    this.size--;
  }

  /** The live flows in creation order (a copy: the rare paths that walk them may delete). */
  values(): FqCoDelFlow[] {
    if (this.dense === null) return this.map === null ? [] : [...this.map.values()];
    const out: FqCoDelFlow[] = [];
    for (const f of this.dense) if (f !== undefined) out.push(f);
    return out.sort((a, b) => a.created - b.created);
  }

  densify(): void {
    if (this.dense !== null) return;
    const d: (FqCoDelFlow | undefined)[] = new Array(this.buckets).fill(undefined);
    if (this.map !== null) for (const [h, f] of this.map) d[h] = f;
    this.dense = d;
    this.map = null;
  }
}

/** Parameters with defaults filled in and checked, frozen, made once per parameter object given (every device built from one scenario shares them). */
const RESOLVED = new WeakMap<Partial<FqCoDelParams>, FqCoDelParams>();

function resolvedParams(params: Partial<FqCoDelParams>, name: string): FqCoDelParams {
  const known = RESOLVED.get(params);
  if (known !== undefined) return known;
  const p = { ...FQ_CODEL_DEFAULTS, ...params };
  const where = `fq-codel ${name}`;
  for (const k of ['flows', 'dropBatchSize', 'limitPackets', 'setWays'] as const) {
    if (!(Number.isInteger(p[k]) && p[k] >= 1)) throw new RangeError(`${where}: ${k} must be an integer >= 1, got ${p[k]}`);
  }
  if (!(Number.isInteger(p.quantumBytes) && p.quantumBytes >= 0)) throw new RangeError(`${where}: quantumBytes must be an integer >= 0 (0: the device MTU), got ${p.quantumBytes}`);
  if (p.setAssociativeHash && p.flows % p.setWays !== 0) {
    throw new RangeError(`${where}: flows (${p.flows}) must be a multiple of setWays (${p.setWays}) with setAssociativeHash`);
  }
  checkCoDelParams(p, where);
  Object.freeze(p);
  RESOLVED.set(params, p);
  return p;
}

export class FqCoDelQueueDisc extends QueueDisc implements CoDelDropSink {
  readonly kind = 'fq-codel';
  readonly params: FqCoDelParams;
  /** The DRR quantum in use, bytes (the device's MTU unless set). */
  quantum: number;
  /** Live flow queues by bucket (ns-3's queue disc classes). */
  private readonly live: FlowTable;
  /** Forgotten slots and detached queues, reused: forgetting then allocates nothing per connection. */
  // Linked through the slots and queues themselves: a disc with no spare holds no array for them.
  private spare: FqCoDelFlow | null = null;
  private spareQueues: FlowQueue | null = null;
  /** Flow queues created so far (a bucket used again after its queue was dropped counts again). */
  flowsCreated = 0;
  private tags: Map<number, number> | null = null;
  private readonly newFlows = new FlowList();
  private readonly oldFlows = new FlowList();
  // The last IPv4 5-tuple classified and its bucket: consecutive packets of one
  // flow (most of a client link's) skip the hash. Unused with set-associative hashing.
  private lastSrc = -1;
  private lastDst = -1;
  private lastProto = -1;
  private lastPorts = -1;
  private lastBucket = -1;
  /** flows - 1 when flows is a power of two (hash & mask == hash % flows, without a floating-point modulo), else -1. */
  private readonly mask: number;

  constructor(net: Network, name: string, params: Partial<FqCoDelParams> = {}) {
    super(net, name);
    const p = resolvedParams(params, name);
    this.params = p;
    this.live = new FlowTable(p.flows);
    this.quantum = p.quantumBytes;
    this.mask = (p.flows & (p.flows - 1)) === 0 ? p.flows - 1 : -1;
  }

  /** ns-3's flowHash % Flows. */
  private bucket(hash: number): number {
    return this.mask >= 0 ? hash & this.mask : hash % this.params.flows;
  }

  protected override configure(dev: NetDevice): void {
    if (this.params.quantumBytes === 0) this.quantum = dev.mtu;
  }

  /** Flow queues held now. */
  get flowCount(): number {
    return this.live.size;
  }

  /** Flow queues attached now (to flows that hold packets or CoDel state a fresh queue would not have). */
  get queueCount(): number {
    let n = 0;
    for (const f of this.live.values()) if (f.q !== null) n++;
    return n;
  }

  /** Packets queued in the flow of bucket `h` (tests and inspectors). */
  flowLength(h: number): number {
    return this.live.get(h)?.q?.length ?? 0;
  }

  private createFlow(h: number): FqCoDelFlow {
    let f = this.spare;
    if (f === null) {
      f = new FqCoDelFlow(h);
    } else {
      this.spare = f.next;
      f.index = h;
      f.status = INACTIVE;
      f.deficit = 0;
      f.next = null;
    }
    f.created = this.flowsCreated++;
    const live = this.live;
    live.set(h, f);
    if (live.size > DENSE_ABOVE && this.received > DENSE_AFTER) live.densify();
    return f;
  }

  /** A fresh queue for `f`. */
  private attachQueue(f: FqCoDelFlow): FlowQueue {
    let q = this.spareQueues;
    if (q === null) q = new FlowQueue(this.params);
    else {
      this.spareQueues = q.nextSpare;
      q.nextSpare = null;
      q.resetState();
    }
    f.q = q;
    return q;
  }

  /** Give back `f`'s queue if a fresh one would behave the same. */
  private detachIfFresh(f: FqCoDelFlow, q: FlowQueue): void {
    if (!q.fresh) return;
    f.q = null;
    q.nextSpare = this.spareQueues;
    this.spareQueues = q;
  }

  /** `f` just went inactive: forget it if a new flow would behave the same (see the header). */
  private maybeForget(f: FqCoDelFlow): void {
    const q = f.q;
    if (q !== null) this.detachIfFresh(f, q);
    if (this.params.keepInactiveFlows || f.q !== null) return;
    this.live.delete(f.index);
    f.next = this.spare;
    this.spare = f;
  }

  /** Bucket for hash `hash` (ns-3's SetAssociativeHash). */
  private setAssociative(hash: number): number {
    const ways = this.params.setWays;
    const h = hash % this.params.flows;
    const outer = h - (h % ways);
    const tags = (this.tags ??= new Map());
    for (let i = outer; i < outer + ways; i++) {
      const f = this.live.get(i);
      if (f === undefined || tags.get(i) === hash || f.status === INACTIVE) {
        tags.set(i, hash);
        return i;
      }
    }
    tags.set(outer, hash);
    return outer;
  }

  /** The flow bucket `p` goes to. */
  bucketOf(p: Packet): number {
    const o = this.params;
    if (o.setAssociativeHash) return this.setAssociative(packetFlowHash(p, o.perturbation));
    if (p.etherType !== EtherType.IPV4 || p.tunnel) return this.bucket(packetFlowHash(p, o.perturbation));
    const ports = p.srcPort * 65536 + p.dstPort;
    if (p.srcIp === this.lastSrc && p.dstIp === this.lastDst && p.protocol === this.lastProto && ports === this.lastPorts) return this.lastBucket;
    const b = this.bucket(packetFlowHash(p, o.perturbation));
    this.lastSrc = p.srcIp;
    this.lastDst = p.dstIp;
    this.lastProto = p.protocol;
    this.lastPorts = ports;
    this.lastBucket = b;
    return b;
  }

  protected doEnqueue(p: Packet, _size: number, now: number): void {
    const h = this.bucketOf(p);
    const flow = this.live.get(h) ?? this.createFlow(h);
    if (flow.status === INACTIVE) {
      flow.status = NEW_FLOW;
      flow.deficit = this.quantum;
      this.newFlows.push(flow);
    }
    const q = flow.q ?? this.attachQueue(flow);
    // The flow's own CoDel disc has the same packet limit (it matters only with one flow).
    if (q.length + 1 > this.params.limitPackets) {
      this.dropBeforeEnqueue(p, DropReason.QDISC_OVERLIMIT);
      this.detachIfFresh(flow, q);
    } else {
      this.packetEnqueued(p, q.push(p, now));
    }
    if (this.nPackets > this.params.limitPackets) this.dropFromFattest();
  }

  /** ns-3's FqCoDelDrop: drop from the head of the flow with most bytes; returns its bucket. */
  private dropFromFattest(): number {
    let fat: FlowQueue | null = null;
    let index = -1;
    let max = 0;
    for (const f of this.live.values()) {
      const q = f.q;
      if (q !== null && q.bytes > max) {
        max = q.bytes;
        fat = q;
        index = f.index;
      }
    }
    if (fat === null) return -1;
    const threshold = max >>> 1;
    let len = 0;
    let count = 0;
    do {
      const p = fat.shift();
      if (p === null) break;
      const size = fat.shiftedSize;
      this.dropAfterDequeue(p, size, DropReason.QDISC_OVERLIMIT);
      len += size;
    } while (++count < this.params.dropBatchSize && len < threshold);
    return index;
  }

  protected doDequeue(now: number): Packet | null {
    for (;;) {
      let flow: FqCoDelFlow | null = null;
      // New flows first: one whose deficit is spent becomes old.
      while (flow === null && this.newFlows.head !== null) {
        const f = this.newFlows.head;
        if (f.deficit <= 0) {
          f.deficit += this.quantum;
          f.status = OLD_FLOW;
          this.oldFlows.push(this.newFlows.shift()!);
        } else flow = f;
      }
      const fromNew = flow !== null;
      while (flow === null && this.oldFlows.head !== null) {
        const f = this.oldFlows.head;
        if (f.deficit <= 0) {
          f.deficit += this.quantum;
          this.oldFlows.push(this.oldFlows.shift()!);
        } else flow = f;
      }
      if (flow === null) return null;
      const q = flow.q;
      const p = q === null ? null : q.dequeue(now, this);
      if (p === null) {
        if (q !== null) this.detachIfFresh(flow, q);
        // An empty flow: new -> old (so it cannot jump the queue again at once), old -> inactive.
        if (fromNew) {
          flow.status = OLD_FLOW;
          this.newFlows.shift();
          this.oldFlows.push(flow);
        } else {
          flow.status = INACTIVE;
          this.oldFlows.shift();
          this.maybeForget(flow);
        }
        continue;
      }
      const size = q!.shiftedSize;
      this.detachIfFresh(flow, q!);
      flow.deficit -= size;
      this.packetDequeued(size);
      return p;
    }
  }

  /** CoDel of a flow dropped `p`. */
  codelDrop(p: Packet, size: number): void {
    this.dropAfterDequeue(p, size, DropReason.QDISC_CODEL);
  }

  protected purge(out: Packet[]): void {
    for (const f of this.live.values()) {
      const q = f.q;
      if (q !== null) for (let p = q.shift(); p !== null; p = q.shift()) out.push(p);
      f.status = INACTIVE;
      f.next = null;
      this.maybeForget(f);
    }
    this.newFlows.head = this.newFlows.tail = null;
    this.oldFlows.head = this.oldFlows.tail = null;
  }
}

/** Throw a RangeError naming `where` unless `p` are CoDel parameters ns-3 accepts. */
export function checkCoDelParams(p: CoDelParams, where: string): void {
  if (!(p.targetNs > 0)) throw new RangeError(`${where}: target must be > 0 ns, got ${p.targetNs}`);
  if (!(p.intervalNs > 0)) throw new RangeError(`${where}: interval must be > 0 ns, got ${p.intervalNs}`);
  if (!(Number.isInteger(p.minBytes) && p.minBytes >= 0)) throw new RangeError(`${where}: minBytes must be an integer >= 0, got ${p.minBytes}`);
}
