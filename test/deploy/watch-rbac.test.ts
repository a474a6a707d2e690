// Issue 19: deploy/examples/watch-ha (read-only + components/watch) grants what the watch does, run as the bot's
// service account against the emulator: informers list and watch, the Lease is created and renewed, and a pool
// turning bad opens its incident; no call of the watch is refused.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { BOT_USER, find, kustomize, type RenderedObject } from './render.ts';

const TOKEN = 'deploy-test-watch-token-0001';
let s: SandboxStack;
let rendered: RenderedObject[];

beforeAll(async () => {
  rendered = await kustomize('deploy/examples/watch-ha');
  s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false });
  s.kube.addUser({ token: TOKEN, username: BOT_USER });
  s.kube.loadRbac(rendered.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1'));
  s.kube.store.put(find(rendered, 'Namespace', 'cilium-runbook'));
  s.bot = await startBot({
    ...s.config,
    kube: { kubeconfigPath: s.kube.kubeconfigFor(BOT_USER), inCluster: false },
    watch: { channelId: DEMO_CHANNEL.id, dampingMs: 500, lease: { namespace: 'cilium-runbook', name: 'cilium-runbook-watch', identity: 'bot-0', timing: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 100 } } },
  }, { logger: pino({ level: 'silent' }) });
}, 60_000);
afterAll(async () => {
  await s.stop();
});

describe('the watch component\'s RBAC', () => {
  it('lets the bot hold the Lease, watch the cluster and open an incident, with no watch call refused', async () => {
    await s.slack.waitFor(() => s.bot?.watch?.current() ?? undefined, { timeoutMs: 20_000, description: 'the bot to lead the watch' });
    const pod = s.kube.store.list('v1', 'Pod').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-1');
    if (pod === undefined) throw new Error('no agent on node-1');
    const status = pod['status'] as { containerStatuses: Array<{ name: string; ready: boolean; state: Record<string, unknown> }> };
    for (const c of status.containerStatuses) if (c.name === 'cilium-agent') Object.assign(c, { ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } });
    s.kube.store.put(pod);
    await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 30_000, description: 'the incident' });
    // The pod's change reached the bot after its informers' lists: through their watches (a watch is logged
    // only when it ends, so the lists and the Lease are what the log shows now).
    const calls = s.kube.requestLog.entries().filter((e) => e.user === BOT_USER);
    expect(calls.some((e) => e.resource === 'leases' && e.verb === 'update' && e.status === 200)).toBe(true);
    for (const resource of ['nodes', 'pods', 'configmaps']) expect(calls.some((e) => e.verb === 'list' && e.resource === resource && e.status === 200)).toBe(true);
    expect(calls.filter((e) => e.status === 403).map((e) => `${e.verb} ${e.resource}`)).toEqual([]);
  }, 60_000);
});
