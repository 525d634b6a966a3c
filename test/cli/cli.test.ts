/**
 * The netsim command as a user meets it: help with an example on every
 * command, exit codes (0 done, 2 bad input, never a stack trace), the same
 * report from run, compare and sweep for the same scenario and seed, a
 * sweep that resumes and spreads over threads without changing a row, a
 * rerun line that reproduces a row, trace and pcap output.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'netsim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function netsim(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', ['bin/netsim.js', ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const COMMANDS = ['run', 'compare', 'sweep', 'worker', 'merge', 'rerun', 'trace', 'pcap', 'validate', 'schema', 'expand', 'list'];

describe('netsim command', () => {
  it('has --help with an example on every command', () => {
    const top = netsim(['--help']);
    expect(top.status).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(c);
    for (const c of COMMANDS) {
      const h = netsim([c, '--help']);
      expect(h.status, c).toBe(0);
      expect(h.stdout, c).toMatch(/Examples?:\n\s+(npx )?netsim /);
    }
  }, 60_000);

  it('exits 2 with one clear line for a mistyped command, option or --set, never a stack trace', () => {
    const cmd = netsim(['rnu', 'hub']);
    expect(cmd.status).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command 'rnu'[\s\S]*Did you mean run\?/);
    const opt = netsim(['run', 'hub', '--sed', '3']);
    expect(opt.status).toBe(2);
    expect(opt.stderr).toMatch(/unknown option '--sed'[\s\S]*Did you mean one of --seed/);
    const set = netsim(['run', 'hub', '--set', 'network.site.servrs=3', '--quiet']);
    expect(set.status).toBe(2);
    expect(set.stderr.trim()).toBe(`scenarios/hub.json: network.site.servrs: unknown key "servrs"; did you mean "servers"? (from --set network.site.servrs=3)`);
    const file = netsim(['run', 'no-such-scenario']);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/no-such-scenario: \(top level\): no such file, and no library scenario of that name \(the library has .*hub/);
    for (const r of [cmd, opt, set, file]) expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('gives byte-identical reports from run and compare, and the same metrics in a sweep row', () => {
    const a = join(dir, 'run'), b = join(dir, 'compare');
    expect(netsim(['run', 'hub', '--quiet', '--out', a]).status).toBe(0);
    expect(netsim(['compare', 'hub', '--designs', 'nic-forward', '--quiet', '--out', b]).status).toBe(0);
    for (const f of ['report.json', 'metrics.csv', 'report.md']) expect(readFileSync(join(b, f), 'utf8'), f).toBe(readFileSync(join(a, f), 'utf8'));
    const sweep = join(dir, 'one.csv');
    expect(netsim(['sweep', 'hub', '--param', 'seed=2', '--out', sweep, '--quiet']).status).toBe(0);
    const [header, row] = readFileSync(sweep, 'utf8').trim().split('\n').map((l) => l.split(','));
    const metrics = readFileSync(join(a, 'metrics.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(metrics.length).toBeGreaterThan(20);
    for (const [, , , , m, v] of metrics) expect(row[header.indexOf(m)], m).toBe(v);
  }, 120_000);

  it('sweeps a grid on two threads with the same rows as on one, resumes, and reruns a row', () => {
    const args = ['sweep', 'hub', '--param', 'seed=1..3', '--param', 'network.site.nic.policy=least-loaded,hash', '--quiet'];
    const one = join(dir, 'j1.csv'), two = join(dir, 'j2.csv');
    expect(netsim([...args, '-j', '1', '--out', one]).status).toBe(0);
    expect(netsim([...args, '-j', '2', '--out', two]).status).toBe(0);
    const full = readFileSync(one, 'utf8');
    expect(full.trim().split('\n')).toHaveLength(1 + 6);
    expect(readFileSync(two, 'utf8')).toBe(full);
    // Interrupted after four rows: the resumed sweep runs only the rest.
    writeFileSync(two, full.split('\n').slice(0, 5).join('\n') + '\n');
    const resumed = netsim([...args, '-j', '2', '--out', two]);
    expect(resumed.stderr).toContain('resuming: 4 of 6 rows already in');
    expect(readFileSync(two, 'utf8')).toBe(full);
    const dry = netsim([...args, '--dry-run']);
    expect(dry.stdout).toContain('6 points x 1 runs = 6 tasks');
    // netsim rerun prints the command; running it gives the row's metrics.
    const line = netsim(['rerun', `${one}:4`]).stdout.trim();
    expect(line).toBe('npx netsim run hub --run 1 --set seed=2 --set network.site.nic.policy=hash');
    const words = line.split(' ').slice(2);
    const out = join(dir, 'rerun');
    expect(netsim([...words, '--quiet', '--out', out]).status).toBe(0);
    const header = full.split('\n')[0].split(','), row = full.split('\n')[4].split(',');
    for (const l of readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').slice(1)) {
      const [, , , , m, v] = l.split(',');
      expect(row[header.indexOf(m)], m).toBe(v);
    }
  }, 180_000);

  it('traces packet events as NDJSON with filters', () => {
    const r = netsim(['trace', 'hub', '--kind', 'nic-decision,nic-forward', '--to', '60ms', '--quiet']);
    expect(r.status).toBe(0);
    const evs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ev: string; t: number; srcIp?: string });
    expect(evs.length).toBeGreaterThan(3);
    expect(new Set(evs.map((e) => e.ev))).toEqual(new Set(['nic-decision', 'nic-forward']));
    expect(evs.every((e) => e.t <= 60e6)).toBe(true);
    const fwd = evs.find((e) => e.ev === 'nic-forward')!;
    expect(fwd.srcIp).toMatch(/^100\.64\.\d+\.\d+$/);
    const one = netsim(['trace', 'hub', '--conn', fwd.srcIp!, '--kind', 'tx', '--quiet']);
    expect(one.stdout.trim().split('\n').every((l) => l.includes(fwd.srcIp!))).toBe(true);
  }, 60_000);

  it('writes one pcap per device that tshark reads', () => {
    const out = join(dir, 'caps');
    const r = netsim(['pcap', 'hub', '--out', out, '--node', 'server1,router', '--quiet']);
    expect(r.status).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['first-lan_router.pcap', 'first-lan_server1.pcap', 'router-_internet.pcap', 'second-lan_server1.pcap', 'third-lan_server1.pcap']);
    const tshark = process.env.TSHARK ?? '/usr/bin/tshark';
    if (!existsSync(tshark)) throw new Error('tshark is needed (apt-get install tshark)');
    const text = execFileSync(tshark, ['-r', join(out, 'first-lan_server1.pcap'), '-T', 'fields', '-e', 'frame.protocols'], { encoding: 'utf8' });
    expect(text).toContain('eth:ethertype:ip:tcp');
    expect(text).not.toMatch(/malformed/i);
  }, 60_000);
});
