/**
 * Scenario files on disk: read a scenario (by path, or by name from the
 * library in scenarios/), with trace files read relative to it. The only
 * place the loader meets the file system.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, type LoadResult } from '../scenario/load';

/** The bundled scenario library. */
export const LIBRARY = resolve(dirname(fileURLToPath(import.meta.url)), '../../scenarios');

/** Library scenario files (without schema.json), sorted. */
export function libraryFiles(): string[] {
  return readdirSync(LIBRARY).filter((f) => f.endsWith('.json') && f !== 'schema.json').sort().map((f) => join(LIBRARY, f));
}

/** A path as given, or the library scenario of that name ("comparison" -> scenarios/comparison.json). */
export function resolveScenario(ref: string): string {
  if (existsSync(ref)) return ref;
  const lib = join(LIBRARY, ref.endsWith('.json') ? ref : `${ref}.json`);
  return existsSync(lib) ? lib : ref;
}

/** Load a scenario file; problems (a missing file too) come back as data, never thrown. */
export function loadScenarioFile(ref: string, set: readonly string[] = []): LoadResult {
  const file = resolveScenario(ref);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const names = existsSync(LIBRARY) ? libraryFiles().map((f) => f.slice(LIBRARY.length + 1, -5)) : [];
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [{ file: ref, path: [], message: code === 'ENOENT' ? `no such file, and no library scenario of that name (the library has ${names.join(', ')})` : `cannot read it: ${(e as Error).message}` }],
    };
  }
  const shown = relative(process.cwd(), file);
  return loadScenario(text, { file: shown.startsWith('..') ? file : shown, set, readFile: (p) => readFileSync(resolve(dirname(file), p)) });
}
