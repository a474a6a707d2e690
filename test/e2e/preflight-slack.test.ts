// `/cilium preflight` end to end: the Slack emulator drives the real Bolt app, the preflight runs as a BullMQ job on
// a real Redis against a generated cluster in the Kubernetes API emulator, and the report lands in the root's thread.
// The sweep of the same cluster ends with the prevention section.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { generateCluster } from '../../sandbox/scenario/index.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function stack(): Promise<SandboxStack> {
  const s = await startSandboxStack({
    scenario: generateCluster({ nodes: 40, broken: { count: 4, reason: 'kernel-too-old' } }),
    redisUrl: inject('redisUrl'),
    startBot: false,
  });
  stacks.push(s);
  const { startBot } = await import('../../bot/bot.ts');
  s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
  return s;
}

async function command(s: SandboxStack, text: string, done: RegExp) {
  const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  expect(sent.status).toBe(200);
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id).at(-1), { timeoutMs: 10_000, description: 'root message' });
  await s.slack.waitFor(() => done.test(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? ''), { timeoutMs: 30_000, description: `root edited to ${String(done)}` });
  return { root, transcript: s.slack.renderThread(DEMO_CHANNEL.id, root.ts) };
}

describe('/cilium preflight end to end', () => {
  it('posts the pool-grouped report in the thread and the verdict on the root', async () => {
    const s = await stack();
    const { root, transcript } = await command(s, 'preflight 1.18.2', /Preflight for Cilium 1\.18\.2/);
    expect(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text).toMatch(/FAIL — the upgrade would break/);
    // The transcript shows the thread as posted: `<` escaped for Slack, or rendered back.
    expect(transcript).toMatch(/4 nodes in pool `workers-legacy`: kernel 4\.14\.352 (?:&lt;|<) 5\.10\.0 required by Cilium 1\.18\+/);
    expect(transcript).toContain('node-legacy-01');
  });

  it('a sweep with a critical kernel-too-old group ends with the prevention steps', async () => {
    const s = await stack();
    const { transcript } = await command(s, 'diagnose --all', /nodes checked:/);
    expect(transcript).toMatch(/Prevention \(kernel-too-old in pool workers-legacy\)/);
    expect(transcript).toContain('cilium-runbook preflight --target');
    expect(transcript).toContain('cilium.io/kernel-compatible');
  });
});
