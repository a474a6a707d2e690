// `/cilium diagnose` end to end through every real part: the Slack emulator drives the real Bolt app (Socket Mode
// and signed HTTP), the job runs on BullMQ on a real Redis, the worker reads the Kubernetes API emulator with the
// real client-node, and the report lands in the emulator's thread.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { brokenNodeOf, DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import type { KubeObject } from '../../sandbox/scenario/index.ts';
import type { Config } from '../../bot/config.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function stack(
  scenarioName: string,
  opts: { mode?: 'socket' | 'http'; kubeUser?: string; rbac?: KubeObject[]; config?: Partial<Config> } = {},
): Promise<SandboxStack> {
  const s = await startSandboxStack({
    scenario: resolveScenario(scenarioName),
    redisUrl: inject('redisUrl'),
    startBot: false,
    ...(opts.mode !== undefined && { mode: opts.mode }),
  });
  stacks.push(s);
  if (opts.rbac !== undefined && opts.kubeUser !== undefined) {
    s.kube.addUser({ token: 'bot-token-restricted-0001', username: opts.kubeUser });
    s.kube.loadRbac(opts.rbac);
  }
  const { startBot } = await import('../../bot/bot.ts');
  const { pino } = await import('pino');
  const base = { ...s.config, ...opts.config };
  const config = opts.kubeUser === undefined ? base : { ...base, kube: { kubeconfigPath: s.kube.kubeconfigFor(opts.kubeUser), inCluster: false } };
  s.bot = await startBot(config, { logger: pino({ level: 'silent' }) });
  return s;
}

function isOutcome(text: string): boolean {
  return text.startsWith('Diagnosis of') || text.startsWith(':x: The diagnosis');
}

async function diagnoseAndWait(s: SandboxStack, text: string, via: 'socket' | 'http' = 'socket') {
  const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via });
  expect(sent.status).toBe(200);
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000, description: 'root message' });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => isOutcome(m.text ?? '')), {
    timeoutMs: 20_000,
    description: 'the report or the failure in the thread',
  });
  const transcript = s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
  return { sent, root, transcript, replies: s.slack.thread(DEMO_CHANNEL.id, root.ts) };
}

describe('/cilium diagnose end to end', () => {
  it('kernel-too-old over Socket Mode: names the runbook, quotes the agent log, compares the kernel, gives the fix', async () => {
    const s = await stack('kernel-too-old');
    const node = brokenNodeOf(s.scenario) ?? '';
    const { sent, transcript } = await diagnoseAndWait(s, `diagnose ${node}`);
    expect(sent.ackMs).toBeLessThan(3000);
    expect(transcript).toContain('kernel-too-old');
    expect(transcript).toMatch(/4\.14/);
    expect(transcript).toMatch(/subsys=/);
    expect(transcript).toMatch(/kubectl cordon/);
    expect(transcript).toMatch(/workers-legacy/);
  });

  it('kube-proxy-conflict over signed HTTP: counts the KUBE-SVC rules beside KPR', async () => {
    const s = await stack('kube-proxy-conflict', { mode: 'http' });
    const { transcript } = await diagnoseAndWait(s, 'diagnose node-2', 'http');
    expect(transcript).toContain('kube-proxy-conflict');
    expect(transcript).toMatch(/KUBE-SVC/);
  });

  it('healthy: no critical finding', async () => {
    const s = await stack('healthy');
    const { transcript } = await diagnoseAndWait(s, 'diagnose node-1');
    expect(transcript).not.toMatch(/critical/i);
    expect(transcript).toMatch(/healthy|no runbook matched/i);
  });

  it('refuses bad input with an ephemeral usage error and queues nothing', async () => {
    const s = await stack('healthy');
    for (const text of ['', 'reboot node-1', 'diagnose node-1;rm -rf /', `diagnose ${'a'.repeat(300)}`, 'diagnose nöde', 'diagnose $(id)']) {
      const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
      expect(JSON.stringify(sent.ackPayload ?? sent.body)).toMatch(/Usage/);
    }
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(0);
    expect(await s.bot?.queue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed')).toBe(0);
  });

  it('an unknown node gets an ephemeral error naming the closest nodes', async () => {
    const s = await stack('healthy');
    const sent = await s.slack.slashCommand({ text: 'diagnose node1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(sent.responseUrl)[0], { timeoutMs: 10_000, description: 'ephemeral reply' });
    expect(JSON.stringify(post.body)).toMatch(/does not exist.*node-1/);
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(0);
  });

  it('asking again while a diagnosis runs does not queue a second job', async () => {
    const s = await stack('healthy');
    await s.bot?.worker?.pause();
    await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    const again = await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0LEAD', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(again.responseUrl)[0], { timeoutMs: 10_000 });
    expect(JSON.stringify(post.body)).toMatch(/already being diagnosed/);
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(1);
    expect(await s.bot?.queue.queue.getWaitingCount()).toBe(1);
  });

  it('no pods/exec granted: the report is still posted and says how to opt in to exec (the read-only-exec overlay)', async () => {
    const user = 'system:serviceaccount:cilium-runbook:bot';
    const rbac = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'cilium-runbook-read' },
        rules: [
          { apiGroups: ['', 'apps', 'discovery.k8s.io', 'cilium.io'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
          { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'cilium-runbook-read' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cilium-runbook-read' },
        subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'cilium-runbook' }],
      },
    ] as KubeObject[];
    const s = await stack('kube-proxy-conflict', { kubeUser: user, rbac });
    const { transcript } = await diagnoseAndWait(s, 'diagnose node-2');
    expect(transcript).toMatch(/Could not collect/);
    expect(transcript).toMatch(/iptables.*which the bot's RBAC does not allow/);
    expect(transcript).toMatch(/deploy\/overlays\/read-only-exec/);
  });

  it('HTTP mode: a bad signature and a timestamp older than 5 minutes are refused, nothing is queued', async () => {
    const s = await stack('healthy', { mode: 'http' });
    const bad = await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'http', signature: 'v0=deadbeef' });
    expect(bad.status).toBe(401);
    const old = await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'http', timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(old.status).toBe(401);
    // Slack's replay window is symmetric: a timestamp more than 5 minutes ahead is refused too (Bolt alone accepts it).
    const future = await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'http', timestamp: Math.floor(Date.now() / 1000) + 301 });
    expect(future.status).toBe(401);
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(0);
    expect(await s.bot?.queue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed')).toBe(0);
  });

  it('a stalled API call costs one fact (timeout), not the report', async () => {
    const s = await stack('kube-proxy-conflict', { config: { collect: { tailLines: 2000, limitBytes: 2 * 1024 * 1024, deadlineMs: 800 } } });
    s.kube.faults.add({ path: '/configmaps/cilium-config', stall: true });
    const { transcript } = await diagnoseAndWait(s, 'diagnose node-2');
    expect(transcript).toMatch(/ciliumConfig\* \(timeout\)/);
    expect(transcript).toMatch(/kube-proxy/);
  });

  it('the whole API down: retried, then a clear failure in the thread', async () => {
    const s = await stack('healthy', { config: { jobs: { attempts: 2, backoffMs: 50, lockMs: 30_000 } } });
    await s.bot?.worker?.pause();
    await s.slack.slashCommand({ text: 'diagnose node-1', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    s.kube.faults.add({ path: /^\/api/, status: 503 });
    await s.bot?.worker?.resume();
    await s.slack.waitFor(() => (s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? '').includes('failed'), { timeoutMs: 20_000, description: 'failure on the root message' });
    const replies = s.slack.thread(DEMO_CHANNEL.id, root.ts);
    expect(replies.map((r) => r.text).join('\n')).toMatch(/failed: the Kubernetes API of cluster "sandbox" is unreachable/);
    // The thread hears of the failure from inside the last attempt; BullMQ moves the job to failed just after.
    let failed = (await s.bot?.queue.queue.getFailed()) ?? [];
    for (let i = 0; i < 100 && failed.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      failed = (await s.bot?.queue.queue.getFailed()) ?? [];
    }
    expect(failed[0]?.attemptsMade).toBe(2);
  });
});
