/**
 * The scenario library, bundled: every file of scenarios/ (but the schema)
 * as text, so the page lists them and the worker loads them (and the trace
 * files they name) without a server.
 */
const files = import.meta.glob(['../../scenarios/*.json', '../../scenarios/*.csv', '!../../scenarios/schema.json'], {
  query: '?raw', import: 'default', eager: true,
}) as Record<string, string>;

/** File name -> text. */
export const LIBRARY_FILES: ReadonlyMap<string, string> = new Map(
  Object.entries(files).map(([path, text]) => [path.slice(path.lastIndexOf('/') + 1), text]),
);

/** Library scenario names (without .json), sorted. */
export const LIBRARY_NAMES: readonly string[] = [...LIBRARY_FILES.keys()].filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

export function libraryText(name: string): string | undefined {
  return LIBRARY_FILES.get(name.endsWith('.json') ? name : `${name}.json`);
}
