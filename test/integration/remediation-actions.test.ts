// Every remediation action's approved path against the Kubernetes emulator: precondition, server-side dry run,
// apply, and nothing else written (the request log proves the order). The approval flow itself (buttons,
// approvers, two-person rule) is tested end to end in test/e2e/remediation.test.ts.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { IncidentStore } from '../../jobs/incidents/incident-store.ts';
import { ProposalStore } from '../../jobs/remediation/proposal-store.ts';
import { processRemediation, type RemediateWorkerOptions } from '../../jobs/remediation/remediate-worker.ts';
import type { IncidentSink } from '../../jobs/incident-sink.ts';
import type { RemediationAction } from '../../runbooks/contract.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';

let kube: KubeEmulator;
let redis: Redis;
const posted: string[] = [];
const sink: IncidentSink = {
  collecting: () => Promise.resolve(),
  report: () => Promise.resolve(),
  failed: () => Promise.resolve(),
  postEntry: (_i, e) => {
    posted.push(e.text);
    return Promise.resolve();
  },
  refreshSummary: () => Promise.resolve(),
};

beforeAll(async () => {
  kube = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  redis.disconnect();
  await kube.stop();
});

async function run(action: RemediationAction, params: Record<string, string>, node = 'node-2') {
  const prefix = `test-${randomUUID()}`;
  const incidents = new IncidentStore(redis, prefix);
  const proposals = new ProposalStore(redis, prefix, 60_000);
  const { incident } = await incidents.openOrReuse({ cluster: 'sandbox', node, channelId: 'C0INCIDENTS', openedBy: 'U0ONCALL' });
  await incidents.update(incident.id, { threadTs: '1700000000.000100' });
  const proposal = await proposals.create({ incidentId: incident.id, cluster: 'sandbox', node, action, params: { node, ...params }, risk: 'low', reason: 'test', runbookId: 'kube-proxy-conflict', requestedBy: 'U0ONCALL' });
  const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  const opts: RemediateWorkerOptions = {
    connection: redis,
    prefix,
    clusters: () => cluster,
    proposals,
    incidents,
    sink,
    collect: { deadlineMs: 5_000, tailLines: 500, limitBytes: 1024 * 1024 },
    logger: pino({ level: 'silent' }),
  };
  kube.requestLog.clear();
  posted.length = 0;
  const outcome = await processRemediation({ id: proposal.id, data: { proposalId: proposal.id, approvedBy: ['U0LEAD'] } } as unknown as Job, opts);
  const writes = kube.requestLog
    .entries()
    .filter((e) => !['GET', 'HEAD'].includes(e.method) && e.resource !== 'selfsubjectaccessreviews')
    .map((e) => `${e.method} ${e.resource}/${e.path.split('/').pop() ?? ''} ${e.query.includes('dryRun=All') ? 'dry-run' : 'apply'}`);
  return { outcome, writes };
}

const node = (name: string) => kube.store.get('v1', 'Node', undefined, name) as { spec?: { unschedulable?: boolean }; metadata: { labels?: Record<string, string> } };

describe('each remediation action: dry run, then the change, once', () => {
  it('cordon-node and uncordon-node', async () => {
    const c = await run('cordon-node', {});
    expect(c).toEqual({ outcome: 'applied', writes: ['PATCH nodes/node-2 dry-run', 'PATCH nodes/node-2 apply'] });
    expect(node('node-2').spec?.unschedulable).toBe(true);
    const u = await run('uncordon-node', {});
    expect(u).toEqual({ outcome: 'applied', writes: ['PATCH nodes/node-2 dry-run', 'PATCH nodes/node-2 apply'] });
    expect(node('node-2').spec?.unschedulable).not.toBe(true);
  });

  it('label-node', async () => {
    const r = await run('label-node', { key: 'cilium.io/kernel-compatible', value: 'false' });
    expect(r.writes).toEqual(['PATCH nodes/node-2 dry-run', 'PATCH nodes/node-2 apply']);
    expect(node('node-2').metadata.labels?.['cilium.io/kernel-compatible']).toBe('false');
    expect((await run('label-node', { key: 'cilium.io/kernel-compatible', value: 'false' })).outcome).toBe('precondition-gone');
  });

  it('restart-agent deletes the agent pod on the node and the DaemonSet brings a new one', async () => {
    const before = kube.store.list('v1', 'Pod', 'kube-system').filter((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-2');
    const r = await run('restart-agent', {});
    expect(r.writes).toEqual([`DELETE pods/${before[0]?.metadata.name ?? '?'} dry-run`, `DELETE pods/${before[0]?.metadata.name ?? '?'} apply`]);
    const after = kube.store.list('v1', 'Pod', 'kube-system').filter((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-2');
    expect(after).toHaveLength(1);
    expect(after[0]?.metadata.name).not.toBe(before[0]?.metadata.name);
  });

  it('disable-feature sets the cilium-config key and rolling-restarts the cilium DaemonSet', async () => {
    const r = await run('disable-feature', { key: 'enable-hubble', value: 'false' });
    expect(r.writes).toEqual(['PATCH configmaps/cilium-config dry-run', 'PATCH daemonsets/cilium dry-run', 'PATCH configmaps/cilium-config apply', 'PATCH daemonsets/cilium apply']);
    const cm = kube.store.get('v1', 'ConfigMap', 'kube-system', 'cilium-config') as { data?: Record<string, string> };
    expect(cm.data?.['enable-hubble']).toBe('false');
    const ds = kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'cilium') as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
    expect(ds.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  });

  it('pin-agent-affinity adds the node affinity to the cilium DaemonSet', async () => {
    const r = await run('pin-agent-affinity', { key: 'cilium.io/kernel-compatible', operator: 'NotIn', values: 'false' });
    expect(r.writes).toEqual(['PATCH daemonsets/cilium dry-run', 'PATCH daemonsets/cilium apply']);
    const ds = kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'cilium') as {
      spec?: { template?: { spec?: { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: unknown[] }> } } } } } };
    };
    expect(ds.spec?.template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchExpressions).toContainEqual({
      key: 'cilium.io/kernel-compatible',
      operator: 'NotIn',
      values: ['false'],
    });
    expect((await run('pin-agent-affinity', { key: 'cilium.io/kernel-compatible', operator: 'NotIn', values: 'false' })).outcome).toBe('precondition-gone');
  });

  it('remove-kube-proxy deletes the kube-proxy DaemonSet; a second time finds it gone', async () => {
    const r = await run('remove-kube-proxy', { namespace: 'kube-system', daemonSet: 'kube-proxy' });
    expect(r.writes).toEqual(['DELETE daemonsets/kube-proxy dry-run', 'DELETE daemonsets/kube-proxy apply']);
    expect(kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy')).toBeUndefined();
    const again = await run('remove-kube-proxy', { namespace: 'kube-system', daemonSet: 'kube-proxy' });
    expect(again.outcome).toBe('precondition-gone');
    expect(posted.join('\n')).toMatch(/already gone/);
  });
});
