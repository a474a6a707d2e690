// Slack failing under the bot: 5xx on posting (retried, delivered once) and Socket Mode disconnects (the bot
// reconnects by itself and keeps taking commands).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function stack(): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false });
  stacks.push(s);
  s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
  return s;
}

const reports = (s: SandboxStack, ts: string) => s.slack.thread(DEMO_CHANNEL.id, ts).filter((m) => (m.text ?? '').startsWith('Diagnosis of'));

describe('Slack faults', () => {
  it('503s on chat.postMessage: the report is retried and delivered exactly once', async () => {
    const s = await stack();
    await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    s.slack.faults.add({ method: 'chat.postMessage', status: 503, times: 2 });
    await s.slack.waitFor(() => reports(s, root.ts).length > 0, { timeoutMs: 25_000, description: 'the report despite 503s' });
    await new Promise((r) => setTimeout(r, 500));
    expect(reports(s, root.ts)).toHaveLength(1);
    expect(s.slack.calls('chat.postMessage').filter((c) => c.status === 503)).toHaveLength(2);
  });

  it('a Socket Mode disconnect: the bot reconnects by itself and answers the next command', async () => {
    const s = await stack();
    expect(s.slack.socketConnections()).toBe(1);
    s.slack.disconnectSockets('refresh_requested');
    await s.slack.waitFor(() => s.slack.socketConnections() === 0 || undefined, { timeoutMs: 5_000 }).catch(() => undefined);
    await s.slack.waitFor(() => s.slack.socketConnections() > 0, { timeoutMs: 20_000, description: 'the bot to reconnect' });
    await s.slack.slashCommand({ text: 'diagnose node-2', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => reports(s, root.ts).length === 1, { timeoutMs: 20_000 });
  });
});
