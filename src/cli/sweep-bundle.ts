/**
 * The sweep task (sweep-task.ts and all it imports) as one plain ES module,
 * built by esbuild, for worker threads to import. Why: a thread that loads
 * the TypeScript through tsx's loader spends ~0.5 s resolving and
 * transpiling ~170 files before its first point (measured: import 480-610 ms
 * through tsx, 70-150 ms for the bundle); esbuild builds the bundle in
 * ~150 ms in its own process, while the main thread checks the points.
 *
 * The file is named by a hash of its text, in the system's temporary
 * folder, written atomically (another sweep may be reading it); bundles
 * not used for a week are removed when a new one is written. A module
 * that reads `import.meta.url` gets its own source file's URL, as it does
 * when run from source. Without esbuild (or if the build fails) the threads
 * fall back to tsx.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'sweep-task.ts');
const WEEK_MS = 7 * 24 * 3600 * 1000;
/** Spelt in pieces: the netsim command's own bundle (bin/bundle.js) rewrites that expression wherever it appears in a source. */
const META_URL = ['import', 'meta', 'url'].join('.');

/** Old bundles (other versions of the source) go; errors do not matter (another sweep may be doing the same). */
function prune(dir: string, keep: string): void {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    try {
      if (p !== keep && /^task-[0-9a-f]{16}\.mjs$/.test(f) && Date.now() - statSync(p).mtimeMs > WEEK_MS) rmSync(p);
    } catch { /* gone already */ }
  }
}

/** The bundle's file URL, or null with the reason when there is none. */
export async function bundleTaskModule(): Promise<{ url: string } | { url: null; reason: string }> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    return { url: null, reason: `esbuild is not installed (${(e as Error).message})` };
  }
  try {
    const r = await esbuild.build({
      entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent',
      // jsonc-parser's "main" is a UMD build that esbuild cannot bundle as ESM; its "module" build can.
      mainFields: ['module', 'main'],
      plugins: [{
        name: 'own-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (a) => ({
            contents: readFileSync(a.path, 'utf8').replaceAll(META_URL, JSON.stringify(pathToFileURL(a.path).href)),
            loader: 'ts',
          }));
        },
      }],
    });
    const text = r.outputFiles[0].text;
    const dir = join(tmpdir(), 'netsim-sweep');
    const file = join(dir, `task-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const part = `${file}.${process.pid}.part`;
      writeFileSync(part, text);
      renameSync(part, file);
      prune(dir, file);
    } else {
      const now = new Date();
      utimesSync(file, now, now);
    }
    return { url: pathToFileURL(file).href };
  } catch (e) {
    return { url: null, reason: `esbuild could not bundle ${ENTRY}: ${(e as Error).message.split('\n')[0]}` };
  }
}
