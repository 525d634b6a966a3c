/**
 * Site checks: the element checks (e*) that system claims compose about what
 * the site is made of and which networks carry the packets: they come from
 * the global network; the first device is a NIC; the first and second
 * networks are (separate) LANs; the first LAN is coupled through the Internet
 * cloud to the clients; clients address the first device, and on a hub the
 * other servers overhear; state arrives over a third LAN; the first LAN is a
 * hub, an L2 switch behind a router, or an L3 switch.
 *
 * Invariants: a check only reads a run, its cluster, its recorded trace and
 * its analysis, and records what it measured on the Evidence; it never
 * changes the run.
 * Cost: linear scans of the recorded events and Stories (the run and its
 * analysis are memoised).
 */
import { REPORT_PORT } from '../cluster/load-reporter';
import { CsmaChannel } from '../net/csma';
import { EtherType, PathFlag } from '../net/packet';
import { analyse, group, inbound, secondLanFrame, SYN_ONLY, type Story } from './analysis';
import type { Run } from './claim-run';
import { stepsInOrder, type Evidence } from './evidence';
import { ip, ms, pkt, us } from './format';
import type { DecisionEv, DevRxEv, TxEv } from '../metrics/recorder';

const { FIRST_LAN, SECOND_LAN, THIRD_LAN, FORWARDED } = PathFlag;

/** Receiving packets that came from the global computer network (the Internet cloud). */
export function eFromGlobal(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.every('each packet the first device received came from the global network: it crossed the Internet cloud to the site edge, then the first LAN',
    a.stories, (s) => {
      const p = inbound(r, s);
      return p.edge !== null && p.firstLan !== null && p.firstLan.seq < s.rx.seq;
    }, (s) => `#${s.rx.pid}: ${inbound(r, s).edge?.dev ?? 'no frame from the cloud'} then ${inbound(r, s).firstLan?.dev ?? 'no first-LAN frame'}`);
}

/** The first device is a NIC: inside a server, on its first-LAN interface, with its own processor and TCP engine. */
export function eNic(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  ev.check('the first devices are NICs: one SmartNic inside each server, attached to its first-LAN interface',
    c.nics.length === c.members.length && c.nics.length > 0 && c.nics.every((n, i) => n.self === c.members[i] && n.self.node.kind === 'server'
      && n.name === `${n.self.node.name}/nic` && c.firstLan.devices.some((d) => d === n.self.firstIface.dev)),
    `${c.nics.length} NICs: ${c.nics.map((n) => `${n.name} on ${n.self.firstIface.dev.name}`).join(', ')}`);
  const proc = c.nics[0].opts.processingNs;
  ev.every(`each packet reached the server's first-LAN interface, then the NIC's own processor (≥ ${proc} ns) handled it`, a.stories,
    (s) => s.devRx !== null && s.devRx.server === s.rx.nic && s.rx.t - s.devRx.t >= proc,
    (s) => `#${s.rx.pid}: at the interface ${s.devRx ? ms(s.devRx.t) : '?'}, processed ${s.devRx ? us(s.rx.t - s.devRx.t) : '?'} later`);
  const fromClients = r.rec.tcpRx.filter((x) => r.clientIps.has(x.srcIp));
  ev.every('host TCPs got client segments only through a NIC: handed over by their own NIC, or forwarded by a peer\'s NIC', fromClients,
    (x) => r.rec.locals.some((l) => l.root === x.root && l.nic === x.server && l.seq < x.seq)
      || ((x.flags & FORWARDED) !== 0 && r.rec.forwards.some((f) => f.root === x.root && f.owner === x.server && f.seq < x.seq)),
    (x) => `${pkt(x)} at server${x.server}`);
  const syns = r.rec.lookups.filter((l) => l.holder === -3 && SYN_ONLY(l.tcpFlags)).length;
  const hostSyns = fromClients.filter((x) => SYN_ONLY(x.tcpFlags)).length;
  const answered = c.nics.reduce((s, n) => s + n.synAnswered, 0);
  ev.check('the NIC\'s own TCP engine answered every connection request (SYN); no host TCP saw one', syns > 0 && answered === syns && hostSyns === 0,
    `${answered} SYNs answered by NIC engines for ${syns} new connections; host TCPs saw ${hostSyns}`);
}

/** The first network is (includes) a LAN. */
export function eFirstIsLan(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const lan = r.c.firstLan;
  const frames = lan.channels.reduce((s, ch) => s + ch.frames, 0);
  ev.check('the first network is a LAN: Ethernet (CSMA) media in one IPv4 subnet joining the site edge and the servers',
    lan.channels.length > 0 && lan.channels.every((ch) => ch instanceof CsmaChannel) && r.c.members.every((m) => m.firstIface.network === lan.network)
      && r.c.edge.interfaces.some((i) => i.network === lan.network && i.len === lan.len),
    `${lan.name}: ${lan.channels.length} channel(s), subnet ${ip(lan.network)}/${lan.len}, edge ${r.c.edge.name} and ${r.c.members.length} servers, ${frames} frames carried`);
  ev.every('client packets crossed that LAN on their way to the first device', a.stories,
    (s) => (s.rx.flags & FIRST_LAN) !== 0 && s.lastHop !== null && lan.channels.some((ch) => ch.name === s.lastHop!.dev || ch.devices.some((d) => d.name === s.lastHop!.dev)),
    (s) => `#${s.rx.pid} via ${s.lastHop?.dev ?? '?'}`);
}

/** The first LAN is coupled through the global network (Internet cloud) to the clients. */
export function eCoupledToClients(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  const nodes = c.clients.map((x) => x.node);
  ev.check('each client\'s only link leads to the Internet cloud (the global network)',
    nodes.length > 0 && nodes.every((n) => n.devices.length === 1 && n.devices[0].name === `${n.name}->internet`),
    `${nodes.length} clients: ${nodes.map((n) => `${n.name} ${ip(n.interfaces[0].ip)}`).join(', ')}`);
  ev.check('the Internet cloud is linked to the site edge, which has an interface on the first LAN',
    c.topo.devices().some((d) => d.name === `internet->${c.edge.name}`) && c.edge.devices.some((d) => d.name === `${c.edge.name}->internet`)
      && c.edge.interfaces.some((i) => i.network === c.firstLan.network),
    `internet ↔ ${c.edge.name} (${c.edge.kind}) ↔ ${c.firstLan.name}`);
  ev.every('each client packet went client → Internet cloud → edge → first LAN → NIC', a.stories, (s) => {
    const p = inbound(r, s);
    return stepsInOrder([['client', p.client], ['edge', p.edge], ['first LAN', p.firstLan], ['nic', s.rx]]);
  }, (s) => {
    const p = inbound(r, s);
    return `#${s.rx.pid}: ${[p.client, p.edge, p.firstLan].map((x) => x?.dev ?? 'MISSING').join(' → ')} → ${r.c.nics[s.rx.nic].name}`;
  });
  ev.check('the Internet cloud forwarded at least every packet the first devices processed', c.internet!.ipForwarded >= a.stories.length && a.stories.length > 0,
    `cloud forwarded ${c.internet!.ipForwarded} packets; first devices processed ${a.stories.length}`);
}

/** The second network is (includes) a LAN. */
export function eSecondIsLan(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const lan = r.c.secondLan!;
  const frames = lan.channels.reduce((s, ch) => s + ch.frames, 0);
  ev.check('the second network is a LAN: Ethernet (CSMA) media and a switch in its own IPv4 subnet joining the servers',
    lan.channels.length > 0 && lan.channels.every((ch) => ch instanceof CsmaChannel) && lan.bridge !== undefined
      && r.c.members.every((m) => m.secondIface !== null && m.secondIface.network === lan.network),
    `${lan.name}: ${lan.channels.length} channels, switch ${lan.bridge?.name ?? 'none'}, subnet ${ip(lan.network)}/${lan.len}, ${frames} frames carried`);
  ev.every('each packet output to a second device crossed second-LAN devices, encapsulated', a.stories.filter((s) => s.forward !== null),
    (s) => s.afterForward.some((x) => x.lan === SECOND_LAN && x.etherType === EtherType.ENCAP), (s) => `#${s.rx.pid} via ${secondLanFrame(s)?.dev ?? 'none'}`);
  const migr = r.rec.tx.filter((x) => x.ctl !== null);
  ev.every('migration messages (TCB and acknowledgement) also went over the second LAN', migr, (x) => x.lan === SECOND_LAN, (x) => `${x.ctl} on ${x.dev}`);
}

/** First network: a first LAN; second network: a second, separate LAN. */
export function eTwoLans(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const f = r.c.firstLan, b = r.c.secondLan!;
  ev.check('the first and second LANs are two separate LANs: no shared medium or device, different subnets, one interface on each per server',
    f.channels.every((ch) => !b.channels.includes(ch)) && f.devices.every((d) => !b.devices.includes(d)) && f.network !== b.network
      && r.c.members.every((m) => m.secondIface !== null && m.firstIface.dev !== m.secondIface.dev),
    `${f.name} ${ip(f.network)}/${f.len} and ${b.name} ${ip(b.network)}/${b.len}`);
  ev.every('packets output to a second device came in on the first LAN and went out on the second LAN', a.stories.filter((s) => s.forward !== null),
    (s) => s.lastHop?.lan === FIRST_LAN && s.afterForward.length > 0 && s.afterForward.every((x) => x.lan === SECOND_LAN),
    (s) => `#${s.rx.pid}: in via ${s.lastHop?.dev ?? '?'}, out via ${secondLanFrame(s)?.dev ?? '?'}`);
}

/** The client addresses the packet to the first device, which receives it because of that addressing. */
export function eAddressing(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  const port = c.servicePort;
  ev.every('each packet a NIC processed was addressed to it: destination IP and MAC of its server\'s first-LAN interface', a.stories,
    (s) => s.rx.dstIp === c.members[s.rx.nic].firstIface.ip && s.rx.dstMac === c.members[s.rx.nic].firstIface.dev.mac,
    (s) => `#${s.rx.pid} to ${ip(s.rx.dstIp)} processed by ${c.nics[s.rx.nic].name}`);
  const sent = c.clients.flatMap((x) => r.rec.tx.filter((t) => t.dev === `${x.node.name}->internet` && t.dstPort === port));
  const nicOfIp = new Map(c.members.map((m) => [m.firstIface.ip, m.index]));
  const byRoot = group(r.rec.nicRx, (x) => x.root);
  ev.every('every packet a client sent to a server address was processed by that server\'s NIC, and by no other', sent, (t) => {
    const got = byRoot.get(t.root) ?? [];
    return nicOfIp.has(t.dstIp) && got.length === 1 && got[0].nic === nicOfIp.get(t.dstIp);
  }, (t) => `${pkt(t)} → ${(byRoot.get(t.root) ?? []).map((x) => c.nics[x.nic].name).join(', ') || 'no NIC'}`);
  const firsts = [...new Set(a.conns.map((k) => k.first))].sort();
  ev.check('the clients chose among several first-device addresses (one per server)', firsts.length >= 2,
    `${a.conns.length} connections addressed to ${firsts.map((i) => ip(c.members[i].firstIface.ip)).join(', ')}`);
}

/** On a hub the other servers hear every frame; their NICs ignore what is not addressed to them. */
export function eHubOverhears(ev: Evidence, r: Run): void {
  const devs = r.c.members.map((m) => m.firstIface.dev);
  ev.check('on the hub every server interface heard frames addressed to other stations (seen > accepted)', devs.every((d) => d.seenFrames > d.rxFrames),
    devs.map((d) => `${d.name}: seen ${d.seenFrames}, accepted ${d.rxFrames}`).join('; '));
}

/** Part of the state arrives from the second device through a third LAN. */
export function eThirdLan(ev: Evidence, r: Run): void {
  const c = r.c;
  const rows = r.rec.decisions.flatMap((d) => d.rec.peerRows.map((row) => ({ d, row })));
  const stateDevs = new Set(c.thirdLan.devices.map((x) => x.name));
  const arrival = (d: DecisionEv, pid: number): DevRxEv | undefined => r.rec.stateRx.find((x) => x.pid === pid && x.server === d.nic);
  ev.check('decisions read state rows of second devices', rows.length > 0 && rows.every(({ d, row }) => row.server !== d.nic),
    `${rows.length} peer rows read by ${r.rec.decisions.length} decisions`);
  ev.every('every peer row a decision used arrived on the first device\'s own third-LAN interface', rows,
    ({ d, row }) => row.viaDevice === c.members[d.nic].thirdIface!.dev.name && stateDevs.has(row.viaDevice),
    ({ d, row }) => `server${d.nic} row of server${row.server} via ${row.viaDevice}`);
  ev.every('in a load report that second device sent from its third-LAN interface, which crossed third-LAN devices only, before the decision', rows,
    ({ d, row }) => {
      const lin = r.rec.lineage(r.rec.rootOf(row.viaPacket));
      const first = lin[0];
      const at = arrival(d, row.viaPacket);
      return first !== undefined && first.dev === c.members[row.server].thirdIface!.dev.name && first.srcIp === c.members[row.server].thirdIface!.ip
        && first.dstPort === REPORT_PORT && first.report?.server === row.server && lin.every((x) => x.lan === THIRD_LAN)
        && at !== undefined && at.t === row.at && at.seq < d.seq;
    }, ({ row }) => `report #${r.rec.rootOf(row.viaPacket)} (received as #${row.viaPacket}) from server${row.server}: `
      + `${r.rec.lineage(r.rec.rootOf(row.viaPacket)).map((x) => x.dev).join(', ')}, arrived ${ms(row.at)}`);
  // Ground truth: what each report said against what its sender's host held when it was sent.
  const sent = r.rec.tx.filter((x) => x.report !== null && x.reportTruth !== null);
  ev.every('each load report carried its sender\'s real load when it was sent: the jobs at its CPU plus its open connections, read from the host', sent,
    (x) => x.report!.load === x.reportTruth, (x) => `report #${x.pid} from server${x.report!.server}: said ${x.report!.load}, host had ${x.reportTruth}`, 10);
  ev.check('the reports followed the servers\' load as it changed (not one value all run)', new Set(sent.map((x) => x.report!.load)).size > 1,
    `${sent.length} reports with ${new Set(sent.map((x) => x.report!.load)).size} distinct loads`);
  // The freshest report: from the trace of what arrived where, not from the state table.
  const reportOf = (pid: number): TxEv | undefined => r.rec.lineage(r.rec.rootOf(pid))[0];
  // Report arrivals at each server's third-LAN interface, in trace order, by (receiver, sender).
  const arrivals = new Map<string, { at: DevRxEv; load: number }[]>();
  for (const x of r.rec.stateRx) {
    const rep = reportOf(x.pid)?.report;
    if (rep === undefined || rep === null) continue;
    const k = `${x.server}/${rep.server}`;
    let l = arrivals.get(k);
    if (l === undefined) arrivals.set(k, (l = []));
    l.push({ at: x, load: rep.load });
  }
  const latest = (d: DecisionEv, server: number): { at: DevRxEv; load: number } | null => {
    const l = arrivals.get(`${d.nic}/${server}`) ?? [];
    let lo = 0, hi = l.length; // first arrival after the decision
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid].at.seq < d.seq) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? l[lo - 1] : null;
  };
  ev.every('the load each decision used for a peer = the freshest report from that peer that had reached this device\'s third-LAN interface, plus the connections this device placed there since', rows, ({ d, row }) => {
    const l = latest(d, row.server);
    if (l === null) return false;
    const bumps = r.rec.decisions.filter((e) => e.nic === d.nic && e.rec.chosen === row.server && e.seq > l.at.seq && e.seq < d.seq).length;
    return d.rec.loads[d.rec.candidates.indexOf(row.server)] === l.load + bumps;
  }, ({ d, row }) => `server${d.nic} used ${d.rec.loads[d.rec.candidates.indexOf(row.server)]} for server${row.server}; freshest report said ${latest(d, row.server)?.load ?? 'none'}`);
  const frames = c.thirdLan.channels.reduce((s, ch) => s + ch.frames, 0);
  ev.fact('load reports', `sent ${c.reporters.reduce((s, x) => s + x.sent, 0)}, received ${c.reporters.reduce((s, x) => s + x.received, 0)}; third-LAN frames ${frames}`);
}

/** The frames that brought a packet to its NIC (a flooding switch's copies to other ports left out). */
function wayIn(r: Run, s: Story): string {
  const sw = r.c.firstLan.bridge;
  const swName = sw !== undefined ? r.c.topo.nodes.find((n) => n.devices.includes(sw))?.name : undefined;
  const frames = r.rec.lineage(s.rx.root).filter((x) => x.seq < s.rx.seq && (x.node !== swName || x.pid === s.rx.pid));
  return `#${s.rx.pid}: ${frames.map((x) => x.dev).join(' → ')} → ${r.c.nics[s.rx.nic].name}`;
}

/** The first LAN's kind: a hub; an L2 switch behind a router; an L3 switch coupled to the Internet. */
export function eLanKind(ev: Evidence, r: Run, kind: 'hub' | 'l2-switch' | 'l3-switch'): void {
  const a = analyse(r);
  const c = r.c;
  const lan = c.firstLan;
  const swNode = lan.bridge !== undefined ? c.topo.nodes.find((n) => n.devices.includes(lan.bridge!)) : undefined;
  const req = a.stories;
  if (kind === 'hub') {
    const ch = lan.channels[0];
    ev.check('the first LAN includes a hub: one shared medium to which the router and every server attach (no switch)',
      lan.channels.length === 1 && lan.bridge === undefined && ch.devices.length === c.members.length + 1
        && c.members.every((m) => ch.devices.some((d) => d === m.firstIface.dev)) && ch.devices.some((d) => d.name === `${lan.name}/${c.edge.name}`),
      `${ch?.name}: ${ch?.devices.map((d) => d.name).join(', ')}; ${ch?.frames ?? 0} frames carried`);
    ev.every('each client packet crossed the hub: its last frame was on the shared medium', req,
      (s) => s.lastHop !== null && ch.devices.some((d) => d.name === s.lastHop!.dev), (s) => `#${s.rx.pid} via ${s.lastHop?.dev ?? '?'}`);
    eHubOverhears(ev, r);
    return;
  }
  if (kind === 'l2-switch') {
    ev.check('the first LAN includes a Layer 2 switch: a bridge on a node of kind l2-switch, with no IP stack',
      swNode !== undefined && swNode.kind === 'l2-switch' && !('interfaces' in swNode),
      `${swNode?.name ?? 'none'} (${swNode?.kind ?? '-'}) with ${lan.bridge?.ports.length ?? 0} ports`);
    ev.check('the switch is coupled through a router device to the global network: the router has a port on the switch and a link to the Internet cloud',
      c.edge.kind === 'router' && c.edge.devices.some((d) => d.name === `${lan.name}/${c.edge.name}`) && c.edge.devices.some((d) => d.name === `${c.edge.name}->internet`),
      `${c.edge.name} (${c.edge.kind}): ${c.edge.devices.map((d) => d.name).join(', ')}`);
    ev.every('each client packet went Internet cloud → router → switch → NIC', req, (s) => {
      const p = inbound(r, s);
      const routerOut = r.rec.lineage(s.rx.root).find((x) => x.dev === `${lan.name}/${c.edge.name}` && p.edge !== null && x.seq > p.edge.seq);
      return stepsInOrder([['edge', p.edge], ['router', routerOut], ['switch', s.lastHop], ['nic', s.rx]]) && s.lastHop?.node === swNode?.name;
    }, (s) => wayIn(r, s));
    return;
  }
  ev.check('the first LAN includes a Layer 3 switch (bridge and IP routing in one node), coupled straight to the Internet cloud; no router',
    swNode !== undefined && swNode === c.edge && swNode.kind === 'l3-switch' && c.edge.forwarding
      && c.edge.devices.some((d) => d.name === `${c.edge.name}->internet`) && c.topo.nodes.every((n) => n.kind !== 'router'),
    `${c.edge.name} (${c.edge.kind}): ${c.edge.devices.map((d) => d.name).join(', ')}`);
  ev.every('each client packet went Internet cloud → L3 switch → NIC', req, (s) => {
    const p = inbound(r, s);
    return stepsInOrder([['edge', p.edge], ['switch', s.lastHop], ['nic', s.rx]]) && s.lastHop?.node === c.edge.name;
  }, (s) => wayIn(r, s));
}
