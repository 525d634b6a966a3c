/**
 * TCP request/response applications: requests complete over a WAN, no
 * faster than the propagation delays allow; persistent connections and
 * closed loops open the expected number of connections; a one-core server
 * fed Poisson requests behaves as an M/M/1 queue; an imported connection is
 * served by the application that adopts it; and the goal workload (100
 * clients, 20 servers, a lossy jittery Internet) delivers every response
 * byte exactly once, with captures that tshark decodes as clean TCP.
 *
 * tshark is required (CI installs it): a missing tshark fails these tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MS, SECOND, US } from '../../src/engine';
import { formatIpv4 } from '../../src/net/address';
import { IpProtocol, TcpFlag } from '../../src/net/packet';
import { attachPcap } from '../../src/net/pcap-writer';
import { Cpu } from '../../src/apps/cpu';
import { TcpLayer } from '../../src/transport/tcp-layer';
import { RequestStats } from '../../src/apps/request-stats';
import type { TcpRequest } from '../../src/apps/tcp-messages';
import { TcpRequestClient } from '../../src/apps/tcp-request-client';
import { TcpServerApp } from '../../src/apps/tcp-server-app';
import type { TcpSocket } from '../../src/transport/tcp-socket';
import { ns3TcpScenario, tcpWorkloadScenario, type TcpWorkloadShape } from '../../src/scenario/presets';
import type { ScenarioInput } from '../../src/scenario/schema';
import type { InternetCloud } from '../../src/nodes/internet-cloud';
import type { IpNode } from '../../src/nodes/ip-node';
import { parseTime } from '../../src/engine';
import { Topology } from '../../src/nodes/topology';
import { clientAndTwoHosts, expectConserved, simulationOf } from '../helpers';

const quietWan = { delay: '5ms', jitter: '0s', loss: 0 };

/** The TCP workload network (no cluster), with its parts by role. */
function tcpWorkload(shape: Partial<TcpWorkloadShape>, rest: Omit<ScenarioInput, 'network'> = {}) {
  const sim = simulationOf(tcpWorkloadScenario(shape, rest));
  const o = { access: { delay: '1ms' }, core: { delay: '1ms' }, lanLink: { delay: '500ns' }, internet: { delay: '20ms' }, ...shape };
  const oneWayDelayNs = parseTime(o.access.delay as string) + parseTime(o.internet.delay as string) + parseTime(o.core.delay as string) + parseTime(o.lanLink.delay as string);
  const ids = (p: string): IpNode[] => [...sim.nodes.keys()].filter((k) => new RegExp(`^${p}\\d+$`).test(k)).map((k) => sim.nodes.get(k) as IpNode);
  return {
    sim, topo: sim.topo, stats: sim.stats, serverApps: sim.servers, cpus: sim.cpus, tcpLayers: sim.tcpLayers, oneWayDelayNs,
    cloud: sim.nodes.get('internet') as InternetCloud, clients: ids('client'), servers: ids('server'), lan: sim.lans[0],
  };
}
type TcpWorkload = ReturnType<typeof tcpWorkload>;

/** Distinct client SYNs (no ACK; retransmissions once) transmitted on client access links. */
function countSyns(w: TcpWorkload): () => number {
  const syns = new Set<string>();
  w.topo.net.txTrace.connect((p, dev) => {
    if (dev.startsWith('client') && p.protocol === IpProtocol.TCP && p.tcpFlags === TcpFlag.SYN) syns.add(`${p.srcIp}:${p.srcPort}:${p.tcpSeq}`);
  });
  return () => syns.size;
}

function expectAllServed(w: TcpWorkload, total: number): void {
  const st = w.stats;
  expect(st.issued).toBe(total);
  expect(st.failuresBy).toEqual({ timeout: 0, reset: 0, refused: 0, 'peer-closed': 0, stopped: 0, deadline: 0 });
  expect(st.completed).toBe(total);
  expect(st.requestsReceived).toBe(total);
  expect(st.responsesSent).toBe(total);
  expect(st.responsesAbandoned + st.unmatchedResponses + st.unknownMessages).toBe(0);
  expect(st.requestBytesReceived).toBe(st.requestBytesSent);
  expect(st.responseBytesReceived).toBe(st.responseBytesSent);
  expect(st.connectionsClosed).toBe(st.connectionsOpened); // every client connection closed cleanly
  expect(st.serverConnectionsClosed).toBe(st.serverConnectionsAccepted);
  for (const t of w.tcpLayers) expect(t.size).toBe(0);
  expectConserved(w.topo.net);
}

describe('TCP request/response', () => {
  it('completes every request, each no faster than two propagation round trips', () => {
    const w = tcpWorkload({ clients: 4, servers: 3, internet: quietWan }, {
      workload: { requestsPerClient: 25, arrival: { kind: 'poisson', meanInterval: '10ms' }, requestSize: '200B', responseSize: { kind: 'discrete', values: ['500B', '3kB', '20kB'], weights: [1, 1, 1] } },
    });
    const syns = countSyns(w);
    const servedBy = new Set<number>();
    for (const app of w.serverApps) app.requestTrace.connect((_s, r) => servedBy.add(r.clientId));
    const lat: number[] = [];
    w.stats.latencyTrace.connect((ns) => lat.push(ns));
    // The layers' connection counts (a server's load report reads them) against their tables, every 2 ms.
    let checks = 0, open = 0;
    const countCheck = (): void => {
      for (const t of w.tcpLayers) {
        expect(t.size).toBe(t.sockets().length);
        open += t.size;
      }
      checks++;
      if (w.stats.completed < 100) w.topo.net.sim.schedule(2 * MS, countCheck);
    };
    w.topo.net.sim.schedule(0, countCheck);
    w.topo.net.sim.run();
    expect(checks).toBeGreaterThan(100);
    expect(open).toBeGreaterThan(0);
    expectAllServed(w, 100);
    // One connection per request: handshake then request/response, 2 RTT at least.
    expect(w.stats.connectionsOpened).toBe(100);
    expect(syns()).toBe(100);
    const rtt = 2 * w.oneWayDelayNs;
    expect(rtt).toBe(2 * (1 * MS + 5 * MS + 1 * MS + 500));
    expect(lat).toHaveLength(100);
    expect(Math.min(...lat)).toBeGreaterThanOrEqual(2 * rtt);
    expect(w.stats.percentileNs(0)).toBe(Math.min(...lat));
    expect(w.stats.percentileNs(100)).toBe(w.stats.latencyMaxNs);
    // No WAN loss; the few SYNs the router drops while it resolves a
    // server's MAC (ARP pending queue full, as ns-3) wait for a 1 s RTO.
    expect(w.stats.percentileNs(50)).toBeLessThan(2 * rtt + 5 * MS);
    expect(servedBy.size).toBe(4);
    // Requests are spread over the servers.
    for (const app of w.serverApps) expect(app.cpu.completed).toBeGreaterThan(15);
  });

  it.each(['closed-loop', 'poisson'] as const)('%s: persistent connections carry requestsPerConnection requests each', (arrival) => {
    const k = 5;
    const w = tcpWorkload({ clients: 3, servers: 2, internet: quietWan }, {
      workload: {
        requestsPerClient: 20, requestsPerConnection: k, requestSize: '200B', responseSize: '4kB',
        arrival: arrival === 'closed-loop' ? { kind: 'closed-loop', think: { kind: 'exponential', mean: '5ms' } } : { kind: 'poisson', meanInterval: '40ms' },
      },
    });
    const syns = countSyns(w);
    w.topo.net.sim.run();
    expectAllServed(w, 60);
    if (arrival === 'closed-loop') {
      // One request at a time: each connection takes exactly k before closing.
      expect(w.stats.connectionsOpened).toBe(60 / k);
    } else {
      // Poisson: a request finding no idle connection opens one, so between 60/k and 60.
      expect(w.stats.connectionsOpened).toBeGreaterThanOrEqual(60 / k);
      expect(w.stats.connectionsOpened).toBeLessThan(60);
    }
    expect(syns()).toBe(w.stats.connectionsOpened);
    expect(w.stats.connectionsEstablished).toBe(w.stats.connectionsOpened);
  });

  it('a one-core server fed Poisson requests is an M/M/1 queue: mean sojourn 1/(mu - lambda)', () => {
    const meanService = 100 * US; // 1/mu: mu = 10,000 /s
    const clients = 10;
    const rho = 0.6;
    const lambda = rho / meanService; // requests per ns, all clients together
    const perClient = 5_000;
    const w = tcpWorkload({
      clients, servers: 1, serviceTime: { kind: 'exponential', mean: `${meanService}ns` },
      // Fast links and a fixed WAN delay: each request reaches the CPU a
      // constant time after it was issued (up to microseconds of link
      // queueing), so the superposition of the clients' Poisson streams
      // stays Poisson at the CPU.
      access: { rate: '10Gbps', delay: '1ms' }, core: { rate: '10Gbps', delay: '1ms' }, lanLink: { rate: '10Gbps', delay: '500ns' },
      internet: { delay: '1ms', jitter: '0s', loss: 0 }, lan: 'switch',
    }, {
      workload: { requestsPerClient: perClient, arrival: { kind: 'poisson', meanInterval: `${Math.round(clients / lambda)}ns` }, requestSize: '64B', responseSize: '64B' },
    });
    const cpu = w.cpus[0];
    // FIFO single server: each job starts when it arrives or when the one before ends (Lindley).
    let prevEnd = 0, lindleyErrors = 0;
    cpu.jobTrace.connect((at, start, service) => {
      if (start !== Math.max(at, prevEnd)) lindleyErrors++;
      prevEnd = start + service;
    });
    const sim = w.topo.net.sim;
    // Measure from a warm-up (~3,000 requests) to a time when every client
    // is still sending (each sends for ~8.3 s, sd 0.12 s), so the offered
    // load is lambda throughout the window.
    const from = 500 * MS, to = 7_500 * MS;
    sim.run({ until: from });
    cpu.resetStats();
    const arrived0 = cpu.submitted;
    sim.run({ until: to });
    const window = to - from;
    const arrived = cpu.submitted - arrived0;
    const n = cpu.measuredJobs;
    const u = cpu.utilisation();
    const meanSojourn = cpu.meanSojournNs();
    const meanInSystem = cpu.meanInSystem();
    sim.run();
    expectAllServed(w, clients * perClient);
    expect(lindleyErrors).toBe(0);
    expect(arrived - n).toBeLessThan(20); // those still at the CPU at the end of the window
    expect(n).toBeGreaterThan(40_000);
    // Arrival rate at the CPU as configured (a Poisson count of ~42k: sd 0.5%).
    expect(Math.abs(arrived / window / lambda - 1)).toBeLessThan(0.02);
    // Utilisation = lambda / mu. Its estimate is (sum of ~42k exponential
    // services) / time: relative sd about sqrt(2/42k) = 0.7%; 3% is > 4 sd.
    expect(Math.abs(u - rho) / rho).toBeLessThan(0.03);
    // Mean sojourn (submit -> done) against 1/(mu - lambda) = 250 us. Sojourn
    // times are strongly correlated, so the sample mean varies far more than
    // sd/sqrt(n): 400 replications of the Lindley recursion at rho = 0.6 gave
    // a relative sd of the sample mean of 1.8% for n = 50k (~1.9% for the
    // ~42k here); this very test over seeds 1-8 gave ratios with mean 1.007
    // and sd 0.0195 (no bias from the network). 6% is over 3 sd, and still
    // catches a CPU that is off by a core, a rate or a queue discipline.
    const expected = 1 / (1 / meanService - lambda);
    expect(Math.abs(meanSojourn - expected) / expected).toBeLessThan(0.06);
    // Little's law on the CPU over the same window: L = lambda W (same sample, so tight).
    const little = (arrived / window) * meanSojourn;
    expect(Math.abs(meanInSystem - little) / little).toBeLessThan(0.01);
  }, 30_000);

  it('an application that adopts an imported connection serves the rest of its requests', () => {
    // client --p2p-- router --p2p-- a, b. After two requests, A's connection
    // moves to B, which answers as A (the cluster's migration in miniature).
    const { topo, client, router, a, b } = clientAndTwoHosts(5);
    const ctcp = new TcpLayer(client), atcp = new TcpLayer(a), btcp = new TcpLayer(b);
    const stats = new RequestStats();
    const server = { port: 80, serviceTime: { kind: 'constant', value: 1 * MS }, responseSize: { kind: 'constant', value: 30_000 } } as const;
    const appA = a.addApplication(new TcpServerApp(a, atcp, server, stats));
    const appB = b.addApplication(new TcpServerApp(b, btcp, { ...server, cpu: new Cpu(topo.net.sim, 2) }, stats));
    client.addApplication(new TcpRequestClient(client, ctcp, {
      servers: [a.address], arrival: 'closed-loop', thinkTime: { kind: 'constant', value: 10 * MS },
      requests: 6, requestsPerConnection: 6, requestSize: { kind: 'constant', value: 3000 },
    }, stats));
    let sock: TcpSocket | null = null;
    const seenBy: [string, number][] = [];
    appA.requestTrace.connect((s, r: TcpRequest) => { sock = s; seenBy.push(['a', r.reqId]); });
    appB.requestTrace.connect((_s, r) => seenBy.push(['b', r.reqId]));
    stats.latencyTrace.connect(() => {
      if (stats.completed !== 2) return;
      // Export now, while A's last response may still be unacknowledged.
      const rec = atcp.exportConnection(sock!);
      expect(appA.release(sock!)).toBe(0);
      // A goes quiet (else it would answer segments still in flight to it with RST).
      a.setUp(false);
      router.routes.add({ network: a.address, len: 32, gateway: b.interfaces[0].ip, iface: 2, metric: 0 });
      b.setRxIntercept((p) => {
        if (p.protocol !== IpProtocol.TCP || p.dstIp !== a.address) return false;
        btcp.receive(p);
        return true;
      });
      appB.adopt(btcp.importConnection(rec));
      expect(appB.connections).toBe(1);
    });
    topo.net.sim.run();
    expect(seenBy).toEqual([['a', 0], ['a', 1], ['b', 2], ['b', 3], ['b', 4], ['b', 5]]);
    expect(stats.completed).toBe(6);
    expect(stats.failed).toBe(0);
    expect(stats.responseBytesReceived).toBe(6 * 30_000);
    expect(stats.connectionsOpened).toBe(1);
    expect(stats.connectionsClosed).toBe(1);
    expect(appA.connections + appB.connections).toBe(0);
    expect(btcp.size + atcp.size + ctcp.size).toBe(0);
    expectConserved(topo.net);
  });

  it('counts a request whose connection is refused as failed, never loses it', () => {
    const w = tcpWorkload({ clients: 2, servers: 1, internet: quietWan }, { workload: { requestsPerClient: 3 } });
    w.serverApps[0].stop(); // nobody listens: every SYN is answered with RST
    w.topo.net.sim.run();
    expect(w.stats.issued).toBe(6);
    expect(w.stats.completed).toBe(0);
    expect(w.stats.failed).toBe(6);
    expect(w.stats.failuresBy.refused).toBe(6);
    expect(w.stats.inFlight()).toBe(0);
    expectConserved(w.topo.net);
  });

  it('writes a new connection\'s request once the handshake is done, so the response is acknowledged every second segment from the start (as ns-3)', () => {
    // ns-3's tcp_bench client Send()s from its connect callback: the request
    // leaves a time step after the handshake's ACK and clears the "answer the
    // first data at once" that ProcessSynSent arms. Written before, it left
    // with that ACK and the client acknowledged the first response segment alone.
    const sim = simulationOf(ns3TcpScenario({ variant: 'switch', clients: 1, servers: 1, requests: 1 }));
    const client = sim.clients[0].node;
    const sent: { t: number; flags: number; ack: number; len: number }[] = [];
    sim.net.txTrace.connect((p, dev) => {
      if (dev.startsWith(client.name) && p.protocol === IpProtocol.TCP) sent.push({ t: sim.net.now, flags: p.tcpFlags, ack: p.tcpAck, len: p.payloadBytes });
    });
    sim.net.sim.run({ until: 2 * SECOND });
    expect(sim.stats.completed).toBe(1);
    const handshakeAck = sent[1];
    const request = sent[2];
    expect(handshakeAck.len).toBe(0);
    expect(request.len).toBe(300);
    expect(request.t).toBe(handshakeAck.t + 1);
    // The first ACK of response data covers two 536-byte segments, not one.
    const firstDataAck = sent.find((x, i) => i > 2 && x.len === 0 && x.ack !== request.ack)!;
    expect((firstDataAck.ack - request.ack) >>> 0).toBe(2 * 536);
    expectConserved(sim.net);
  });

  it('rejects bad options with what would be valid', () => {
    const topo = new Topology();
    const h = topo.host('h');
    const tcp = new TcpLayer(h);
    const st = new RequestStats();
    const mk = (o: object) => () => new TcpRequestClient(h, tcp, { servers: [1], requests: 1, ...o }, st);
    expect(mk({ servers: [] })).toThrow(/h\/tcp-client: servers must list at least one server address/);
    expect(mk({ requestsPerConnection: 0 })).toThrow(/requestsPerConnection must be an integer >= 1, got 0/);
    expect(mk({ arrival: 'bursty' })).toThrow(/arrival "bursty" is not valid; expected "poisson", "closed-loop" or "trace"/);
    expect(mk({ requestSize: { kind: 'uniform', min: 9, max: 1 } })).toThrow(/h\/tcp-client: requestSize: uniform needs finite 0 <= min <= max/);
    expect(() => new TcpServerApp(h, tcp, { port: 0, serviceTime: { kind: 'constant', value: 0 }, responseSize: { kind: 'constant', value: 1 } }, st))
      .toThrow(/h\/tcp-server: port must be an integer in 1-65535, got 0/);
  });
});

// ------------------------------------------------------------ goal workload

const TSHARK = process.env.TSHARK ?? '/usr/bin/tshark';
const dir = mkdtempSync(join(tmpdir(), 'netsim-tcp-apps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Expert severity of an error (epan/proto.h PI_ERROR), e.g. a bad checksum. */
const PI_ERROR = 0x800000;

interface Row { n: string; src: string; dst: string; sport: number; dport: number; flags: number; seq: number; ack: number; sev: number; msg: string; malformed: string; protos: string }

function tshark(bytes: Uint8Array, name: string): Row[] {
  if (!existsSync(TSHARK)) {
    throw new Error(`tshark not found at ${TSHARK}: this test needs it (apt-get install tshark, or set TSHARK=/path/to/tshark)`);
  }
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const fields = ['frame.number', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack',
    '_ws.expert.severity', '_ws.expert.message', '_ws.malformed', 'frame.protocols'];
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const p of ['tcp.relative_sequence_numbers:FALSE', 'tcp.check_checksum:TRUE', 'ip.check_checksum:TRUE']) args.push('-o', p);
  for (const f of fields) args.push('-e', f);
  const out = execFileSync(TSHARK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  return out.split('\n').filter((l) => l.length > 0).map((l) => {
    const c = l.split('\t');
    return {
      n: c[0], src: c[1], dst: c[2], sport: Number(c[3]), dport: Number(c[4]), flags: Number(c[5]), seq: Number(c[6]), ack: Number(c[7]),
      sev: c[8] ? Math.max(...c[8].split(',').map(Number)) : 0, msg: c[9], malformed: c[10], protos: c[11],
    };
  });
}

/**
 * Every TCP connection in `rows` (client side = the non-`port` end) shows a
 * full handshake with matching numbers and a FIN from each side; returns
 * the number of connections.
 */
function expectHandshakesAndTeardowns(rows: Row[], port: number): number {
  const conns = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.malformed !== '' || /malformed/.test(r.protos)) throw new Error(`frame ${r.n} is malformed: ${r.protos}`);
    expect(r.sev, `frame ${r.n}: ${r.msg}`).toBeLessThan(PI_ERROR);
    if (Number.isNaN(r.flags) || r.protos.indexOf('tcp') < 0) continue; // ARP
    const fromClient = r.dport === port;
    const key = fromClient ? `${r.src}:${r.sport}-${r.dst}` : `${r.dst}:${r.dport}-${r.src}`;
    expect(fromClient || r.sport === port, `frame ${r.n}: ports ${r.sport}->${r.dport}`).toBe(true);
    let l = conns.get(key);
    if (l === undefined) conns.set(key, (l = []));
    l.push(r);
  }
  const { SYN, ACK, FIN } = TcpFlag;
  for (const [key, l] of conns) {
    const up = l.filter((r) => r.dport === port);
    const down = l.filter((r) => r.sport === port);
    const syn = up.find((r) => r.flags === SYN);
    const synAck = down.find((r) => r.flags === (SYN | ACK));
    expect(syn, `${key}: SYN`).toBeDefined();
    expect(synAck, `${key}: SYN/ACK`).toBeDefined();
    expect(synAck!.ack, `${key}: SYN/ACK acknowledges the SYN`).toBe((syn!.seq + 1) % 2 ** 32);
    // The third segment: a client segment acknowledging the SYN/ACK right after
    // the SYN (the pure ACK, or the request when that ACK was lost; with loss
    // both may be lost and arrive as retransmissions after other segments).
    const third = up.find((r) => !(r.flags & SYN) && r.flags & ACK && r.ack === (synAck!.seq + 1) % 2 ** 32 && r.seq === (syn!.seq + 1) % 2 ** 32);
    expect(third, `${key}: ACK of the SYN/ACK at SYN+1`).toBeDefined();
    expect(up.some((r) => r.flags & FIN), `${key}: client FIN`).toBe(true);
    expect(down.some((r) => r.flags & FIN), `${key}: server FIN`).toBe(true);
  }
  return conns.size;
}

describe('the goal workload: 100 clients, 20 servers, a lossy Internet', () => {
  it('delivers every response byte exactly once, and tshark sees clean TCP on both sides', () => {
    const w = tcpWorkload({
      clients: 100, servers: 20, internet: { delay: '20ms', jitter: '3ms', jitterKind: 'uniform', loss: 0.01 },
    }, {
      seed: 3,
      workload: { requestsPerClient: 4, arrival: { kind: 'poisson', meanInterval: '10ms' }, requestSize: '200B', responseSize: { kind: 'lognormal', median: '6kB', sigma: 0.8 } },
      // TIME_WAIT of 2 MSL as RFC 793 means it: a client whose last ACK is
      // lost still answers the server's retransmitted FIN, so every server
      // connection closes cleanly. (With the 1 s default, a FIN retransmitted
      // after a backed-off RTO can meet a client past TIME_WAIT and get RST.)
      tcp: { timeWait: '60s' },
    });
    const clientCap = attachPcap(w.clients[0].devices[0]);
    const serverCap = attachPcap(w.lan.devices[1]); // server0's CSMA device
    w.topo.net.sim.run();
    expectAllServed(w, 400);
    expect(w.cloud.lost).toBeGreaterThan(0); // the loss really happened
    expect(w.stats.responseBytesReceived).toBeGreaterThan(400 * 4000);
    expect(w.serverApps.every((a) => a.cpu.completed > 0)).toBe(true);

    const clientRows = tshark(clientCap.bytes(), 'client0-access.pcap');
    expect(expectHandshakesAndTeardowns(clientRows, 80)).toBe(4); // client0's four connections
    const clientIp = formatIpv4(w.clients[0].address);
    expect(clientRows.filter((r) => r.flags === TcpFlag.SYN).every((r) => r.src === clientIp)).toBe(true);

    const serverRows = tshark(serverCap.bytes(), 'server0-lan.pcap');
    const serverConns = expectHandshakesAndTeardowns(serverRows, 80);
    expect(serverConns).toBe(w.cpus[0].completed); // one request per connection
    const serverIp = formatIpv4(w.servers[0].address);
    expect(serverRows.filter((r) => r.flags === (TcpFlag.SYN | TcpFlag.ACK)).every((r) => r.src === serverIp)).toBe(true);
  }, 30_000);
});
