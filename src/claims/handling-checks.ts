/**
 * Handling checks: the element checks (e*) that system claims compose about
 * what the first device does with client packets and what comes of them:
 * received, the holder identified, the operation performed there or the
 * packet output to a second device past the first network, the selective
 * decision on the state, the encapsulation, the application and socket that
 * serve the request, the response that bypasses the first device; and the
 * soundness of a run.
 *
 * Invariants: a check only reads a run, its recorded trace and its analysis,
 * and records what it measured on the Evidence; it never changes the run.
 * Cost: linear scans of the recorded events and Stories (the run and its
 * analysis are memoised).
 */
import {
  ENCAP_FORWARDED, ENCAP_HEADER, ETH_FCS, ETH_HEADER, ETH_MIN_PAYLOAD, EtherType, PathFlag,
} from '../net/packet';
import { analyse, clientName, kept, moved, SYN_ONLY, type Conn } from './analysis';
import type { Run } from './claim-run';
import { stepsInOrder, type Evidence } from './evidence';
import { ep, holderName, ip, ms, pkt, ratio, us } from './format';
import type { DecisionEv, LookupEv, Pkt } from '../metrics/recorder';

const { FIRST_LAN, SECOND_LAN, FIRST_PROCESSED, FORWARDED } = PathFlag;

const firstIpOf = (r: Run, k: Conn): number => r.c.members[k.first].firstIface.ip;

function showDecision(d: DecisionEv): string {
  const { candidates: c, loads } = d.rec;
  const peers = c.slice(1).map((s, i) => `server${s}=${loads[i + 1]}`).join(', ');
  return `server${d.nic}'s NIC at ${ms(d.t)} on ${ep(d.rec.clientIp, d.rec.clientPort)}: own load ${d.rec.ownLoad}, `
    + `peers ${peers || 'none'} → ${d.rec.chosen === d.nic ? 'kept' : `server${d.rec.chosen}`}`;
}

/** The servers a policy may pick given the state a decision recorded (ties among peers are drawn at random). */
export function acceptable(d: DecisionEv, policy: string, threshold: number): number[] {
  const { candidates: c, loads, ownLoad } = d.rec;
  if (c[0] !== d.nic || loads[0] !== ownLoad || loads.length !== c.length) return [];
  const least = (): number[] => {
    const min = Math.min(...loads);
    return loads[0] === min ? [c[0]] : c.filter((_, i) => i > 0 && loads[i] === min);
  };
  if (policy === 'least-loaded') return least();
  if (policy === 'local-unless-overloaded') return ownLoad < threshold ? [c[0]] : least();
  return [];
}

const samePacket = (x: Pkt, y: Pkt): boolean => x.srcIp === y.srcIp && x.dstIp === y.dstIp && x.srcPort === y.srcPort
  && x.dstPort === y.dstPort && x.tcpSeq === y.tcpSeq && x.tcpAck === y.tcpAck && x.tcpFlags === y.tcpFlags
  && x.payload === y.payload && x.ipBytes === y.ipBytes && x.protocol === y.protocol;

/** Receiving, through the first network, packets originating from clients. */
export function eReceive(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.every('the first device received packets that clients originated', a.stories, (s) => r.clientIps.has(s.rx.srcIp),
    (s) => `${pkt(s.rx)} at server${s.rx.nic}'s NIC`);
  ev.every('each came through the first network: its last frame before the NIC was on a first-LAN device (first-LAN bit set)', a.stories,
    (s) => s.lastHop !== null && s.lastHop.lan === FIRST_LAN && (s.rx.flags & FIRST_LAN) !== 0,
    (s) => `#${s.rx.pid} last frame on ${s.lastHop?.dev ?? 'none'}`);
  ev.fact('client packets processed by first devices', `${a.stories.length} (per NIC: ${r.c.nics.map((n) => n.processed).join(', ')})`);
}

/** Identifying the device that stores the connection's data structure. */
export function eIdentify(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const rec = r.rec;
  ev.every('for each received packet the first device looked up, once and after receiving it, who stores its connection\'s data structure',
    a.stories, (s) => s.lookup !== null && s.lookup.seq > s.rx.seq && rec.lookups.filter((l) => l.nic === s.rx.nic && l.pid === s.rx.pid).length === 1,
    (s) => `${pkt(s.rx)} → ${s.lookup ? holderName(s.lookup.holder, s.lookup.nic) : 'no look-up'}`);
  const holds = (l: LookupEv): boolean => {
    if (l.holder === -3) return l.places.length === 0; // no entry: a new connection (SYN), or a segment that came after its connection ended
    if (l.holder === l.nic) return false;
    const want = l.holder === -2 ? `nic${l.nic}` : l.holder === -1 ? `host${l.nic}` : `host${l.holder}`;
    return (l.places.length === 1 && l.places[0] === want) || (l.holder >= 0 && l.migrating && l.places.length === 0);
  };
  ev.every('the device identified really holds the TCB at that moment (no entry: nobody holds one; migrating: nobody or the new owner)',
    rec.lookups, holds, (l) => `${pkt(l)}: identified ${holderName(l.holder, l.nic)}; TCB found in [${l.places.join(', ')}]${l.migrating ? ' (migrating)' : ''}`);
  const n = (f: (l: LookupEv) => boolean): number => rec.lookups.filter(f).length;
  const own = n((l) => l.holder === -1), engine = n((l) => l.holder === -2), other = n((l) => l.holder >= 0), fresh = n((l) => l.holder === -3);
  ev.check('both outcomes occur: the first device itself (its NIC engine or own host) and a second device', own + engine > 0 && other > 0,
    `look-ups: ${fresh} without entry (${n((l) => l.holder === -3 && SYN_ONLY(l.tcpFlags))} SYNs of new connections, the rest late segments `
      + `of ended connections), ${engine} NIC engine, ${own} own host, ${other} second device`);
  const ex = rec.lookups.find((l) => l.holder >= 0);
  if (ex) ev.fact('example look-up naming a second device', `${pkt(ex)} at server${ex.nic}'s NIC → server${ex.holder} (TCB there: ${ex.places.join(', ') || 'in flight'})`);
}

/** The identified device is the first device: it performs the operation. */
export function eFirstBranch(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const own = a.stories.filter((s) => s.lookup?.holder === -1);
  ev.every('holder = the first device\'s own host: the NIC handed the packet to it (no forward) and its TCP processed it', own,
    (s) => s.local !== null && s.forward === null && s.hostRx !== null && s.hostRx.server === s.rx.nic && (s.hostRx.flags & FORWARDED) === 0,
    (s) => `${pkt(s.rx)} → server${s.hostRx?.server ?? '?'} TCP`);
  const engine = a.stories.filter((s) => s.lookup?.holder === -2 && s.rx.payload === 0);
  ev.every('holder = the NIC\'s own TCP engine (handshake): the NIC processed the segment itself (no hand-off, no forward)', engine,
    (s) => s.local === null && s.forward === null, (s) => pkt(s.rx));
  ev.every('requests the first device kept: its own server\'s application performed the operation', kept(a),
    (s) => s.local !== null && s.forward === null && s.hostRx?.server === s.rx.nic && s.request !== null && s.request.server === s.rx.nic,
    (s) => `${pkt(s.rx)} → server${s.request?.server ?? '?'} application, request ${s.request?.reqId ?? '?'}`);
  ev.fact('requests performed by the first device\'s own host', kept(a).length);
}

/** The identified device is a second device: the packet is output to it through the second network, and it performs the operation. */
export function eSecondBranch(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const remote = a.stories.filter((s) => (s.lookup?.holder ?? -9) >= 0);
  ev.every('holder = a second device: the packet was output to that device (not handed to the own host) and reached its TCP', remote,
    (s) => s.forward !== null && s.forward.owner === s.lookup!.holder && s.local === null && s.hostRx?.server === s.lookup!.holder,
    (s) => `${pkt(s.rx)} → server${s.forward?.owner ?? '?'} TCP`);
  ev.every('requests moved to a second device: TCB migrated and acknowledged, request output to it, its application performed the operation', moved(a),
    (s) => s.migrate !== null && s.forward !== null && s.forward.owner === s.decision!.rec.chosen && s.hostRx?.server === s.forward.owner
      && s.request !== null && s.request.server === s.forward.owner,
    (s) => `${pkt(s.rx)} first device server${s.rx.nic} → server${s.forward?.owner ?? '?'} application, request ${s.request?.reqId ?? '?'}, `
      + `migration RTT ${s.migrate ? us(s.migrate.rttNs) : '?'}`);
  ev.every('whenever a packet was output to a second device, that device held the connection\'s TCB', r.rec.forwards,
    (f) => f.ownerTcb !== null, (f) => `${pkt(f)} → server${f.owner}: TCB ${f.ownerTcb ? 'present' : 'ABSENT'}`);
  ev.fact('requests performed by a second device', `${moved(a).length}; packets output to second devices: ${r.rec.forwards.length}`);
}

/** The output packet bypasses the first network: second-LAN devices only, from the forward to the owner. */
export function eBypassFirst(ev: Evidence, r: Run, word: 'network' | 'LAN'): void {
  const a = analyse(r);
  const fw = a.stories.filter((s) => s.forward !== null);
  ev.every(`each output packet crossed only second-LAN devices until it reached the second device: it bypassed the first ${word}`, fw,
    (s) => s.hostRx !== null && s.afterForward.length > 0 && s.afterForward.every((x) => x.lan === SECOND_LAN),
    (s) => `#${s.rx.pid}: ${s.afterForward.map((x) => x.dev).join(', ') || 'no frames'}`);
  ev.every('on arrival at the second device\'s TCP: forwarded bit set, second-LAN bit set, first-LAN bit clear', fw,
    (s) => s.hostRx !== null && (s.hostRx.flags & FORWARDED) !== 0 && (s.hostRx.flags & SECOND_LAN) !== 0 && (s.hostRx.flags & FIRST_LAN) === 0,
    (s) => `#${s.rx.pid} flags 0b${(s.hostRx?.flags ?? 0).toString(2)}`);
  const clean = fw.filter((s) => s.hostRx !== null && (s.hostRx.flags & FIRST_LAN) === 0).length;
  ev.fact('output packets that reached the second device without crossing the first LAN', ratio(clean, fw.length));
}

/** The operation is part of a software application (scope: every connection, or those moved to a second device). */
export function eApplication(ev: Evidence, r: Run, scope: 'all' | 'moved'): void {
  const a = analyse(r);
  const c = r.c;
  const conns = a.conns.filter((k) => k.decision !== null && (scope === 'all' || k.moved));
  ev.check('every server runs a software application (TcpServerApp) installed on its node',
    c.servers.length === c.members.length && c.servers.every((app, i) => c.members[i].node.applications.includes(app)),
    c.servers.map((s) => s.name).join(', '));
  ev.every(`the operation (serving the request) was performed by the application of the server holding the connection${scope === 'moved' ? ' (the second device)' : ''}`,
    conns, (k) => k.requestStory?.request != null && k.requestStory.request.server === k.owner,
    (k) => `${k.key} (first device server${k.first}) → server${k.requestStory?.request?.server ?? '?'} application, request ${k.requestStory?.request?.reqId ?? '?'}`);
  ev.every('the response the client got was produced by that application (servedBy = that server, same request id)', conns, (k) => {
    const q = k.requestStory?.request;
    return q != null && k.responses.some((x) => x.responses.some((y) => y.reqId === q.reqId && y.servedBy === c.members[k.owner].node.id));
  }, (k) => `${k.key}: responses served by ${[...new Set(k.responses.flatMap((x) => x.responses.map((y) => y.servedBy)))].join(', ') || 'nobody'}`);
  ev.check('every issued request was received by an application and answered', r.issued > 0 && r.completed === r.issued
    && c.stats.requestsReceived === r.issued && c.stats.responsesSent === r.issued,
  `issued ${r.issued}, received by applications ${c.stats.requestsReceived}, answered ${c.stats.responsesSent}, completed ${r.completed}`);
}

/** The software application is a socket application. */
export function eSocket(ev: Evidence, r: Run, scope: 'all' | 'moved'): void {
  const a = analyse(r);
  const port = r.c.servicePort;
  const conns = a.conns.filter((k) => k.decision !== null && (scope === 'all' || k.moved));
  ev.every('the application got each request on a TCP socket of its host\'s TCP layer, bound to the client\'s connection with the first device\'s address',
    conns, (k) => {
      const q = k.requestStory?.request;
      return q != null && q.isTcpSocket && q.onHostLayer && q.server === k.owner && q.localIp === firstIpOf(r, k) && q.localPort === port
        && q.remoteIp === k.clientIp && q.remotePort === k.clientPort && (q.state === 'ESTABLISHED' || q.state === 'CLOSE_WAIT');
    }, (k) => {
      const q = k.requestStory?.request;
      return q ? `server${q.server} socket ${ep(q.localIp, q.localPort)}↔${ep(q.remoteIp, q.remotePort)} ${q.state}` : `${k.key}: no request`;
    });
  ev.every('that socket holds the TCB the first device\'s NIC built at the handshake (its ISS = the sequence number of the NIC\'s SYN|ACK)', conns,
    (k) => k.synAck !== null && k.requestStory?.request != null && k.requestStory.request.iss === k.synAck.tcpSeq,
    (k) => `${k.key}: SYN|ACK #${k.synAck?.pid ?? '?'} seq ${k.synAck?.tcpSeq ?? '?'}, socket ISS ${k.requestStory?.request?.iss ?? '?'}`);
  ev.every('the response was written on that socket: it reached the client from the first device\'s address and port to the client\'s port', conns,
    (k) => k.responses.length > 0 && k.responses.every((x) => x.srcIp === firstIpOf(r, k) && x.srcPort === port && x.dstPort === k.clientPort),
    (k) => `${k.key}: ${k.responses.length} response segments`);
}

/** Responses of connections held by a second device bypass the first device (and, optionally, go through the first LAN and the Internet). */
export function eResponseBypass(ev: Evidence, r: Run, throughGlobal: boolean): void {
  const a = analyse(r);
  const c = r.c;
  const mv = a.conns.filter((k) => k.moved);
  const resp = mv.flatMap((k) => k.responses.map((x) => ({ k, x })));
  ev.every('connections output to a second device got their responses at the client', mv, (k) => k.responses.length > 0,
    (k) => `${k.key}: ${k.responses.length} response segments`);
  ev.every('each such response left the second device with the first device\'s address as source', resp,
    ({ k, x }) => x.srcIp === firstIpOf(r, k) && r.rec.lineage(x.root)[0]?.dev === c.members[k.owner].firstIface.dev.name,
    ({ k, x }) => `#${x.pid} from ${ip(x.srcIp)}, first frame on ${r.rec.lineage(x.root)[0]?.dev ?? '?'} (holder server${k.owner})`);
  ev.every('and bypassed the first device: not processed by it (FIRST_PROCESSED clear), no device of its server transmitted it', resp,
    ({ k, x }) => (x.flags & FIRST_PROCESSED) === 0 && r.rec.lineage(x.root).every((t) => t.node !== c.members[k.first].node.name),
    ({ k, x }) => `#${x.pid} (first device server${k.first}): ${r.rec.lineage(x.root).map((t) => t.dev).join(' → ')}`);
  if (throughGlobal) {
    ev.every('those responses went through the first LAN and then the global network: first-LAN frame → edge → Internet cloud → client', resp, ({ x }) => {
      const lin = r.rec.lineage(x.root);
      const firstLan = lin.find((t) => t.lan === FIRST_LAN);
      const out = lin.find((t) => t.dev === `${c.edge.name}->internet`);
      const last = lin.find((t) => t.dev === `internet->${clientName(r, x.dstIp)}`);
      return stepsInOrder([['first LAN', firstLan], ['out', out], ['last', last], ['client', x]]);
    }, ({ x }) => `#${x.pid}: ${r.rec.lineage(x.root).map((t) => t.dev).join(' → ')}`);
  }
  const kp = a.conns.filter((k) => !k.moved).flatMap((k) => k.responses);
  ev.every('contrast (the measure can fail): responses of connections the first device kept do carry FIRST_PROCESSED', kp,
    (x) => (x.flags & FIRST_PROCESSED) !== 0, (x) => `#${x.pid}`);
  const all = a.conns.flatMap((k) => k.responses);
  ev.fact('response segments of moved connections that bypassed their first device',
    ratio(resp.filter(({ x }) => (x.flags & FIRST_PROCESSED) === 0).length, resp.length));
  ev.fact('response bypass ratio over all responses', ratio(all.filter((x) => (x.flags & FIRST_PROCESSED) === 0).length, all.length));
}

/** Selective output in response to the packet and to the state. */
export function eSelective(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const policy = r.c.nics[0].opts.policy, thr = r.c.nics[0].opts.threshold;
  const ds = r.rec.decisions;
  ev.every('each decision was taken in response to a client request packet, while the first device handled it', ds,
    (d) => d.lookup !== null && d.lookup.payload > 0 && d.lookup.nic === d.nic && d.seq > d.lookup.seq && d.t === d.lookup.t && r.clientIps.has(d.rec.clientIp),
    (d) => `${showDecision(d)} on ${d.lookup ? pkt(d.lookup) : 'no packet'}`);
  ev.every(`each outcome is the ${policy} policy applied to the state: own load (first device) and peers' loads (second devices)`, ds,
    (d) => acceptable(d, policy, thr).includes(d.rec.chosen), showDecision);
  const k = kept(a), m = moved(a);
  ev.check('the output is selective: some requests kept by the first device, others output to a second device', k.length > 0 && m.length > 0,
    `kept ${k.length}, output to a second device ${m.length}`);
  if (k[0]?.decision) ev.fact('a request kept', showDecision(k[0].decision));
  if (m[0]?.decision) ev.fact('a request output', showDecision(m[0].decision));
}

/** Same client packet stream, different state: different outcomes, and only where the state crossed the threshold. */
export function eStateDecides(ev: Evidence, idle: Run, busy: Run): void {
  const thr = idle.c.nics[0].opts.threshold;
  const key = (k: Conn): string => `${k.key}>${k.first}`;
  const A = analyse(idle).conns.filter((k) => k.decision !== null);
  const B = analyse(busy).conns.filter((k) => k.decision !== null);
  const inA = new Map(A.map((k) => [key(k), k]));
  const pairs = B.filter((k) => inA.has(key(k))).map((b) => ({ a: inA.get(key(b))!, b }));
  ev.check('the same client connections reached the same first devices in both runs (same packet stream)',
    pairs.length > 0 && pairs.length === A.length && pairs.length === B.length, `${pairs.length} connections in both runs (${A.length} and ${B.length})`);
  ev.every('every decision in both runs follows the state: own load below the threshold → kept, otherwise the least-loaded server',
    [...idle.rec.decisions, ...busy.rec.decisions], (d) => acceptable(d, 'local-unless-overloaded', thr).includes(d.rec.chosen), showDecision);
  const changed = pairs.filter((p) => p.a.moved !== p.b.moved);
  const flipped = changed.filter((p) => !p.a.moved && p.b.moved);
  ev.check('different state, different outcome: connections a first device kept while idle were output to a second device when its server was busy',
    flipped.length > 0, `${changed.length} of ${pairs.length} connections changed outcome; e.g. ${flipped[0]
      ? `${flipped[0].a.key}: idle ${showDecision(flipped[0].a.decision!)}; busy ${showDecision(flipped[0].b.decision!)}` : 'none'}`);
  // The state says "keep" when the own load is under the threshold or no server is less loaded.
  const keepByState = (d: DecisionEv): boolean => d.rec.ownLoad < thr || d.rec.ownLoad <= Math.min(...d.rec.loads);
  ev.every('wherever the outcome differs, the state the first device read differed: its own load on the other side of the threshold, or a peer less loaded than itself in one run only', changed,
    (p) => keepByState(p.a.decision!) !== keepByState(p.b.decision!),
    (p) => `${p.a.key}: own load ${p.a.decision!.rec.ownLoad} vs ${p.b.decision!.rec.ownLoad} (threshold ${thr}), least peer load ${Math.min(...p.a.decision!.rec.loads)} vs ${Math.min(...p.b.decision!.rec.loads)}`);
  const count = (r: Run): string => `kept ${kept(analyse(r)).length}, output ${moved(analyse(r)).length}`;
  ev.fact('idle run', count(idle));
  ev.fact('busy run', count(busy));
}

/**
 * A second device's state decides: the same client packet stream with one
 * peer loaded (its CPU given jobs at t = 0). The other first devices learn it
 * only from that peer's reports over the third LAN, and stop choosing it.
 */
export function eStateOfPeerDecides(ev: Evidence, idle: Run, busy: Run, peer: number): void {
  const others = (r: Run) => r.rec.decisions.filter((d) => d.nic !== peer && d.rec.candidates.includes(peer));
  const share = (r: Run): number => others(r).filter((d) => d.rec.chosen === peer).length / Math.max(1, others(r).length);
  const early = (r: Run) => others(r).filter((d) => d.t < 60_000_000);
  ev.check(`with server${peer}'s CPU loaded, the other first devices chose it less often than with it idle (the same client packets)`,
    others(busy).length > 0 && share(busy) < share(idle),
    `server${peer} chosen by peers in ${(100 * share(idle)).toFixed(0)}% of their decisions when idle, ${(100 * share(busy)).toFixed(0)}% when loaded`);
  ev.every(`while the reports showed server${peer} loaded beyond every other candidate, no other first device chose it`, early(busy).filter((d) => {
    const i = d.rec.candidates.indexOf(peer);
    return d.rec.loads.every((l, j) => j === i || l < d.rec.loads[i]);
  }), (d) => d.rec.chosen !== peer, (d) => `server${d.nic} at ${(d.t / 1e6).toFixed(1)} ms: loads ${d.rec.loads.join('/')} of ${d.rec.candidates.join('/')} → chose server${d.rec.chosen}`);
}

/** The packet is output as an encapsulated packet: the packet plus a reference to the connection's data structure. */
export function eEncapsulated(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const c = r.c;
  const fw = r.rec.forwards.map((f) => ({ f, s: a.byFirstAndPid.get(`${f.nic}/${f.pid}`) ?? null }));
  ev.every('each packet output to a second device is encapsulated (EtherType 0x88B5, forwarded flag) around the client\'s packet, unchanged', fw,
    ({ f, s }) => s !== null && s.rx.etherType === EtherType.IPV4 && f.etherType === EtherType.ENCAP && (f.encapFlags & ENCAP_FORWARDED) !== 0 && samePacket(f, s.rx),
    ({ f }) => `${pkt(f)} EtherType 0x${f.etherType.toString(16)}`);
  ev.every('it carries a reference to the connection\'s data structure: client IP and port, owner IP, server port', fw,
    ({ f }) => f.ref !== null && f.ref.clientIp === f.srcIp && f.ref.clientPort === f.srcPort && f.ref.serverPort === f.dstPort
      && f.ref.ownerIp === c.members[f.owner].firstIface.ip,
    ({ f }) => (f.ref ? `#${f.pid}: {client ${ep(f.ref.clientIp, f.ref.clientPort)}, owner ${ip(f.ref.ownerIp)}, server port ${f.ref.serverPort}}` : `#${f.pid}: none`));
  const unwrapOf = new Map(r.rec.unwraps.map((u) => [`${u.server}/${u.pid}`, u]));
  ev.every('the second device found the connection\'s data structure through the reference: the TCB it named is the one its host held for that client connection (addressed to the first device)', fw,
    ({ f }) => {
      const u = unwrapOf.get(`${f.owner}/${f.pid}`);
      return u !== undefined && u.tcb !== null && f.ownerTcb !== null && u.tcb.iss === f.ownerTcb.iss && u.tcb.localIp === f.dstIp
        && u.tcb.remoteIp === f.srcIp && u.tcb.remotePort === f.srcPort && u.tcb.localPort === f.dstPort;
    }, ({ f }) => {
      const u = unwrapOf.get(`${f.owner}/${f.pid}`);
      return `#${f.pid} at server${f.owner}: ${u === undefined ? 'never unwrapped' : u.tcb === null ? 'reference named no TCB' : `${u.byHandle ? `handle ${u.tcb.handle}` : 'end point'} → TCB ${ep(u.tcb.localIp, u.tcb.localPort)}<->${ep(u.tcb.remoteIp, u.tcb.remotePort)}`}`;
    });
  ev.every('once the owner acknowledged the migration, the reference carried its handle of the TCB (its TCP table slot)', fw.filter(({ f }) => f.ownerTcb !== null && r.rec.migrations.some((m) => m.nic === f.nic && m.seq < f.seq)),
    ({ f }) => f.ref !== null && f.ref.handle !== 0 && f.ref.handle === f.ownerTcb!.handle,
    ({ f }) => `#${f.pid}: handle ${f.ref?.handle ?? 'none'}, owner's slot ${f.ownerTcb?.handle ?? '?'}`);
  ev.every('the second device unwrapped it: its TCP got the client\'s original IPv4 packet', fw,
    ({ s }) => s !== null && s.hostRx !== null && s.hostRx.etherType === EtherType.IPV4 && samePacket(s.hostRx, s.rx),
    ({ f, s }) => `#${f.pid}: at server${f.owner} EtherType 0x${(s?.hostRx?.etherType ?? 0).toString(16)}`);
  ev.every('what is encapsulated originates from a client', fw, ({ f }) => r.clientIps.has(f.srcIp), ({ f }) => pkt(f));
}

/** The reference sits in one header: exactly 16 extra bytes on the wire. */
export function eSingleHeader(ev: Evidence, r: Run): void {
  const a = analyse(r);
  const frames = a.stories.filter((s) => s.forward !== null).flatMap((s) => s.afterForward.filter((x) => x.lan === SECOND_LAN).map((x) => ({ s, x })));
  ev.every(`on the second LAN each forwarded frame has exactly one extra header: link payload = IP datagram + ${ENCAP_HEADER} B, no IP-in-IP`, frames,
    ({ x }) => x.etherType === EtherType.ENCAP && !x.tunnel && x.linkBytes === x.ipBytes + ENCAP_HEADER,
    ({ x }) => `#${x.pid} on ${x.dev}: IP ${x.ipBytes} B, link payload ${x.linkBytes} B`);
  ev.every('that one header holds the whole reference, equal on the wire to the connection', frames,
    ({ s, x }) => x.ref !== null && x.ref.clientIp === s.rx.srcIp && x.ref.clientPort === s.rx.srcPort && x.ref.serverPort === s.rx.dstPort
      && x.ref.ownerIp === r.c.members[s.forward!.owner].firstIface.ip,
    ({ x }) => (x.ref ? `#${x.pid}: {${ep(x.ref.clientIp, x.ref.clientPort)}, owner ${ip(x.ref.ownerIp)}, port ${x.ref.serverPort}}` : `#${x.pid}: none`));
  const data = frames.filter(({ x }) => x.payload > 0);
  ev.every(`data segments: forwarded frame = client's frame + ${ENCAP_HEADER} B`, data, ({ s, x }) => x.frameBytes === s.rx.frameBytes + ENCAP_HEADER,
    ({ s, x }) => `#${x.pid}: client frame ${s.rx.frameBytes} B, forwarded frame ${x.frameBytes} B on ${x.dev}`);
  ev.every(`short segments: frame = ${ETH_HEADER} + max(${ETH_MIN_PAYLOAD}, IP + ${ENCAP_HEADER}) + ${ETH_FCS} B (Ethernet padding)`,
    frames.filter(({ x }) => x.payload === 0), ({ x }) => x.frameBytes === ETH_HEADER + Math.max(ETH_MIN_PAYLOAD, x.ipBytes + ENCAP_HEADER) + ETH_FCS,
    ({ x }) => `#${x.pid}: IP ${x.ipBytes} B, frame ${x.frameBytes} B`);
}

/** The run itself is sound: every request answered, packets conserved. */
export function eSound(ev: Evidence, r: Run): void {
  ev.check(`run ${r.key}: every request completed and packets are conserved`, r.issued > 0 && r.completed === r.issued && r.failed === 0 && r.conservation === null,
    `${r.completed}/${r.issued} completed, ${r.failed} failed, conservation ${r.conservation ?? 'holds'}`);
}
