/**
 * Quantities of the scenario format: every one is a string with its unit
 * ("5ms", "1Gbps", "40kB", "1%"), parsed by the engine's parsers into
 * netsim's internal units (integer nanoseconds, bits per second, integer
 * bytes, a probability), and printed back exactly (`netsim expand` writes a graph that loads again to
 * the same model). A bare number is refused with the form that would be
 * valid, so a scenario never means seconds in one field and nanoseconds in
 * the next.
 *
 * Cost: parse and print once per scenario field; nothing here runs per event.
 */
import { z } from 'zod';
import { MS, NS, parseRate, parseSize, parseTime, SECOND, US } from '../engine';

type Parser = (s: string) => number;
interface UnitTable { what: string; example: string; parse: Parser }

const TIME: UnitTable = { what: 'a duration', example: '"5ms"', parse: parseTime };
const RATE: UnitTable = { what: 'a rate', example: '"1Gbps"', parse: parseRate };
const SIZE: UnitTable = { what: 'a size', example: '"40kB"', parse: parseSize };

/** Parse `s` with table `t`; returns the value or the parser's message naming what is valid. */
function parseWith(t: UnitTable, s: string): number | string {
  try {
    return t.parse(s);
  } catch (e) {
    return (e as Error).message;
  }
}

function quantity(t: UnitTable, min: number, description?: string) {
  const base = z.string({ error: (iss) => (iss.input === undefined ? undefined : `expected ${t.what} as a string with a unit, like ${t.example}`) });
  const s = description !== undefined ? base.describe(description) : base;
  return s.transform((input, ctx) => {
    const r = parseWith(t, input);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'custom', message: r, input });
      return z.NEVER;
    }
    if (r < min) {
      ctx.addIssue({ code: 'custom', message: `"${input}" is too small: ${t.what} here must be ${min === 0 ? '>= 0' : 'greater than 0'}`, input });
      return z.NEVER;
    }
    return r;
  });
}

/** A duration ("5ms", "1.5s", "200us") -> integer ns. `positive`: > 0. */
export const duration = (description?: string, positive = false) => quantity(TIME, positive ? 1 : 0, description);
/** A rate ("1Gbps") -> bits per second, > 0. */
export const rate = (description?: string) => quantity(RATE, Number.MIN_VALUE, description);
/** A size ("1500B", "40kB", "64KiB") -> integer bytes. `positive`: > 0. */
export const size = (description?: string, positive = true) => quantity(SIZE, positive ? 1 : 0, description);

/** A probability: a number in [0, 1) or a percentage string ("1%"). */
export const probability = (description?: string) => {
  const pct = z.string().regex(/^\s*\d+(?:\.\d*)?\s*%\s*$/, 'expected a probability such as 0.01 or "1%"')
    .transform((s) => Number(s.replace('%', '')) / 100);
  const u = z.union([z.number(), pct], { error: 'expected a probability: a number in [0, 1) or a percentage such as "1%"' })
    .refine((p) => p >= 0 && p < 1, { message: 'a probability must be in [0, 1)' });
  return description !== undefined ? u.describe(description) : u;
};


// ------------------------------------------------------------- printing

/** `x` in the largest unit that shows it exactly with at most 3 decimals. */
function printWith(x: number, units: [string, number][]): string {
  for (const [name, scale] of units) {
    const v = x / scale;
    if (Math.abs(v) < 1) continue;
    const r = Math.round(v * 1000) / 1000;
    if (Math.abs(r * scale - x) <= 1e-9 * Math.abs(x)) return `${r}${name}`;
  }
  const [name, scale] = units[units.length - 1];
  return `${x / scale}${name}`;
}

/** Integer ns as a duration string that parses back to the same value ("10ms", "1.5us"). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  return printWith(ns, [['h', 3600 * SECOND], ['min', 60 * SECOND], ['s', SECOND], ['ms', MS], ['us', US], ['ns', NS]]);
}

/** Bits per second as a rate string ("1Gbps"). */
export function formatRate(bps: number): string {
  return printWith(bps, [['Tbps', 1e12], ['Gbps', 1e9], ['Mbps', 1e6], ['kbps', 1e3], ['bps', 1]]);
}

/** Bytes as a size string ("40kB", "1500B"); binary units only when exact and not SI-exact. */
export function formatSize(bytes: number): string {
  if (bytes === 0) return '0B';
  for (const [name, scale] of [['GB', 1e9], ['MB', 1e6], ['kB', 1e3]] as const) {
    if (bytes % scale === 0) return `${bytes / scale}${name}`;
  }
  for (const [name, scale] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes % scale === 0) return `${bytes / scale}${name}`;
  }
  return `${bytes}B`;
}
