// Runs a TypeScript entry point of netsim as one ES module bundled by esbuild,
// or through tsx's loader when esbuild is missing or cannot build it.
//
// Why a bundle: code loaded through tsx runs each module as its own scope
// with imported bindings read through accessors, and the simulator's hot
// path crosses a dozen modules per packet. The same code bundled into one
// scope ran the TCP anchor network at 0.52 M hops/s against 0.35 M through
// tsx (1.45x), and starts sooner (esbuild builds all of src/ in ~0.2 s; tsx
// spends ~0.5 s resolving and transpiling it file by file).
//
// The sweep's worker threads import a bundle of their task made here too
// (src/cli/sweep-bundle.ts).
//
// Packages stay outside the bundle (node_modules is imported as usual: BullMQ
// reads its Lua scripts from its own folder), so the bundle lives in
// node_modules/.cache/netsim/, where Node resolves them. It is named by a
// hash of its text and written atomically (another netsim may be reading it);
// bundles of other sources not used for a week are removed. A module that
// reads `import.meta.url` gets its own source file's URL, as from source.
// NETSIM_NO_BUNDLE=1 runs through tsx (for a stack trace into .ts lines).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WEEK_MS = 7 * 24 * 3600 * 1000;
// Spelt in pieces so that a source which itself rewrites it (src/cli/sweep-bundle.ts) keeps its own.
const META_URL = ['import', 'meta', 'url'].join('.');

function prune(dir, name, keep) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    try {
      if (p !== keep && f.startsWith(`${name}-`) && f.endsWith('.mjs') && Date.now() - statSync(p).mtimeMs > WEEK_MS) rmSync(p);
    } catch { /* gone already */ }
  }
}

/** The bundle of `entry` (an absolute path) as a file URL, or null when esbuild is missing or fails (then `why` says why). */
export async function bundleModule(entry, name) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    return { url: null, why: `esbuild is not installed (${e.message})` };
  }
  try {
    const r = await esbuild.build({
      entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false,
      logLevel: 'silent', packages: 'external',
      plugins: [{
        name: 'own-import-meta-url',
        setup(b) {
          // The repository's own files (packages are external): .ts, and .js such as this one.
          b.onLoad({ filter: /\.(ts|js|mjs)$/ }, (a) => ({
            contents: readFileSync(a.path, 'utf8').replaceAll(META_URL, JSON.stringify(pathToFileURL(a.path).href)),
            loader: a.path.endsWith('.ts') ? 'ts' : 'js',
          }));
        },
      }],
    });
    const text = r.outputFiles[0].text;
    const dir = join(ROOT, 'node_modules', '.cache', 'netsim');
    const file = join(dir, `${name}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const part = `${file}.${process.pid}.part`;
      writeFileSync(part, text);
      renameSync(part, file);
      prune(dir, name, file);
    } else {
      const now = new Date();
      utimesSync(file, now, now);
    }
    return { url: pathToFileURL(file).href };
  } catch (e) {
    return { url: null, why: `esbuild could not bundle ${entry}: ${String(e.message).split('\n')[0]}` };
  }
}

/** Run `entryRel` (relative to the repository) bundled, else through tsx. */
export async function runEntry(entryRel, name) {
  const entry = join(ROOT, entryRel);
  if (process.env.NETSIM_NO_BUNDLE !== '1') {
    const b = await bundleModule(entry, name);
    if (b.url !== null) {
      await import(b.url);
      return;
    }
    if (process.env.NETSIM_DEBUG) process.stderr.write(`netsim: running through tsx: ${b.why}\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(entry).href);
}
