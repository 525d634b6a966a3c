/**
 * Simulated time and rates.
 *
 * Time is an integer count of nanoseconds held in a plain `number` (exact up
 * to 2^53 ns, about 104 days of simulated time), as ns-3's default resolution.
 * Rates are bits per second, sizes bytes. One convention everywhere: a
 * number is in those units; a string carries its own unit ("5ms", "1.5 s",
 * "1Gbps", "64KiB"). The parsers take strings only, refuse a bare number in
 * a string ("5": seconds? ns?), and throw a RangeError that says what was
 * wrong and what would be valid. Nothing here is on the per-event path.
 */

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

/** Seconds (float) to integer nanoseconds, rounded to the nearest ns. */
export function seconds(s: number): number {
  return Math.round(s * SECOND);
}

/** Integer nanoseconds to seconds (float). */
export function toSeconds(ns: number): number {
  return ns / SECOND;
}

const TIME_UNITS: Record<string, number> = {
  ns: NS, us: US, 'µs': US, ms: MS, s: SECOND, min: 60 * SECOND, h: 3600 * SECOND,
};

const RATE_UNITS: Record<string, number> = {
  bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9, tbps: 1e12,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

const QUANTITY = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-zA-Zµ/]*)\s*$/;

function parseQuantity(what: string, example: string, input: string, units: Record<string, number>, caseFold: boolean): number {
  if (typeof input !== 'string') {
    throw new RangeError(`${what} must be a string with a unit, like "${example}"; got ${String(input)}`);
  }
  const m = QUANTITY.exec(input);
  const unit = m ? (caseFold ? m[2].toLowerCase() : m[2]) : '';
  if (m && unit === '') {
    throw new RangeError(`${what} "${input}" has no unit; write it with one of ${Object.keys(units).join(', ')} (e.g. "${example}")`);
  }
  const scale = m ? units[unit] : undefined;
  if (!m || scale === undefined) {
    throw new RangeError(`${what} "${input}" is not valid: expected a number followed by one of ${Object.keys(units).join(', ')} (e.g. "${example}")`);
  }
  const value = Number(m[1]);
  if (!Number.isFinite(value)) throw new RangeError(`${what} "${input}" is not a finite number`);
  if (value < 0) throw new RangeError(`${what} "${input}" is negative; it must be >= 0`);
  return value * scale;
}

/** "5ms" | "1.5s" | "200us" → integer nanoseconds. */
export function parseTime(input: string): number {
  return Math.round(parseQuantity('time', '5ms', input, TIME_UNITS, false));
}

/** "1Gbps" | "100Mbps" → bits per second (> 0). */
export function parseRate(input: string): number {
  const r = parseQuantity('rate', '1Gbps', input, RATE_UNITS, true);
  if (r === 0) throw new RangeError(`rate "${input}" must be greater than 0`);
  return r;
}

/** "1500B" | "64KiB" | "40kB" → bytes (integer). */
export function parseSize(input: string): number {
  return Math.round(parseQuantity('size', '40kB', input, SIZE_UNITS, true));
}

/** A duration that may already be in ns (a number) or carry its unit (a string). */
export function timeNs(d: number | string): number {
  return typeof d === 'number' ? d : parseTime(d);
}

/** A rate that may already be in bits/s (a number) or carry its unit (a string). */
export function rateBps(r: number | string): number {
  return typeof r === 'number' ? r : parseRate(r);
}

/** Human-readable time for logs and reports, e.g. "10.0636ms". */
export function formatTime(ns: number): string {
  if (ns >= SECOND) return `${+(ns / SECOND).toFixed(6)}s`;
  if (ns >= MS) return `${+(ns / MS).toFixed(4)}ms`;
  if (ns >= US) return `${+(ns / US).toFixed(3)}us`;
  return `${ns}ns`;
}

/** Transmit time in ns of `bytes` at `bitsPerSecond`, rounded up to whole ns. */
export function transmitTime(bytes: number, bitsPerSecond: number): number {
  return Math.ceil((bytes * 8 * SECOND) / bitsPerSecond);
}
