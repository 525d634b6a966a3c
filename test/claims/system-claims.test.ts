/**
 * System claims 1-24, one test each: a small simulated site built for the
 * claim, and an assertion for every element the claim recites, measured from
 * the traces and counters (see claim-evidence.ts). A dependent claim also
 * re-checks the elements of the claim it depends on in its own scenario.
 * afterAll writes the system section of docs/CLAIMS.md.
 */
import { afterAll, describe, it } from 'vitest';
import {
  ClaimBook, eAddressing, eApplication, eBypassFirst, eCoupledToClients, eEncapsulated, eFirstBranch, eFirstIsLan, eFromGlobal,
  eHubOverhears, eIdentify, eLanKind, eNic, eReceive, eResponseBypass, eSecondBranch, eSecondIsLan, eSelective, eSingleHeader,
  eSocket, eSound, eStateDecides, eThirdLan, eTwoLans, type Evidence, type ScenarioKey,
} from './claim-evidence';
import { claim } from './claim-texts';

const book = new ClaimBook('system');
afterAll(() => {
  book.write();
});

/** The site where both branches of claim 1 occur (least-loaded placement, L2 switch). */
const BASE: ScenarioKey = 'l2-least-loaded';

/** Claim 1's elements in scenario `key`. */
function claim1(ev: Evidence, key: ScenarioKey = BASE): void {
  const r = ev.use(key);
  eSound(ev, r);
  eReceive(ev, r);
  eIdentify(ev, r);
  eFirstBranch(ev, r);
  eSecondBranch(ev, r);
  eBypassFirst(ev, r, 'network');
}

/** Claim 11's elements in scenario `key`: receive from the global network through LAN1, selectively output through LAN2. */
function claim11(ev: Evidence, key: ScenarioKey = BASE): void {
  const r = ev.use(key);
  eSound(ev, r);
  eReceive(ev, r);
  eFromGlobal(ev, r);
  eSelective(ev, r);
  eSecondIsLan(ev, r);
  eBypassFirst(ev, r, 'LAN');
}

function claim14(ev: Evidence): void {
  ev.inherit(11, (p) => claim11(p));
  eEncapsulated(ev, ev.use(BASE));
}

function claim16(ev: Evidence): void {
  const r = ev.use(BASE);
  ev.inherit(11, (p) => claim11(p));
  eApplication(ev, r, 'moved');
}

const title = (n: number): string => `claim ${n}: ${claim(n).short.slice(0, 90)}`;

describe('system claims 1-10 (independent claim 1 and its dependents)', () => {
  it(title(1), () => {
    claim1(book.open(1));
  });

  it(title(2), () => {
    const ev = book.open(2);
    ev.inherit(1, (p) => claim1(p));
    eNic(ev, ev.use(BASE));
  });

  it(title(3), () => {
    const ev = book.open(3);
    ev.inherit(1, (p) => claim1(p));
    eFirstIsLan(ev, ev.use(BASE));
  });

  it(title(4), () => {
    const ev = book.open(4);
    ev.inherit(3, (p) => {
      p.inherit(1, (q) => claim1(q));
      eFirstIsLan(p, p.use(BASE));
    });
    eCoupledToClients(ev, ev.use(BASE));
  });

  it(title(5), () => {
    const ev = book.open(5);
    ev.inherit(1, (p) => claim1(p));
    eSecondIsLan(ev, ev.use(BASE));
  });

  it(title(6), () => {
    const ev = book.open(6);
    const r = ev.use(BASE);
    ev.inherit(1, (p) => claim1(p));
    eFirstIsLan(ev, r);
    eSecondIsLan(ev, r);
    eTwoLans(ev, r);
  });

  it(title(7), () => {
    const ev = book.open(7);
    ev.inherit(1, (p) => claim1(p));
    eApplication(ev, ev.use(BASE), 'all');
  });

  it(title(8), () => {
    const ev = book.open(8);
    const r = ev.use(BASE);
    ev.inherit(7, (p) => {
      p.inherit(1, (q) => claim1(q));
      eApplication(p, r, 'all');
    });
    eSocket(ev, r, 'all');
  });

  it(title(9), () => {
    const ev = book.open(9);
    ev.inherit(1, (p) => claim1(p));
    eAddressing(ev, ev.use(BASE));
    // On a hub every server hears every frame: only the addressed NIC processes it.
    const hub = ev.use('hub-least-loaded');
    eAddressing(ev, hub);
    eHubOverhears(ev, hub);
  });

  it(title(10), () => {
    const ev = book.open(10);
    ev.inherit(1, (p) => claim1(p));
    eResponseBypass(ev, ev.use(BASE), false);
  });
});

describe('system claims 11-24 (independent claim 11 and its dependents)', () => {
  it(title(11), () => {
    const ev = book.open(11);
    claim11(ev);
    // "selectively ... in response to ... a state": the same packet stream under a different state.
    const idle = ev.use('l2-threshold-idle');
    const busy = ev.use('l2-threshold-busy');
    eSound(ev, idle);
    eSound(ev, busy);
    eStateDecides(ev, idle, busy);
    eBypassFirst(ev, busy, 'LAN');
  });

  it(title(12), () => {
    const ev = book.open(12);
    ev.inherit(11, (p) => claim11(p));
    eNic(ev, ev.use(BASE));
  });

  it(title(13), () => {
    const ev = book.open(13);
    ev.inherit(11, (p) => claim11(p));
    eCoupledToClients(ev, ev.use(BASE));
  });

  it(title(14), () => {
    claim14(book.open(14));
  });

  it(title(15), () => {
    const ev = book.open(15);
    ev.inherit(14, (p) => claim14(p));
    eSingleHeader(ev, ev.use(BASE));
  });

  it(title(16), () => {
    claim16(book.open(16));
  });

  it(title(17), () => {
    const ev = book.open(17);
    ev.inherit(16, (p) => claim16(p));
    eCoupledToClients(ev, ev.use(BASE));
    eResponseBypass(ev, ev.use(BASE), true);
  });

  it(title(18), () => {
    const ev = book.open(18);
    ev.inherit(16, (p) => claim16(p));
    eApplication(ev, ev.use(BASE), 'moved');
  });

  it(title(19), () => {
    const ev = book.open(19);
    const r = ev.use(BASE);
    ev.inherit(18, (p) => {
      p.inherit(16, (q) => claim16(q));
      eApplication(p, r, 'moved');
    });
    eSocket(ev, r, 'moved');
  });

  it(title(20), () => {
    const ev = book.open(20);
    ev.inherit(11, (p) => claim11(p));
    eAddressing(ev, ev.use(BASE));
    const hub = ev.use('hub-least-loaded');
    eAddressing(ev, hub);
    eHubOverhears(ev, hub);
  });

  it(title(21), () => {
    const ev = book.open(21);
    ev.inherit(11, (p) => claim11(p));
    eThirdLan(ev, ev.use(BASE));
  });

  it(title(22), () => {
    const ev = book.open(22);
    ev.inherit(11, (p) => claim11(p, 'hub-least-loaded'));
    eLanKind(ev, ev.use('hub-least-loaded'), 'hub');
  });

  it(title(23), () => {
    const ev = book.open(23);
    ev.inherit(11, (p) => claim11(p, 'l2-least-loaded'));
    eLanKind(ev, ev.use('l2-least-loaded'), 'l2-switch');
  });

  it(title(24), () => {
    const ev = book.open(24);
    ev.inherit(11, (p) => claim11(p, 'l3-least-loaded'));
    eLanKind(ev, ev.use('l3-least-loaded'), 'l3-switch');
  });
});
