/**
 * Method claims 25-48, one test each. Each mirrors system claim n-24: the same
 * elements are checked on the same scenario (a separate run in this test
 * process, same seed), and the ORDER of the steps the method recites is
 * checked from the trace sequence (receive → identify → perform or output
 * → ...). afterAll writes the method section of docs/CLAIMS.md.
 */
import { afterAll, describe, it } from 'vitest';
import {
  ClaimBook, eAddressing, eApplication, eBypassFirst, eCoupledToClients, eEncapsulated, eFirstBranch, eFirstIsLan, eFromGlobal,
  eHubOverhears, eIdentify, eLanKind, eNic, eReceive, eResponseBypass, eSecondBranch, eSecondIsLan, eSelective, eSingleHeader,
  eSocket, eSound, eStateDecides, eThirdLan, eTwoLans, oAddressing, oApplication, oEncapsulate, oFirstLan, oFromClient,
  oIdentifyThenAct, oLanKind, oNic, oOperation, oResponseBypass, oSecondLan, oSelective, oState, oTwoLans,
  type Evidence, type ScenarioKey,
} from './claim-evidence';
import { claim } from './claim-texts';

const book = new ClaimBook('method');
afterAll(() => {
  book.write();
});

const BASE: ScenarioKey = 'l2-least-loaded';

/** Claim 25: the steps of claim 1, and their order. */
function claim25(ev: Evidence, key: ScenarioKey = BASE): void {
  const r = ev.use(key);
  eSound(ev, r);
  eReceive(ev, r);
  eIdentify(ev, r);
  eFirstBranch(ev, r);
  eSecondBranch(ev, r);
  eBypassFirst(ev, r, 'network');
  oIdentifyThenAct(ev, r);
}

/** Claim 35: the steps of claim 11, and their order. */
function claim35(ev: Evidence, key: ScenarioKey = BASE): void {
  const r = ev.use(key);
  eSound(ev, r);
  eReceive(ev, r);
  eFromGlobal(ev, r);
  eSelective(ev, r);
  eSecondIsLan(ev, r);
  eBypassFirst(ev, r, 'LAN');
  oSelective(ev, r);
}

function claim27(ev: Evidence): void {
  const r = ev.use(BASE);
  ev.inherit(25, (p) => claim25(p));
  eFirstIsLan(ev, r);
  oFirstLan(ev, r);
}

function claim31(ev: Evidence): void {
  const r = ev.use(BASE);
  ev.inherit(25, (p) => claim25(p));
  eApplication(ev, r, 'all');
  oApplication(ev, r, 'all', false);
}

function claim38(ev: Evidence): void {
  const r = ev.use(BASE);
  ev.inherit(35, (p) => claim35(p));
  eEncapsulated(ev, r);
  oEncapsulate(ev, r, false);
}

function claim40(ev: Evidence): void {
  const r = ev.use(BASE);
  ev.inherit(35, (p) => claim35(p));
  eApplication(ev, r, 'moved');
  oOperation(ev, r);
}

function claim42(ev: Evidence): void {
  const r = ev.use(BASE);
  ev.inherit(40, (p) => claim40(p));
  eApplication(ev, r, 'moved');
  oApplication(ev, r, 'moved', false);
}

/** Claims 33 and 44: addressing, on the switched site and on a hub (where every server hears every frame). */
function addressing(ev: Evidence): void {
  const r = ev.use(BASE);
  eAddressing(ev, r);
  oAddressing(ev, r);
  const hub = ev.use('hub-least-loaded');
  eAddressing(ev, hub);
  eHubOverhears(ev, hub);
  oAddressing(ev, hub);
}

const title = (n: number): string => `claim ${n}: ${claim(n).short.slice(0, 90)}`;

describe('method claims 25-34 (independent claim 25 and its dependents)', () => {
  it(title(25), () => {
    claim25(book.open(25));
  });

  it(title(26), () => {
    const ev = book.open(26);
    const r = ev.use(BASE);
    ev.inherit(25, (p) => claim25(p));
    eNic(ev, r);
    oNic(ev, r);
  });

  it(title(27), () => {
    claim27(book.open(27));
  });

  it(title(28), () => {
    const ev = book.open(28);
    const r = ev.use(BASE);
    ev.inherit(27, (p) => claim27(p));
    eCoupledToClients(ev, r);
    oFromClient(ev, r);
  });

  it(title(29), () => {
    const ev = book.open(29);
    const r = ev.use(BASE);
    ev.inherit(25, (p) => claim25(p));
    eSecondIsLan(ev, r);
    oSecondLan(ev, r);
  });

  it(title(30), () => {
    const ev = book.open(30);
    const r = ev.use(BASE);
    ev.inherit(25, (p) => claim25(p));
    eFirstIsLan(ev, r);
    eSecondIsLan(ev, r);
    eTwoLans(ev, r);
    oTwoLans(ev, r);
  });

  it(title(31), () => {
    claim31(book.open(31));
  });

  it(title(32), () => {
    const ev = book.open(32);
    const r = ev.use(BASE);
    ev.inherit(31, (p) => claim31(p));
    eSocket(ev, r, 'all');
    oApplication(ev, r, 'all', true);
  });

  it(title(33), () => {
    const ev = book.open(33);
    ev.inherit(25, (p) => claim25(p));
    addressing(ev);
  });

  it(title(34), () => {
    const ev = book.open(34);
    const r = ev.use(BASE);
    ev.inherit(25, (p) => claim25(p));
    eResponseBypass(ev, r, false);
    oResponseBypass(ev, r, false);
  });
});

describe('method claims 35-48 (independent claim 35 and its dependents)', () => {
  it(title(35), () => {
    const ev = book.open(35);
    claim35(ev);
    // "selectively ... in response to ... a state": the same packet stream under a different state.
    const idle = ev.use('l2-threshold-idle');
    const busy = ev.use('l2-threshold-busy');
    eSound(ev, idle);
    eSound(ev, busy);
    eStateDecides(ev, idle, busy);
    eBypassFirst(ev, busy, 'LAN');
    oSelective(ev, busy);
  });

  it(title(36), () => {
    const ev = book.open(36);
    const r = ev.use(BASE);
    ev.inherit(35, (p) => claim35(p));
    eNic(ev, r);
    oNic(ev, r);
  });

  it(title(37), () => {
    const ev = book.open(37);
    const r = ev.use(BASE);
    ev.inherit(35, (p) => claim35(p));
    eCoupledToClients(ev, r);
    oFromClient(ev, r);
  });

  it(title(38), () => {
    claim38(book.open(38));
  });

  it(title(39), () => {
    const ev = book.open(39);
    const r = ev.use(BASE);
    ev.inherit(38, (p) => claim38(p));
    eSingleHeader(ev, r);
    oEncapsulate(ev, r, true);
  });

  it(title(40), () => {
    claim40(book.open(40));
  });

  it(title(41), () => {
    const ev = book.open(41);
    const r = ev.use(BASE);
    ev.inherit(40, (p) => claim40(p));
    eCoupledToClients(ev, r);
    eResponseBypass(ev, r, true);
    oResponseBypass(ev, r, true);
  });

  it(title(42), () => {
    claim42(book.open(42));
  });

  it(title(43), () => {
    const ev = book.open(43);
    const r = ev.use(BASE);
    ev.inherit(42, (p) => claim42(p));
    eSocket(ev, r, 'moved');
    oApplication(ev, r, 'moved', true);
  });

  it(title(44), () => {
    const ev = book.open(44);
    ev.inherit(35, (p) => claim35(p));
    addressing(ev);
  });

  it(title(45), () => {
    const ev = book.open(45);
    const r = ev.use(BASE);
    ev.inherit(35, (p) => claim35(p));
    eThirdLan(ev, r);
    oState(ev, r);
  });

  it(title(46), () => {
    const ev = book.open(46);
    const r = ev.use('hub-least-loaded');
    ev.inherit(35, (p) => claim35(p, 'hub-least-loaded'));
    eLanKind(ev, r, 'hub');
    oLanKind(ev, r, 'hub');
  });

  it(title(47), () => {
    const ev = book.open(47);
    const r = ev.use('l2-least-loaded');
    ev.inherit(35, (p) => claim35(p, 'l2-least-loaded'));
    eLanKind(ev, r, 'l2-switch');
    oLanKind(ev, r, 'l2-switch');
  });

  it(title(48), () => {
    const ev = book.open(48);
    const r = ev.use('l3-least-loaded');
    ev.inherit(35, (p) => claim35(p, 'l3-least-loaded'));
    eLanKind(ev, r, 'l3-switch');
    oLanKind(ev, r, 'l3-switch');
  });
});
