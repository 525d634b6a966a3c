/**
 * The scenario loader: text -> validated, expanded Scenario, or a list of
 * problems, one per mistake, each with file, line, column, JSON path, what
 * was found and what would be valid. It never throws for bad input (a
 * property test feeds it thousands of mutated files) and does no I/O: trace
 * files come through `readFile`.
 *
 * Steps: JSON syntax (strict JSON, no comments) -> `--set` overrides ->
 * the zod schema -> a site expanded into its graph -> the network plan
 * (plan.ts) -> checks that need the whole scenario (workload, cluster,
 * faults, stop) -> a recorded trace read and resolved.
 */
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { didYouMean, formatPath, oneOf, shown, unknownNode, type JsonPath, type ScenarioProblem } from './errors';
import { expandSite } from './expand';
import { adjacency, planNetwork, reachable, type NetworkPlan } from './plan';
import {
  graphSchema, scenarioSchema, type ClusterSpec, type Design, type FaultSpec, type Graph, type GraphInput,
  type ScenarioSpec, type Site, type SiteInput, type TcpSpec, type TrafficControlSpec, type Workload,
} from './schema';
import { parseCsvTrace, parsePcapTrace, TraceError, type TraceRow } from './trace';
import { knownKeys } from './schema-walk';

export interface LoadOptions {
  /** Name used in messages; trace files are read relative to it. */
  file?: string;
  /** Reads a file the scenario names (a trace), by the path as written. */
  readFile?: (path: string) => Uint8Array;
  /** `path=value` overrides applied before validation (the CLI's --set). */
  set?: readonly string[];
}

/** A validated scenario with its network expanded to an explicit graph. */
export interface Scenario {
  file: string;
  name: string;
  description: string;
  seed: number;
  runs: number;
  /** The site as parsed (null: the scenario is an explicit graph). */
  site: Site | null;
  /** The explicit graph, in description form: what `netsim expand` prints and the visualizer draws. */
  graphInput: GraphInput;
  graph: Graph;
  plan: NetworkPlan;
  cluster: ClusterSpec | null;
  trafficControl: TrafficControlSpec;
  tcp: TcpSpec;
  workload: Workload & { port: number };
  /** Requests of a replayed trace, resolved to client indexes (null: generated arrivals). */
  trace: (TraceRow & { client: number })[] | null;
  faults: FaultSpec[];
  stop: ScenarioSpec['stop'];
  measure: ScenarioSpec['measure'];
  /** The description after overrides (what a hash identifies). */
  input: unknown;
}

export type LoadResult = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

// ------------------------------------------------------------- positions

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

/** Puts line and column on problems from the text's parse tree (the deepest node of each path that exists). */
function locate(problems: ScenarioProblem[], text: string | undefined, tree: JsonNode | undefined): ScenarioProblem[] {
  if (text === undefined || tree === undefined) return problems;
  const starts = lineStarts(text);
  return problems.map((p) => {
    if (p.line !== undefined) return p;
    const path = [...p.path];
    let node: JsonNode | undefined;
    while (path.length >= 0) {
      node = path.length === 0 ? tree : findNodeAtLocation(tree, path as (string | number)[]);
      if (node !== undefined || path.length === 0) break;
      path.pop();
    }
    if (node === undefined) return p;
    // Point at the key of a property rather than at its value's first character.
    const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return { ...p, ...position(starts, key?.offset ?? node.offset) };
  });
}

// ------------------------------------------------------------- zod issues

type Issue = z.core.$ZodIssue;

const TYPE_WORDS: Record<string, string> = { int: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false', object: 'an object', array: 'an array' };
const expectedWord = (t: string): string => TYPE_WORDS[t] ?? `a ${t}`;

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function issueProblems(issue: Issue, base: JsonPath, root: unknown, file: string): ScenarioProblem[] {
  const path = [...base, ...(issue.path as (string | number)[])];
  const input = 'input' in issue ? issue.input : valueAt(root, path);
  const at = (message: string, p: JsonPath = path): ScenarioProblem => ({ file, path: p, message });
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return [at(`missing; expected ${expectedWord(issue.expected)}`)];
      if (issue.message !== undefined && issue.message.startsWith('expected ')) return [at(`found ${shown(input)}; ${issue.message}`)];
      return [at(`found ${shown(input)} (${typeName(input)}); expected ${expectedWord(issue.expected)}`)];
    case 'invalid_value': {
      const vals = issue.values.map(String);
      return [at(`found ${shown(input)}; expected ${vals.length === 1 ? shown(issue.values[0]) : `one of ${oneOf(issue.values)}`}${typeof input === 'string' ? didYouMean(input, vals) : ''}`)];
    }
    case 'unrecognized_keys': {
      const known = knownKeys(scenarioSchema, root, path);
      return issue.keys.map((k) => at(`unknown key "${k}"${didYouMean(k, known)}${didYouMean(k, known) === '' && known.length > 0 ? `; valid keys here: ${known.join(', ')}` : ''}`, [...path, k]));
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive === false ? '>' : '>=') : (issue.inclusive === false ? '<' : '<=');
      if (issue.origin === 'array') return [at(`has ${Array.isArray(input) ? input.length : '?'} entries; expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)}`)];
      return [at(`found ${shown(input)}; expected a number ${op} ${String(bound)}`)];
    }
    case 'not_multiple_of':
      return [at(`found ${shown(input)}; expected a multiple of ${String(issue.divisor)}`)];
    case 'invalid_format':
      return [at(`found ${shown(input)}; ${issue.message}`)];
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        const got = valueAt(root, path);
        return [at(`found ${shown(got)}; expected one of ${oneOf(options)}${typeof got === 'string' ? didYouMean(got, options) : ''}`)];
      }
      // The branch whose type matched the input says what is wrong inside it.
      const branches = issue.errors.filter((b) => !b.some((x) => x.code === 'invalid_type' && x.path.length === 0));
      if (branches.length === 0) return [at(`found ${shown(input)} (${typeName(input)}); ${issue.message}`)];
      const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
      return best.flatMap((x) => issueProblems(x, path, root, file));
    }
    case 'custom':
    default: {
      const m = issue.message;
      return [at(typeof input === 'string' && !m.includes(input) && input.length < 40 ? `found ${shown(input)}; ${m}` : m)];
    }
  }
}

// ------------------------------------------------------------- overrides

/** The JSON path of a "a.b[2].c=value" assignment, or null when it is not one. */
function setPath(assignment: string): (string | number)[] | null {
  const eq = assignment.indexOf('=');
  if (eq <= 0) return null;
  const path: (string | number)[] = [];
  for (const part of assignment.slice(0, eq).trim().split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null || (m[1] === '' && m[2] === '')) return null;
    if (m[1] !== '') path.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const ix of m[2].matchAll(/\[(\d+)\]/g)) path.push(Number(ix[1]));
  }
  return path;
}

/** Parse "a.b[2].c=value" (value as JSON when it parses, else a string) and set it in `obj`. */
export function applySet(obj: unknown, assignment: string): string | null {
  const eq = assignment.indexOf('=');
  if (eq <= 0) return `--set ${assignment}: expected path=value, such as network.site.servers=100`;
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  const path = setPath(assignment);
  if (path === null) return `--set ${assignment}: "${assignment.slice(0, eq)}" is not a path like workload.arrival.kind or faults[0].at`;
  if (obj === null || typeof obj !== 'object') return `--set ${assignment}: the scenario is not an object`;
  let cur = obj as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i];
    let next = cur[k];
    if (next === undefined) cur[k] = next = typeof path[i + 1] === 'number' ? [] : {};
    if (next === null || typeof next !== 'object') return `--set ${assignment}: ${formatPath(path.slice(0, i + 1))} is ${shown(next)}, not an object to set "${path[i + 1]}" in`;
    cur = next as Record<string | number, unknown>;
  }
  cur[path[path.length - 1]] = value;
  return null;
}

// ------------------------------------------------------------- loading

/** Load a scenario from its JSON text. */
export function loadScenario(text: string, opts: LoadOptions = {}): LoadResult {
  const file = opts.file ?? '<scenario>';
  const errors: ParseError[] = [];
  const value = parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const starts = lineStarts(text);
    return {
      ok: false,
      problems: errors.filter((e, i) => i === 0 || errors[i - 1].offset !== e.offset).map((e) => ({ file, path: [], ...position(starts, e.offset), message: `invalid JSON: ${describeParseError(printParseErrorCode(e.error))}` })),
    };
  }
  return loadValue(value, opts, text);
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character', InvalidNumberFormat: 'malformed number', PropertyNameExpected: 'expected a quoted property name',
    ValueExpected: 'expected a value', ColonExpected: 'expected ":"', CommaExpected: 'expected ","', CloseBraceExpected: 'expected "}"',
    CloseBracketExpected: 'expected "]"', EndOfFileExpected: 'unexpected text after the end', InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'unfinished comment', UnexpectedEndOfString: 'unfinished string', UnexpectedEndOfNumber: 'unfinished number',
    InvalidUnicode: 'invalid unicode escape', InvalidEscapeCharacter: 'invalid escape character', InvalidCharacter: 'invalid character in a string',
  };
  return words[code] ?? code;
}

/** Load a scenario already parsed from JSON (the visualizer's editor, a preset). */
export function loadScenarioValue(value: unknown, opts: LoadOptions = {}): LoadResult {
  return loadValue(value, opts, undefined);
}

function loadValue(value: unknown, opts: LoadOptions, text: string | undefined): LoadResult {
  const file = opts.file ?? '<scenario>';
  const tree = text !== undefined ? parseTree(text) : undefined;
  let input: unknown = value;
  if (opts.set !== undefined && opts.set.length > 0) {
    input = structuredCloneJson(value);
    const setProblems: ScenarioProblem[] = [];
    for (const a of opts.set) {
      const err = applySet(input, a);
      if (err !== null) setProblems.push({ file: '--set', path: [], message: err });
    }
    if (setProblems.length > 0) return { ok: false, problems: setProblems };
  }
  try {
    const r = validate(input, file, opts);
    if (r.ok) return r;
    const setPaths = (opts.set ?? []).map((a) => ({ a, path: setPath(a) }));
    const fromSet = (p: ScenarioProblem): string | undefined => setPaths.find((x) => x.path !== null && x.path.every((k, i) => p.path[i] === k))?.a;
    // A problem in a value the command line set is reported as such, not at a line of the file.
    const located = locate(r.problems.filter((p) => fromSet(p) === undefined), text, tree)
      .concat(r.problems.filter((p) => fromSet(p) !== undefined).map((p) => ({ ...p, message: `${p.message} (from --set ${fromSet(p)})` })));
    // In the order of the file, so the first line printed is the first mistake.
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    return { ok: false, problems: located };
  } catch (e) {
    // A bug of ours, not the user's: still one line, never a stack.
    return { ok: false, problems: [{ file, path: [], message: `netsim could not check this scenario (${(e as Error).message}); please report it` }] };
  }
}

function structuredCloneJson(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

function validate(input: unknown, file: string, opts: LoadOptions): LoadResult {
  const parsed = scenarioSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.flatMap((i) => issueProblems(i, [], input, file)) };
  const spec = parsed.data;
  const raw = input as { network: { site?: SiteInput } & GraphInput };
  let graphInput: GraphInput;
  let base: JsonPath;
  if (spec.network.site !== undefined) {
    graphInput = expandSite(raw.network.site!, spec.network.site);
    base = ['network', 'site'];
  } else {
    const { nodes, links, cluster } = raw.network;
    graphInput = { nodes, ...(links !== undefined ? { links } : {}), ...(cluster !== undefined ? { cluster } : {}) };
    base = ['network'];
  }
  const g = graphSchema.safeParse(graphInput, { reportInput: true });
  if (!g.success) return { ok: false, problems: g.error.issues.flatMap((i) => issueProblems(i, base, graphInput, file)) };
  const graph = g.data;
  const { plan, problems } = planNetwork(graph, base, spec.network.site !== undefined);
  for (const p of problems) p.file = file;
  if (problems.length > 0) return { ok: false, problems };
  const port = spec.workload.port ?? (spec.workload.transport === 'tcp' ? 80 : 9);
  const scenario: Scenario = {
    file, name: spec.name ?? baseName(file), description: spec.description ?? '', seed: spec.seed, runs: spec.runs,
    site: spec.network.site ?? null, graphInput, graph, plan, cluster: graph.cluster ?? null, trafficControl: spec.trafficControl, tcp: spec.tcp,
    workload: { ...spec.workload, port }, trace: null, faults: spec.faults, stop: spec.stop, measure: spec.measure, input,
  };
  const more = checkScenario(scenario, file);
  if (more.length > 0) return { ok: false, problems: more };
  const trace = readTrace(scenario, file, opts);
  if (typeof trace === 'string') return { ok: false, problems: [{ file, path: ['workload', 'arrival'], message: trace }] };
  scenario.trace = trace;
  return { ok: true, scenario };
}

function baseName(file: string): string {
  const b = file.split(/[\\/]/).pop() ?? file;
  return b.replace(/\.json$/, '');
}

// ------------------------------------------------------------- whole-scenario checks

/** Client and server nodes of the workload (member ids), resolved; problems for bad references. */
export function workloadNodes(s: Scenario): { clients: string[]; servers: string[] } {
  const pick = (refs: string[] | undefined, kinds: string[]): string[] => (refs === undefined
    ? s.plan.nodes.filter((n) => kinds.includes(n.spec.kind)).map((n) => n.id)
    : refs.flatMap((r) => s.plan.members.get(r) ?? (s.plan.byId.has(r) ? [r] : [])));
  return { clients: pick(s.workload.clients, ['client']), servers: pick(s.workload.servers, ['server']) };
}

function checkScenario(s: Scenario, file: string): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  const at = (path: JsonPath, message: string): void => { out.push({ file, path, message }); };
  const plan = s.plan;
  const ref = (v: string, path: JsonPath, kinds: readonly string[], what: string): boolean => {
    const n = plan.members.get(v)?.[0] ?? (plan.byId.has(v) ? v : undefined);
    if (n === undefined) {
      at(path, unknownNode(v, plan));
      return false;
    }
    const kind = plan.byId.get(n)!.spec.kind;
    if (!kinds.includes(kind)) {
      at(path, `"${v}" is a ${kind}; ${what} must be ${oneOf(kinds)}`);
      return false;
    }
    return true;
  };
  const w = s.workload;
  w.clients?.forEach((c, i) => ref(c, ['workload', 'clients', i], ['client', 'host'], 'a client'));
  w.servers?.forEach((c, i) => ref(c, ['workload', 'servers', i], ['server', 'host'], 'a server'));
  if (out.length > 0) return out;
  const { clients, servers } = workloadNodes(s);
  if (clients.length === 0) at(['network'], 'the network has no client nodes for the workload (add a node of kind "client", or list workload.clients)');
  if (servers.length === 0) at(['network'], 'the network has no server nodes for the workload (add a node of kind "server", or list workload.servers)');
  if (w.transport === 'udp') {
    if (w.arrival.kind !== 'poisson') at(['workload', 'arrival', 'kind'], `found "${w.arrival.kind}"; the UDP workload sends a Poisson stream: use "poisson", or set workload.transport to "tcp"`);
    if (s.cluster !== null) at(['workload', 'transport'], 'the cluster designs serve TCP connections; set workload.transport to "tcp" or remove the cluster');
  }
  if (w.arrival.kind === 'trace' && (w.arrival.csv === undefined) === (w.arrival.pcap === undefined)) {
    at(['workload', 'arrival'], 'a trace arrival names exactly one file: "csv" or "pcap"');
  }
  // Reachability: every server from every client group's first member.
  const adj = adjacency(plan);
  const seenGroups = new Set<string>();
  for (const c of clients) {
    const n = plan.byId.get(c)!;
    const key = n.group ?? c;
    if (seenGroups.has(key)) continue;
    seenGroups.add(key);
    const r = reachable(plan, adj, c);
    const missing = servers.filter((x) => !r.has(x));
    if (missing.length > 0) {
      at(['network'], `${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''} cannot be reached from ${c}: there is no path through routers, switches and the Internet; check the links`);
      break;
    }
  }
  if (s.cluster !== null) checkCluster(s, servers, at);
  // Faults.
  const stopAt = s.stop.at;
  s.faults.forEach((f, i) => {
    const path = ['faults', i];
    if (!ref(f.node, [...path, 'node'], f.kind === 'cpu-load' ? ['server', 'host'] : ['client', 'host', 'server', 'router', 'balancer', 'internet', 'l3-switch'], f.kind === 'cpu-load' ? 'a server' : 'an IP node')) return;
    if (f.kind === 'cpu-load' && (w.transport !== 'tcp' || !servers.includes(f.node))) at([...path, 'node'], `"${f.node}" runs no server CPU: cpu-load applies to the TCP workload's servers (${servers.slice(0, 4).join(', ')}${servers.length > 4 ? ', ...' : ''})`);
    if (plan.members.get(f.node) !== undefined && plan.members.get(f.node)!.length > 1) at([...path, 'node'], `"${f.node}" is a group of ${plan.members.get(f.node)!.length} nodes; name one of them, such as "${f.node}0"`);
    if (stopAt !== undefined && f.at > stopAt) at([...path, 'at'], `the fault is at ${f.at / 1e9} s, after the run stops (stop.at = ${stopAt / 1e9} s)`);
    if (f.kind === 'link-down' || f.kind === 'link-up') {
      if (f.lan === undefined && f.peer === undefined) at(path, 'a link fault names the link by "lan" (first, second or third) or "peer" (the node at the other end)');
      if (f.lan !== undefined && !plan.lans.some((l, li) => l.role === f.lan && plan.lanOf.has(`${f.node}|${li}`))) at([...path, 'lan'], `"${f.node}" has no interface on the ${f.lan} LAN`);
      if (f.peer !== undefined && !plan.p2p.some((p) => (p.a === f.node && p.b === f.peer) || (p.b === f.node && p.a === f.peer))
        && !plan.lans.some((l) => l.cables.some((c) => (c.a === f.node && c.b === f.peer) || (c.b === f.node && c.a === f.peer)))) {
        at([...path, 'peer'], `there is no link between "${f.node}" and "${f.peer}"`);
      }
    }
  });
  if (s.stop.requests !== undefined && w.arrival.kind !== 'trace' && s.stop.requests > clients.length * w.requestsPerClient) {
    at(['stop', 'requests'], `found ${s.stop.requests}; the workload issues only ${clients.length * w.requestsPerClient} requests (${clients.length} clients × ${w.requestsPerClient})`);
  }
  return out;
}

function checkCluster(s: Scenario, servers: string[], at: (path: JsonPath, message: string) => void): void {
  const plan = s.plan;
  const c = s.cluster!;
  const cpath = s.site !== null ? ['network', 'site'] : ['network', 'cluster'];
  const lanIx = (role: string): number => plan.lans.findIndex((l) => l.role === role);
  const first = lanIx('first'), second = lanIx('second'), third = lanIx('third');
  if (first < 0) {
    at(cpath, 'a cluster needs a first LAN: mark the hub or switch the servers and the edge share with "lan": "first"');
    return;
  }
  const on = (node: string, li: number): boolean => li >= 0 && plan.lanOf.has(`${node}|${li}`);
  const need = (li: number, role: string, why: string): void => {
    const off = servers.filter((x) => !on(x, li));
    if (off.length > 0) at(cpath, `${off.slice(0, 3).join(', ')}${off.length > 3 ? ` and ${off.length - 3} more` : ''} ${off.length === 1 ? 'has' : 'have'} no interface on the ${role} LAN (${why})`);
  };
  need(first, 'first', 'clients reach the servers through it');
  need(third, 'third', 'the servers report their load over it');
  if (c.design === 'nic-forward') need(second, 'second', 'nic-forward forwards and migrates over it');
  const lanNodes = plan.lans[first].ifaces.map((i) => plan.byId.get(i.node)!);
  if (!lanNodes.some((n) => n.spec.kind === 'router' || n.spec.kind === 'l3-switch')) {
    at(cpath, `the first LAN "${plan.lans[first].name}" has no router or L3 switch linking it to the clients`);
  }
  const balancers = lanNodes.filter((n) => n.spec.kind === 'balancer');
  const wants = ['lb-nat', 'lb-dsr', 'daisy-chain'].includes(c.design);
  if (wants && balancers.length !== 1) at([...cpath, 'design'], `${c.design} needs one node of kind "balancer" on the first LAN; found ${balancers.length}`);
  c.standby.forEach((sb, i) => {
    if (!servers.includes(sb)) at([...cpath, 'standby', i], `"${sb}" is not a server of the cluster${didYouMean(sb, servers)}`);
  });
  if (c.reports.deadAfter <= c.reports.period) at([...cpath, 'reports', 'deadAfter'], `found ${c.reports.deadAfter / 1e6} ms; a server is declared gone after missing reports, so deadAfter must be longer than the report period (${c.reports.period / 1e6} ms)`);
}

// ------------------------------------------------------------- traces

function readTrace(s: Scenario, file: string, opts: LoadOptions): Scenario['trace'] | string {
  const a = s.workload.arrival;
  if (a.kind !== 'trace') return null;
  const name = (a.csv ?? a.pcap)!;
  if (opts.readFile === undefined) return `the trace "${name}" cannot be read here (no file access); load the scenario from a file`;
  let bytes: Uint8Array;
  try {
    bytes = opts.readFile(name);
  } catch (e) {
    return `cannot read the trace "${name}" (relative to ${file}): ${(e as Error).message}`;
  }
  let rows: TraceRow[];
  try {
    rows = a.csv !== undefined ? parseCsvTrace(new TextDecoder().decode(bytes), name) : parsePcapTrace(bytes, name);
  } catch (e) {
    if (e instanceof TraceError) return e.message;
    throw e;
  }
  const { clients } = workloadNodes(s);
  const out: (TraceRow & { client: number })[] = [];
  for (const r of rows) {
    let c: number;
    if (typeof r.client === 'number') {
      c = a.pcap !== undefined ? r.client % clients.length : r.client;
      if (c >= clients.length) return `${r.where}: client ${r.client} does not exist; the workload has clients 0-${clients.length - 1}`;
    } else {
      c = clients.indexOf(r.client);
      if (c < 0) return `${r.where}: no client "${r.client}"${didYouMean(r.client, clients)}`;
    }
    out.push({ ...r, client: c });
  }
  return out;
}

export type { Design };

/**
 * The same scenario with its cluster's description changed by `edit` (the
 * `site` or the `cluster` object, as written), loaded and validated again.
 */
export function withCluster(s: Scenario, edit: (cluster: Record<string, unknown>) => void, opts: LoadOptions = {}): LoadResult {
  const input = JSON.parse(JSON.stringify(s.input)) as { network: { site?: Record<string, unknown>; cluster?: Record<string, unknown> } };
  const c = input.network.site ?? input.network.cluster;
  if (c === undefined) return { ok: false, problems: [{ file: s.file, path: ['network'], message: 'this network has no cluster, so there are no designs to compare; give it a "site" or a "cluster"' }] };
  edit(c);
  return loadScenarioValue(input, { file: s.file, ...opts });
}

/** The same scenario under another design. */
export function withDesign(s: Scenario, design: Design, opts: LoadOptions = {}): LoadResult {
  return withCluster(s, (c) => { c.design = design; }, opts);
}
