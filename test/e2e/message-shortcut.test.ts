// The message shortcut "Diagnose this message" end to end: a person posts agent output (pasted or as a shared file)
// in the Slack emulator, uses the shortcut the manifest declares, Slack sends `message_action` to the real Bolt app
// over Socket Mode or signed HTTP, the bot reads the text (and downloads the file with its token), analyses it on
// the analysis thread and answers in the message's thread. Redis is real (the bot's queues start with it).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import type { Config } from '../../bot/config.ts';
import { MESSAGE_SHORTCUT_CALLBACK_ID } from '../../bot/shortcut/message-shortcut.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function stack(mode: 'socket' | 'http', configOverrides: Partial<Config> = {}): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), mode, logger: pino({ level: 'silent' }), configOverrides });
  stacks.push(s);
  return s;
}

// Real agent lines (siderolabs/talos#9494: daemon_main.go logs the failed memlock rlimit at Fatal); the token in
// the fatal line is a made-up bot token that must never be posted back.
const FAKE_TOKEN = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const MEMLOCK_LOG = [
  'level=info msg="Cilium 1.14.5 85db28be 2023-12-11T14:30:29+01:00 go version go1.20.12 linux/amd64" subsys=daemon',
  `level=fatal msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon slack_token=${FAKE_TOKEN}`,
].join('\n');

/** The bot's replies in the thread of `threadTs`, once at least `count` are there. */
async function repliesIn(s: SandboxStack, threadTs: string, count = 1) {
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, threadTs).filter((m) => m.user === s.slack.botUserId).length >= count || undefined, {
    timeoutMs: 20_000,
    description: 'the answer in the thread',
  });
  return s.slack.renderThread(DEMO_CHANNEL.id, threadTs);
}

describe('message shortcut "Diagnose this message"', () => {
  it('Socket Mode: a pasted memlock fatal line is answered in the message\'s thread, naming the runbook and what was recognised, secrets redacted', async () => {
    const s = await stack('socket');
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: `agent on node-7 keeps dying:\n\`\`\`${MEMLOCK_LOG}\`\`\`` });
    const sent = await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    expect(sent.status).toBe(200);
    const transcript = await repliesIn(s, msg.ts);
    expect(transcript).toContain('memlock-rlimit');
    expect(transcript).toMatch(/Recognised in the message text: agent log \(2 lines\)/);
    expect(transcript).toContain('unable to set memory resource limits');
    // The person's own message holds the token; none of the bot's replies may.
    const replies = s.slack.thread(DEMO_CHANNEL.id, msg.ts);
    expect(JSON.stringify(replies)).toContain('unable to set memory resource limits');
    expect(JSON.stringify(replies)).not.toContain(FAKE_TOKEN);
    expect(JSON.stringify(replies)).toMatch(/redacted/);
    // Answered in the thread, not in the channel.
    expect(s.slack.messages(DEMO_CHANNEL.id).map((m) => m.ts)).toEqual([msg.ts]);
  });

  it('used on a thread reply, it answers in that thread (thread_ts of the message, not its ts)', async () => {
    const s = await stack('socket');
    const root = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0LEAD', text: 'node-7 is down' });
    const reply = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: MEMLOCK_LOG, threadTs: root.ts });
    const sent = await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: reply.ts, userId: 'U0ONCALL', via: 'socket' });
    expect((sent.payload.message as { thread_ts?: string }).thread_ts).toBe(root.ts);
    const transcript = await repliesIn(s, root.ts);
    expect(transcript).toContain('memlock-rlimit');
    expect(s.slack.thread(DEMO_CHANNEL.id, reply.ts)).toEqual([]);
  });

  it('signed HTTP: a shared .log file is downloaded with the bot token and analysed; the reply names the file', async () => {
    const s = await stack('http');
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: 'log of the crashing agent attached', files: [{ name: 'cilium-agent.log', content: MEMLOCK_LOG }] });
    const sent = await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'http' });
    expect(sent.status).toBe(200);
    const transcript = await repliesIn(s, msg.ts);
    expect(transcript).toContain('memlock-rlimit');
    expect(transcript).toMatch(/Recognised in the file cilium-agent\.log: agent log \(2 lines\)/);
    expect(s.slack.calls('files.info').map((c) => c.ok)).toEqual([true]);
  });

  it('a binary file and an oversize file are not read, each with its reason, and the reply says what the bot understands', async () => {
    const s = await stack('socket');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const huge = `${MEMLOCK_LOG}\n`.repeat(Math.ceil((3 * 1024 * 1024) / MEMLOCK_LOG.length));
    const disguised = Buffer.concat([Buffer.from('level=info msg="x"\n'), Buffer.from([0, 0xff, 0xfe])]);
    const msg = s.slack.userMessage({
      channelId: DEMO_CHANNEL.id,
      userId: 'U0ONCALL',
      text: '',
      files: [{ name: 'screenshot.png', content: png }, { name: 'full-agent.log', content: huge }, { name: 'agent.log', content: disguised }],
    });
    await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    const transcript = await repliesIn(s, msg.ts);
    expect(transcript).toMatch(/screenshot\.png` was not read: a PNG file, not text/);
    expect(transcript).toMatch(/full-agent\.log` was not read: 3\.\d MiB, over the 2\.0 MiB/);
    expect(transcript).toMatch(/agent\.log` was not read: not UTF-8 text/);
    expect(transcript).toMatch(/no text and no text file/);
    expect(transcript).toMatch(/I understand:/);
    expect(transcript).not.toContain('memlock-rlimit');
  });

  it('nothing recognised in plain chatter: a clear reply with what it understands, no report', async () => {
    const s = await stack('socket');
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: 'can someone look at node-7? pods are stuck in ContainerCreating' });
    await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    const transcript = await repliesIn(s, msg.ts);
    expect(transcript).toMatch(/I read the message text but recognised nothing I can diagnose/);
    expect(transcript).toMatch(/cilium-agent, init-container and operator log lines/);
    expect(transcript).not.toMatch(/Diagnosis of/);
  });

  it('a malformed evidence document is answered with the field and the problem', async () => {
    const s = await stack('socket');
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: '```{"node": {"kernelVersion": 4}, "agent": {"logs": "x"}}```' });
    await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    const transcript = await repliesIn(s, msg.ts);
    expect(transcript).toMatch(/Could not analyse the message text: .*node\.kernelVersion/);
  });

  it('outside ALLOWED_CHANNELS: only the user is told, nothing is posted in the thread', async () => {
    const s = await stack('socket', { allowedChannels: ['C0ELSEWHERE'] });
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: MEMLOCK_LOG });
    const sent = await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(sent.responseUrl)[0], { timeoutMs: 10_000, description: 'ephemeral refusal' });
    expect(JSON.stringify(post.body)).toMatch(/not enabled in .*ALLOWED_CHANNELS/);
    expect(s.slack.ephemerals({ userId: 'U0ONCALL' })).toHaveLength(1);
    expect(s.slack.thread(DEMO_CHANNEL.id, msg.ts)).toEqual([]);
  });
});
