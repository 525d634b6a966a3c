/**
 * A node's tables at the current moment of a simulation, as the inspector
 * shows them: interfaces and their counters, routing table, ARP caches, a
 * switch's MAC table, TCP connections (the host's and a smart NIC's own
 * engine), the NIC's connection directory and state table, CPU, and an
 * Internet cloud's or a hub's counters.
 *
 * Several of these classes keep their entries private and offer no way to
 * list them; `internals` reads them by field name, read-only, in one place,
 * and a test fails loudly if a field it relies on is renamed. (Public
 * read-only accessors on those classes would be better; see web/README.md.)
 * Cost: proportional to the tables' sizes; only on demand, in the worker.
 */
import { formatIpv4, formatMac } from '../net/address';
import type { DirectoryEntry } from '../cluster/connection-directory';
import type { SmartNic } from '../cluster/smart-nic';
import { CsmaChannel } from '../net/csma';
import type { BridgeDevice } from '../nodes/bridge';
import { InternetCloud } from '../nodes/internet-cloud';
import { IpNode } from '../nodes/ip-node';
import type { Simulation } from '../scenario/build';
import type { TcpLayer } from '../transport/tcp-layer';
import type { TcpSocket } from '../transport/tcp-socket';
import type { NetworkIndex } from './network-map';

export interface InfoTable { title: string; note?: string; columns: string[]; rows: string[][] }

/** Private fields read by name; each returns undefined when the field is not there (a test checks they are). */
export const internals = {
  arpEntries: (arp: unknown) => field<Map<number, { state: number; mac: number; pending: unknown[]; retries: number; until: number }>>(arp, 'entries'),
  macTable: (bridge: unknown) => field<Map<number, { port: number; until: number }>>(bridge, 'table'),
  tcpConns: (tcp: unknown) => field<Map<number, Map<number, TcpSocket>>>(tcp, 'conns'),
  tcpListeners: (tcp: unknown) => field<Map<number, unknown>>(tcp, 'listeners'),
  directory: (dir: unknown) => field<Map<number, Map<number, DirectoryEntry>>>(dir, 'byPort'),
};

function field<T>(obj: unknown, name: string): T | undefined {
  if (obj === null || typeof obj !== 'object' || !(name in obj)) return undefined;
  return (obj as Record<string, T>)[name];
}

const ARP_STATES = ['waiting for reply', 'alive', 'dead'];
const ms = (ns: number): string => (ns === Infinity ? 'never' : `${(ns / 1e6).toFixed(3)} ms`);
const ep = (ip: number, port: number): string => `${formatIpv4(ip)}:${port}`;
const holder = (h: number): string => (h === -2 ? 'NIC engine (no decision yet)' : h === -1 ? 'own host' : `server${h}`);

/** The tables of map node `node` at the simulation's current moment. */
export function nodeTables(sim: Simulation, index: NetworkIndex, node: number): InfoTable[] {
  const mn = index.map.nodes[node];
  if (mn === undefined) return [];
  const now = sim.net.now;
  if (mn.kind === 'hub') return hubTables(sim, mn.id, now);
  const tn = sim.topo.nodes.find((n) => n.name === mn.id);
  if (tn === undefined) return [];
  const out: InfoTable[] = [];
  out.push({
    title: 'Devices', columns: ['device', 'MAC', 'up', 'sent', 'received', 'heard', 'queued', 'busy'],
    rows: tn.devices.map((d) => [d.name, formatMac(d.mac), d.up ? 'yes' : 'no', `${d.txFrames} (${d.txBytes} B)`, String(d.rxFrames), String(d.seenFrames),
      String(d.queue.length), now > 0 ? `${((100 * d.busyNs) / now).toFixed(1)}%` : '0%']),
  });
  if (tn instanceof IpNode) {
    out.push({
      title: 'IPv4 interfaces', columns: ['#', 'address', 'device'],
      rows: tn.interfaces.map((i) => [String(i.index), `${formatIpv4(i.ip)}/${i.len}`, i.dev.name]).concat(tn.loopbackAddresses.map((ip) => ['lo', formatIpv4(ip), 'loopback'])),
    });
    out.push({
      title: 'Routing table', columns: ['destination', 'gateway', 'interface', 'metric'],
      rows: tn.routes.routes().map((r) => [`${formatIpv4(r.network)}/${r.len}`, r.gateway === 0 ? 'direct' : formatIpv4(r.gateway), tn.interfaces[r.iface]?.dev.name ?? String(r.iface), String(r.metric)]),
    });
    const arpRows: string[][] = [];
    for (const i of tn.interfaces) {
      const entries = i.arp !== null ? internals.arpEntries(i.arp) : undefined;
      for (const [ip, e] of entries ?? []) {
        arpRows.push([i.dev.name, formatIpv4(ip), ARP_STATES[e.state] ?? String(e.state), e.state === 1 ? formatMac(e.mac) : '—', e.until === Infinity ? 'static' : ms(e.until), String(e.pending.length)]);
      }
    }
    out.push({ title: 'ARP cache', columns: ['interface', 'IPv4', 'state', 'MAC', 'until', 'waiting packets'], rows: arpRows });
  }
  const bridge = (tn as Partial<{ bridge: BridgeDevice }>).bridge;
  if (bridge !== undefined) {
    const rows = [...(internals.macTable(bridge) ?? [])].filter(([, e]) => e.until > now)
      .map(([mac, e]) => [formatMac(mac), bridge.ports[e.port]?.name ?? String(e.port), ms(e.until)]);
    out.push({ title: 'MAC table (learned)', note: `forwarded ${bridge.forwarded}, flooded ${bridge.flooded}, filtered ${bridge.filtered}`, columns: ['MAC', 'port', 'until'], rows });
  }
  const layer = sim.tcpLayers.find((l) => l.node === tn);
  if (layer !== undefined) out.push(tcpTable(`TCP connections (${tn.name})`, layer));
  const nic = sim.cluster?.nics.find((n) => n.self.node === tn);
  if (nic !== undefined) out.push(...nicTables(nic, now));
  const cpu = sim.cpus.find((c) => c.name === `${tn.name}/cpu`);
  if (cpu !== undefined) {
    out.push({
      title: 'CPU', columns: ['cores', 'jobs in system', 'submitted', 'completed', 'utilisation'],
      rows: [[String(cpu.cores), String(cpu.load()), String(cpu.submitted), String(cpu.completed), `${(100 * cpu.utilisation()).toFixed(1)}%`]],
    });
  }
  if (sim.cluster?.balancer?.node === tn) out.push(balancerTable(sim));
  if (tn instanceof InternetCloud) {
    out.push({
      title: 'Internet cloud', columns: ['held now', 'forwarded', 'lost', 'duplicated', 'delay', 'jitter'],
      rows: [[String(tn.packetsHeld()), String(tn.ipForwarded), String(tn.lost), String(tn.duplicated), ms(tn.opts.delay), `${ms(tn.opts.jitter)} ${tn.opts.jitterKind}`]],
    });
  }
  return out;
}

function tcpTable(title: string, layer: TcpLayer): InfoTable {
  const rows: string[][] = [];
  for (const m of internals.tcpConns(layer)?.values() ?? []) {
    for (const s of m.values()) {
      const t = s.tcb;
      rows.push([ep(t.localIp, t.localPort), ep(t.remoteIp, t.remotePort), t.state, String(t.sndNxt - t.iss - 1), String(t.tx.head - t.iss - 1),
        String(t.rx.next - t.irs - 1), t.srtt > 0 ? ms(t.srtt) : '—', ms(t.rto), String((s as unknown as { handle?: number }).handle ?? '—')]);
    }
  }
  const listening = [...(internals.tcpListeners(layer)?.keys() ?? [])];
  return {
    title, note: listening.length > 0 ? `listening on port ${listening.join(', ')}` : undefined,
    columns: ['local', 'remote', 'state', 'sent (rel. seq)', 'acked', 'received', 'SRTT', 'RTO', 'handle'], rows,
  };
}

function nicTables(nic: SmartNic, now: number): InfoTable[] {
  const dir: string[][] = [];
  for (const m of internals.directory(nic.directory)?.values() ?? []) {
    for (const e of m.values()) {
      dir.push([ep(e.clientIp, e.clientPort), String(e.serverPort), holder(e.owner), e.migrating ? 'migrating' : '', String(e.pending.length), ms(e.createdAt)]);
    }
  }
  const state: string[][] = [[`server${nic.self.index} (self)`, String(nic.self.load()), 'live', '—', '—', 'yes']];
  for (const [i, r] of nic.state.rows()) {
    state.push([`server${i}`, String(r.load), ms(r.at), `#${r.viaPacket}`, r.viaDevice, nic.state.row(i, now) !== undefined ? 'yes' : 'no (stale)']);
  }
  return [
    {
      title: `Connection directory (${nic.name})`, note: `processed ${nic.processed}, kept ${nic.keptLocal}, forwarded ${nic.forwarded}, migrations ${nic.migrations}, broken ${nic.broken}`,
      columns: ['client', 'server port', 'holder of the TCB', '', 'waiting packets', 'since'], rows: dir,
    },
    { title: `State table (${nic.name})`, note: 'peers\' rows as their last report over the third LAN said', columns: ['server', 'load', 'reported at', 'by packet', 'via device', 'usable'], rows: state },
    tcpTable(`TCP engine of ${nic.name} (handshakes before a decision)`, nic.engine),
  ];
}

function balancerTable(sim: Simulation): InfoTable {
  const lb = sim.cluster!.balancer!;
  return {
    title: `Balancer (${lb.mode})`, columns: ['VIP', 'inbound', 'outbound', 'daisy-chained', 'processor queue peak'],
    rows: [[formatIpv4(lb.vip), String(lb.inbound), String(lb.outbound), String(lb.daisyChained), String(lb.processor.peakQueue)]],
  };
}

function hubTables(sim: Simulation, id: string, now: number): InfoTable[] {
  const ch = sim.lans.flatMap((l) => l.channels).find((c) => c.name === id);
  if (!(ch instanceof CsmaChannel)) return [];
  return [{
    title: `Hub ${id} (one shared medium)`, columns: ['attached devices', 'frames carried', 'bytes', 'busy'],
    rows: [[ch.devices.map((d) => d.name).join(', '), String(ch.frames), String(ch.bytes), now > 0 ? `${((100 * ch.busyNs) / now).toFixed(1)}%` : '0%']],
  }];
}
