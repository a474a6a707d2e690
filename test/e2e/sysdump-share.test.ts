// A cilium sysdump shared in Slack, end to end: the archive is written by sandbox/sysdump from a scenario, a person
// shares it in the Slack emulator's channel, Slack sends the `message` event (subtype file_share) to the real Bolt app
// over Socket Mode or signed HTTP, a `sysdump` job on real Redis downloads it with the bot token and analyses it in
// its own thread, and the answer lands in the message's thread; one critical node opens or joins its incident.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { scenarioSysdump } from '../../sandbox/sysdump/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { MESSAGE_SHORTCUT_CALLBACK_ID } from '../../bot/shortcut/message-shortcut.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function stack(scenario: string, mode: 'socket' | 'http' = 'socket'): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: inject('redisUrl'), mode, logger: pino({ level: 'silent' }) });
  stacks.push(s);
  return s;
}

/** The transcript of the thread once a bot reply matches `done`. */
async function answered(s: SandboxStack, threadTs: string, done: RegExp): Promise<string> {
  return s.slack.waitFor(
    () => {
      const t = s.slack.renderThread(DEMO_CHANNEL.id, threadTs);
      return done.test(t) ? t : undefined;
    },
    { timeoutMs: 60_000, description: `a reply matching ${done}` },
  );
}

describe('a cilium sysdump shared in Slack', () => {
  it('kernel-too-old: the file_share event is answered in the thread with the fleet summary; 12 critical nodes → grouped, no incident', async () => {
    const s = await stack('kernel-too-old');
    const dump = await scenarioSysdump(resolveScenario('kernel-too-old'));
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: 'sysdump of prod', files: [{ name: dump.name, content: Buffer.from(dump.bytes) }] });
    const sent = await s.slack.messageEvent({ channelId: DEMO_CHANNEL.id, messageTs: msg.ts, via: 'socket' });
    expect(sent.status).toBe(200);
    // The event as Slack sends it: subtype file_share, the file object with its private download URL, no `team`.
    const event = sent.payload.event as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'message', subtype: 'file_share', channel: DEMO_CHANNEL.id, ts: msg.ts, upload: false });
    expect(event).not.toHaveProperty('team');
    const transcript = await answered(s, msg.ts, /12 nodes on kernel 4\.14\.352/);
    expect(transcript).toContain(`Reading \`${dump.name}\``);
    expect(transcript).toMatch(/15 node\(s\) analysed offline/);
    expect(transcript).toMatch(/12 nodes have a critical finding .*no incident opened/);
    expect(transcript).toContain('kernel-too-old');
    // Downloaded with the bot token after files.info; no incident root message in the channel.
    expect(s.slack.calls('files.info').map((c) => c.ok)).toEqual([true]);
    expect(s.slack.messages(DEMO_CHANNEL.id).map((m) => m.ts)).toEqual([msg.ts]);
    expect(await s.bot?.incidents.listOpen()).toEqual([]);
  });

  it('memlock-rlimit over signed HTTP: the one critical node opens its incident, whose thread gets the report', async () => {
    const s = await stack('memlock-rlimit', 'http');
    const dump = await scenarioSysdump(resolveScenario('memlock-rlimit'));
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0LEAD', text: '', files: [{ name: dump.name, content: Buffer.from(dump.bytes) }] });
    const sent = await s.slack.messageEvent({ channelId: DEMO_CHANNEL.id, messageTs: msg.ts, via: 'http' });
    expect(sent.status).toBe(200);
    const transcript = await answered(s, msg.ts, /1 node in pool/);
    expect(transcript).toMatch(/`node-2` is the one node with a critical finding: opened .*INC-1/);
    const open = await s.bot?.incidents.listOpen();
    expect(open?.map((i) => [i.id, i.node, i.openedBy])).toEqual([['INC-1', 'node-2', 'U0LEAD']]);
    const root = open?.[0]?.threadTs ?? '';
    const incidentThread = await answered(s, root, /memlock-rlimit/);
    expect(incidentThread).toMatch(/from the sysdump cilium-sysdump-/);
    expect(incidentThread).toContain('unable to set memory resource limits');
  });

  it('the shortcut on a message with a sysdump joins the incident a slash command opened, and the analysis runs once', async () => {
    const s = await stack('memlock-rlimit');
    await s.slack.slashCommand({ text: 'diagnose node-2', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await answered(s, root.ts, /memlock-rlimit/);
    const dump = await scenarioSysdump(resolveScenario('memlock-rlimit'));
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: 'and the sysdump', files: [{ name: dump.name, content: Buffer.from(dump.bytes) }] });
    const sent = await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    expect(sent.status).toBe(200);
    const transcript = await answered(s, msg.ts, /its report joins .*INC-1/);
    expect(transcript).not.toMatch(/Nothing I recognise|not text/i);
    // Run 2 of INC-1 comes from the sysdump, in the incident's own thread.
    await answered(s, root.ts, /shared the sysdump cilium-sysdump-/);
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).filter((m) => /memlock-rlimit/.test(JSON.stringify(m.blocks))).length >= 2 || undefined, { timeoutMs: 30_000, description: 'the second report in INC-1' });
    expect(s.slack.calls('files.info').length).toBe(1);
  });

  it('a zip that is not a sysdump is refused in the thread, saying what is wrong', async () => {
    const s = await stack('healthy');
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: '', files: [{ name: 'cilium-sysdump-20241203-101500.zip', content: Buffer.from('PK\u0003\u0004 this is not a zip') }] });
    await s.slack.messageEvent({ channelId: DEMO_CHANNEL.id, messageTs: msg.ts, via: 'socket' });
    const transcript = await answered(s, msg.ts, /Could not analyse/);
    expect(transcript).toMatch(/Could not analyse `cilium-sysdump-20241203-101500\.zip`: .*(zip|archive)/i);
  });
});
