/**
 * Scenario errors: one per problem, each naming the file, the JSON path (and
 * its line and column when the text is known), what was found and what would
 * be valid, with a "did you mean" for misspelt keys, ids and names.
 *
 * `formatProblem` prints one line: `file:line:col: path: message`. The
 * loader returns problems as data (`ScenarioProblem[]`); APIs that must
 * throw throw a ScenarioError holding them all.
 */
import { closest, distance } from 'fastest-levenshtein';

export type JsonPath = readonly (string | number)[];

export interface ScenarioProblem {
  file: string;
  path: JsonPath;
  message: string;
  /** 1-based, when the scenario's text is known. */
  line?: number;
  column?: number;
}

export class ScenarioError extends Error {
  constructor(readonly problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** `a.b[2].c` for a path; "(top level)" for the empty one. */
export function formatPath(path: JsonPath): string {
  if (path.length === 0) return '(top level)';
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? k : `.${k}`;
  return s;
}

export function formatProblem(p: ScenarioProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${where}: ${formatPath(p.path)}: ${p.message}`;
}

/** ` (did you mean "x"?)` when one candidate is close enough to `word`, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0 || word.length === 0) return '';
  const lower = word.toLowerCase();
  const best = closest(word, candidates as string[]);
  const d = distance(lower, best.toLowerCase());
  const limit = Math.max(2, Math.floor(best.length / 3));
  if (d > 0 && d <= limit) return `; did you mean "${best}"?`;
  // An abbreviation: the one candidate it begins.
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower) && c.toLowerCase() !== lower);
  return lower.length >= 3 && prefixed.length === 1 ? `; did you mean "${prefixed[0]}"?` : '';
}

/** A value as it appears in a message: strings quoted, long values cut. */
export function shown(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (v === undefined) s = 'nothing';
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** `a, b or c` (first `max`, then "..."). */
export function oneOf(values: readonly unknown[], max = 12): string {
  const vs = values.slice(0, max).map((v) => (typeof v === 'string' ? `"${v}"` : String(v)));
  if (values.length > max) vs.push('...');
  return vs.length <= 1 ? vs.join('') : `${vs.slice(0, -1).join(', ')} or ${vs[vs.length - 1]}`;
}

/** "no node X", with the nearest id, or the range of a group whose member was miscounted. */
export function unknownNode(v: string, plan: { members: ReadonlyMap<string, readonly string[]>; byId: ReadonlyMap<string, unknown> }): string {
  const m = /^(.*?)(\d+)$/.exec(v);
  const group = m !== null ? plan.members.get(m[1]) : undefined;
  if (group !== undefined && group.length > 1) return `no node "${v}": group "${m![1]}" has ${group.length} nodes, ${group[0]} to ${group[group.length - 1]}`;
  const candidates = [...plan.byId.keys()].slice(0, 5000);
  for (const g of plan.members.keys()) if (!plan.byId.has(g)) candidates.push(g);
  const hint = didYouMean(v, candidates);
  return `no node "${v}"${hint !== '' ? hint : `; nodes are ${[...plan.members.keys()].slice(0, 8).map((x) => `"${x}"`).join(', ')}${plan.members.size > 8 ? ', ...' : ''}`}`;
}
