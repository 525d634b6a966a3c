/**
 * ConnectionDirectory: which computing device holds the data structure (TCB)
 * of each connection reaching a first device (claim 1: "identifying a
 * computing device that stores a data structure of a connection").
 *
 * Keyed by the client end (IP and port) and the server port, packed into
 * numbers: no string keys on the per-packet path. While a connection is
 * being migrated, packets that arrive for it wait in its entry and are
 * forwarded once the new owner has acknowledged.
 */
import { endpointKey, type Ipv4 } from '../net/address';
import type { Packet } from '../net/packet';

/** Where the TCB of a connection lives. */
export const Holder = {
  /** The first device's own TCP engine (handshake done, no decision yet). */
  NIC: -2,
  /** The first device's own host. */
  LOCAL: -1,
} as const;

export class DirectoryEntry {
  /** Holder.NIC, Holder.LOCAL or the index of another server. */
  owner: number = Holder.NIC;
  /** A migration to `owner` is waiting for its acknowledgement. */
  migrating = false;
  /** The owner's handle of the connection (its TCP table slot), from the acknowledgement; 0: unknown. */
  handle = 0;
  /** Packets held during the migration. */
  pending: Packet[] = [];
  /** When the entry was made, ns. */
  constructor(readonly clientIp: Ipv4, readonly clientPort: number, readonly serverPort: number, readonly createdAt: number) {}
}

export class ConnectionDirectory {
  private readonly byPort = new Map<number, Map<number, DirectoryEntry>>();
  private count = 0;

  lookup(clientIp: Ipv4, clientPort: number, serverPort: number): DirectoryEntry | undefined {
    return this.byPort.get(serverPort)?.get(endpointKey(clientIp, clientPort));
  }

  add(e: DirectoryEntry): void {
    let m = this.byPort.get(e.serverPort);
    if (m === undefined) this.byPort.set(e.serverPort, (m = new Map()));
    if (!m.has(endpointKey(e.clientIp, e.clientPort))) this.count++;
    m.set(endpointKey(e.clientIp, e.clientPort), e);
  }

  remove(clientIp: Ipv4, clientPort: number, serverPort: number): DirectoryEntry | undefined {
    const m = this.byPort.get(serverPort);
    const k = endpointKey(clientIp, clientPort);
    const e = m?.get(k);
    if (e !== undefined) {
      m!.delete(k);
      this.count--;
    }
    return e;
  }

  /** Entries held by server `owner` (for a crash). */
  ownedBy(owner: number): DirectoryEntry[] {
    const out: DirectoryEntry[] = [];
    for (const m of this.byPort.values()) for (const e of m.values()) if (e.owner === owner) out.push(e);
    return out;
  }

  get size(): number {
    return this.count;
  }

  packetsHeld(): number {
    let n = 0;
    for (const m of this.byPort.values()) for (const e of m.values()) n += e.pending.length;
    return n;
  }
}
