/**
 * pcap writer: frames are byte-exact and sized as the model counts them
 * (Ethernet without FCS, PPP), checksums verify, and tshark decodes captures
 * of a running plain cluster (hub and switch) and hand-built ARP, UDP, TCP,
 * encapsulated and IP-in-IP packets with no malformed frames or warnings.
 *
 * tshark is required (CI installs it): a missing tshark fails these tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BROADCAST_MAC, formatIpv4, parseIpv4, parseMac } from '../../src/net/address';
import {
  ArpHeader, ArpOp, ENCAP_FORWARDED, EncapHeader, ETH_FCS, EtherType, IpProtocol, Packet, TcpFlag,
} from '../../src/net/packet';
import {
  attachPcap, frameLength, internetChecksum, LinkType, PcapWriter, serializeFrame,
} from '../../src/net/pcap-writer';
import { UDP_REQUEST_PORT as REQUEST_PORT } from '../../src/apps/udp-request-reply';
import { ns3Cluster } from '../helpers';

const TSHARK = process.env.TSHARK ?? '/usr/bin/tshark';
const dir = mkdtempSync(join(tmpdir(), 'netsim-pcap-'));
let fileNo = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Expert severities (epan/proto.h): chat 0x200000 < note < warn 0x600000 < error. */
const PI_WARN = 0x600000;

/** Decode `file` with tshark; one row per frame, one cell per field (repeated fields comma-joined). */
function tshark(bytes: Uint8Array, fields: string[], prefs: string[] = []): string[][] {
  if (!existsSync(TSHARK)) {
    throw new Error(`tshark not found at ${TSHARK}: these tests need it (apt-get install tshark, or set TSHARK=/path/to/tshark)`);
  }
  const file = join(dir, `cap${fileNo++}.pcap`);
  writeFileSync(file, bytes);
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const p of ['ip.check_checksum:TRUE', 'udp.check_checksum:TRUE', 'tcp.check_checksum:TRUE', 'tcp.relative_sequence_numbers:FALSE', ...prefs]) {
    args.push('-o', p);
  }
  for (const f of fields) args.push('-e', f);
  const out = execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** No malformed frame and no expert item of severity warning or above. */
function expectClean(bytes: Uint8Array): void {
  const rows = tshark(bytes, ['frame.number', 'frame.protocols', '_ws.expert.severity', '_ws.expert.message']);
  expect(rows.length).toBeGreaterThan(0);
  for (const [n, protos, sev, msg] of rows) {
    expect(protos, `frame ${n}`).not.toMatch(/malformed/);
    const worst = sev ? Math.max(...sev.split(',').map(Number)) : 0;
    expect(worst, `frame ${n}: ${msg}`).toBeLessThan(PI_WARN);
  }
}

/** A one-record pcap of `p`. */
function pcapOf(linkType: number, ...ps: Packet[]): Uint8Array {
  const w = new PcapWriter(linkType);
  ps.forEach((p, i) => w.record(1000 * i, p));
  return w.bytes();
}

function frame(p: Packet, linkType: number): Uint8Array {
  const out = new Uint8Array(frameLength(p, linkType));
  expect(serializeFrame(p, linkType, out, 0)).toBe(out.length);
  return out;
}

const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const be32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

function udpPacket(payload: number): Packet {
  const p = new Packet(1, 0);
  p.srcMac = parseMac('02:00:00:00:00:01');
  p.dstMac = parseMac('02:00:00:00:00:02');
  p.etherType = EtherType.IPV4;
  p.protocol = IpProtocol.UDP;
  p.srcIp = parseIpv4('10.128.0.1');
  p.dstIp = parseIpv4('10.0.0.3');
  p.ttl = 63;
  p.ipId = 0x1234;
  p.srcPort = 49153;
  p.dstPort = 9;
  p.payloadBytes = payload;
  p.appSeq = 7;
  p.appTs = 123_456_789_012; // > 2^32: both halves of the uint64
  return p;
}

function tcpPacket(flags: number, seq: number, ack: number, payload = 0): Packet {
  const p = udpPacket(payload);
  p.protocol = IpProtocol.TCP;
  p.srcPort = 40000;
  p.dstPort = 5001; // not 80: tshark's HTTP dissector would claim the payload
  p.tcpFlags = flags;
  p.tcpSeq = seq;
  p.tcpAck = ack;
  p.tcpWindow = 65535;
  p.appSeq = 0;
  p.appTs = 0;
  return p;
}

describe('pcap of a running plain cluster', () => {
  for (const variant of ['hub', 'switch'] as const) {
    it(`${variant}: tshark decodes a client's PPP and the servers' Ethernet captures cleanly`, () => {
      const c = ns3Cluster({ variant, clients: 2, servers: 2, requests: 3 });
      const clientDev = c.clients[0].interfaces[0].dev;
      const serverDevs = c.servers.map((s) => s.interfaces[0].dev);
      expect(clientDev.linkType).toBe(LinkType.PPP);
      const wc = attachPcap(clientDev);
      const ws = serverDevs.map((d) => attachPcap(d));
      c.topo.net.sim.run();
      expect(c.stats.completed).toBe(6);

      // Client: 3 requests out, 3 responses in, all PPP/IPv4/UDP.
      const client = formatIpv4(c.clients[0].address);
      const serverIps = c.servers.map((s) => formatIpv4(s.address));
      const fields = ['frame.protocols', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport', 'frame.len', 'ip.checksum.status', 'udp.checksum.status', '_ws.expert.message'];
      const rows = tshark(wc.bytes(), fields);
      expect(wc.records).toBe(clientDev.txFrames + clientDev.rxFrames);
      expect(rows.length).toBe(6);
      let out = 0, back = 0;
      for (const [protos, src, dst, sport, dport, len, ipck, udpck, expert] of rows) {
        expect(protos).toBe('ppp:ip:udp:data');
        expect([ipck, udpck, expert]).toEqual(['1', '1', '']); // 1: checksum good
        if (src === client) {
          out++;
          expect(serverIps).toContain(dst);
          expect(dport).toBe(String(REQUEST_PORT));
          expect(Number(len)).toBe(2 + 20 + 8 + 64);
        } else {
          back++;
          expect(serverIps).toContain(src);
          expect([dst, sport, dport]).toEqual([client, String(REQUEST_PORT), rows[0][3]]);
          expect(Number(len)).toBe(2 + 20 + 8 + 512);
        }
      }
      expect([out, back]).toEqual([3, 3]);
      const total = rows.reduce((s, r) => s + Number(r[5]), 0);
      expect(total).toBe(clientDev.txBytes + clientDev.rxBytes);
      expectClean(wc.bytes());

      // Servers: ARP and Ethernet/IPv4/UDP, sizes = model bytes minus FCS.
      let udpToServers = 0;
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i], dev = serverDevs[i];
        expect(w.records).toBe(dev.txFrames + dev.rxFrames);
        const srows = tshark(w.bytes(), fields);
        expect(srows.length).toBe(w.records);
        for (const [protos, src, dst, sport, dport, , ipck, udpck, expert] of srows) {
          expect(['eth:ethertype:arp', 'eth:ethertype:ip:udp:data']).toContain(protos);
          expect(expert).toBe('');
          if (protos === 'eth:ethertype:arp') continue;
          expect([ipck, udpck]).toEqual(['1', '1']);
          if (dst === serverIps[i]) {
            udpToServers++;
            expect(dport).toBe(String(REQUEST_PORT));
          } else {
            expect([src, sport]).toEqual([serverIps[i], String(REQUEST_PORT)]);
          }
        }
        const bytes = srows.reduce((s, r) => s + Number(r[5]), 0);
        expect(bytes).toBe(dev.txBytes + dev.rxBytes - ETH_FCS * w.records);
        expect(srows.some((r) => r[0] === 'eth:ethertype:arp')).toBe(true);
        expectClean(w.bytes());
      }
      expect(udpToServers).toBe(6);
    });
  }

  it('is deterministic, and detaching stops recording and turns the traces off', () => {
    const capture = () => {
      const c = ns3Cluster({ variant: 'hub', clients: 2, servers: 2, requests: 3 });
      const w = attachPcap(c.router.devices[2]);
      c.topo.net.sim.run();
      return w.bytes();
    };
    expect(capture()).toEqual(capture());

    // A full capture gives the record times; a second run detaches midway.
    const run = (detachAt: number) => {
      const c = ns3Cluster({ variant: 'switch', clients: 1, servers: 1, requests: 3 });
      const dev = c.servers[0].interfaces[0].dev;
      const w = attachPcap(dev);
      expect(dev.phyTxTrace.active && dev.rxTrace.active).toBe(true);
      if (detachAt < Infinity) c.topo.net.sim.scheduleAt(detachAt, () => w.detach());
      c.topo.net.sim.run();
      return { w, dev };
    };
    const full = run(Infinity);
    const times = tshark(full.w.bytes(), ['frame.time_epoch']).map((r) => Math.round(Number(r[0]) * 1e9));
    expect(times.length).toBe(full.dev.txFrames + full.dev.rxFrames);
    const cut = Math.floor((times[0] + times[times.length - 1]) / 2);
    const { w, dev } = run(cut);
    expect(dev.phyTxTrace.active || dev.rxTrace.active).toBe(false);
    expect(w.records).toBe(times.filter((t) => t < cut).length);
    expect(w.records).toBeGreaterThan(0);
    expect(w.records).toBeLessThan(times.length);
    expect(w.bytes()).toEqual(full.w.bytes().subarray(0, w.bytes().length));
  });
});

describe('serializeFrame', () => {
  it('ARP request: 28-byte ARP padded to a 60-byte frame', () => {
    const p = new Packet(1, 0);
    p.etherType = EtherType.ARP;
    p.srcMac = parseMac('02:00:00:00:00:05');
    p.dstMac = BROADCAST_MAC;
    p.arp = new ArpHeader(ArpOp.REQUEST, p.srcMac, parseIpv4('10.0.0.1'), 0, parseIpv4('10.0.0.3'));
    const b = frame(p, LinkType.ETHERNET);
    expect(b.length).toBe(p.ethernetBytes() - ETH_FCS);
    expect(b.length).toBe(60);
    expect(Array.from(b.subarray(0, 14))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 5, 0x08, 0x06]);
    expect(Array.from(b.subarray(14, 22))).toEqual([0, 1, 0x08, 0, 6, 4, 0, 1]);
    expect(Array.from(b.subarray(22, 32))).toEqual([2, 0, 0, 0, 0, 5, 10, 0, 0, 1]);
    expect(Array.from(b.subarray(32, 42))).toEqual([0, 0, 0, 0, 0, 0, 10, 0, 0, 3]);
    expect(b.subarray(42).every((x) => x === 0)).toBe(true);
    const [row] = tshark(pcapOf(LinkType.ETHERNET, p), ['frame.protocols', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4']);
    expect(row).toEqual(['eth:ethertype:arp', '1', '02:00:00:00:00:05', '10.0.0.1', '10.0.0.3']);
    expectClean(pcapOf(LinkType.ETHERNET, p));
    expect(() => frame(p, LinkType.PPP)).toThrow(/ARP on a PPP link/);
  });

  it('UDP: IPv4 and UDP headers, checksums, SeqTs, on Ethernet and PPP', () => {
    const p = udpPacket(100);
    const b = frame(p, LinkType.ETHERNET);
    expect(b.length).toBe(p.ethernetBytes() - ETH_FCS);
    expect(be16(b, 12)).toBe(0x0800);
    const ip = 14;
    expect(b[ip]).toBe(0x45);
    expect(be16(b, ip + 2)).toBe(p.ipBytes());
    expect(be16(b, ip + 4)).toBe(0x1234);
    expect([b[ip + 8], b[ip + 9]]).toEqual([63, 17]);
    expect(internetChecksum(b, ip, ip + 20)).toBe(0); // a valid header sums to 0xffff
    const udp = ip + 20;
    expect([be16(b, udp), be16(b, udp + 2), be16(b, udp + 4)]).toEqual([49153, 9, 108]);
    expect(be32(b, udp + 8)).toBe(7);
    expect(be32(b, udp + 12) * 2 ** 32 + be32(b, udp + 16)).toBe(123_456_789_012);
    expect(b.subarray(udp + 20).every((x) => x === 0)).toBe(true);

    const pp = frame(p, LinkType.PPP);
    expect(pp.length).toBe(p.pppBytes());
    expect(be16(pp, 0)).toBe(0x0021);
    expect(pp.subarray(2)).toEqual(b.subarray(14, 14 + p.ipBytes()));

    const fields = ['frame.protocols', 'ip.len', 'ip.id', 'ip.ttl', 'ip.checksum.status', 'udp.length', 'udp.checksum.status', 'data.len'];
    expect(tshark(pcapOf(LinkType.ETHERNET, p), fields)).toEqual([['eth:ethertype:ip:udp:data', '128', '0x1234', '63', '1', '108', '1', '100']]);
    expect(tshark(pcapOf(LinkType.PPP, p), fields)).toEqual([['ppp:ip:udp:data', '128', '0x1234', '63', '1', '108', '1', '100']]);
    expectClean(pcapOf(LinkType.ETHERNET, p));
    expectClean(pcapOf(LinkType.PPP, p));
  });

  it('UDP with a payload shorter than SeqTs: zeros, Ethernet padding to 60 bytes', () => {
    const p = udpPacket(5);
    const b = frame(p, LinkType.ETHERNET);
    expect(b.length).toBe(60);
    expect(b.subarray(42).every((x) => x === 0)).toBe(true);
    expect(tshark(pcapOf(LinkType.ETHERNET, p), ['udp.length', 'udp.checksum.status', 'eth.padding'])).toEqual([['13', '1', '00'.repeat(60 - 14 - 20 - 8 - 5)]]);
  });

  it('UDP checksum that computes to 0 is sent as 0xffff (RFC 768), and verifies', () => {
    const p = udpPacket(20);
    const b = new Uint8Array(frameLength(p, LinkType.ETHERNET));
    let port = 0;
    for (; port < 65536; port++) {
      p.srcPort = port;
      serializeFrame(p, LinkType.ETHERNET, b, 0);
      if (be16(b, 34 + 6) === 0xffff) break;
    }
    expect(port).toBeLessThan(65536);
    expect(tshark(pcapOf(LinkType.ETHERNET, p), ['udp.srcport', 'udp.checksum', 'udp.checksum.status'])).toEqual([[String(port), '0xffff', '1']]);
  });

  it('TCP handshake: flags, absolute seq/ack, window and checksum as set', () => {
    const syn = tcpPacket(TcpFlag.SYN, 0xfffffff0, 0);
    const synAck = tcpPacket(TcpFlag.SYN | TcpFlag.ACK, 1000, 0xfffffff1);
    [synAck.srcIp, synAck.dstIp, synAck.srcPort, synAck.dstPort] = [syn.dstIp, syn.srcIp, syn.dstPort, syn.srcPort];
    const data = tcpPacket(TcpFlag.PSH | TcpFlag.ACK, 0xfffffff1, 1001, 300);
    data.appSeq = 42;
    data.appTs = 5_000_000_123;
    const b = frame(syn, LinkType.ETHERNET);
    expect(b.length).toBe(syn.ethernetBytes() - ETH_FCS);
    expect(b.length).toBe(60); // 14 + 20 + 20 = 54, padded
    const tcp = 34;
    expect([be32(b, tcp + 4), be32(b, tcp + 8), b[tcp + 12], b[tcp + 13], be16(b, tcp + 14), be16(b, tcp + 18)]).toEqual([0xfffffff0, 0, 0x50, 0x02, 65535, 0]);
    expect(frame(data, LinkType.ETHERNET).length).toBe(data.ethernetBytes() - ETH_FCS);

    const rows = tshark(pcapOf(LinkType.ETHERNET, syn, synAck, data), [
      'frame.protocols', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.hdr_len', 'tcp.window_size_value', 'tcp.len', 'tcp.checksum.status', 'ip.checksum.status',
    ]);
    // A payload may be claimed by a heuristic dissector (SMPP, say): only the stack up to TCP is pinned.
    for (const r of rows) expect(r[0]).toMatch(/^eth:ethertype:ip:tcp(:|$)/);
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['0x0002', String(0xfffffff0), '0', '20', '65535', '0', '1', '1'],
      ['0x0012', '1000', String(0xfffffff1), '20', '65535', '0', '1', '1'],
      ['0x0018', String(0xfffffff1), '1001', '20', '65535', '300', '1', '1'],
    ]);
    expectClean(pcapOf(LinkType.ETHERNET, syn, synAck, data));
  });

  it('cluster encapsulation (0x88b5): 16-byte header then the IPv4 datagram', () => {
    const p = udpPacket(64);
    p.etherType = EtherType.ENCAP;
    p.encap = new EncapHeader(ENCAP_FORWARDED, parseIpv4('10.128.0.1'), 49153, parseIpv4('10.0.0.4'), 9, 0);
    const b = frame(p, LinkType.ETHERNET);
    expect(b.length).toBe(p.ethernetBytes() - ETH_FCS);
    expect(b.length).toBe(14 + 16 + 20 + 8 + 64);
    expect(be16(b, 12)).toBe(0x88b5);
    expect(Array.from(b.subarray(14, 30))).toEqual([1, 0, 0xc0, 0x01, 0, 9, 0, 0, 10, 128, 0, 1, 10, 0, 0, 4]);
    // The encapsulated datagram is byte for byte the plain one.
    const plain = frame(udpPacket(64), LinkType.ETHERNET);
    expect(b.subarray(30)).toEqual(plain.subarray(14));
    expect(internetChecksum(b, 30, 50)).toBe(0);

    const [row] = tshark(pcapOf(LinkType.ETHERNET, p), ['frame.protocols', 'eth.type', 'frame.len']);
    expect(row[1]).toBe('0x88b5');
    expect(row[0]).toMatch(/^eth:ethertype/);
    expect(Number(row[2])).toBe(b.length);
    expect(row[0]).not.toMatch(/malformed/);

    const pp = frame(p, LinkType.PPP);
    expect(pp.length).toBe(p.pppBytes());
    expect(be16(pp, 0)).toBe(0x88b5);
    expect(pp.subarray(2)).toEqual(b.subarray(14));
  });

  it('IP-in-IP tunnel: outer header (protocol 4) then the inner datagram', () => {
    const p = udpPacket(64);
    p.tunnel = true;
    p.outerSrcIp = parseIpv4('10.0.0.1');
    p.outerDstIp = parseIpv4('10.0.0.4');
    const b = frame(p, LinkType.ETHERNET);
    expect(b.length).toBe(p.ethernetBytes() - ETH_FCS);
    expect(be16(b, 16)).toBe(p.ipBytes());
    expect(b[14 + 9]).toBe(IpProtocol.IPIP);
    expect(be16(b, 34 + 2)).toBe(p.ipBytes() - 20);
    expect(internetChecksum(b, 14, 34)).toBe(0);
    expect(internetChecksum(b, 34, 54)).toBe(0);
    const fields = ['frame.protocols', 'ip.src', 'ip.dst', 'ip.proto', 'ip.len', 'ip.checksum.status', 'udp.srcport', 'udp.dstport', 'udp.checksum.status'];
    const want = ['ip:ip:udp:data', '10.0.0.1,10.128.0.1', '10.0.0.4,10.0.0.3', '4,17', '112,92', '1,1', '49153', '9', '1'];
    expect(tshark(pcapOf(LinkType.ETHERNET, p), fields)).toEqual([['eth:ethertype:' + want[0], ...want.slice(1)]]);
    expect(tshark(pcapOf(LinkType.PPP, p), fields)).toEqual([['ppp:' + want[0], ...want.slice(1)]]);
    expectClean(pcapOf(LinkType.ETHERNET, p));
  });

  it('rejects unknown link and ether types, and a buffer too small', () => {
    const p = udpPacket(10);
    expect(() => frameLength(p, 105)).toThrow(/link type 105 is not supported/);
    expect(() => serializeFrame(p, LinkType.ETHERNET, new Uint8Array(59), 0)).toThrow(/needs 60 bytes/);
    p.etherType = 0x86dd;
    expect(() => frame(p, LinkType.ETHERNET)).toThrow(/etherType 0x86dd/);
  });
});

describe('PcapWriter', () => {
  it('writes a nanosecond little-endian global header and record headers', () => {
    const w = new PcapWriter(LinkType.PPP, 1000);
    expect(w.bytes().length).toBe(24);
    w.writeHeader(); // idempotent
    const h = w.bytes();
    expect(Array.from(h.subarray(0, 8))).toEqual([0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0]);
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    expect([v.getUint32(16, true), v.getUint32(20, true)]).toEqual([1000, 9]);

    const p = udpPacket(64);
    w.record(1_500_000_123, p);
    const f = w.bytes();
    const r = new DataView(f.buffer, f.byteOffset, f.byteLength);
    expect([r.getUint32(24, true), r.getUint32(28, true), r.getUint32(32, true), r.getUint32(36, true)]).toEqual([1, 500_000_123, 94, 94]);
    expect(f.length).toBe(24 + 16 + 94);
    expect(tshark(f, ['frame.time_epoch'])).toEqual([['1.500000123']]);
    expect(() => w.record(1.5, p)).toThrow(/integer ns/);
    expect(() => new PcapWriter(105)).toThrow(/link type 105/);
    expect(() => new PcapWriter(LinkType.ETHERNET, 0)).toThrow(/snaplen 0/);
  });

  it('truncates records to snaplen and keeps earlier views intact as it grows', () => {
    const w = new PcapWriter(LinkType.ETHERNET, 40);
    const first = udpPacket(1400);
    w.record(0, first);
    const snapshot = w.bytes();
    const copy = snapshot.slice();
    for (let i = 1; i <= 100; i++) w.record(i, udpPacket(1400));
    expect(snapshot).toEqual(copy);
    expect(w.records).toBe(101);
    expect(w.bytes().length).toBe(24 + 101 * (16 + 40));
    const rows = tshark(w.bytes(), ['frame.len', 'frame.cap_len']);
    expect(rows.length).toBe(101);
    expect(rows[0]).toEqual([String(first.ethernetBytes() - ETH_FCS), '40']);
  });

  it('attach checks the link type; attachPcap follows the device', () => {
    const c = ns3Cluster({ variant: 'hub', clients: 1, servers: 1, requests: 1 });
    expect(() => new PcapWriter(LinkType.PPP).attach(c.servers[0].interfaces[0].dev)).toThrow(/link type 1, this writer records link type 9/);
    expect(attachPcap(c.clients[0].interfaces[0].dev).linkType).toBe(LinkType.PPP);
  });
});
