/**
 * The scenario layer's parts: quantities with units (parsed and printed back
 * exactly), --set paths, the address plan of a site, recorded workloads (CSV
 * and pcap), hashes, and the checks a graph gets.
 */
import { describe, expect, it } from 'vitest';
import { attachPcap } from '../../src/net/pcap-writer';
import { formatIpv4 } from '../../src/net/address';
import { formatProblem } from '../../src/scenario/errors';
import { scenarioHash } from '../../src/scenario/hash';
import { applySet, loadScenarioValue } from '../../src/scenario/load';
import { parseCsvTrace, parsePcapTrace, TraceError } from '../../src/scenario/trace';
import { duration, formatDuration, formatRate, formatSize, rate, size } from '../../src/scenario/units';
import { runScenario } from '../../src/scenario/runner';
import { simulationOf } from '../helpers';

function problems(doc: unknown): string[] {
  const r = loadScenarioValue(doc, { file: 't.json' });
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe('quantities', () => {
  it('print back to the value they parse from', () => {
    for (const ns of [0, 1, 500, 1_500, 100_000, 1_234_567, 10_000_000, 3_600_000_000_000]) expect(duration().parse(formatDuration(ns))).toBe(ns);
    for (const bps of [1, 12_345, 1.5e6, 1e8, 1e9, 4e10]) expect(rate().parse(formatRate(bps))).toBe(bps);
    for (const b of [1, 300, 1500, 40_000, 65_536, 1_000_000]) expect(size().parse(formatSize(b))).toBe(b);
    expect([formatDuration(10_000_000), formatRate(1e9), formatSize(40_000), formatSize(65_536)]).toEqual(['10ms', '1Gbps', '40kB', '64KiB']);
  });

  it('refuse a bare number, a negative value and a zero rate, saying what is valid', () => {
    expect(problems({ network: { site: { siteLink: { delay: 0.005 } } } })).toEqual(['t.json: network.site.siteLink.delay: found 0.005; expected a duration as a string with a unit, like "5ms"']);
    expect(problems({ network: { site: { siteLink: { rate: '0Gbps' } } } })[0]).toMatch(/rate "0Gbps" must be greater than 0/);
    expect(problems({ network: { site: {} }, workload: { requestSize: '-1kB' } })[0]).toMatch(/size "-1kB" is negative/);
  });
});

describe('--set', () => {
  it('sets nested fields and array entries, creating what is missing', () => {
    const doc: Record<string, unknown> = { network: { site: {} } };
    expect(applySet(doc, 'network.site.servers=12')).toBeNull();
    expect(applySet(doc, 'faults[0].kind=crash')).toBeNull();
    expect(applySet(doc, 'workload.responseSize={"kind":"exponential","mean":"4kB"}')).toBeNull();
    expect(doc).toEqual({ network: { site: { servers: 12 } }, faults: [{ kind: 'crash' }], workload: { responseSize: { kind: 'exponential', mean: '4kB' } } });
    expect(applySet(doc, 'servers')).toMatch(/expected path=value/);
    expect(applySet(doc, 'network.site.servers.x=1')).toMatch(/network\.site\.servers is 12, not an object/);
  });
});

describe('the site expands to the graph it stands for', () => {
  it('with the address plan of the old cluster builder: edge first, then servers, then the balancer', () => {
    const r = loadScenarioValue({ network: { site: { servers: 3, clients: 2, design: 'lb-dsr' } } });
    if (!r.ok) throw new Error('invalid');
    const lan = (role: string) => r.scenario.plan.lans.find((l) => l.role === role)!;
    expect(lan('first').ifaces.map((i) => [i.node, formatIpv4(i.ip)])).toEqual([
      ['router', '10.0.0.1'], ['server0', '10.0.0.2'], ['server1', '10.0.0.3'], ['server2', '10.0.0.4'], ['balancer', '10.0.0.5'],
    ]);
    expect(lan('second').ifaces.map((i) => formatIpv4(i.ip))).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    expect(r.scenario.plan.p2p.map((p) => `${p.a}-${p.b} ${formatIpv4(p.aIp)}`)).toEqual(['client0-internet 100.64.0.1', 'client1-internet 100.64.0.5', 'internet-router 198.51.100.1']);
  });

  it('as an L3 switch linked straight to the Internet, taking the first LAN address on its bridge', () => {
    const sim = simulationOf({ network: { site: { servers: 2, clients: 1, firstLan: { kind: 'l3-switch' } } } });
    expect(sim.cluster!.edge.name).toBe('first-lan');
    expect(sim.cluster!.edge.kind).toBe('l3-switch');
    expect(formatIpv4(sim.cluster!.firstLan.ifaces[0]!.ip)).toBe('10.0.0.1');
  });
});

describe('graph checks', () => {
  const node = (id: string, kind: string, extra = {}) => ({ id, kind, ...extra });
  const link = (a: string, b: string, extra: Record<string, unknown> = { rate: '1Gbps', delay: '1us' }) => ({ a, b, ...extra });
  it('reject a link between two groups, two hubs linked directly, and two cables to one LAN', () => {
    expect(problems({ network: { nodes: [node('c', 'client', { count: 2 }), node('s', 'server', { count: 2 })], links: [link('c', 's')] } })[0])
      .toMatch(/a link joins a group to one node; "c" and "s" are both groups/);
    expect(problems({ network: { nodes: [node('c', 'client'), node('h1', 'hub', { rate: '1Gbps', delay: '1us' }), node('h2', 'hub', { rate: '1Gbps', delay: '1us' }), node('s', 'server')], links: [link('c', 'h1', {}), link('h1', 'h2', {}), link('s', 'h2', {})] } })[0])
      .toMatch(/hubs "h1" and "h2" are linked directly/);
    expect(problems({ network: { nodes: [node('c', 'client'), node('sw', 'l2-switch'), node('s', 'server')], links: [link('c', 'sw'), link('s', 'sw'), link('s', 'sw')] } })[0])
      .toMatch(/"s" has two cables to LAN "sw"/);
  });

  it('give an automatic address plan that keeps clear of the subnets the scenario names', () => {
    const r = loadScenarioValue({ network: { nodes: [node('c', 'client'), node('r', 'router'), node('sw', 'l2-switch'), node('sw2', 'l2-switch', { subnet: '10.0.0.0/24' }), node('s', 'server')], links: [link('c', 'r', { rate: '1Gbps', delay: '1ms' }), link('r', 'sw'), link('s', 'sw'), link('r', 'sw2'), link('s', 'sw2')] } });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.scenario.plan.lans.map((l) => `${formatIpv4(l.network)}/${l.len}`)).toEqual(['10.0.1.0/24', '10.0.0.0/24']);
    expect(formatIpv4(r.scenario.plan.p2p[0].aIp)).toBe('172.16.0.1');
  });
});

describe('recorded workloads', () => {
  it('read a CSV and report its mistakes by line', () => {
    const rows = parseCsvTrace('time_s,client,request_bytes,response_bytes\n0.002,1,300,4000\n0.001,client0,,\n', 'w.csv');
    expect(rows.map((r) => [r.at, r.client, r.requestBytes, r.responseBytes])).toEqual([[1_000_000, 'client0', null, null], [2_000_000, 1, 300, 4000]]);
    expect(() => parseCsvTrace('time,client\n', 'w.csv')).toThrow(TraceError);
    expect(() => parseCsvTrace('time_s,client\n', 'w.csv')).toThrow(/w.csv: no requests/);
    expect(() => parseCsvTrace('time_s,client\nsoon,1\n', 'w.csv')).toThrow(/w.csv:2: time_s "soon" is not a number of seconds >= 0/);
  });

  it('read the client SYNs of a pcap as requests, with the bytes each flow carried', () => {
    // Capture what a client sends and receives in a small run, then replay it.
    const { sim } = (() => {
      const s = simulationOf({ network: { site: { servers: 2, clients: 1, design: 'no-forward' } }, workload: { requestsPerClient: 3, requestSize: '700B', responseSize: '9kB', arrival: { kind: 'poisson', meanInterval: '10ms' } } });
      return { sim: s };
    })();
    const cap = attachPcap(sim.clients[0].node.devices[0]);
    sim.sim.run({ until: 2e9 });
    const rows = parsePcapTrace(cap.bytes(), 'c.pcap');
    expect(rows).toHaveLength(3);
    expect(rows[0].at).toBe(0);
    expect(rows.map((r) => [r.client, r.requestBytes, r.responseBytes])).toEqual([[0, 700, 9000], [0, 700, 9000], [0, 700, 9000]]);
    expect(() => parsePcapTrace(new Uint8Array(30), 'x.pcap')).toThrow(/not a libpcap file/);
  });

  it('replay requests at their times with the sizes they name', () => {
    const rows = 'time_s,client,request_bytes,response_bytes\n0.010,0,500,3000\n0.020,1,800,5000\n0.021,0,100,7000\n';
    const r = loadScenarioValue({ network: { site: { servers: 2, clients: 2 } }, workload: { arrival: { kind: 'trace', csv: 'w.csv' } } }, { readFile: () => new TextEncoder().encode(rows) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const { sim, result } = runScenario(r.scenario);
    expect(result.metrics['requests-completed']).toBe(3);
    expect(sim.stats.requestBytesSent).toBe(1400);
    expect(sim.stats.responseBytesReceived).toBe(15_000);
    const missing = loadScenarioValue({ network: { site: {} }, workload: { arrival: { kind: 'trace', csv: 'w.csv' } } }, { readFile: () => new TextEncoder().encode('time_s,client\n0.1,client77\n') });
    expect(missing.ok ? '' : missing.problems[0].message).toMatch(/w.csv:2: no client "client77"/);
  });
});

describe('the scenario hash', () => {
  it('depends on the content, not on key order or spacing', () => {
    expect(scenarioHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(scenarioHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(scenarioHash({ a: 1 })).not.toBe(scenarioHash({ a: 2 }));
    expect(scenarioHash({ a: [1, 2] })).not.toBe(scenarioHash({ a: [2, 1] }));
  });
});
