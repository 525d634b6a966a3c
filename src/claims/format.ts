/**
 * Formatting of what the checks measured, for their details and for
 * docs/CLAIMS.md: addresses, endpoints, simulated times, ratios, packets with
 * their TCP flags, and the holder a look-up named.
 *
 * Invariants: pure functions of simulated data, never wall time, so the
 * document is the same on every run.
 * Cost: string work only.
 */
import { formatIpv4 } from '../net/address';
import { TcpFlag } from '../net/packet';
import type { Pkt } from '../metrics/recorder';

export const ip = (x: number): string => formatIpv4(x);
export const ep = (a: number, port: number): string => `${formatIpv4(a)}:${port}`;
export const ms = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`;
export const us = (ns: number): string => `${(ns / 1e3).toFixed(1)} µs`;
export const ratio = (a: number, b: number): string => `${a}/${b}${b > 0 ? ` = ${(a / b).toFixed(3)}` : ''}`;
export const holderName = (h: number, nic: number): string => (h === -3 ? 'nobody (no entry)' : h === -2 ? `server${nic}'s NIC engine`
  : h === -1 ? `server${nic}'s own host` : `server${h}`);
export const pkt = (x: Pkt): string => `#${x.pid} ${ep(x.srcIp, x.srcPort)}→${ep(x.dstIp, x.dstPort)}`
  + `${x.payload > 0 ? ` ${x.payload} B` : ''}${flagNames(x.tcpFlags)}`;
function flagNames(f: number): string {
  const n = [['SYN', TcpFlag.SYN], ['ACK', TcpFlag.ACK], ['FIN', TcpFlag.FIN], ['RST', TcpFlag.RST]].filter(([, b]) => f & (b as number)).map(([s]) => s);
  return n.length > 0 ? ` [${n.join('|')}]` : '';
}
