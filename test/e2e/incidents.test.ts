// Incidents end to end: a re-diagnosis after a bot restart reuses the thread and says what changed; notes,
// timeline, resolve and export; a 429 storm from Slack still delivers every entry, in order, once.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { pngSize } from '../../bot/render/charts/png.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function stack(scenario: string): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: inject('redisUrl'), startBot: false });
  stacks.push(s);
  s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
  return s;
}

async function command(s: SandboxStack, text: string, userId = 'U0ONCALL') {
  const sent = await s.slack.slashCommand({ text, userId, channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  expect(sent.status).toBe(200);
  return sent;
}

const reports = (s: SandboxStack, ts: string) => s.slack.thread(DEMO_CHANNEL.id, ts).filter((m) => (m.text ?? '').startsWith('Diagnosis of'));

describe('incidents', () => {
  it('re-diagnosis after a bot restart goes into the same thread and starts with what changed', async () => {
    const s = await stack('kernel-too-old');
    await command(s, 'diagnose node-legacy-01');
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => reports(s, root.ts).length === 1, { timeoutMs: 20_000, description: 'first report' });

    // Restart the bot: everything it knows about the incident must come back from Redis.
    await s.bot?.stop();
    const agent = s.kube.store.list('v1', 'Pod', 'kube-system').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-legacy-01');
    if (agent === undefined) throw new Error('scenario has no cilium agent on node-legacy-01');
    const statuses = (agent.status as { containerStatuses: Array<{ name: string; restartCount: number }> }).containerStatuses;
    const container = statuses.find((c) => c.name === 'cilium-agent');
    const before = container?.restartCount ?? 0;
    if (container !== undefined) container.restartCount = before + 5;
    s.kube.store.put(agent);
    s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });

    await command(s, 'diagnose node-legacy-01', 'U0LEAD');
    await s.slack.waitFor(() => reports(s, root.ts).length === 2, { timeoutMs: 20_000, description: 'second report in the same thread' });
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(1);
    const transcript = s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
    expect(transcript).toMatch(/What changed since run 1/);
    expect(transcript).toContain(`cilium-agent restarts: ${before} → ${before + 5}`);
    expect(transcript).toMatch(/Unchanged: `kernel-too-old`/);
    expect(transcript).toMatch(/requested another diagnosis/);
    expect(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text).toMatch(/^INC-\d+ investigating: node-legacy-01 — kernel-too-old/);
  });

  it('note, incidents, timeline, resolve and export: every entry in the thread and in the postmortem', async () => {
    const s = await stack('kernel-too-old');
    await command(s, 'diagnose node-legacy-01');
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => reports(s, root.ts).length === 1, { timeoutMs: 20_000 });
    // The root becomes the incident's summary once the report is in (edited after the thread replies).
    const rootText = await s.slack.waitFor(() => /^INC-\d+/.exec(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? '')?.[0], { timeoutMs: 5_000, description: 'the incident summary on the root' });
    const id = rootText;
    expect(id).not.toBe('');

    await command(s, `note ${id} drained node-legacy-01 at 03:10 <script>`);
    const list = await command(s, 'incidents');
    const listed = await s.slack.waitFor(() => s.slack.responseUrlPosts(list.responseUrl)[0], { timeoutMs: 5_000 });
    expect(JSON.stringify(listed.body)).toContain(id);
    const tl = await command(s, `timeline ${id.toLowerCase()}`);
    const timeline = await s.slack.waitFor(() => s.slack.responseUrlPosts(tl.responseUrl)[0], { timeoutMs: 5_000 });
    expect(JSON.stringify(timeline.body)).toMatch(/drained node-legacy-01/);
    await command(s, `resolve ${id} rolled the kernel forward`);
    await s.slack.waitFor(() => /resolved/.test(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? ''), { timeoutMs: 5_000 });
    await command(s, `export ${id}`);
    const file = await s.slack.waitFor(() => s.slack.files().find((f) => f.name === `${id}-postmortem.md` && f.completed), { timeoutMs: 5_000 });
    const entries = (await s.bot?.incidents.timeline(id)) ?? [];
    expect(entries.map((e) => e.kind)).toEqual(['opened', 'diagnosis-posted', 'note', 'status-changed']);
    const markdown = file.content.toString('utf8');
    for (const e of entries) expect(markdown).toContain(e.text);
    // `timeline` and `export` each put the timeline chart (a PNG) into the incident's thread.
    const charts = await s.slack.waitFor(() => {
      const found = s.slack.files().filter((f) => f.name === `${id}-timeline.png` && f.completed);
      return found.length === 2 ? found : undefined;
    }, { timeoutMs: 10_000, description: 'two timeline charts' });
    for (const chart of charts) {
      expect(chart.thread_ts).toBe(root.ts);
      expect(pngSize(chart.content)?.width).toBeGreaterThan(200);
    }
    const thread = s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
    expect(thread).toContain('drained node-legacy-01 at 03:10 <script>');
    expect(thread).toContain('rolled the kernel forward');
    const unknown = await command(s, 'resolve INC-99999');
    const refused = await s.slack.waitFor(() => s.slack.responseUrlPosts(unknown.responseUrl)[0], { timeoutMs: 5_000 });
    expect(JSON.stringify(refused.body)).toMatch(/There is no incident INC-99999/);
  });

  it('a 429 storm on chat.postMessage: every entry delivered, in order, none twice', async () => {
    const s = await stack('kernel-too-old');
    await command(s, 'diagnose node-legacy-01');
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => reports(s, root.ts).length === 1, { timeoutMs: 20_000 });
    // The root becomes the incident's summary once the report is in (edited after the thread replies).
    const rootText = await s.slack.waitFor(() => /^INC-\d+/.exec(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? '')?.[0], { timeoutMs: 5_000, description: 'the incident summary on the root' });
    const id = rootText;
    s.slack.faults.add({ method: 'chat.postMessage', status: 429, retryAfterSeconds: 1, times: 4 });
    for (let i = 1; i <= 4; i++) await command(s, `note ${id} storm entry ${i}`);
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).filter((m) => /storm entry/.test(m.text ?? '')).length === 4, {
      timeoutMs: 25_000,
      description: 'all four notes in the thread',
    });
    const notes = s.slack.thread(DEMO_CHANNEL.id, root.ts).map((m) => /storm entry (\d)/.exec(m.text ?? '')?.[1]).filter((n) => n !== undefined);
    expect(notes).toEqual(['1', '2', '3', '4']);
    expect(s.slack.calls('chat.postMessage').filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('a healthy node without an open incident: answered under its own root, no incident opened', async () => {
    const s = await stack('healthy');
    await command(s, 'diagnose node-1');
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id).find((m) => (m.text ?? '').includes('node-1')), { timeoutMs: 10_000 });
    await s.slack.waitFor(() => reports(s, root.ts).length === 1, { timeoutMs: 20_000, description: 'the healthy report' });
    await s.slack.waitFor(() => /No incident opened/.test(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? ''), { timeoutMs: 5_000, description: 'the root saying no incident' });
    expect(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text).not.toMatch(/INC-\d+/);
    expect(await s.bot?.incidents.listOpen()).toEqual([]);
    expect(await s.bot?.incidents.findOpen('sandbox', 'node-1')).toBeNull();
    const list = await command(s, 'incidents');
    const listed = await s.slack.waitFor(() => s.slack.responseUrlPosts(list.responseUrl)[0], { timeoutMs: 5_000 });
    expect(JSON.stringify(listed.body)).not.toMatch(/INC-\d+/);
  });

  it('a broken node opens an incident under the request\'s root; a healthy re-diagnosis of a node with an open incident lands in its thread', async () => {
    const s = await stack('kernel-too-old');
    await command(s, 'diagnose node-legacy-01');
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => reports(s, root.ts).length === 1, { timeoutMs: 20_000, description: 'first report' });
    const incident = await s.bot?.incidents.findOpen('sandbox', 'node-legacy-01');
    expect(incident?.threadTs).toBe(root.ts);
    await s.slack.waitFor(() => new RegExp(`^${incident?.id ?? 'none'} investigating`).test(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? ''), { timeoutMs: 5_000, description: 'the root turned into the incident summary' });
    expect((await s.bot?.incidents.timeline(incident?.id ?? ''))?.map((e) => e.kind)).toEqual(['opened', 'diagnosis-posted']);

    // node-1 is healthy; give it an open incident (as after an earlier finding): the new report is its recovery evidence.
    const bot = s.bot;
    if (bot === undefined) throw new Error('no bot');
    const opened = await bot.incidents.openOrReuse({ cluster: 'sandbox', node: 'node-1', channelId: DEMO_CHANNEL.id, openedBy: 'U0ONCALL' });
    const posted = await bot.app.client.chat.postMessage({ channel: DEMO_CHANNEL.id, text: `${opened.incident.id}: earlier finding on node-1` });
    await bot.incidents.update(opened.incident.id, { threadTs: posted.ts ?? '' });
    const before = s.slack.messages(DEMO_CHANNEL.id).length;
    await command(s, 'diagnose node-1');
    await s.slack.waitFor(() => reports(s, posted.ts ?? '').length === 1, { timeoutMs: 20_000, description: 'the healthy report in the open incident\'s thread' });
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(before);
    expect(s.slack.renderThread(DEMO_CHANNEL.id, posted.ts ?? '')).toMatch(/healthy: no runbook matched|no finding/);
    expect((await bot.incidents.timeline(opened.incident.id)).map((e) => e.kind)).toEqual(['diagnosis-requested', 'diagnosis-posted']);
  }, 60_000);
});
