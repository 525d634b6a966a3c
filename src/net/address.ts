/**
 * Addresses: MAC-48 as an integer in [0, 2^48) and IPv4 as an unsigned 32-bit
 * integer, both held in a plain `number` so headers compare and hash without
 * strings. Parsing and formatting are for setup, reports and pcap only.
 */

export type Mac = number;
export type Ipv4 = number;

export const BROADCAST_MAC: Mac = 0xffff_ffff_ffff;
export const IPV4_BROADCAST: Ipv4 = 0xffff_ffff;
export const IPV4_ANY: Ipv4 = 0;

export function formatMac(mac: Mac): string {
  const parts: string[] = [];
  for (let i = 5; i >= 0; i--) parts.push((Math.floor(mac / 2 ** (8 * i)) % 256).toString(16).padStart(2, '0'));
  return parts.join(':');
}

export function parseMac(s: string): Mac {
  const m = /^([0-9a-f]{2})(?::([0-9a-f]{2})){5}$/i.test(s) ? s.split(':') : null;
  if (!m) throw new RangeError(`MAC address "${s}" is not valid: expected six hex pairs like 00:00:00:00:00:01`);
  return m.reduce((acc, h) => acc * 256 + parseInt(h, 16), 0);
}

export function parseIpv4(s: string): Ipv4 {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new RangeError(`IPv4 address "${s}" is not valid: expected four numbers 0-255 like 10.0.0.1`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(ip: Ipv4): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** Netmask of a prefix length, as uint32 (prefix 0 → 0). */
export function prefixMask(len: number): number {
  if (!Number.isInteger(len) || len < 0 || len > 32) throw new RangeError(`prefix length ${len} is not valid: expected an integer 0-32`);
  return len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
}

/** True when `ip` lies in `network/len`. */
export function inPrefix(ip: Ipv4, network: Ipv4, len: number): boolean {
  const mask = prefixMask(len);
  return ((ip & mask) >>> 0) === ((network & mask) >>> 0);
}

/** "10.0.0.0/8" → { network, len }, the network masked to its prefix. */
export function parseCidr(s: string): { network: Ipv4; len: number } {
  const m = /^(.+)\/(\d{1,2})$/.exec(s);
  if (!m) throw new RangeError(`CIDR "${s}" is not valid: expected an address and a prefix like 10.0.0.0/24`);
  const len = Number(m[2]);
  return { network: (parseIpv4(m[1]) & prefixMask(len)) >>> 0, len };
}

/** Hands out locally administered unicast MACs in order, as ns-3's Mac48Address::Allocate. */
export class MacAllocator {
  private next = 1;
  allocate(): Mac {
    return 0x0200_0000_0000 + this.next++;
  }
}

/**
 * Hands out host addresses from consecutive subnets of one size, as ns-3's
 * Ipv4AddressHelper with NewNetwork().
 */
export class SubnetAllocator {
  private network: Ipv4;
  private nextHost = 1;
  readonly len: number;

  constructor(base: string, len: number) {
    if (!(Number.isInteger(len) && len >= 1 && len <= 30)) {
      throw new RangeError(`subnet ${base}/${len}: a prefix must be /1 to /30 to hold two hosts or more (/31 and /32 hold no host beside the network and broadcast addresses)`);
    }
    const { network } = parseCidr(`${base}/${len}`);
    this.network = network;
    this.len = len;
  }

  /** Next host address in the current subnet. */
  host(): Ipv4 {
    const size = 2 ** (32 - this.len);
    if (this.nextHost >= size - 1 && this.len < 31) {
      throw new RangeError(`subnet ${formatIpv4(this.network)}/${this.len} has no free host addresses left`);
    }
    return (this.network + this.nextHost++) >>> 0;
  }

  /** Move on to the next subnet of the same size. */
  newNetwork(): void {
    this.network = (this.network + 2 ** (32 - this.len)) >>> 0;
    this.nextHost = 1;
  }

  get current(): { network: Ipv4; len: number } {
    return { network: this.network, len: this.len };
  }
}

/**
 * One transport end point (IPv4 address and port) as a single number, exact
 * (48 bits < 2^53): the numeric key that connection tables use on the
 * per-packet path instead of a string.
 */
export function endpointKey(ip: Ipv4, port: number): number {
  return ip * 65536 + port;
}

/** Throw a RangeError naming `where` unless `port` is a valid transport port (1-65535). */
export function checkPort(port: number, where: string): number {
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new RangeError(`${where}: port must be an integer in 1-65535, got ${port}`);
  }
  return port;
}
