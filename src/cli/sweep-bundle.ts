/**
 * The sweep task (sweep-task.ts and all it imports) as one plain ES module
 * for worker threads to import, built the way the netsim command itself is
 * (bin/bundle.js: esbuild, packages external, cached under
 * node_modules/.cache/netsim). Why: a thread that loads the TypeScript
 * through tsx's loader spends ~0.5 s resolving and transpiling ~170 files
 * before its first point (measured: import 480-610 ms through tsx, 70-150 ms
 * for the bundle), and runs slower after. Without esbuild (or if the build
 * fails) the threads fall back to tsx.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleModule } from '../../bin/bundle.js';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'sweep-task.ts');

/** The bundle's file URL, or null with the reason when there is none. */
export async function bundleTaskModule(): Promise<{ url: string } | { url: null; reason: string }> {
  const b = await bundleModule(ENTRY, 'task');
  return b.url !== null ? { url: b.url } : { url: null, reason: b.why };
}
