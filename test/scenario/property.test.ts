/**
 * Property tests of the scenario layer (fast-check):
 *  1. thousands of mutations of valid scenarios (keys deleted or misspelt,
 *     values replaced by other JSON, entries duplicated): the loader returns
 *     our problems or a valid scenario, never anything else, and a valid one
 *     builds and runs without an exception;
 *  2. small random valid scenarios (any node kinds, designs, faults): they
 *     run without an exception, conserve packets, and the same seed gives
 *     the same trace hash twice.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TraceHash } from '../../src/metrics/trace-hash';
import { buildSimulation } from '../../src/scenario/build';
import { loadScenarioValue } from '../../src/scenario/load';
import { runSimulation } from '../../src/scenario/runner';
import { DESIGNS } from '../../src/cluster/install';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const BASES = ['hub', 'custom-topology', 'crash-join', 'link-failure', 'state-busy', 'ns3-cluster-switch']
  .map((n) => JSON.parse(readFileSync(`scenarios/${n}.json`, 'utf8')) as Json);

/** Every path to a value in `v`. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e12, -1e-9, '', '5', '5ms', '-3ms', '1Gbps', '0B', '40kB', 'server0', 'x', 'hub', 'l2-switch', 'nic-forward', [], {}, [1, 2], { kind: 'exponential' }),
  fc.integer({ min: -5, max: 100_000 }),
  fc.string({ maxLength: 8 }),
);

type Mutation = { kind: 'delete' | 'replace' | 'rename' | 'duplicate'; pathIndex: number; value: Json; char: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'rename', 'duplicate'),
  pathIndex: fc.nat(),
  value: jsonValue,
  char: fc.constantFrom('x', 's', '_', ''),
});

function mutate(base: Json, ms: Mutation[]): Json {
  const doc = structuredClone(base);
  for (const m of ms) {
    const ps = paths(doc).filter((p) => p.length > 0);
    if (ps.length === 0) break;
    const p = ps[m.pathIndex % ps.length];
    let parent: Json = doc;
    for (const k of p.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k];
    const key = p[p.length - 1];
    const obj = parent as Record<string | number, Json>;
    if (m.kind === 'replace') obj[key] = m.value;
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete obj[key];
    } else if (m.kind === 'rename' && typeof key === 'string') {
      const v = obj[key];
      delete obj[key];
      obj[key.length > 1 && m.char === '' ? key.slice(1) : key + m.char] = v;
    } else if (m.kind === 'duplicate' && Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
  }
  return doc;
}

describe('the loader never fails in any way but ours', () => {
  it('returns problems or a valid scenario for thousands of mutated files; a valid one runs', () => {
    fc.assert(fc.property(fc.nat({ max: BASES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, ms) => {
      const doc = mutate(BASES[b], ms);
      const r = loadScenarioValue(doc, { file: 'mutant.json' });
      if (!r.ok) {
        expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) {
          expect(typeof p.message).toBe('string');
          expect(p.message).not.toMatch(/could not check this scenario/);
        }
        return;
      }
      if (r.scenario.plan.nodes.length > 300) return; // valid, but too big to run here
      r.scenario.stop.maxEvents = 20_000;
      const sim = buildSimulation(r.scenario);
      runSimulation(sim);
      expect(sim.net.conservationError()).toBeNull();
    }), { numRuns: 3000, seed: 20261201 });
  }, 300_000);
});

// ------------------------------------------------------------ random valid scenarios

const faultArb = (servers: number) => fc.oneof(
  fc.record({ kind: fc.constant('crash'), at: fc.integer({ min: 1, max: 300 }).map((t) => `${t}ms`), node: fc.nat({ max: servers - 1 }).map((i) => `server${i}`) }),
  fc.record({ kind: fc.constant('join'), at: fc.integer({ min: 1, max: 300 }).map((t) => `${t}ms`), node: fc.nat({ max: servers - 1 }).map((i) => `server${i}`) }),
  fc.record({ kind: fc.constantFrom('link-down', 'link-up'), at: fc.integer({ min: 1, max: 300 }).map((t) => `${t}ms`), node: fc.nat({ max: servers - 1 }).map((i) => `server${i}`), lan: fc.constantFrom('first', 'second', 'third') }),
  fc.record({ kind: fc.constant('cpu-load'), at: fc.integer({ min: 0, max: 300 }).map((t) => `${t}ms`), node: fc.nat({ max: servers - 1 }).map((i) => `server${i}`), jobs: fc.integer({ min: 1, max: 5 }), jobTime: fc.constantFrom('1ms', '10ms') }),
);

const siteArb = fc.integer({ min: 1, max: 4 }).chain((servers) => fc.record({
  seed: fc.nat({ max: 1000 }),
  network: fc.record({
    site: fc.record({
      design: fc.constantFrom(...DESIGNS),
      servers: fc.constant(servers),
      clients: fc.integer({ min: 1, max: 5 }),
      firstLan: fc.record({ kind: fc.constantFrom('hub', 'l2-switch', 'l3-switch') }),
      secondLan: fc.record({ kind: fc.constantFrom('hub', 'l2-switch') }),
      nic: fc.record({ policy: fc.constantFrom('local-unless-overloaded', 'least-loaded', 'hash', 'round-robin', 'random', 'local'), decideAt: fc.constantFrom('request', 'syn') }),
      reports: fc.constant({ period: '2ms', deadAfter: '7ms' }),
    }),
  }),
  workload: fc.record({
    requestsPerClient: fc.integer({ min: 0, max: 3 }),
    requestsPerConnection: fc.integer({ min: 1, max: 2 }),
    arrival: fc.oneof(fc.constant({ kind: 'poisson', meanInterval: '20ms' }), fc.constant({ kind: 'closed-loop', think: '5ms' })),
    requestSize: fc.constantFrom('100B', '2kB'),
    responseSize: fc.constantFrom('1kB', { kind: 'exponential', mean: '8kB' }),
  }),
  tcp: fc.constant({ synRetries: 2, dataRetries: 3, timeWait: '100ms' }),
  faults: fc.array(faultArb(servers), { maxLength: 3 }),
  stop: fc.constant({ at: '20s', maxEvents: 300_000 }),
}));

const graphArb = fc.record({
  seed: fc.nat({ max: 1000 }),
  lanKind: fc.constantFrom('hub', 'l2-switch', 'l3-switch'),
  routers: fc.integer({ min: 0, max: 2 }),
  clients: fc.integer({ min: 1, max: 4 }),
  servers: fc.integer({ min: 1, max: 3 }),
  transport: fc.constantFrom('tcp', 'udp'),
}).map((g) => {
  const nodes: Record<string, unknown>[] = [{ id: 'c', kind: 'client', count: g.clients }, { id: 's', kind: 'server', count: g.servers }];
  const lan = g.lanKind === 'hub' ? { id: 'lan', kind: 'hub', rate: '100Mbps', delay: '1us' } : { id: 'lan', kind: g.lanKind };
  nodes.push(lan);
  const cable = g.lanKind === 'hub' ? {} : { rate: '1Gbps', delay: '1us' };
  const links: Record<string, unknown>[] = [{ a: 's', b: 'lan', ...cable }];
  // Clients reach the LAN through a chain of routers (or directly).
  let prev = 'c';
  for (let i = 0; i < g.routers; i++) {
    nodes.push({ id: `r${i}`, kind: 'router' });
    links.push({ a: prev, b: `r${i}`, rate: '100Mbps', delay: '1ms' });
    prev = `r${i}`;
  }
  if (prev === 'c') links.push({ a: 'c', b: 'lan', ...cable });
  else links.push({ a: prev, b: 'lan', ...cable });
  return {
    seed: g.seed, network: { nodes, links },
    workload: { transport: g.transport, requestsPerClient: 3, arrival: { kind: 'poisson', meanInterval: '10ms' }, requestSize: '200B', responseSize: '3kB' },
    stop: { at: '20s', maxEvents: 300_000 },
  };
});

function hashOf(doc: unknown): { hash: string; conserved: string | null } {
  const r = loadScenarioValue(doc, { file: 'random.json' });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  const sim = buildSimulation(r.scenario);
  const h = new TraceHash(sim.net);
  runSimulation(sim);
  return { hash: h.value, conserved: sim.net.conservationError() };
}

describe('small random valid scenarios', () => {
  it.each([['sites', siteArb], ['graphs', graphArb]] as const)('%s run, conserve packets and repeat themselves exactly', (_n, arb) => {
    fc.assert(fc.property(arb as fc.Arbitrary<unknown>, (doc) => {
      const a = hashOf(doc);
      expect(a.conserved).toBeNull();
      expect(hashOf(doc).hash).toBe(a.hash);
    }), { numRuns: 40, seed: 7 });
  }, 300_000);
});
