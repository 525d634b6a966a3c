/**
 * Wrong systems: deliberate faults in the claimed system, each a small change
 * applied to a built simulation before it runs (or to its scenario). The
 * conformance suite must fail at least one claim on every one of them; a
 * wrong system it passes is a blind spot of the suite. docs/CLAIMS.md lists
 * which claims each one breaks.
 *
 * The changes use the seams the model has (a reporter's loadNow, a NIC's
 * peerLoad and encapsulateFor, its options); none is a special case inside
 * the model itself.
 */
import type { Simulation } from '../scenario/build';
import { withDesign, type Scenario } from '../scenario/load';
import { Holder } from '../cluster/connection-directory';
import { referenceOf } from '../cluster/encapsulation';
import { EncapHeader } from '../net/packet';
import type { SmartNic } from '../cluster/smart-nic';

/** A system the claims are checked on in place of a library scenario's own: a change to its scenario or to the built simulation. */
export interface SystemVariant {
  name: string;
  /** A change to the scenario before it is built (another design, another option). */
  scenario?: (s: Scenario) => Scenario;
  /** A change to the built simulation before it runs. */
  apply?: (sim: Simulation) => void;
}

export interface WrongSystem extends SystemVariant {
  /** What is wrong, in a sentence. */
  what: string;
}

const nics = (sim: Simulation): SmartNic[] => sim.cluster?.nics ?? [];

function redesign(s: Scenario, design: 'nic-forward-first-lan'): Scenario {
  const r = withDesign(s, design);
  if (!r.ok) throw new Error(`wrong system: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.scenario;
}

export const WRONG_SYSTEMS: readonly WrongSystem[] = [
  {
    name: 'reports-zero', what: 'every load report says 0, whatever the sender\'s load',
    apply: (sim) => { for (const r of sim.cluster!.reporters) r.loadNow = () => 0; },
  },
  {
    name: 'reports-frozen', what: 'each server reports the load it had at its first report, forever',
    apply: (sim) => {
      for (const r of sim.cluster!.reporters) {
        let first: number | null = null;
        const real = r.loadNow.bind(r);
        r.loadNow = () => (first ??= real());
      }
    },
  },
  {
    name: 'reports-random', what: 'load reports carry a random number (0-9), not the load',
    apply: (sim) => {
      const rng = sim.net.streams.stream('wrong-system/reports-random');
      for (const r of sim.cluster!.reporters) r.loadNow = () => rng.integer(0, 9);
    },
  },
  {
    name: 'peer-loads-live', what: 'a NIC reads its peers\' current loads directly instead of from their reports over the third LAN',
    apply: (sim) => {
      const members = sim.cluster!.members;
      for (const n of nics(sim)) n.peerLoad = (i) => members[i].load();
    },
  },
  {
    name: 'reference-missing', what: 'forwarded packets carry an empty reference (no owner, no client end point, no handle)',
    apply: (sim) => {
      for (const n of nics(sim)) {
        const real = n.encapsulateFor.bind(n);
        n.encapsulateFor = (p) => {
          real(p, 0, 0);
          p.encap = new EncapHeader(p.encap!.flags, 0, 0, p.encap!.ownerIp, 0, p.encap!.handle);
        };
      }
    },
  },
  {
    name: 'reference-first-device', what: 'the reference names the first device itself as the owner',
    apply: (sim) => {
      for (const n of nics(sim)) {
        const real = n.encapsulateFor.bind(n);
        n.encapsulateFor = (p, _owner, handle) => real(p, n.self.firstIface.ip, handle);
      }
    },
  },
  {
    name: 'reference-closed-tcb', what: 'the reference\'s handle names a slot of the owner\'s TCP table that holds no live connection',
    apply: (sim) => {
      for (const n of nics(sim)) {
        const real = n.encapsulateFor.bind(n);
        n.encapsulateFor = (p, owner, handle) => real(p, owner, handle !== 0 ? handle + 30_000 : 0);
      }
    },
  },
  {
    name: 'no-encapsulation', what: 'the first device sends the client\'s packet on over the second LAN without the encapsulation header',
    apply: (sim) => {
      for (const n of nics(sim)) n.encapsulateFor = (p) => { if (p.encap !== null) p.encap = new EncapHeader(0, p.encap.clientIp, p.encap.clientPort, p.encap.ownerIp, p.encap.serverPort, p.encap.handle); };
    },
  },
  {
    name: 'decide-at-syn', what: 'the owner is chosen on the SYN (as Maglev or Beamer do), not on the request',
    apply: (sim) => { for (const n of nics(sim)) n.opts.decideAt = 'syn'; },
  },
  {
    name: 'forward-first-lan', what: 'packets for other servers are forwarded back over the first LAN',
    scenario: (s) => redesign(s, 'nic-forward-first-lan'),
  },
  {
    name: 'keep-all-local', what: 'every connection is kept by the first device\'s own host (no forwarding, whatever the state)',
    apply: (sim) => { for (const n of nics(sim)) n.opts.policy = 'local'; },
  },
  {
    name: 'threshold-ignored', what: 'the local-unless-overloaded policy places every connection on the least-loaded server, ignoring its threshold',
    apply: (sim) => { for (const n of nics(sim)) if (n.opts.policy === 'local-unless-overloaded') n.opts.policy = 'least-loaded'; },
  },
  {
    name: 'control-first-lan', what: 'migration packets and their acknowledgements travel over the first LAN (forwarded packets still over the second)',
    apply: (sim) => {
      for (const n of nics(sim)) {
        const ch = (n as unknown as { control: { iface: unknown; via: string } }).control;
        ch.iface = n.self.firstIface;
        ch.via = 'first';
      }
    },
  },
  {
    name: 'forget-directory', what: 'the first device forgets a connection once it forwarded the request, so later packets go to its own host',
    apply: (sim) => {
      for (const n of nics(sim)) {
        const real = n.forward.bind(n);
        n.forward = (p, owner, handle) => {
          real(p, owner, handle);
          const r = referenceOf(p);
          const e = n.directory.lookup(r.clientIp, r.clientPort, r.serverPort);
          if (e !== undefined && e.owner !== Holder.LOCAL && p.payloadBytes > 0) n.directory.remove(e.clientIp, e.clientPort, e.serverPort);
        };
      }
    },
  },
];

export function wrongSystem(name: string): WrongSystem {
  const w = WRONG_SYSTEMS.find((x) => x.name === name);
  if (w === undefined) throw new RangeError(`no wrong system "${name}"; they are ${WRONG_SYSTEMS.map((x) => x.name).join(', ')}`);
  return w;
}
