/**
 * Placement policies: which server should own a new connection. Each is a
 * small pure function of the candidates and their loads, so unit tests call
 * them without an engine; the smart NIC calls the one the scenario names.
 *
 * Candidates always include the deciding server itself (index `self`); the
 * loads are what its state table holds (its own live, the others as last
 * reported). Ties go to the deciding server, then to one of the tied peers
 * chosen by the draw `u` (deterministic for a seed).
 */
import { mix32 } from '../nodes/flow-hash';

export interface PlacementInput {
  self: number;
  /** Usable servers (self first). */
  candidates: readonly number[];
  /** Load of each server by index (only candidates are read). */
  loads: ArrayLike<number>;
  /** Hash of the connection (client IP and port). */
  flowHash: number;
  /** Uniform draw in [0, 1) for the random policy. */
  u: number;
  /** Round-robin counter of the deciding device. */
  turn: number;
}

export type PolicyName = 'local-unless-overloaded' | 'least-loaded' | 'hash' | 'round-robin' | 'random' | 'local';

export interface PolicyOptions {
  /** local-unless-overloaded: keep a connection local while own load < threshold. */
  threshold: number;
}

export const POLICY_NAMES: readonly PolicyName[] = ['local-unless-overloaded', 'least-loaded', 'hash', 'round-robin', 'random', 'local'];

/** Least loaded; among equally loaded the deciding server (c[0]) first, else one picked by `u`. */
function leastLoaded(c: readonly number[], loads: ArrayLike<number>, u: number): number {
  let min = loads[c[0]];
  for (let i = 1; i < c.length; i++) if (loads[c[i]] < min) min = loads[c[i]];
  if (loads[c[0]] === min) return c[0];
  let ties = 0;
  for (let i = 1; i < c.length; i++) if (loads[c[i]] === min) ties++;
  let k = Math.min(ties - 1, Math.floor(u * ties));
  for (let i = 1; i < c.length; i++) if (loads[c[i]] === min && k-- === 0) return c[i];
  return c[0];
}

/** Stay local until own load reaches the threshold, then the least loaded (if less loaded than self). */
export function localUnlessOverloaded(x: PlacementInput, threshold: number): number {
  if (x.loads[x.self] < threshold) return x.self;
  return leastLoaded(x.candidates, x.loads, x.u);
}

export function leastLoadedPolicy(x: PlacementInput): number {
  return leastLoaded(x.candidates, x.loads, x.u);
}

/**
 * Rendezvous (highest random weight) hashing over the candidates: each
 * connection goes to the candidate with the highest hash(flow, server), so
 * removing a server moves only the connections it had.
 */
export function hashPolicy(x: PlacementInput): number {
  let best = x.candidates[0], bestW = -1;
  for (const s of x.candidates) {
    const w = mix32(x.flowHash ^ Math.imul(s + 1, 0x9e3779b1));
    if (w > bestW || (w === bestW && s < best)) { best = s; bestW = w; }
  }
  return best;
}

export function roundRobin(x: PlacementInput): number {
  const sorted = [...x.candidates].sort((a, b) => a - b);
  return sorted[x.turn % sorted.length];
}

export function randomPolicy(x: PlacementInput): number {
  return x.candidates[Math.min(x.candidates.length - 1, Math.floor(x.u * x.candidates.length))];
}

export function decide(name: PolicyName, x: PlacementInput, o: PolicyOptions): number {
  switch (name) {
    case 'local-unless-overloaded': return localUnlessOverloaded(x, o.threshold);
    case 'least-loaded': return leastLoadedPolicy(x);
    case 'hash': return hashPolicy(x);
    case 'round-robin': return roundRobin(x);
    case 'random': return randomPolicy(x);
    case 'local': return x.self;
  }
}


/** Hash of a client end point (IP and port). */
export function flowHash(clientIp: number, clientPort: number): number {
  return mix32((clientIp ^ Math.imul(clientPort, 0x27d4eb2d)) >>> 0);
}
