/**
 * Order checks (o*): the order of the steps that method claims 25-48 recite,
 * checked on top of their system mirror's elements. Each builds, per packet
 * or connection, a chain of named steps from a run's analysis; Evidence.order
 * checks every chain is complete and in trace order (seq increasing,
 * simulated time never going back).
 *
 * Invariants: a check only reads a run and its analysis, and records on the
 * Evidence; a missing step fails its chain rather than being skipped.
 * Cost: linear in the Stories (or connections) checked, plus a lineage
 * look-up per chain.
 */
import { EtherType, PathFlag } from '../net/packet';
import { analyse, clientName, inbound, kept, secondLanFrame, moved, type Conn } from './analysis';
import type { Run } from './claim-run';
import type { Evidence, Steps } from './evidence';
import type { TxEv } from '../metrics/recorder';

const { FIRST_LAN, SECOND_LAN } = PathFlag;

/** First response data segment of a connection, as it left the holder's first-LAN interface. */
function responseLeaves(r: Run, k: Conn): TxEv | null {
  const dev = r.c.members[k.owner].firstIface.dev.name;
  return r.rec.tx.find((x) => x.dev === dev && x.dstIp === k.clientIp && x.dstPort === k.clientPort && x.payload > 0) ?? null;
}

/** Receive → identify → perform (own host) or output → second device (method 25). */
export function oIdentifyThenAct(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.order('order when the own host holds it: receive → identify → hand to own host → host TCP',
    a.stories.filter((s) => s.lookup?.holder === -1).map((s) => [['receive', s.rx], ['identify', s.lookup], ['hand to own host', s.local], ['host TCP', s.hostRx]]));
  ev.order('order when a second device holds it: receive → identify → output → second-LAN frame → second device\'s TCP',
    a.stories.filter((s) => (s.lookup?.holder ?? -9) >= 0).map((s) => [['receive', s.rx], ['identify', s.lookup], ['output', s.forward],
      ['second-LAN frame', secondLanFrame(s)], ['second device TCP', s.hostRx]]));
  ev.order('order for a request kept: receive → identify → decide → hand to own host → host TCP → application performs',
    kept(a).map((s) => [['receive', s.rx], ['identify', s.lookup], ['decide', s.decision], ['hand to own host', s.local], ['host TCP', s.hostRx],
      ['application', s.request]]));
  ev.order('order for a request moved: receive → identify → decide → migration acknowledged → output → second-LAN frame → second device TCP → its application',
    moved(a).map((s) => [['receive', s.rx], ['identify', s.lookup], ['decide', s.decision], ['migrated', s.migrate], ['output', s.forward],
      ['second-LAN frame', secondLanFrame(s)], ['second device TCP', s.hostRx], ['application', s.request]]));
}

/** Interface → NIC processor → identify → TCP of the holder (methods 26, 36). */
export function oNic(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.order('order at the NIC: frame at the server\'s interface → NIC processes it → identify → the holder\'s TCP',
    a.stories.filter((s) => s.hostRx !== null || s.forward !== null || s.local !== null)
      .map((s) => [['interface', s.devRx], ['NIC processes', s.rx], ['identify', s.lookup], ['holder TCP', s.hostRx]]));
}

/** First-LAN frame → receive → identify (method 27). */
export function oFirstLan(ev: Evidence, r: Run): void {
  ev.order('order: frame on the first LAN → receive → identify',
    analyse(r).stories.map((s) => [['first-LAN frame', s.lastHop], ['receive', s.rx], ['identify', s.lookup]]));
}

/** Client → Internet cloud → edge → first LAN → receive (methods 28, 37). */
export function oFromClient(ev: Evidence, r: Run): void {
  ev.order('order: client sends → Internet cloud to the edge → first LAN → receive',
    analyse(r).stories.map((s) => {
      const p = inbound(r, s);
      return [['client sends', p.client], ['Internet cloud → edge', p.edge], ['first LAN', p.firstLan], ['receive', s.rx]];
    }));
}

/** Output → second-LAN frame → second device (method 29). */
export function oSecondLan(ev: Evidence, r: Run): void {
  ev.order('order: output → frame on the second LAN → second device\'s TCP',
    analyse(r).stories.filter((s) => s.forward !== null).map((s) => [['output', s.forward], ['second-LAN frame', secondLanFrame(s)], ['second device TCP', s.hostRx]]));
}

/** In on the first LAN, out on the second (method 30). */
export function oTwoLans(ev: Evidence, r: Run): void {
  ev.order('order: first-LAN frame → receive → identify → output → second-LAN frame → second device\'s TCP',
    analyse(r).stories.filter((s) => s.forward !== null).map((s) => [['first-LAN frame', s.lastHop], ['receive', s.rx], ['identify', s.lookup],
      ['output', s.forward], ['second-LAN frame', secondLanFrame(s)], ['second device TCP', s.hostRx]]));
}

/** TCP → application → response leaves → client (methods 31, 32, 42, 43). */
export function oApplication(ev: Evidence, r: Run, scope: 'all' | 'moved', socket: boolean): void {
  const conns = analyse(r).conns.filter((k) => k.decision !== null && (scope === 'all' || k.moved));
  ev.order(socket
    ? 'order: the NIC builds the TCB (SYN|ACK) → the request arrives on the socket → the response leaves on the socket → the client gets it'
    : 'order: the holder\'s TCP gets the request → the application performs the operation → the response leaves → the client gets it',
  conns.map((k) => {
    const s = k.requestStory;
    const head: Steps = socket ? [['SYN|ACK', k.synAck]] : [['holder TCP', s?.hostRx]];
    return [...head, ['application', s?.request], ['response leaves', responseLeaves(r, k)], ['client', k.responses[0]]];
  }));
}

/** Client addresses the first device → it receives → identifies (methods 33, 44). */
export function oAddressing(ev: Evidence, r: Run): void {
  ev.order('order: the client sends to the first device\'s address → that NIC receives it → identify',
    analyse(r).stories.map((s) => [['client sends to the address', inbound(r, s).client], ['addressed NIC receives', s.rx], ['identify', s.lookup]]));
}

/** Request output to the second device, its response straight to the client (methods 34, 41). */
export function oResponseBypass(ev: Evidence, r: Run, throughGlobal: boolean): void {
  const c = r.c;
  ev.order(throughGlobal
    ? 'order: receive → decide → output → second device\'s application → response on the first LAN → edge → Internet cloud → client'
    : 'order: receive → identify → output → second device\'s TCP → its application → response leaves it → client',
  analyse(r).conns.filter((k) => k.moved).map((k) => {
    const s = k.requestStory;
    const resp = k.responses[0];
    const lin = resp !== undefined ? r.rec.lineage(resp.root) : [];
    if (throughGlobal) {
      return [['receive', s?.rx], ['decide', s?.decision], ['output', s?.forward], ['application', s?.request],
        ['first LAN', lin.find((t) => t.lan === FIRST_LAN)], ['edge → Internet', lin.find((t) => t.dev === `${c.edge.name}->internet`)],
        ['Internet → client', lin.find((t) => t.dev === `internet->${clientName(r, k.clientIp)}`)], ['client', resp]];
    }
    return [['receive', s?.rx], ['identify', s?.lookup], ['output', s?.forward], ['second device TCP', s?.hostRx], ['application', s?.request],
      ['response leaves', responseLeaves(r, k)], ['client', resp]];
  }));
}

/** Receive from the Internet through the first LAN → decide on the state → output on the second LAN, or keep (method 35). */
export function oSelective(ev: Evidence, r: Run): void {
  const a = analyse(r);
  ev.order('order for a request output: Internet cloud → first LAN → receive → decide on the state → output → second-LAN frame → second device\'s TCP',
    moved(a).map((s) => [['Internet cloud → edge', inbound(r, s).edge], ['first LAN', s.lastHop], ['receive', s.rx], ['decide', s.decision],
      ['output', s.forward], ['second-LAN frame', secondLanFrame(s)], ['second device TCP', s.hostRx]]));
  ev.order('order for a request kept: receive → decide on the state → hand to own host',
    kept(a).map((s) => [['receive', s.rx], ['decide', s.decision], ['hand to own host', s.local]]));
}

/** Receive → decide → encapsulate and output → encapsulated frame → unwrapped at the second device (methods 38, 39). */
export function oEncapsulate(ev: Evidence, r: Run, header: boolean): void {
  const a = analyse(r);
  if (!header) {
    ev.order('order: receive → decide → encapsulate and output → encapsulated frame on the second LAN → second device\'s TCP',
      moved(a).map((s) => [['receive', s.rx], ['decide', s.decision], ['encapsulate + output', s.forward],
        ['encapsulated frame', s.afterForward.find((x) => x.lan === SECOND_LAN && x.etherType === EtherType.ENCAP)], ['second device TCP', s.hostRx]]));
    return;
  }
  const fw = a.stories.filter((s) => s.forward !== null);
  ev.order('order: client frame (no header) → header added on output → frame with the header on the second LAN → header removed before the second device\'s TCP',
    fw.map((s) => [['client frame', s.rx], ['header added', s.forward], ['frame with header', secondLanFrame(s)], ['header removed', s.hostRx]]));
  ev.every('the EtherType along those steps is IPv4 → 0x88B5 → 0x88B5 → IPv4', fw,
    (s) => s.rx.etherType === EtherType.IPV4 && s.forward!.etherType === EtherType.ENCAP && secondLanFrame(s)?.etherType === EtherType.ENCAP
      && s.hostRx?.etherType === EtherType.IPV4,
    (s) => [s.rx, s.forward, secondLanFrame(s), s.hostRx].map((x) => (x ? `0x${x.etherType.toString(16)}` : '?')).join(' → '));
}

/** Receive → decide → output → second device's TCP → its application performs (method 40). */
export function oOperation(ev: Evidence, r: Run): void {
  ev.order('order: receive → decide on the state → output → second device\'s TCP → its application performs the operation',
    moved(analyse(r)).map((s) => [['receive', s.rx], ['decide', s.decision], ['output', s.forward], ['second device TCP', s.hostRx], ['application', s.request]]));
}

/** Report sent on the third LAN → received by the first device → decision reads it (method 45). */
export function oState(ev: Evidence, r: Run): void {
  const rows = r.rec.decisions.flatMap((d) => d.rec.peerRows.map((row) => ({ d, row })));
  ev.order('order: second device sends its report on the third LAN → it reaches the first device\'s third-LAN interface → a decision reads it',
    rows.map(({ d, row }) => [['report sent', r.rec.lineage(r.rec.rootOf(row.viaPacket))[0]],
      ['report received', r.rec.stateRx.find((x) => x.pid === row.viaPacket && x.server === d.nic)], ['decision', d]]));
}

/** Through the kind of first LAN → receive → decide → output or keep (methods 46-48). */
export function oLanKind(ev: Evidence, r: Run, kind: 'hub' | 'l2-switch' | 'l3-switch'): void {
  const lan = r.c.firstLan;
  const edge = r.c.edge.name;
  const label = kind === 'hub' ? 'Internet cloud → router → hub' : kind === 'l2-switch' ? 'Internet cloud → router → L2 switch' : 'Internet cloud → L3 switch';
  ev.order(`order: ${label} → receive → decide → output or keep`,
    analyse(r).stories.filter((s) => s.decision !== null).map((s) => {
      const p = inbound(r, s);
      const tail: Steps = [['receive', s.rx], ['decide', s.decision], ['output or keep', s.forward ?? s.local]];
      if (kind === 'l3-switch') return [['Internet → L3 switch', p.edge], ['L3 switch → server', s.lastHop], ...tail];
      const routerOut = r.rec.lineage(s.rx.root).find((x) => x.dev === `${lan.name}/${edge}` && p.edge !== null && x.seq > p.edge.seq);
      if (kind === 'hub') return [['Internet → router', p.edge], ['router → hub', routerOut], ...tail];
      return [['Internet → router', p.edge], ['router → switch', routerOut], ['switch → server', s.lastHop], ...tail];
    }));
}
