/**
 * The claims as one table: for each system claim 1-24, the claim it depends
 * on, the scenario it is checked on, the checks of the elements it recites,
 * and the order checks its mirror method claim (n + 24) adds. `checkClaim`
 * runs claim n (1-48) on an Evidence: a dependent claim re-checks its parent
 * (in the same scenario when the row names one), then its own elements; a
 * method claim runs its system mirror's elements and then the order of the
 * steps. Both test files run only this table, so the two halves cannot drift.
 */
import type { Run } from './claim-run';
import type { Evidence } from './evidence';
import {
  eApplication, eBypassFirst, eEncapsulated, eFirstBranch, eIdentify, eReceive, eResponseBypass, eSecondBranch, eSelective,
  eSingleHeader, eSocket, eSound, eStateDecides, eStateOfPeerDecides,
} from './handling-checks';
import {
  oAddressing, oApplication, oEncapsulate, oFirstLan, oFromClient, oIdentifyThenAct, oLanKind, oNic, oOperation, oResponseBypass,
  oSecondLan, oSelective, oState, oTwoLans,
} from './order-checks';
import type { ScenarioKey } from './scenarios';
import {
  eAddressing, eCoupledToClients, eFirstIsLan, eFromGlobal, eHubOverhears, eLanKind, eNic, eSecondIsLan, eThirdLan, eTwoLans,
} from './site-checks';

/** The site where both branches of claim 1 occur (least-loaded placement, L2 switch). */
export const BASE: ScenarioKey = 'l2-least-loaded';

type Check = (ev: Evidence, r: Run) => void;

interface Row {
  /** System claim this one depends on. */
  parent?: number;
  /** Scenario of this claim and of its parent check (default BASE). */
  scenario?: ScenarioKey;
  elements: Check;
  /** Order of the steps, checked for the method mirror only. */
  order: Check;
  /** Checked when the claim itself is under test, not when a dependent re-checks it. */
  own?: (ev: Evidence, method: boolean) => void;
}

const HUB: ScenarioKey = 'hub-least-loaded';

/** Claims 9/20 (33/44): addressing on the switched site, and on a hub where every server hears every frame. */
const addressing: Check = (ev, r) => {
  eAddressing(ev, r);
  const hub = ev.use(HUB);
  eAddressing(ev, hub);
  eHubOverhears(ev, hub);
};
const addressingOrder: Check = (ev, r) => {
  oAddressing(ev, r);
  oAddressing(ev, ev.use(HUB));
};

export const CLAIM_TABLE: Record<number, Row> = {
  1: {
    elements: (ev, r) => {
      eSound(ev, r);
      eReceive(ev, r);
      eIdentify(ev, r);
      eFirstBranch(ev, r);
      eSecondBranch(ev, r);
      eBypassFirst(ev, r, 'network');
    },
    order: oIdentifyThenAct,
  },
  2: { parent: 1, elements: eNic, order: oNic },
  3: { parent: 1, elements: eFirstIsLan, order: oFirstLan },
  4: { parent: 3, elements: eCoupledToClients, order: oFromClient },
  5: { parent: 1, elements: eSecondIsLan, order: oSecondLan },
  6: {
    parent: 1,
    elements: (ev, r) => {
      eFirstIsLan(ev, r);
      eSecondIsLan(ev, r);
      eTwoLans(ev, r);
    },
    order: oTwoLans,
  },
  7: { parent: 1, elements: (ev, r) => eApplication(ev, r, 'all'), order: (ev, r) => oApplication(ev, r, 'all', false) },
  8: { parent: 7, elements: (ev, r) => eSocket(ev, r, 'all'), order: (ev, r) => oApplication(ev, r, 'all', true) },
  9: { parent: 1, elements: addressing, order: addressingOrder },
  10: { parent: 1, elements: (ev, r) => eResponseBypass(ev, r, false), order: (ev, r) => oResponseBypass(ev, r, false) },
  11: {
    elements: (ev, r) => {
      eSound(ev, r);
      eReceive(ev, r);
      eFromGlobal(ev, r);
      eSelective(ev, r);
      eSecondIsLan(ev, r);
      eBypassFirst(ev, r, 'LAN');
    },
    order: oSelective,
    // "selectively ... in response to ... a state": the same packet stream under a different state.
    own: (ev, method) => {
      const idle = ev.use('l2-threshold-idle');
      const busy = ev.use('l2-threshold-busy');
      eSound(ev, idle);
      eSound(ev, busy);
      eStateDecides(ev, idle, busy);
      eStateOfPeerDecides(ev, ev.use(BASE), ev.use('l2-peer-busy'), 2);
      eBypassFirst(ev, busy, 'LAN');
      if (method) oSelective(ev, busy);
    },
  },
  12: { parent: 11, elements: eNic, order: oNic },
  13: { parent: 11, elements: eCoupledToClients, order: oFromClient },
  14: { parent: 11, elements: eEncapsulated, order: (ev, r) => oEncapsulate(ev, r, false) },
  15: { parent: 14, elements: eSingleHeader, order: (ev, r) => oEncapsulate(ev, r, true) },
  16: { parent: 11, elements: (ev, r) => eApplication(ev, r, 'moved'), order: oOperation },
  17: {
    parent: 16,
    elements: (ev, r) => {
      eCoupledToClients(ev, r);
      eResponseBypass(ev, r, true);
    },
    order: (ev, r) => oResponseBypass(ev, r, true),
  },
  18: { parent: 16, elements: (ev, r) => eApplication(ev, r, 'moved'), order: (ev, r) => oApplication(ev, r, 'moved', false) },
  19: { parent: 18, elements: (ev, r) => eSocket(ev, r, 'moved'), order: (ev, r) => oApplication(ev, r, 'moved', true) },
  20: { parent: 11, elements: addressing, order: addressingOrder },
  21: { parent: 11, elements: eThirdLan, order: oState },
  22: { parent: 11, scenario: HUB, elements: (ev, r) => eLanKind(ev, r, 'hub'), order: (ev, r) => oLanKind(ev, r, 'hub') },
  23: { parent: 11, scenario: 'l2-least-loaded', elements: (ev, r) => eLanKind(ev, r, 'l2-switch'), order: (ev, r) => oLanKind(ev, r, 'l2-switch') },
  24: { parent: 11, scenario: 'l3-least-loaded', elements: (ev, r) => eLanKind(ev, r, 'l3-switch'), order: (ev, r) => oLanKind(ev, r, 'l3-switch') },
};

/** Check claim `n` (1-48) on `ev`, in `scenario` (default: the row's, else BASE). */
export function checkClaim(n: number, ev: Evidence, scenario?: ScenarioKey, asParent = false): void {
  const method = n > 24;
  const row = CLAIM_TABLE[method ? n - 24 : n];
  if (row === undefined) throw new RangeError(`claim ${n} is not in the table (1-48)`);
  const key = scenario ?? row.scenario ?? BASE;
  if (row.parent !== undefined) {
    const parent = method ? row.parent + 24 : row.parent;
    ev.inherit(parent, (p) => checkClaim(parent, p, row.scenario, true));
  }
  const r = ev.use(key);
  row.elements(ev, r);
  if (method) row.order(ev, r);
  if (!asParent && row.own !== undefined) row.own(ev, method);
}
