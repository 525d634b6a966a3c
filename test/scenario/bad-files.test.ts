/**
 * Malformed scenarios: each file in test/scenarios/bad/ gets exactly the
 * lines in its .expected file (file:line:col, JSON path, what was found,
 * what would be valid), one per problem, from the loader and from
 * `netsim validate`, which exits 2 and never prints a stack trace.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/cli/files';
import { formatProblem } from '../../src/scenario/errors';

const DIR = 'test/scenarios/bad';
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

describe('malformed scenarios', () => {
  it.each(files)('%s: the loader reports exactly the expected problems', (f) => {
    const r = loadScenarioFile(join(DIR, f));
    expect(r.ok).toBe(false);
    const lines = r.ok ? [] : r.problems.map(formatProblem);
    expect(lines.join('\n') + '\n').toBe(readFileSync(join(DIR, f.replace(/\.json$/, '.expected')), 'utf8'));
    for (const l of lines) expect(l).toMatch(/^test\/scenarios\/bad\/[a-z0-9-]+\.json:\d+:\d+: \S.*: \S/);
  });

  it('netsim validate prints them all, exits 2, and shows no stack trace', () => {
    let status = 0, stderr = '', stdout = '';
    try {
      stdout = execFileSync('node', ['bin/netsim.js', 'validate', ...files.map((f) => join(DIR, f)), 'scenarios/hub.json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const x = e as { status: number; stderr: string; stdout: string };
      status = x.status;
      stderr = x.stderr;
      stdout = x.stdout;
    }
    expect(status).toBe(2);
    expect(stderr).toBe(files.map((f) => readFileSync(join(DIR, f.replace(/\.json$/, '.expected')), 'utf8')).join(''));
    expect(stderr).not.toMatch(/\n\s+at |Error:/);
    expect(stdout).toMatch(/^scenarios\/hub\.json: ok/);
  }, 60_000);
});
