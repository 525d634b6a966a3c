/**
 * TraceHash: a fingerprint of everything a network transmits and drops
 * (time, packet id, device, size; drop reason), FNV-1a over 32-bit words.
 * Two runs with the same scenario, seed and run number give the same hash;
 * determinism is a tested property. Attach before the run.
 *
 * Cost: a few multiplications per frame while attached; a Map lookup by
 * device name (names are interned once).
 */
import type { Network } from '../net/network';

export class TraceHash {
  private h = 0x811c9dc5;
  private readonly names = new Map<string, number>();
  events = 0;

  constructor(readonly net: Network) {
    net.txTrace.connect((p, dev) => {
      this.mixTime();
      this.mix(p.id);
      this.mix(this.nameId(dev));
      this.mix(p.ipBytes());
    });
    net.dropTrace.connect((p, reason, where) => {
      this.mixTime();
      this.mix(p.id);
      this.mix(0x10000 + reason);
      this.mix(this.nameId(where));
    });
  }

  private nameId(name: string): number {
    let n = this.names.get(name);
    if (n === undefined) this.names.set(name, (n = this.names.size));
    return n;
  }

  private mixTime(): void {
    this.events++;
    const t = this.net.now;
    this.mix(t % 2 ** 32);
    this.mix(Math.floor(t / 2 ** 32));
  }

  private mix(x: number): void {
    let h = this.h;
    for (let i = 0; i < 4; i++) {
      h ^= (x >>> (8 * i)) & 255;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    this.h = h;
  }

  /** The hash so far, 8 hex digits. */
  get value(): string {
    return this.h.toString(16).padStart(8, '0');
  }
}
