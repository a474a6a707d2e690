// Remediation end to end: buttons in the report → block_actions from the Slack emulator → authorisation →
// remediate job on BullMQ → dry run, apply and verification against the Kubernetes emulator, all in the thread.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import type { Config } from '../../bot/config.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import type { KubeObject } from '../../sandbox/scenario/index.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

const APPROVERS = { low: ['U0ONCALL'], medium: ['U0LEAD', 'U0ONCALL'], high: ['S0SRE'] };

async function diagnosed(scenario: string, node: string, opts: { ttlMs?: number; enabled?: boolean; kube?: Partial<Config['kube']> } = {}) {
  const s = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: inject('redisUrl'), startBot: false });
  stacks.push(s);
  const config: Config = {
    ...s.config,
    remediation: { enabled: opts.enabled ?? true, approvers: APPROVERS, proposalTtlMs: opts.ttlMs ?? 30 * 60_000 },
    kube: { ...s.config.kube, ...opts.kube },
  };
  s.bot = await startBot(config, { logger: pino({ level: 'silent' }) });
  await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000, description: 'report' });
  s.kube.requestLog.clear();
  return { s, root };
}

interface Button {
  messageTs: string;
  actionId: string;
  text: string;
}

function buttons(s: SandboxStack, threadTs: string): Button[] {
  const out: Button[] = [];
  for (const m of s.slack.thread(DEMO_CHANNEL.id, threadTs)) {
    for (const b of (m.blocks ?? []) as Array<{ type: string; elements?: Array<{ type: string; action_id?: string; text?: { text: string } }> }>) {
      if (b.type !== 'actions') continue;
      for (const e of b.elements ?? []) if (e.type === 'button' && e.action_id !== undefined) out.push({ messageTs: m.ts, actionId: e.action_id, text: e.text?.text ?? '' });
    }
  }
  return out;
}

function button(s: SandboxStack, threadTs: string, label: RegExp): Button {
  const found = buttons(s, threadTs).find((b) => label.test(b.text));
  if (found === undefined) throw new Error(`no button ${String(label)} among ${buttons(s, threadTs).map((b) => b.text).join(', ')}`);
  return found;
}

async function click(s: SandboxStack, b: Button, userId: string, extra: { value?: string } = {}) {
  const res = await s.slack.clickButton({ channelId: DEMO_CHANNEL.id, messageTs: b.messageTs, actionId: b.actionId, userId, via: 'socket', confirmed: true, ...extra });
  expect(res.status).toBe(200);
  return res;
}

const writes = (s: SandboxStack) =>
  s.kube.requestLog.entries().filter((e) => !['GET', 'HEAD'].includes(e.method) && e.resource !== 'selfsubjectaccessreviews');

const threadText = (s: SandboxStack, ts: string) => s.slack.renderThread(DEMO_CHANNEL.id, ts);

describe('remediation buttons', () => {
  it('approved cordon: dry run before apply, applied exactly once despite a double click, verified, all in the thread', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01');
    const cordon = button(s, root.ts, /^Cordon node-legacy-01/);
    await Promise.all([click(s, cordon, 'U0LEAD'), click(s, cordon, 'U0LEAD')]);
    await s.slack.waitFor(() => /Verification \(run 2\)/.test(threadText(s, root.ts)), { timeoutMs: 20_000, description: 'verification' });
    const node = s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01') as { spec?: { unschedulable?: boolean } };
    expect(node.spec?.unschedulable).toBe(true);
    const w = writes(s);
    expect(w.map((e) => `${e.method} ${e.resource} ${e.query.includes('dryRun=All') ? 'dry-run' : 'apply'}`)).toEqual(['PATCH nodes dry-run', 'PATCH nodes apply']);
    const text = threadText(s, root.ts);
    expect(text).toMatch(/dry run \(dryRun=All\) accepted; it will change:\n.*spec\.unschedulable false → true/);
    expect(text).toMatch(/applied, approved by <@U0LEAD>/);
    expect(text).toMatch(/the `kernel-too-old` finding is still there/);
    // The root summary is edited just after the verification entry is posted.
    await s.slack.waitFor(() => /mitigating/.test(s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? ''), { timeoutMs: 5_000, description: 'the root to say mitigating' });
  });

  it('high risk: two distinct approvers; the requester may not be the second; an outsider is refused and recorded', async () => {
    const { s, root } = await diagnosed('kube-proxy-conflict', 'node-2');
    const remove = button(s, root.ts, /Remove the kube-proxy DaemonSet/);
    // Clicks are acknowledged before they are processed: wait for each one's timeline entry before the next.
    const waitEntries = async (n: number) => {
      for (let i = 0; i < 100; i++) {
        if (((await s.bot?.incidents.timeline('INC-1')) ?? []).length >= n) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`timeline did not reach ${n} entries`);
    };
    await click(s, remove, 'U0VIEWER');
    await waitEntries(3);
    await click(s, remove, 'U0LEAD');
    await waitEntries(4);
    await click(s, remove, 'U0LEAD');
    await click(s, remove, 'U0ONCALL'); // asked for the diagnosis: may not be the second approver
    await s.slack.waitFor(() => /cannot be the second approver/.test(threadText(s, root.ts)), { timeoutMs: 10_000 });
    expect(s.kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeDefined();
    const text = threadText(s, root.ts);
    expect(text).toMatch(/<@U0VIEWER> tried to approve .*refused: <@U0VIEWER> is not an approver for high-risk actions/);
    expect(text).toMatch(/approved .*\(1 of 2\)/);
    expect(writes(s)).toEqual([]);
  });

  it('high risk approved by two people: the DaemonSet is deleted once, after its dry run', async () => {
    const { s, root } = await diagnosed('kube-proxy-conflict', 'node-2');
    const remove = button(s, root.ts, /Remove the kube-proxy DaemonSet/);
    await click(s, remove, 'U0ONCALL');
    await click(s, remove, 'U0LEAD');
    await s.slack.waitFor(() => /Verification/.test(threadText(s, root.ts)), { timeoutMs: 20_000, description: 'verification' });
    expect(s.kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeUndefined();
    expect(writes(s).map((e) => `${e.method} ${e.resource} ${e.query.includes('dryRun=All') ? 'dry-run' : 'apply'}`)).toEqual(['DELETE daemonsets dry-run', 'DELETE daemonsets apply']);
    expect(threadText(s, root.ts)).toMatch(/approved by <@U0ONCALL> and <@U0LEAD>/);
  });

  it('precondition gone: the node was cordoned meanwhile, nothing is applied', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01');
    const node = s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01') as KubeObject & { spec?: Record<string, unknown> };
    s.kube.store.put({ ...node, spec: { ...node.spec, unschedulable: true } });
    await click(s, button(s, root.ts, /^Cordon node-legacy-01/), 'U0LEAD');
    await s.slack.waitFor(() => /not applied — node node-legacy-01 is already cordoned/.test(threadText(s, root.ts)), { timeoutMs: 10_000 });
    expect(writes(s)).toEqual([]);
  });

  // The apply insists on the resourceVersion the precondition read: a change in between is refused (409) and the
  // precondition checked again, so a late write elsewhere can never be applied over, nor a change made twice.
  const onApply = (s: SandboxStack, change: (node: KubeObject & { spec?: Record<string, unknown> }) => KubeObject) =>
    s.kube.faults.add({
      method: 'PATCH', path: '/api/v1/nodes/node-legacy-01', query: /^(?!.*dryRun)/, times: 1,
      onMatch: () => s.kube.store.put(change(s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01') as KubeObject & { spec?: Record<string, unknown> })),
    });

  it('guarded apply: cordoned by someone else between the check and the write, so not written again', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01');
    onApply(s, (node) => ({ ...node, spec: { ...node.spec, unschedulable: true } }));
    await click(s, button(s, root.ts, /^Cordon node-legacy-01/), 'U0LEAD');
    await s.slack.waitFor(() => /not applied — it changed while being applied and node node-legacy-01 is already cordoned/.test(threadText(s, root.ts)), { timeoutMs: 10_000 });
    const applies = writes(s).filter((e) => !e.query.includes('dryRun=All'));
    expect(applies.map((e) => [e.status, e.changedState])).toEqual([[409, false]]);
    expect(threadText(s, root.ts)).not.toMatch(/: applied/);
  });

  it('guarded apply: an unrelated change in between costs one conflict, then the cordon is applied once', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01');
    onApply(s, (node) => ({ ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, 'touched-by': 'kubelet' } } }));
    await click(s, button(s, root.ts, /^Cordon node-legacy-01/), 'U0LEAD');
    await s.slack.waitFor(() => /Verification \(run 2\)/.test(threadText(s, root.ts)), { timeoutMs: 20_000, description: 'verification' });
    const applies = writes(s).filter((e) => !e.query.includes('dryRun=All'));
    expect(applies.map((e) => [e.status, e.changedState])).toEqual([[409, false], [200, true]]);
    const node = s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01') as KubeObject & { spec?: { unschedulable?: boolean } };
    expect([node.spec?.unschedulable, node.metadata.labels?.['touched-by']]).toEqual([true, 'kubelet']);
    expect(threadText(s, root.ts)).toMatch(/applied, approved by <@U0LEAD>/);
  });

  it('dry-run failure: nothing applied, the reason posted', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01');
    s.kube.faults.add({ method: 'PATCH', path: '/api/v1/nodes/node-legacy-01', status: 422, times: 1 });
    await click(s, button(s, root.ts, /^Label node-legacy-01/), 'U0ONCALL');
    await s.slack.waitFor(() => /dry run failed, nothing was applied/.test(threadText(s, root.ts)), { timeoutMs: 10_000 });
    expect(writes(s).filter((e) => !e.query.includes('dryRun=All') && e.status < 400)).toEqual([]);
    const node = s.kube.store.get('v1', 'Node', undefined, 'node-legacy-01');
    expect(node?.metadata.labels?.['cilium.io/kernel-compatible']).toBeUndefined();
  });

  it('an expired proposal is refused and recorded', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01', { ttlMs: 300 });
    await new Promise((r) => setTimeout(r, 400));
    await click(s, button(s, root.ts, /^Cordon node-legacy-01/), 'U0LEAD');
    await s.slack.waitFor(() => /refused: the proposal expired/.test(threadText(s, root.ts)), { timeoutMs: 10_000 });
    expect(writes(s)).toEqual([]);
  });

  it('a tampered button value is refused', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01');
    const res = await click(s, button(s, root.ts, /^Cordon node-legacy-01/), 'U0LEAD', { value: 'p-000000000000000000000000' });
    const reply = await s.slack.waitFor(() => s.slack.responseUrlPosts(res.responseUrl)[0], { timeoutMs: 5_000 });
    expect(JSON.stringify(reply.body)).toMatch(/not valid/);
    expect(writes(s)).toEqual([]);
  });

  it('API 403 on the write: nothing applied, the missing permission named', async () => {
    const user = 'system:serviceaccount:cilium-runbook:bot';
    const rbac = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'read' },
        rules: [
          { apiGroups: ['', 'apps', 'discovery.k8s.io', 'cilium.io'], resources: ['*'], verbs: ['get', 'list'] },
          { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'], verbs: ['create'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'read' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'read' },
        subjects: [{ kind: 'User', name: user }],
      },
    ] as KubeObject[];
    const s0 = await startSandboxStack({ scenario: resolveScenario('kernel-too-old'), redisUrl: inject('redisUrl'), startBot: false });
    stacks.push(s0);
    s0.kube.addUser({ token: 'restricted-bot-token-1', username: user });
    s0.kube.loadRbac(rbac);
    const config: Config = { ...s0.config, remediation: { enabled: true, approvers: APPROVERS, proposalTtlMs: 60_000 }, kube: { kubeconfigPath: s0.kube.kubeconfigFor(user), inCluster: false } };
    s0.bot = await startBot(config, { logger: pino({ level: 'silent' }) });
    await s0.slack.slashCommand({ text: 'diagnose node-legacy-01', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s0.slack.waitFor(() => s0.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s0.slack.waitFor(() => buttons(s0, root.ts).length > 0, { timeoutMs: 20_000, description: 'buttons' });
    await click(s0, button(s0, root.ts, /^Cordon node-legacy-01/), 'U0LEAD');
    await s0.slack.waitFor(() => /nothing was applied/.test(threadText(s0, root.ts)), { timeoutMs: 10_000 });
    expect(threadText(s0, root.ts)).toMatch(/Grant the bot patch on nodes cluster-wide/);
    const node = s0.kube.store.get('v1', 'Node', undefined, 'node-legacy-01') as { spec?: { unschedulable?: boolean } };
    expect(node.spec?.unschedulable).not.toBe(true);
  });

  it('read-only deployment: fix steps, no buttons', async () => {
    const { s, root } = await diagnosed('kernel-too-old', 'node-legacy-01', { enabled: false });
    expect(buttons(s, root.ts)).toEqual([]);
    expect(threadText(s, root.ts)).toMatch(/remediation buttons are not enabled/);
  });
});
