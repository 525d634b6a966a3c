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
  private readonly rows: (StateRow | undefined)[];
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
    this.rows = new Array(size);
    this.seen = new Int32Array(Number.isFinite(freshNs) ? size : 0);
  }

  /** A report from server `index` arrived. */
  update(index: number, load: number, at: number, viaPacket: number, viaDevice: string): void {
    if (index === this.self || index < 0 || index >= this.size) return;
    const r = this.rows[index];
    if (r === undefined) this.rows[index] = { load, at, viaPacket, viaDevice };
    else {
      r.load = load;
      r.at = at;
      r.viaPacket = viaPacket;
      r.viaDevice = viaDevice;
    }
    if (this.seen.length > 0) this.recent.push(index, at);
    this.reportsReceived++;
  }

  /**
   * Count a connection this device just placed on `index` in its own view
   * until the next report arrives (without it, every first device keeps
   * choosing the same server between two reports: the herd effect).
   */
  bump(index: number): void {
    const r = this.rows[index];
    if (r !== undefined) r.load += 1;
  }

  /** Forget a server (it crashed or left). */
  forget(index: number): void {
    this.rows[index] = undefined;
  }

  /**
   * The row of a peer, unless it was forgotten; with `now`, only if the
   * failure detector lets decisions use the peer then (not suspected).
   */
  row(index: number, now?: number): StateRow | undefined {
    const r = this.rows[index];
    return r !== undefined && (now === undefined || this.usable(index)) ? r : undefined;
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
        const r = this.rows[i];
        if (i !== this.self && r !== undefined && r.at >= oldest && this.usable(i)) out.push(i);
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
      const r = this.rows[i];
      if (r !== undefined && r.at >= oldest && this.usable(i)) out.push(i);
    }
    // The same order as a scan of the table, so policies break ties alike.
    if (out.length > 2) out.sort((a, b) => (a === this.self ? -1 : b === this.self ? 1 : a - b));
    return out;
  }
}
