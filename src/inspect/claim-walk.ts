/**
 * Claim walk: each element a claim recites, as the moment of a run where it
 * happens, in the order a reader meets them ("received through the first
 * network", "identified the device that stores the connection", "output
 * through the second network, bypassing the first", ...). The visualizer's
 * claims panel steps through these, seeking its own replay of the same
 * scenario to each moment.
 *
 * Built from the conformance suite's own run and analysis (claims/claim-run,
 * claims/analysis): the same recorder, the same stories the checks use, so
 * what the panel shows is what the suite checked. A step names its moment by
 * packet id, simulated time and device or node, which are the same in any
 * replay of that scenario (the simulation is deterministic).
 *
 * Cost: the scenario's run (memoised by claim-run) and a scan of its stories.
 */
import { analyse, inbound, secondLanFrame, type Analysis, type Conn, type Story } from '../claims/analysis';
import { run, type Run } from '../claims/claim-run';
import { BASE, CLAIM_TABLE } from '../claims/claim-table';
import { SCENARIOS, type ScenarioKey } from '../claims/scenarios';
import { formatIpv4 } from '../net/address';
import { PathFlag } from '../net/packet';
import type { Stamp, TxEv } from '../metrics/recorder';

/** Where a step happens, in terms any replay of the scenario has. */
export type StepAt =
  | { kind: 'frame'; t: number; pid: number; dev: string }
  | { kind: 'nic'; t: number; pid: number; step: 'receive' | 'lookup' | 'decision' | 'local' | 'forward' | 'migrated'; node: string }
  | { kind: 'request'; t: number; node: string }
  | { kind: 'arrival'; t: number; pid: number; node: string };

export interface WalkStep {
  /** The claim's words for this element. */
  element: string;
  /** What happened, in plain words, with the run's numbers. */
  what: string;
  at: StepAt;
  /** Node ids to highlight. */
  nodes: string[];
  /** The connection (client end point) this step belongs to, "ip:port". */
  conn: string | null;
}

export interface ClaimWalk {
  n: number;
  scenario: ScenarioKey;
  intro: string;
  steps: WalkStep[];
}

const FIRST = PathFlag.FIRST_LAN;

const ms = (t: number): string => `${(t / 1e6).toFixed(3)} ms`;
const us = (ns: number): string => `${(ns / 1e3).toFixed(1)} µs`;
const endp = (ip: number, port: number): string => `${formatIpv4(ip)}:${port}`;

function frame(x: TxEv): StepAt {
  return { kind: 'frame', t: x.t, pid: x.pid, dev: x.dev };
}

function nic(step: 'receive' | 'lookup' | 'decision' | 'local' | 'forward' | 'migrated', x: Stamp & { pid?: number }, node: string, pid?: number): StepAt {
  return { kind: 'nic', t: x.t, pid: pid ?? x.pid ?? -1, step, node };
}

const server = (r: Run, i: number): string => r.c.members[i].node.name;

/** The connection a walk follows for the second branch: moved, with its request forwarded and answered. */
function movedConn(a: Analysis): Conn | undefined {
  return a.conns.find((c) => c.moved && c.requestStory?.forward !== null && c.requestStory?.request !== null && c.responses.length > 0);
}

function keptConn(a: Analysis): Conn | undefined {
  return a.conns.find((c) => !c.moved && c.decision !== null && c.requestStory?.local !== null && c.requestStory?.request !== null);
}

/** The walk of claim n (1-48). */
export function claimWalk(n: number): ClaimWalk {
  const sys = n > 24 ? n - 24 : n;
  const key = CLAIM_TABLE[sys].scenario ?? BASE;
  const r = run(key);
  const a = analyse(r);
  const mc = movedConn(a);
  const kc = keptConn(a);
  const steps: WalkStep[] = [];
  const add = (element: string, what: string, at: StepAt | null, nodes: string[], conn: Conn | undefined): void => {
    if (at !== null) steps.push({ element, what, at, nodes, conn: conn !== undefined ? endp(conn.clientIp, conn.clientPort) : null });
  };
  const ms2 = mc?.requestStory ?? undefined;
  const independent = sys <= 10 ? 1 : 11;
  // The independent claim's story, on the moved connection (and the kept one for claim 1's first branch).
  if (ms2 !== undefined && mc !== undefined) story(r, add, ms2, mc, kc, independent);
  // The dependent claim's own elements.
  if (ms2 !== undefined && mc !== undefined) own(r, add, ms2, mc, sys);
  const method = n > 24 ? ' As a method claim, the steps must also happen in this order; the panel walks them in that order.' : '';
  return {
    n, scenario: key, steps,
    intro: `Watched on scenarios/${SCENARIOS[key]}.json: one client connection through the cluster.${method}`,
  };
}

type Add = (element: string, what: string, at: StepAt | null, nodes: string[], conn: Conn | undefined) => void;

function story(r: Run, add: Add, s: Story, c: Conn, k: Conn | undefined, independent: 1 | 11): void {
  const first = server(r, s.rx.nic);
  const owner = s.forward !== null ? server(r, s.forward.owner) : first;
  const inb = inbound(r, s);
  const client = inb.client?.node ?? '?';
  add('a packet originating from a client', `${client} sends its request (${s.rx.payload} B) to ${formatIpv4(s.rx.dstIp)}, ${first}'s address`,
    inb.client !== null ? frame(inb.client) : null, [client], c);
  if (independent === 11) {
    add('from a global computer network', 'the Internet cloud hands it to the site edge', inb.edge !== null ? frame(inb.edge) : null, [r.c.edge.name, 'internet'], c);
  }
  add(independent === 1 ? 'received through a first network' : 'received through a first LAN',
    `the frame crosses the first LAN (${s.lastHop?.dev ?? '?'}) and ${first}'s smart NIC takes it (${us(s.rx.t - (s.devRx?.t ?? s.rx.t))} of NIC processing)`,
    s.lastHop !== null ? frame(s.lastHop) : null, [first], c);
  add('the first computing device receives the packet', `${first}'s NIC (the first computing device) has the packet`, nic('receive', s.rx, first), [first], c);
  const d = s.decision;
  const holderWord = s.lookup !== null ? (s.lookup.holder === -2 ? 'its own TCP engine, which answered the SYN' : s.lookup.holder === -1 ? 'its own host' : `server${s.lookup.holder}`) : '?';
  add('identifying a computing device that stores a data structure of a connection',
    `the NIC looks the connection up in its directory: the TCB is held by ${holderWord}`, s.lookup !== null ? nic('lookup', s.lookup, first) : null, [first], c);
  if (d !== null) {
    const loads = d.rec.candidates.map((x, i) => `server${x} ${d.rec.loads[i]}`).join(', ');
    add(independent === 1 ? 'identifying the device that will hold the connection' : 'in response to a state of the first and/or a second computing device',
      `on the request it reads its state table (loads: ${loads}) and picks ${owner}${owner === first ? ' (itself)' : ''}`, nic('decision', d, first, s.rx.pid), [first, owner], c);
  }
  if (independent === 1 && k?.requestStory !== undefined && k.requestStory !== null && k.requestStory.local !== null) {
    const ks = k.requestStory;
    const kf = server(r, ks.rx.nic);
    add('if it is the first computing device: performing the operation', `another connection (${endp(k.clientIp, k.clientPort)}): ${kf}'s NIC keeps it and hands the TCB and the packet to its own host`,
      nic('local', ks.local!, kf), [kf], k);
    if (ks.request !== null) add('the first computing device performs the operation', `${kf}'s socket application gets the request and serves it`, { kind: 'request', t: ks.request.t, node: kf }, [kf], k);
  }
  if (s.migrate !== null) {
    add('the data structure moves to the second computing device', `the NIC migrates the TCB to ${owner} over the second LAN; the acknowledgement came back after ${us(s.migrate.rttNs)}`,
      nic('migrated', s.migrate, first, -1), [first, owner], c);
  }
  const f2 = secondLanFrame(s);
  if (s.forward !== null) {
    add(independent === 1 ? 'if it is a second computing device: outputting the packet through a second network' : 'selectively outputting the packet through a second LAN to the second computing device',
      `the NIC forwards the request to ${owner}, encapsulated with the reference to the connection`, nic('forward', s.forward, first), [first, owner], c);
  }
  if (f2 !== undefined) {
    add(independent === 1 ? 'the output packet bypassing the first network' : 'bypassing the first LAN',
      `it travels on the second LAN (${f2.dev}) and never crosses the first LAN again (${s.afterForward.filter((x) => (x.lan & FIRST) !== 0).length} first-LAN frames after forwarding)`,
      frame(f2), [owner], c);
  }
  if (s.request !== null) {
    add('the second computing device performs the operation', `${owner}'s socket application gets the request (${ms(s.request.t)}) and serves it`, { kind: 'request', t: s.request.t, node: owner }, [owner], c);
  }
  const resp = c.responses[0];
  if (resp !== undefined) {
    const bypass = (resp.flags & PathFlag.FIRST_PROCESSED) === 0;
    add('the response bypasses the first computing device',
      `${owner} answers with ${first}'s address as source, straight through the first LAN and the Internet: the response reaches ${inb.client?.node ?? 'the client'} ${bypass ? 'without' : 'after'} passing ${first}'s NIC`,
      { kind: 'arrival', t: resp.t, pid: resp.pid, node: inb.client?.node ?? '' }, [owner, inb.client?.node ?? ''], c);
  }
}

/** Elements a dependent claim adds, shown after the story. */
function own(r: Run, add: Add, s: Story, c: Conn, sys: number): void {
  const first = server(r, s.rx.nic);
  const owner = s.forward !== null ? server(r, s.forward.owner) : first;
  const f2 = secondLanFrame(s);
  switch (sys) {
    case 2: case 12:
      add('the first computing device is a network interface card', `the packet reached ${first}'s first-LAN interface, whose NIC processor handled it before the host saw anything`, nic('receive', s.rx, first), [first], c);
      return;
    case 3:
      add('the first network includes a LAN', `the frame that brought it was on ${r.c.firstLan.name}, an Ethernet LAN`, s.lastHop !== null ? frame(s.lastHop) : null, [first], c);
      return;
    case 4: case 13: {
      const inb = inbound(r, s);
      add('the LAN is coupled through a global computer network to the client', `client → Internet cloud (${inb.client?.dev ?? '?'}), cloud → edge (${inb.edge?.dev ?? '?'})`,
        inb.edge !== null ? frame(inb.edge) : null, ['internet', r.c.edge.name], c);
      return;
    }
    case 5: case 6:
      add(sys === 5 ? 'the second network includes a LAN' : 'first LAN in, second LAN out', `forwarded on ${r.c.secondLan?.name ?? '?'}, a LAN of its own`, f2 !== undefined ? frame(f2) : null, [owner], c);
      return;
    case 7: case 8: case 16: case 18: case 19:
      if (s.request !== null) add(sys === 8 || sys === 19 ? 'the operation is part of a socket application' : 'the operation is part of a software application',
        `${owner}'s server application reads the request from its TCP socket`, { kind: 'request', t: s.request.t, node: owner }, [owner], c);
      return;
    case 9: case 20: {
      const inb = inbound(r, s);
      add('the client addresses the packet to the first computing device', `destination ${formatIpv4(s.rx.dstIp)} is ${first}'s first-LAN address; its NIC takes it because of that`,
        inb.client !== null ? frame(inb.client) : null, [first], c);
      return;
    }
    case 10: case 17: {
      const resp = c.responses[0];
      if (resp !== undefined) add('the response packet bypasses the first computing device', `the response segment #${resp.pid} arrives at the client without ${first} having processed it`,
        { kind: 'arrival', t: resp.t, pid: resp.pid, node: r.c.clients.find((x) => x.node.interfaces[0].ip === resp.dstIp)?.node.name ?? '' }, [owner], c);
      return;
    }
    case 14: case 15:
      if (f2 !== undefined) add(sys === 14 ? 'an encapsulated packet: the packet plus a reference to the connection\'s data structure' : 'the reference is within a single header',
        'click this packet: the inspector shows the one encapsulation header (forwarded flag, client IP and port, owner IP, server port) before the untouched IPv4 packet', frame(f2), [owner], c);
      return;
    case 21: {
      const row = s.decision?.rec.peerRows[0];
      const rep = row !== undefined ? r.rec.lineage(r.rec.rootOf(row.viaPacket)).find((x) => x.lan === PathFlag.THIRD_LAN) : undefined;
      if (row !== undefined && rep !== undefined) {
        add('at least part of the state arrives from the second computing device through a third LAN',
          `server${row.server}'s load report (load ${row.load}) crossed the third LAN (${rep.dev}) and reached ${first} at ${ms(row.at)}, before the decision`, frame(rep), [first, `server${row.server}`], c);
      }
      return;
    }
    case 22: case 23: case 24:
      add(sys === 22 ? 'the first LAN includes a hub' : sys === 23 ? 'a Layer 2 switch coupled through a router' : 'a Layer 3 switch coupled to the global network',
        `the request's last hop before the NIC: ${s.lastHop?.dev ?? '?'}`, s.lastHop !== null ? frame(s.lastHop) : null, [r.c.firstLan.name], c);
      return;
    default:
      return;
  }
}

