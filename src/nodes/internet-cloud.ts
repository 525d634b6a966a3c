/**
 * InternetCloud: a WAN element standing for the global network between
 * clients and a site. It routes like a router and adds, per packet, a delay
 * drawn from a distribution (base delay + jitter), a loss probability and an
 * optional rate limit (a single FIFO server at `rate` bits/s).
 *
 * Jitter can reorder packets, as on a real WAN; `keepOrder` forces departures
 * to follow arrivals (a packet never leaves before one that came earlier).
 * Draws come from the cloud's own named stream, so adding clients does not
 * change the delays other packets see.
 */
import type { RandomStream } from '../engine';
import { DropReason } from '../net/drop-reason';
import type { Network, PacketHolder } from '../net/network';
import type { Packet } from '../net/packet';
import { IpNode } from './ip-node';

export type JitterKind = 'none' | 'uniform' | 'normal' | 'exponential';

export interface InternetOptions {
  /** Base one-way delay added to every packet, ns. */
  delay: number;
  /** Jitter scale, ns: half-width (uniform), standard deviation (normal), mean (exponential). */
  jitter: number;
  jitterKind: JitterKind;
  /** Probability that a packet is lost, in [0, 1). */
  loss: number;
  /** Probability that a packet is delivered twice, in [0, 1). */
  duplicate: number;
  /** Throughput limit, bits/s (Infinity: none). */
  rate: number;
  keepOrder: boolean;
}

export const INTERNET_DEFAULTS: InternetOptions = {
  delay: 0, jitter: 0, jitterKind: 'none', loss: 0, duplicate: 0, rate: Infinity, keepOrder: false,
};

export class InternetCloud extends IpNode implements PacketHolder {
  readonly opts: InternetOptions;
  private readonly rng: RandomStream;
  private busyUntil = 0;
  private lastDeparture = 0;
  private held = 0;
  private readonly onRelease: (p: Packet) => void;
  lost = 0;
  duplicated = 0;
  /** Fault injection: packets for which this returns true are lost (counted as WAN loss). */
  dropFilter: ((p: Packet) => boolean) | null = null;

  constructor(net: Network, name: string, opts: Partial<InternetOptions> = {}) {
    super(net, name, 'internet', true);
    this.opts = { ...INTERNET_DEFAULTS, ...opts };
    const o = this.opts;
    if (!(o.delay >= 0)) throw new RangeError(`internet ${name}: delay must be >= 0 ns, got ${o.delay}`);
    if (!(o.jitter >= 0)) throw new RangeError(`internet ${name}: jitter must be >= 0 ns, got ${o.jitter}`);
    if (!(o.loss >= 0 && o.loss < 1)) throw new RangeError(`internet ${name}: loss must be in [0, 1), got ${o.loss}`);
    if (!(o.duplicate >= 0 && o.duplicate < 1)) throw new RangeError(`internet ${name}: duplicate must be in [0, 1), got ${o.duplicate}`);
    if (!(o.rate > 0)) throw new RangeError(`internet ${name}: rate must be > 0 bits/s, got ${o.rate}`);
    this.rng = net.streams.stream(`internet/${name}`);
    this.onRelease = (p: Packet) => {
      this.held--;
      this.output(p);
    };
    net.registerHolder(this);
  }

  private jitterDraw(): number {
    const o = this.opts;
    switch (o.jitterKind) {
      case 'uniform': return this.rng.uniform(-o.jitter, o.jitter);
      case 'normal': return this.rng.normal(0, o.jitter);
      case 'exponential': return this.rng.exponential(o.jitter);
      default: return 0;
    }
  }

  override forward(p: Packet): void {
    if (--p.ttl <= 0) {
      this.net.drop(p, DropReason.TTL_EXPIRED, this.name);
      return;
    }
    const o = this.opts;
    if ((o.loss > 0 && this.rng.bernoulli(o.loss)) || (this.dropFilter !== null && this.dropFilter(p))) {
      this.lost++;
      this.net.drop(p, DropReason.WAN_LOSS, this.name);
      return;
    }
    if (o.duplicate > 0 && this.rng.bernoulli(o.duplicate)) {
      this.duplicated++;
      this.delayAndRelease(this.net.clonePacket(p));
    }
    this.delayAndRelease(p);
  }

  private delayAndRelease(p: Packet): void {
    const o = this.opts;
    const now = this.net.now;
    let depart = now + Math.max(0, o.delay + this.jitterDraw());
    if (o.rate !== Infinity) {
      const start = this.busyUntil > now ? this.busyUntil : now;
      this.busyUntil = start + Math.ceil((p.ipBytes() * 8e9) / o.rate);
      depart += this.busyUntil - now;
    }
    if (o.keepOrder && depart < this.lastDeparture) depart = this.lastDeparture;
    this.lastDeparture = depart;
    this.ipForwarded++;
    this.held++;
    this.net.sim.schedule(Math.trunc(depart - now), this.onRelease, p);
  }

  packetsHeld(): number {
    return this.held;
  }
}
