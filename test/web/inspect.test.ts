/**
 * The inspector's sources: a replay reaches any moment of a recorded run and
 * shows each frame's packet exactly as the recording saw it (same frame
 * numbering, same packet), layer by layer with every field of Packet (so new
 * fields appear on their own); node tables at that moment come from the
 * live objects, through field reads a test pins here; a pcap of any device
 * is a libpcap file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { FrameLog } from '../../src/inspect/frame-log';
import { headerStack, snapshotPacket } from '../../src/inspect/header-stack';
import { internals } from '../../src/inspect/node-tables';
import { pcapOf, Replay } from '../../src/inspect/replay';
import { Ev } from '../../src/inspect/trace-format';
import { TraceLog } from '../../src/inspect/trace-log';
import { EtherType, Packet } from '../../src/net/packet';
import { buildSimulation } from '../../src/scenario/build';
import type { Scenario } from '../../src/scenario/load';
import { runSimulation } from '../../src/scenario/runner';

let s: Scenario;
const log = new TraceLog();
let nodes: string[] = [];

beforeAll(() => {
  const r = loadScenarioFile('l2-switch');
  if (!r.ok) throw new Error('scenario');
  s = r.scenario;
  const sim = buildSimulation(s);
  const fl = new FrameLog(sim);
  runSimulation(sim);
  log.append(fl.takeChunk());
  nodes = fl.index.map.nodes.map((n) => n.id);
});

/** The event that handed frame f to its device. */
function txEvent(f: number): number {
  const c = log.events.cols;
  for (let e = 0; e < log.events.n; e++) if ((c.kind[e] === Ev.TX || c.kind[e] === Ev.SEND) && c.frame[e] === f) return e;
  throw new Error(`no TX of frame ${f}`);
}

describe('inspector', () => {
  it('shows an encapsulated frame\'s header stack with the forwarded flag and the connection reference', () => {
    const fc = log.frames.cols;
    let f = -1;
    for (let i = 0; i < log.frames.n; i++) if (fc.etherType[i] === EtherType.ENCAP) { f = i; break; }
    expect(f).toBeGreaterThanOrEqual(0);
    const rp = new Replay(s);
    rp.to(log.events.cols.exec[txEvent(f)]);
    const snap = rp.frame(f);
    expect(snap).not.toBeNull();
    expect(snap!.fields.id).toBe(fc.pid[f]);
    expect(snap!.fields.etherType).toBe(EtherType.ENCAP);
    const stack = headerStack(snap!.fields);
    const names = stack.map((l) => l.name);
    expect(names.slice(0, 3)).toEqual(['Ethernet / PPP', 'Encapsulation header (reference to the connection)', 'IPv4']);
    const encap = stack[1].fields;
    expect(encap.find((x) => x.name === 'encapFlags')?.value).toMatch(/forwarded/);
    expect(encap.find((x) => x.name === 'encapClientIp')?.value).toBe(stack[2].fields.find((x) => x.name === 'srcIp')?.value);
    // Every field a Packet has is shown somewhere (new fields included).
    const shown = new Set(stack.flatMap((l) => l.fields.map((x) => x.name)));
    // (The ARP and encapsulation headers are objects of their own on the packet; the snapshot names their fields arpOp, encapOwnerIp, ...)
    const every = Object.keys(snapshotPacket(new Packet(1, 0)));
    expect(every).toContain('encapOwnerIp');
    for (const k of every) if (!['arpOp', 'arpSenderMac', 'arpSenderIp', 'arpTargetMac', 'arpTargetIp', 'outerSrcIp', 'outerDstIp', 'tunnel'].includes(k)) expect(shown.has(k), k).toBe(true);
  });

  it('a replay is the recording: every frame in the ring is the packet the trace recorded, forward and after going back', () => {
    const rp = new Replay(s, 1, 1 << 16);
    const end = log.events.cols.exec[log.events.n - 1];
    rp.to(end);
    const fc = log.frames.cols;
    for (let f = 0; f < log.frames.n; f++) {
      const x = rp.frame(f)!;
      expect([x.fields.id, x.fields.srcIp, x.fields.dstPort, x.t, x.dev]).toEqual([fc.pid[f], fc.srcIp[f], fc.dport[f], fc.tq[f], fc.dev[f]]);
    }
    const mid = log.events.cols.exec[Math.floor(log.events.n / 2)];
    rp.to(mid);
    expect(rp.builds).toBe(2);
    expect(rp.executed).toBe(mid);
  });

  it('node tables at a moment: routing, ARP, MAC table, TCP connections, the NIC\'s directory and state table', () => {
    const rp = new Replay(s);
    const c = log.events.cols;
    let e = 0;
    while (e < log.events.n && c.kind[e] !== Ev.NIC_MIGRATED) e++;
    rp.to(c.exec[e] - 1);
    const titles = (id: string): string[] => rp.tables(nodes.indexOf(id)).map((t) => t.title);
    expect(titles('router')).toEqual(expect.arrayContaining(['Devices', 'Routing table', 'ARP cache']));
    expect(titles('first-lan')).toContain('MAC table (learned)');
    const server = nodes[c.node[e]];
    const tables = rp.tables(c.node[e]);
    const dir = tables.find((t) => t.title.startsWith('Connection directory'))!;
    expect(dir.rows.some((r) => r[3] === 'migrating')).toBe(true);
    expect(tables.find((t) => t.title.startsWith('State table'))!.rows.length).toBeGreaterThan(1);
    expect(tables.find((t) => t.title.startsWith('TCP engine'))).toBeDefined();
    expect(rp.tables(nodes.indexOf('first-lan')).find((t) => t.title.startsWith('MAC'))!.rows.length).toBeGreaterThan(2);
    expect(server).toMatch(/^server/);
  });

  it('the private fields the tables read are where they are expected', () => {
    const sim = buildSimulation(s);
    sim.sim.run({ maxEvents: 3000 });
    const nic = sim.cluster!.nics[0];
    const router = sim.nodes.get('router') as never as { interfaces: { arp: unknown }[] };
    const sw = sim.nodes.get('first-lan') as never as { bridge: unknown };
    expect(internals.arpEntries(router.interfaces.find((i) => i.arp !== null)!.arp)).toBeInstanceOf(Map);
    expect(internals.macTable(sw.bridge)).toBeInstanceOf(Map);
    expect(internals.tcpConns(sim.tcpLayers[0])).toBeInstanceOf(Map);
    expect(internals.tcpListeners(sim.tcpLayers[0])).toBeInstanceOf(Map);
    expect(internals.directory(nic.directory)).toBeInstanceOf(Map);
  });

  it('a pcap of a device is a libpcap file with that device\'s frames', () => {
    const b = pcapOf(s, 0, 5000);
    expect(new DataView(b.buffer, b.byteOffset).getUint32(0, true)).toBe(0xa1b23c4d);
    expect(b.length).toBeGreaterThan(24 + 16);
  });
});
