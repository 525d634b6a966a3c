import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as netsim from '../src/index';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('public surface', () => {
  it('exports each layer from one entry point', () => {
    for (const name of ['Simulator', 'RandomStreams', 'Topology', 'TcpLayer', 'attachPcap', 'loadScenario', 'buildSimulation', 'runScenario', 'installCluster', 'SmartNic', 'Recorder', 'LatencyHistogram']) {
      expect(netsim, name).toHaveProperty(name);
    }
  });

  it('keeps src/ outside cli/ free of Node-only modules (it runs in browsers and Web Workers)', () => {
    const offenders: string[] = [];
    const files = tsFiles('src').filter((f) => !f.includes(`src${'/'}cli`));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/from '([^']+)'/g)) {
        const mod = m[1];
        if (mod.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'perf_hooks', 'url', 'worker_threads'].includes(mod)) offenders.push(`${f}: ${mod}`);
      }
      if (/\bprocess\.|\bBuffer\b|\brequire\(/.test(text)) offenders.push(`${f}: uses process, Buffer or require`);
    }
    expect(offenders).toEqual([]);
  });

  it('imports in src/ outside cli/ only the browser-safe packages it declares', () => {
    // The simulation core runs in a Web Worker: its packages must be pure JavaScript.
    const core = new Set(['seedrandom', 'zod', 'jsonc-parser', 'fastest-levenshtein', '@stdlib/stats-base-dists-t-quantile']);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const used = new Set<string>();
    for (const f of tsFiles('src').filter((x) => !x.includes(`src${'/'}cli`))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/from '([^'.][^']*)'/g)) used.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
    }
    for (const u of used) {
      expect(core.has(u), `src/ imports ${u}`).toBe(true);
      expect(pkg.dependencies, `${u} is a declared dependency`).toHaveProperty(u);
    }
  });
});
