/**
 * Fidelity under load: netsim's line beside ns-3's on the anchors' own
 * networks, with traffic control (FqCoDel on every IP device) and ns-3's
 * TCP defaults (CUBIC, PRR, SACK, window scaling, timestamps, IW10, 536 B
 * segments, delayed ACKs).
 *
 * Each NS3 string below is the line `../shared/anchors/run.sh` printed for
 * the flags beside it (ns-3 3.37, Debian's libns3-dev; simulation results
 * are deterministic for a seed, only the rates vary). The tolerances are the
 * fidelity goal of the traffic-control issue: requests completed equal,
 * mean and p50 completion time within 5%, p99 within 15%, TCP segments
 * within 5%; on the UDP anchor mean RTT within 5% and replies within 2%.
 * The two simulators draw different random numbers, so only measures that
 * are not dominated by a handful of random events are pinned.
 */
import { describe, expect, it } from 'vitest';
import { benchCluster } from '../../bench/cluster';
import { benchTcpAnchor } from '../../bench/tcp-anchor';
import { parseBenchLine, type BenchLine } from '../../bench/anchors';
import { NS3_CLUSTER_DEFAULTS, NS3_TCP_DEFAULTS } from '../../src/scenario/presets';

function ns3(line: string): BenchLine {
  const l = parseBenchLine(line);
  if (l === null) throw new Error(`not an anchor line: ${line.slice(0, 60)}`);
  return l;
}

const num = (l: BenchLine, k: string): number => {
  const v = Number(l.extra[k]);
  if (!Number.isFinite(v)) throw new Error(`${l.name}: no number for ${k}`);
  return v;
};

function within(ours: BenchLine, ref: BenchLine, key: string, tol: number): void {
  const a = num(ours, key), b = num(ref, key);
  expect(Math.abs(a - b) / b, `${key}: netsim ${a} vs ns-3 ${b}`).toBeLessThanOrEqual(tol);
}

describe('UDP cluster anchor, loaded hub (100 Mbps medium, requests every 2 ms per client)', () => {
  // run.sh cluster --variant=hub --requests=200 --interval=0.002 --lanRate=100Mbps
  const NS3 = ns3('ns3_cluster_hub events_per_sec=73855 wall_s=12.6583 extra=clients=100,servers=20,requests_per_client=200,run=1,qdisc=default,events=934870,req_sent=20000,req_rcvd=17050,resp_sent=17050,resp_rcvd=16752,pkt_sent=37050,pkt_rcvd=33802,hops=70634,hops_per_sec=5580,dev_drops=0,events_per_req=46.74,mean_rtt_ms=343.3011,max_rtt_ms=873.7712,sim_s=1.0877,nodes=121,switch_ports=0,setup_s=0.381,maxrss_kb=55420');

  it('queues in the root queue discs as ns-3 does: mean RTT within 5%, replies within 2%, no device-queue drops', () => {
    const ours = benchCluster({ ...NS3_CLUSTER_DEFAULTS, variant: 'hub', requests: 200, interval: 0.002, lanRate: '100Mbps' });
    within(ours, NS3, 'mean_rtt_ms', 0.05);
    within(ours, NS3, 'resp_rcvd', 0.02);
    within(ours, NS3, 'req_rcvd', 0.02);
    // The disc holds what the device queue cannot, so the device never tail-drops.
    expect(num(ours, 'dev_drops')).toBe(num(NS3, 'dev_drops'));
    expect(num(ours, 'qdisc_drops')).toBeGreaterThan(0);
  });

  it('without traffic control the device queue overflows instead (the difference the layer makes)', () => {
    const ours = benchCluster({ ...NS3_CLUSTER_DEFAULTS, variant: 'hub', requests: 200, interval: 0.002, lanRate: '100Mbps' }, 'none');
    expect(num(ours, 'dev_drops')).toBeGreaterThan(100);
    expect(num(ours, 'qdisc_drops')).toBe(0);
    expect(Math.abs(num(ours, 'mean_rtt_ms') - num(NS3, 'mean_rtt_ms')) / num(NS3, 'mean_rtt_ms')).toBeGreaterThan(0.2);
  });
});

describe('TCP anchor (tcp_bench.cc), hub', () => {
  it('light load, 10 clients x 4 servers x 20 connections: every measure as ns-3', () => {
    // run.sh tcp --variant=hub --clients=10 --servers=4 --requests=20
    const NS3 = ns3('ns3_tcp_hub events_per_sec=43422 wall_s=6.0831 extra=clients=10,servers=4,requests_per_client=20,run=1,qdisc=default,tcp=ns3::TcpCubic,recovery=ns3::TcpPrrRecovery,seg_size=536,init_cwnd=10,sack=1,win_scaling=1,timestamps=1,del_ack_count=2,del_ack_timeout_ms=200,min_rto_ms=1000,conn_timeout_ms=3000,snd_buf=131072,rcv_buf=131072,no_delay=1,req_size=300,resp_size=40000,loss=0,events=264140,req_started=200,req_done=200,req_failed=0,req_bytes_rcvd=60000,resp_bytes_rcvd=8000000,mean_ct_ms=50.8127,p50_ct_ms=50.5940,p99_ct_ms=53.6520,max_ct_ms=63.6020,tcp_segs=23999,retx=0,retx_bytes=0,retx_syn=0,loss_drops=0,hops=48010,hops_per_sec=7892,dev_drops=0,qdisc_drops=0,events_per_req=1320.70,sim_s=2.9859,nodes=15,switch_ports=0,setup_s=0.065,maxrss_kb=25280');
    const ours = benchTcpAnchor({ ...NS3_TCP_DEFAULTS, variant: 'hub', clients: 10, servers: 4, requests: 20 });
    expect(num(ours, 'req_done')).toBe(num(NS3, 'req_done'));
    expect(num(ours, 'tcp_segs')).toBe(num(NS3, 'tcp_segs'));
    expect(num(ours, 'retx')).toBe(0);
    within(ours, NS3, 'mean_ct_ms', 0.01);
    within(ours, NS3, 'p50_ct_ms', 0.01);
    within(ours, NS3, 'p99_ct_ms', 0.15); // the 2nd-slowest of 200: its ARP wait is a random draw
    within(ours, NS3, 'hops', 0.001);
  });

  it('congested access links (2 Mbps, a request every 200 ms per client): queueing at the router\'s discs as ns-3', () => {
    // run.sh tcp --variant=hub --wanRate=2Mbps --interval=0.2
    const NS3 = ns3('ns3_tcp_hub events_per_sec=45533 wall_s=35.8688 extra=clients=100,servers=20,requests_per_client=5,run=1,qdisc=default,tcp=ns3::TcpCubic,recovery=ns3::TcpPrrRecovery,seg_size=536,init_cwnd=10,sack=1,win_scaling=1,timestamps=1,del_ack_count=2,del_ack_timeout_ms=200,min_rto_ms=1000,conn_timeout_ms=3000,snd_buf=131072,rcv_buf=131072,no_delay=1,req_size=300,resp_size=40000,loss=0,events=1633219,req_started=500,req_done=500,req_failed=0,req_bytes_rcvd=150000,resp_bytes_rcvd=20000000,mean_ct_ms=308.1586,p50_ct_ms=267.8523,p99_ct_ms=643.6766,max_ct_ms=739.9941,tcp_segs=60023,retx=10,retx_bytes=5160,retx_syn=0,loss_drops=0,hops=120120,hops_per_sec=3349,dev_drops=0,qdisc_drops=1,events_per_req=3266.44,sim_s=2.3838,nodes=121,switch_ports=0,setup_s=0.399,maxrss_kb=40288');
    const ours = benchTcpAnchor({ ...NS3_TCP_DEFAULTS, variant: 'hub', wanRate: '2Mbps', interval: 0.2 });
    expect(num(ours, 'req_done')).toBe(num(NS3, 'req_done'));
    within(ours, NS3, 'mean_ct_ms', 0.05);
    within(ours, NS3, 'p50_ct_ms', 0.05);
    within(ours, NS3, 'p99_ct_ms', 0.15);
    within(ours, NS3, 'tcp_segs', 0.05);
  });

  it('congested medium (100 Mbps hub shared by 21 stations): completion times as ns-3', () => {
    // run.sh tcp --variant=hub --lanRate=100Mbps
    const NS3 = ns3('ns3_tcp_hub events_per_sec=50566 wall_s=32.6625 extra=clients=100,servers=20,requests_per_client=5,run=1,qdisc=default,tcp=ns3::TcpCubic,recovery=ns3::TcpPrrRecovery,seg_size=536,init_cwnd=10,sack=1,win_scaling=1,timestamps=1,del_ack_count=2,del_ack_timeout_ms=200,min_rto_ms=1000,conn_timeout_ms=3000,snd_buf=131072,rcv_buf=131072,no_delay=1,req_size=300,resp_size=40000,loss=0,events=1651606,req_started=500,req_done=500,req_failed=0,req_bytes_rcvd=150000,resp_bytes_rcvd=20000000,mean_ct_ms=1164.6224,p50_ct_ms=1231.7904,p99_ct_ms=2105.0326,max_ct_ms=3051.0106,tcp_segs=60346,retx=182,retx_bytes=87404,retx_syn=7,loss_drops=0,hops=120755,hops_per_sec=3697,dev_drops=0,qdisc_drops=6,events_per_req=3303.21,sim_s=3.2081,nodes=121,switch_ports=0,setup_s=0.450,maxrss_kb=43420');
    const ours = benchTcpAnchor({ ...NS3_TCP_DEFAULTS, variant: 'hub', lanRate: '100Mbps' });
    expect(num(ours, 'req_done')).toBe(num(NS3, 'req_done'));
    within(ours, NS3, 'mean_ct_ms', 0.05);
    within(ours, NS3, 'p50_ct_ms', 0.05);
    within(ours, NS3, 'p99_ct_ms', 0.15);
    within(ours, NS3, 'tcp_segs', 0.05);
  });
});
