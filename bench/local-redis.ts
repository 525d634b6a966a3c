/**
 * A redis-server of our own on a free local port, for the queue-sweep
 * benchmark and tests: no disk (no RDB, no AOF), bound to 127.0.0.1,
 * started and stopped by the caller. `need` says who needs it, for the
 * message when Debian's redis-server is not installed (REDIS_SERVER names
 * another binary).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A TCP port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

export interface LocalRedis { url: string; port: number; process: ChildProcess; stop(): void }

export async function startRedis(need: string): Promise<LocalRedis> {
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) {
    throw new Error(`${need} redis-server (Redis >= 5): run 'sudo apt-get install -y redis-server' (Debian/Ubuntu) or 'bash scripts/ensure-test-tools.sh', or set REDIS_SERVER to its path`);
  }
  const port = await freePort();
  const p = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`redis-server did not start on port ${port}:\n${out}`)), 15_000);
    p.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('Ready to accept connections')) { clearTimeout(t); res(); }
    });
    p.on('exit', (code) => { clearTimeout(t); rej(new Error(`redis-server exited (${code}):\n${out}`)); });
  });
  return { url: `redis://127.0.0.1:${port}`, port, process: p, stop: () => { p.kill('SIGTERM'); } };
}
