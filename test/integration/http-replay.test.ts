// Replays in HTTP mode (issue 17, item 7), against two real bot replicas sharing Redis and the sandbox emulators: a
// signed request captured off the wire and sent again within the 5-minute window, to the same replica or another,
// runs nothing a second time.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBot, type RunningBot } from '../../bot/bot.ts';
import { freePort } from '../../sandbox/redis.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

let s: SandboxStack;
let replica: RunningBot;
let replicaUrl: string;

beforeAll(async () => {
  s = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false, mode: 'http' });
  s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
  const port = await freePort();
  // A second replica: same Redis and queue prefix, its own HTTP port, Slack only.
  replica = await startBot({ ...s.config, role: 'bot', slack: { ...s.config.slack, httpPort: port } }, { logger: pino({ level: 'silent' }) });
  replicaUrl = `http://127.0.0.1:${port}/slack/events`;
});
afterAll(async () => {
  await replica?.stop();
  await s?.stop();
});

/** A signed `/cilium <text>` as Slack sent it once: the exact bytes and headers an eavesdropper would keep. */
const capture = (text: string) => s.slack.prepareSlashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium' });

async function send(captured: ReturnType<typeof capture>, url = captured.url): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: captured.headers, body: captured.body, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return res.status;
}

const notes = async (incidentId: string) => ((await s.bot?.incidents.timeline(incidentId)) ?? []).filter((e) => e.kind === 'note');
const diagnoseJobs = async () => (await s.bot?.queue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')) ?? -1;

describe('HTTP mode: a signed request runs once, whichever replica it is replayed to', () => {
  it('a captured diagnose replayed after its report starts no second diagnosis', async () => {
    const diagnose = capture('diagnose node-legacy-01');
    expect(await send(diagnose)).toBe(200);
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000, description: 'report' });
    expect(await diagnoseJobs()).toBe(1);
    // The job is done, so per-node deduplication would no longer stop a second one: only the replay cache does.
    expect(await send(diagnose)).toBe(401);
    expect(await send(diagnose, replicaUrl)).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await diagnoseJobs()).toBe(1);
    // Control: the same command sent anew by Slack (new timestamp and signature) is accepted by the replica.
    const again = s.slack.prepareSlashCommand({ text: 'help', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', timestamp: Math.floor(Date.now() / 1000) + 1 });
    expect(await send(again, replicaUrl)).toBe(200);
  });

  it('the same signed note sent three times adds one entry', async () => {
    const note = capture('note INC-1 rolled back the kernel upgrade');
    expect(await send(note)).toBe(200);
    await s.slack.waitFor(async () => (await notes('INC-1')).length === 1 || undefined, { timeoutMs: 10_000, description: 'the note' });
    expect(await send(note)).toBe(401);
    expect(await send(note, replicaUrl)).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect((await notes('INC-1')).map((e) => e.text)).toEqual(['rolled back the kernel upgrade']);
  });
});
