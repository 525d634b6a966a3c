/**
 * StateTable: what a first device knows of the servers' load (claim 11: the
 * decision uses "a state of at least one of the first computing device and a
 * second computing device"; claim 21: that state arrives through a third LAN).
 *
 * A peer's row holds only what its last report said and when it arrived, so
 * stale state is modelled honestly; the device's own row is read live.
 * Whether a peer may be used is the failure detector's call (`usable`): a
 * suspected peer keeps its row but takes no new connections; a forgotten one
 * leaves the table.
 */
import { TimedFifo } from './timed-fifo';

export interface StateRow {
  /** Load as reported (jobs in the server's CPU plus its open connections). */
  load: number;
  /** Time the report arrived, ns (own row: now). */
  at: number;
  /** Id of the packet that carried the report (-1: own row). */
  viaPacket: number;
  /** Name of the device it arrived on ('' for the own row). */
  viaDevice: string;
}

export class StateTable {
  // One column per field, a row per server (NaN time: no row). A thousand-server
  // cluster holds a million rows: as objects they were 80 MB and a million
  // things for the collector to mark; as columns 25 MB and none.
  private readonly loads: Float64Array;
  private readonly ats: Float64Array;
  private readonly viaPackets: Float64Array;
  private readonly viaDevices: Uint8Array;
  /** Names of the devices reports came in on (a device has one or two on the third LAN). */
  private readonly devices: string[] = [];
  reportsReceived = 0;
  // With a finite freshNs: the arrivals of the last freshNs, oldest first, so a
  // decision walks only the peers that reported lately, not the whole table.
  private readonly recent = new TimedFifo();
  private readonly seen: Int32Array;
  private stamp = 0;

  constructor(
    readonly size: number, readonly self: number, private readonly usable: (index: number) => boolean,
    /** Rows older than this make no candidate (the sampled exchange), ns. */
    readonly freshNs = Infinity,
  ) {
    this.loads = new Float64Array(size);
    this.ats = new Float64Array(size).fill(NaN);
    this.viaPackets = new Float64Array(size);
    this.viaDevices = new Uint8Array(size);
    this.seen = new Int32Array(Number.isFinite(freshNs) ? size : 0);
  }

  /** A report from server `index` arrived. */
  update(index: number, load: number, at: number, viaPacket: number, viaDevice: string): void {
    if (index === this.self || !(index >= 0 && index < this.size)) return;
    this.loads[index] = load;
    this.ats[index] = at;
    this.viaPackets[index] = viaPacket;
    let d = this.devices.indexOf(viaDevice);
    if (d < 0) {
      if (this.devices.length === 256) throw new RangeError(`state table: reports came in on more than 256 devices`);
      d = this.devices.push(viaDevice) - 1;
    }
    this.viaDevices[index] = d;
    if (this.seen.length > 0) {
      // What a decision could no longer use goes now, so the queue holds a freshNs window at most.
      this.recent.dropBefore(at - this.freshNs);
      this.recent.push(index, at);
    }
    this.reportsReceived++;
  }

  /**
   * Count a connection this device just placed on `index` in its own view
   * until the next report arrives (without it, every first device keeps
   * choosing the same server between two reports: the herd effect).
   */
  bump(index: number): void {
    if (this.has(index)) this.loads[index] += 1;
  }

  /** Forget a server (it crashed or left). */
  forget(index: number): void {
    this.ats[index] = NaN;
  }

  /** Whether the table holds a row for `index` (it reported and was not forgotten). */
  has(index: number): boolean {
    return index >= 0 && index < this.size && !Number.isNaN(this.ats[index]);
  }

  /** The load in `index`'s row (its report plus the bumps since; the row must exist). */
  load(index: number): number {
    return this.loads[index];
  }

  /**
   * A copy of a peer's row, unless it was forgotten; with `now`, only if the
   * failure detector lets decisions use the peer then (not suspected).
   */
  row(index: number, now?: number): StateRow | undefined {
    if (!this.has(index) || (now !== undefined && !this.usable(index))) return undefined;
    return { load: this.loads[index], at: this.ats[index], viaPacket: this.viaPackets[index], viaDevice: this.devices[this.viaDevices[index]] };
  }

  /** The rows held, by server index (inspectors). */
  rows(): [number, StateRow][] {
    const out: [number, StateRow][] = [];
    for (let i = 0; i < this.size; i++) {
      const r = this.row(i);
      if (r !== undefined) out.push([i, r]);
    }
    return out;
  }

  /**
   * Indexes of the servers decisions may use at `now` (self always first):
   * known, not suspected, and reported within `freshNs`.
   */
  alive(now: number): number[] {
    const out = [this.self];
    const oldest = now - this.freshNs;
    if (this.seen.length === 0) {
      for (let i = 0; i < this.size; i++) {
        if (i !== this.self && this.ats[i] >= oldest && this.usable(i)) out.push(i);
      }
      return out;
    }
    const recent = this.recent;
    recent.dropBefore(oldest);
    const stamp = ++this.stamp;
    for (let k = 0; k < recent.length; k++) {
      const i = recent.idAt(k);
      if (this.seen[i] === stamp) continue;
      this.seen[i] = stamp;
      if (this.ats[i] >= oldest && this.usable(i)) out.push(i);
    }
    // The same order as a scan of the table, so policies break ties alike.
    if (out.length > 2) out.sort((a, b) => (a === this.self ? -1 : b === this.self ? 1 : a - b));
    return out;
  }
}
