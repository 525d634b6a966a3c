/** How the page writes times, addresses and packets. */
import { formatIpv4 } from '../../src/net/address';
import { tcpFlagNames } from '../../src/inspect/header-stack';
import { EtherType, IpProtocol } from '../../src/net/packet';
import type { TraceLog } from '../../src/inspect/trace-log';
import { CTL_NAMES } from '../../src/inspect/roles';

/** A simulated time in ns as "12.345 678 ms". */
export function simTime(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  const ms = ns / 1e6;
  return `${ms.toFixed(6)} ms`;
}

/** A duration in words at a sensible unit. */
export function span(ns: number): string {
  const a = Math.abs(ns);
  if (a >= 1e9) return `${(ns / 1e9).toFixed(a >= 1e10 ? 1 : 3)} s`;
  if (a >= 1e6) return `${(ns / 1e6).toFixed(a >= 1e7 ? 1 : 3)} ms`;
  if (a >= 1e3) return `${(ns / 1e3).toFixed(a >= 1e4 ? 1 : 2)} µs`;
  return `${Math.round(ns)} ns`;
}

export const ip = formatIpv4;

/** One line for frame f: protocol, end points, flags, size. */
export function frameSummary(log: TraceLog, f: number): string {
  const c = log.frames.cols;
  const et = c.etherType[f];
  if (et === EtherType.ARP) return `ARP (${c.bytes[f]} B)`;
  const proto = c.protocol[f] === IpProtocol.TCP ? 'TCP' : c.protocol[f] === IpProtocol.UDP ? 'UDP' : `IP/${c.protocol[f]}`;
  const enc = et === EtherType.ENCAP ? 'ENCAP ' : '';
  const flags = c.protocol[f] === IpProtocol.TCP ? ` [${tcpFlagNames(c.tcpFlags[f])}]` : '';
  const ctl = c.ctl[f] > 0 ? ` ${CTL_NAMES[c.ctl[f]]}` : '';
  const pay = c.payload[f] > 0 ? ` ${c.payload[f]} B` : '';
  return `${enc}${proto} ${ip(c.srcIp[f])}:${c.sport[f]} → ${ip(c.dstIp[f])}:${c.dport[f]}${flags}${ctl}${pay}`;
}
