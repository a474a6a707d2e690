// A Redis server for the demo, tests and benchmarks: a private `redis-server` on a free loopback port when the
// binary exists (so tests can kill and restart it), otherwise a reachable REDIS_URL / 127.0.0.1:6379.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisHandle {
  url: string;
  port: number;
  /** true when this process started the server (and may stop/restart it). */
  private: boolean;
  stop(): Promise<void>;
  /** Kill the private server (SIGKILL) without cleaning up; `start()` brings it back on the same port and dir. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `No Redis server available: ${detail}. Install one (\`apt-get install redis-server\`) so a private ` +
        'server can be started, or set REDIS_URL to a reachable server (e.g. redis://127.0.0.1:6379).',
    );
    this.name = 'RedisUnavailableError';
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function redisServerBinary(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : undefined;
}

async function reachable(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => {
      sock.write('PING\r\n');
    });
    sock.once('data', (buf) => done(buf.toString().startsWith('+PONG')));
  });
}

async function waitReachable(port: number, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await reachable(port, '127.0.0.1', 300)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export interface StartRedisOptions {
  /** Persist with AOF in the private data dir (for restart tests). */
  appendOnly?: boolean;
  /** Prefer an external server (REDIS_URL) over a private one. */
  preferExternal?: boolean;
}

/** Starts a private redis-server, or falls back to REDIS_URL / the default local server. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const binary: string | undefined = redisServerBinary();
  if (opts.preferExternal || !binary) {
    const external = await externalRedis();
    if (external) return external;
    if (!binary) throw new RedisUnavailableError('no redis-server binary on PATH and no server answering at REDIS_URL or 127.0.0.1:6379');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cilium-runbook-redis-'));
  let child: ChildProcess | undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--daemonize', 'no', '--logfile', ''];
  args.push('--appendonly', opts.appendOnly ? 'yes' : 'no');
  if (opts.appendOnly) args.push('--appendfsync', 'always');
  const start = async () => {
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (!(await waitReachable(port, 5000))) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError(`redis-server on port ${port} did not start: ${stderr.trim() || 'no output'}`);
    }
  };
  const kill = async () => {
    if (!child || child.exitCode !== null) return;
    const c = child;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    private: true,
    start,
    kill,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function externalRedis(): Promise<RedisHandle | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const parsed = new URL(url);
  const port = Number(parsed.port || 6379);
  if (!(await reachable(port, parsed.hostname || '127.0.0.1'))) return undefined;
  const noop = async () => {};
  return { url, port, private: false, stop: noop, kill: noop, start: noop };
}
