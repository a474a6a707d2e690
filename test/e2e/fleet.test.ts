// `/cilium diagnose --all` end to end: the Slack emulator drives the real Bolt app, the sweep runs as a BullMQ job
// on a real Redis, the worker reads a generated 200-node cluster from the Kubernetes API emulator with the real
// client-node, and the emulator's request log proves the call budget (a few lists, ≤ 6 calls per broken node).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { generateCluster } from '../../sandbox/scenario/index.ts';
import { pngSize } from '../../bot/render/charts/png.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

const NODES = 200;
const BROKEN = 5;

async function stack(): Promise<SandboxStack> {
  const s = await startSandboxStack({
    scenario: generateCluster({ nodes: NODES, broken: { count: BROKEN, reason: 'kernel-too-old' } }),
    redisUrl: inject('redisUrl'),
    startBot: false,
  });
  stacks.push(s);
  const { startBot } = await import('../../bot/bot.ts');
  s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
  return s;
}

async function sweep(s: SandboxStack, text: string) {
  const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  expect(sent.status).toBe(200);
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000, description: 'root message' });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Fleet sweep of')), {
    timeoutMs: 30_000,
    description: 'the fleet report in the thread',
  });
  // The outcome is edited onto the root right after the report is posted.
  await s.slack.waitFor(() => /nodes checked:/.test(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? ''), { timeoutMs: 10_000, description: 'outcome on the root' });
  return { root, transcript: s.slack.renderThread(DEMO_CHANNEL.id, root.ts) };
}

describe('/cilium diagnose --all end to end', () => {
  it('groups the kernel-too-old nodes, shows progress on the root, and stays within the API call budget', async () => {
    const s = await stack();
    s.kube.requestLog.clear();
    const { root, transcript } = await sweep(s, 'diagnose --all');

    expect(transcript).toMatch(/5 nodes on kernel 4\.14\.352 in pool `workers-legacy`: kernel-too-old/);
    for (let i = 1; i <= BROKEN; i++) expect(transcript).toContain(`node-legacy-0${i}`);
    expect(transcript).toMatch(/\/cilium diagnose node-legacy-01/);
    expect(transcript).not.toMatch(/node-17\b/);

    const message = s.slack.message(DEMO_CHANNEL.id, root.ts);
    const revisions = [...(message?.history ?? []).map((h) => h.text ?? ''), message?.text ?? ''];
    expect(revisions[0]).toMatch(/queued/);
    expect(revisions.some((t) => new RegExp(`\\d+/${NODES} nodes checked…`).test(t))).toBe(true);
    expect(revisions.at(-1)).toMatch(/200 nodes checked: 5 with a problem/);

    const calls = s.kube.requestLog.count();
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(50 + 6 * BROKEN);
    // Fleet facts came from list calls, not one read per node.
    const nodeGets = s.kube.requestLog.entries().filter((e) => /^\/api\/v1\/nodes\/./.test(e.path));
    expect(nodeGets).toHaveLength(0);
  });

  it('uploads the broken-vs-healthy-per-pool chart to the sweep thread as a PNG', async () => {
    const s = await stack();
    const { root } = await sweep(s, 'sweep');
    const chart = await s.slack.waitFor(() => s.slack.files().find((f) => f.name === 'fleet-sweep-pools.png' && f.completed), { timeoutMs: 30_000, description: 'the pool chart upload' });
    expect(chart.thread_ts).toBe(root.ts);
    expect(chart.channel).toBe(DEMO_CHANNEL.id);
    const size = pngSize(chart.content);
    expect(size).not.toBeNull();
    expect(size?.width).toBeGreaterThan(200);
    expect(size?.height).toBeGreaterThan(50);
    // Shared in the thread by a bot message, like the other report files.
    expect(s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.files ?? []).some((f) => f.id === chart.id))).toBe(true);
  });

  it('`sweep` is the same command; a second request while one runs queues nothing', async () => {
    const s = await stack();
    await s.bot?.sweepWorker?.pause();
    await s.slack.slashCommand({ text: 'sweep', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    const again = await s.slack.slashCommand({ text: 'diagnose --all', userId: 'U0LEAD', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(again.responseUrl)[0], { timeoutMs: 10_000 });
    expect(JSON.stringify(post.body)).toMatch(/already being diagnosed/);
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(1);
    expect(await s.bot?.sweepQueue.queue.getWaitingCount()).toBe(1);
  });

  it('refuses a node name beside --all', async () => {
    const s = await stack();
    const sent = await s.slack.slashCommand({ text: 'diagnose --all node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    expect(JSON.stringify(sent.ackPayload ?? sent.body)).toMatch(/leave out the node name/);
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(0);
  });
});
