// SandboxStack.stop() stops a bot attached after the stack started (as tests and scripts do to pass their own
// config): a script that stops its stack then ends by itself instead of hanging on the bot's Redis and socket.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { startSandboxStack } from '../../sandbox/sandbox-stack.ts';

const ROOT = join(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SandboxStack.stop()', () => {
  it('stops a bot attached later: its worker stops running', async () => {
    const stack = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false });
    const bot = await startBot(stack.config, { logger: pino({ level: 'silent' }) });
    stack.bot = bot;
    expect(bot.worker?.isRunning()).toBe(true);
    await stack.stop();
    expect(bot.worker?.isRunning()).toBe(false);
    await stack.stop(); // a second call (signal handler and finally) is harmless
  });

  it('a script that attaches a bot and stops the stack exits on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-stop-test-'));
    dirs.push(dir);
    const script = join(dir, 'attach-and-stop.mts');
    writeFileSync(
      script,
      [
        `import { startBot } from ${JSON.stringify(join(ROOT, 'bot/bot.ts'))};`,
        `import { resolveScenario } from ${JSON.stringify(join(ROOT, 'sandbox/scenario/index.ts'))};`,
        `import { startSandboxStack } from ${JSON.stringify(join(ROOT, 'sandbox/sandbox-stack.ts'))};`,
        `const stack = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: process.env.TEST_REDIS_URL, startBot: false });`,
        'stack.bot = await startBot(stack.config);',
        'await stack.stop();',
        "console.log('stopped');",
        // No process.exit: the process must end because nothing is left open.
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { PATH: process.env.PATH, TEST_REDIS_URL: inject('redisUrl') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(out).toContain('stopped');
    expect(code, out).toBe(0);
    // A fresh tsx process loads client-node, Bolt and BullMQ first: on a loaded 2-core CI run that alone has taken
    // 30 s (the default timeout), as for the CLI tests.
  }, 120_000);
});
