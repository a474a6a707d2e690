// The process entry (`npm start` = bot/main.ts) as a real child process: configuration errors, a diagnosis over
// Socket Mode, and a graceful SIGTERM.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const ROOT = join(import.meta.dirname, '../..');

interface Child {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
  kill: (signal: NodeJS.Signals) => void;
}

function startMain(env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    output: () => out,
    kill: (signal) => child.kill(signal),
  };
}

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

describe('npm start (bot/main.ts)', { timeout: 120_000 }, () => {
  it('refuses to start with one message listing every missing variable and what it is for', async () => {
    const child = startMain({ SLACK_MODE: 'socket' });
    const { code } = await child.exit;
    expect(code).toBe(2);
    const out = child.output();
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'REDIS_URL', 'KUBECONFIG']) expect(out).toContain(name);
    expect(out).toMatch(/Socket Mode/);
  });

  it('serves /cilium diagnose over Socket Mode and exits cleanly on SIGTERM', async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false });
    stacks.push(s);
    const child = startMain({
      SLACK_BOT_TOKEN: s.slack.botToken,
      SLACK_APP_TOKEN: s.slack.appToken,
      SLACK_API_URL: s.slack.apiUrl,
      REDIS_URL: s.redis.url,
      QUEUE_PREFIX: s.config.queuePrefix,
      KUBECONFIG: s.kube.kubeconfigPath,
      CLUSTER_NAME: 'sandbox',
      LOG_LEVEL: 'warn',
      // No health server here (it would bind 0.0.0.0:8080); test/e2e/ops.test.ts covers it on loopback.
      HEALTH_PORT: '0',
    });
    // A fresh process loads tsx, client-node and Bolt first: on a loaded 2-core CI run that has taken over 20 s.
    await s.slack.waitFor(() => s.slack.socketConnections() > 0, { timeoutMs: 60_000, description: 'the bot to connect over Socket Mode' });
    await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).length > 0, { timeoutMs: 20_000, description: 'the report' });
    child.kill('SIGTERM');
    const { code } = await child.exit;
    expect(code).toBe(0);
    expect(s.slack.socketConnections()).toBe(0);
  });
});
