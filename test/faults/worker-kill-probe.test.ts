// A worker process SIGKILLed while its node probe pod runs: the pod outlives it (its `finally` never ran), and the
// sweep every worker runs at start and every minute removes it once past its deadline.
import { describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { PROBE_SELECTOR } from '../../jobs/collect/node-probe/probe-pod.ts';
import { ClientNodeProbePods } from '../../jobs/collect/node-probe/probe-pods-api.ts';
import { SWEEP_GRACE_SECONDS, sweepProbePods } from '../../jobs/collect/node-probe/sweep-probes.ts';
import { loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack } from '../../sandbox/sandbox-stack.ts';
import { startWorkerProcess, workerEnv } from './worker-process.ts';
import { stacks, stopAfterEach, waitFor, workers } from './kill-harness.ts';

stopAfterEach();

const NS = 'cilium-runbook-probe';
const TIMEOUT_SECONDS = 30;

describe('worker killed mid-probe', () => {
  it('leaves its probe pod behind, and the sweep removes it once past its deadline, not before', async () => {
    const base = resolveScenario('kernel-too-old');
    const scenario = {
      ...base,
      // The probe never finishes on its own here, so the worker is surely waiting for it when killed.
      nodeData: [{ node: 'node-legacy-01', probeHangs: true }],
      objects: [...base.objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }],
    };
    const s = await startSandboxStack({ scenario, redisUrl: inject('redisUrl'), startBot: false });
    stacks.push(s);
    s.bot = await startBot({ ...s.config, role: 'bot' }, { logger: pino({ level: 'silent' }) });
    const worker = startWorkerProcess(workerEnv(s, { NODE_PROBE_ENABLED: 'true', NODE_PROBE_IMAGE: 'registry.example.com/cilium-runbook-probe:1.0.0', NODE_PROBE_NAMESPACE: NS, NODE_PROBE_TIMEOUT: String(TIMEOUT_SECONDS) }));
    workers.push(worker);
    await s.slack.slashCommand({ text: 'diagnose node-legacy-01', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const running = await waitFor('the probe pod to run', () => Promise.resolve(s.kube.store.list('v1', 'Pod', NS).find((p) => (p['status'] as { phase?: string } | undefined)?.phase === 'Running')));
    await worker.kill();

    const api = new ClientNodeProbePods(loadKubeConfig({ kubeconfigPath: s.kube.kubeconfigPath }));
    const name = running.metadata.name;
    expect((await api.list(NS, PROBE_SELECTOR)).map((p) => p.metadata?.name)).toEqual([name]);
    const created = new Date(String(running.metadata['creationTimestamp'])).getTime();
    // What the next worker's sweep does, at two moments: within the deadline (a live worker may still read it)…
    expect((await sweepProbePods(api, NS, TIMEOUT_SECONDS, new Date(created + (TIMEOUT_SECONDS - 1) * 1000))).deleted).toEqual([]);
    // …and past deadline + grace, when nobody can be waiting for it.
    expect((await sweepProbePods(api, NS, TIMEOUT_SECONDS, new Date(created + (TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS + 1) * 1000))).deleted).toEqual([name]);
    expect(await api.list(NS, PROBE_SELECTOR)).toEqual([]);
    expect(worker.output()).not.toMatch(/Error:|TypeError/);
  }, 120_000);
});
