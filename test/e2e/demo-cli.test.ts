// `npm run demo` and `npm run sandbox` as child processes: usage and one-line errors for bad options, Ctrl-C and
// SIGTERM stopping the private redis-server and removing the temporary folders, and `--once` diagnosing the
// scenario's own broken node and checking its expected finding.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

interface Child {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
  pid: number;
  kill: (signal: NodeJS.Signals) => void;
  /** Resolves once stdout contains `text`; rejects if the process exits first. */
  printed: (text: string) => Promise<void>;
}

const tmpDirs: string[] = [];
const children: Child[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshTmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'demo-cli-test-'));
  tmpDirs.push(d);
  return d;
}

function run(script: 'sandbox/demo.ts' | 'sandbox/cli.ts', args: string[], env: NodeJS.ProcessEnv = {}): Child {
  // REDIS_URL is left out on purpose: the demo then starts its own private redis-server.
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) {
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const c: Child = {
    exit,
    stdout: () => out,
    stderr: () => err,
    pid: child.pid ?? -1,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void exit.then(({ code }) => reject(new Error(`exited (${code}) before printing "${text}"\n${out}\n${err}`)));
      }),
  };
  children.push(c);
  return c;
}

/** Pids of `redis-server` processes whose parent is `ppid` (redis rewrites its command line, so match the parent). */
function redisChildrenOf(ppid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm.startsWith('redis-server') && parent === ppid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Whether a process still exists (and is not a zombie waiting for its parent). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('sandbox-kube-') || n.startsWith('cilium-runbook-redis-'));

describe.each(['sandbox/demo.ts', 'sandbox/cli.ts'] as const)('%s options', (script) => {
  const program = script === 'sandbox/demo.ts' ? 'demo' : 'sandbox';

  it('--help prints the usage and exits 0', async () => {
    const c = run(script, ['--help']);
    expect((await c.exit).code).toBe(0);
    expect(c.stdout()).toContain(`Usage: npm run ${program} -- [options]`);
    expect(c.stdout()).toContain('--scenario <name|path>');
  });

  it('an unknown option: one clear line and the usage on stderr, exit 2, no stack', async () => {
    const c = run(script, ['--bogus']);
    expect((await c.exit).code).toBe(2);
    expect(c.stderr().split('\n')[0]).toBe(`${program}: Unknown option '--bogus' (see --help)`);
    expect(c.stderr()).toContain('Usage:');
    expect(c.stderr()).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  });
});

describe('signals', { timeout: 120_000 }, () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('demo on %s: the private redis-server is stopped and its and the emulator\'s temporary folders removed', async (signal) => {
    const tmp = freshTmp();
    const c = run('sandbox/demo.ts', ['--scenario', 'healthy'], { TMPDIR: tmp });
    await c.printed('Type a command');
    const redis = redisChildrenOf(c.pid);
    expect(redis).toHaveLength(1);
    expect(leftovers(tmp).sort().map((n) => n.replace(/-[^-]+$/, ''))).toEqual(['cilium-runbook-redis', 'sandbox-kube']);
    c.kill(signal);
    const { code } = await c.exit;
    expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(redis.filter(alive)).toEqual([]);
    expect(leftovers(tmp)).toEqual([]);
  });

  it('sandbox on SIGINT: the emulator\'s temporary kubeconfig folder is removed', async () => {
    const tmp = freshTmp();
    const c = run('sandbox/cli.ts', ['--scenario', 'healthy'], { TMPDIR: tmp });
    await c.printed('KUBECONFIG=');
    const kubeconfig = /KUBECONFIG=(\S+)/.exec(c.stdout())?.[1] ?? '';
    expect(existsSync(kubeconfig)).toBe(true);
    c.kill('SIGINT');
    expect((await c.exit).code).toBe(130);
    expect(existsSync(kubeconfig)).toBe(false);
    expect(leftovers(tmp)).toEqual([]);
  });
});

describe('demo --once', { timeout: 120_000 }, () => {
  it('diagnoses the scenario\'s broken node (not the first node) and checks its expected finding', async () => {
    // map-full's broken node is node-2, not the first node listed.
    const c = run('sandbox/demo.ts', ['--once', '--scenario', 'map-full', '--redis', inject('redisUrl')]);
    const { code } = await c.exit;
    expect(c.stdout()).toContain('Diagnosis of node-2');
    expect(c.stdout()).toContain('OK: node-2 — map-full first, as the scenario expects');
    expect(code).toBe(0);
  });

  it('exits 1 and says MISMATCH when the report does not lead with the scenario\'s expected finding', async () => {
    // The same scenario with an expectation it does not meet.
    const yaml = readFileSync(join(ROOT, 'sandbox/scenarios/map-full.yaml'), 'utf8');
    const wrong = yaml.replace(/findings:\n\s+- map-full\n/, 'findings:\n    - hubble-disabled\n');
    expect(wrong).not.toBe(yaml);
    const path = join(freshTmp(), 'map-full-wrong.yaml');
    writeFileSync(path, wrong);
    const c = run('sandbox/demo.ts', ['--once', '--scenario', path, '--redis', inject('redisUrl')]);
    const { code } = await c.exit;
    expect(c.stdout()).toContain('Diagnosis of node-2');
    expect(c.stdout()).toContain('MISMATCH: node-2 — expected hubble-disabled first, got map-full');
    expect(code).toBe(1);
  });
});
