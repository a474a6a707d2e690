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
import type { RemediationAction } from '../../runbooks/engine/contract.ts';
import { ACTIONS } from '../../jobs/remediation/actions.ts';
import { KubeApiError } from '../../jobs/kube/kube-api-error.ts';
import type { Proposal } from '../../jobs/remediation/proposal.ts';
import type { KubeObject } from '../../sandbox/scenario/index.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { recordingSink } from './recording-sink.ts';

let kube: KubeEmulator;
let redis: Redis;
const posted: string[] = [];
const sink = recordingSink(posted);

beforeAll(async () => {
  kube = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  redis.disconnect();
  await kube.stop();
});

async function run(action: RemediationAction, params: Record<string, string>, node = 'node-2', ciliumNamespace?: string) {
  const prefix = `test-${randomUUID()}`;
  const incidents = new IncidentStore(redis, prefix);
  const proposals = new ProposalStore(redis, prefix, 60_000);
  const { incident } = await incidents.openOrReuse({ cluster: 'sandbox', node, channelId: 'C0INCIDENTS', openedBy: 'U0ONCALL' });
  await incidents.update(incident.id, { threadTs: '1700000000.000100' });
  const proposal = await proposals.create({ incidentId: incident.id, cluster: 'sandbox', node, action, params: { node, ...params }, risk: 'low', reason: 'test', runbookId: 'kube-proxy-conflict', requestedBy: 'U0ONCALL' });
  expect((await proposals.approve(proposal.id, 'U0LEAD')).outcome).toBe('complete');
  const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  const opts: RemediateWorkerOptions = {
    connection: redis,
    prefix,
    clusters: () => cluster,
    proposals,
    incidents,
    sink,
    collect: { deadlineMs: 5_000, tailLines: 500, limitBytes: 1024 * 1024, ...(ciliumNamespace !== undefined && { ciliumNamespace }) },
    logger: pino({ level: 'silent' }),
    approvers: { config: { low: ['U0LEAD'], medium: [], high: [] }, groupsOf: () => Promise.resolve([]) },
  };
  kube.requestLog.clear();
  posted.length = 0;
  const outcome = await processRemediation({ id: proposal.id, data: { proposalId: proposal.id } } as unknown as Job, opts);
  const writes = kube.requestLog
    .entries()
    .filter((e) => !['GET', 'HEAD'].includes(e.method) && e.resource !== 'selfsubjectaccessreviews')
    .map((e) => `${e.method} ${e.resource}/${e.path.split('/').pop() ?? ''} ${e.query.includes('dryRun=All') ? 'dry-run' : 'apply'}`);
  // Lists of the agent pods (by the agent's label); the re-diagnosis after a change also lists workload pods anywhere.
  const podLists = kube.requestLog.entries().filter((e) => e.method === 'GET' && e.resource === 'pods' && decodeURIComponent(e.query).includes('k8s-app=cilium')).map((e) => e.path);
  return { outcome, writes, podLists };
}

const node = (name: string) => kube.store.get('v1', 'Node', undefined, name) as { spec?: { unschedulable?: boolean }; metadata: { labels?: Record<string, string> } };

describe('each remediation action: dry run, then the change, once', () => {
  it('cordon-node and uncordon-node', async () => {
    const c = await run('cordon-node', {});
    expect({ outcome: c.outcome, writes: c.writes }).toEqual({ outcome: 'applied', writes: ['PATCH nodes/node-2 dry-run', 'PATCH nodes/node-2 apply'] });
    expect(node('node-2').spec?.unschedulable).toBe(true);
    const u = await run('uncordon-node', {});
    expect({ outcome: u.outcome, writes: u.writes }).toEqual({ outcome: 'applied', writes: ['PATCH nodes/node-2 dry-run', 'PATCH nodes/node-2 apply'] });
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

  it('restart-agent with CILIUM_NAMESPACE looks for the agent only there (a bot whose pod reads are namespaced)', async () => {
    const r = await run('restart-agent', {}, 'node-2', 'kube-system');
    expect(r.outcome).toBe('applied');
    expect(r.podLists.length).toBeGreaterThan(0);
    expect(r.podLists.every((path) => path.startsWith('/api/v1/namespaces/kube-system/pods')), r.podLists.join(', ')).toBe(true);
    const anywhere = await run('restart-agent', {});
    expect(anywhere.podLists.some((path) => path.startsWith('/api/v1/pods'))).toBe(true);
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

describe('each write insists on what its precondition saw (409 Conflict if the object changed in between)', () => {
  const cluster = () => new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  const proposalFor = (action: RemediationAction, params: Record<string, string>): Proposal => ({
    id: 'p-000000000000000000000000', incidentId: 'INC-1', cluster: 'sandbox', node: 'node-2', action, params: { node: 'node-2', ...params },
    risk: 'low', reason: 'test', runbookId: 'kube-proxy-conflict', requestedBy: 'U0ONCALL', approvals: [], state: 'running',
    createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString(),
  });
  /** Precondition, then `change` the object behind the action's back, then the guarded write: refused, nothing written. */
  async function refusedAfter(action: RemediationAction, params: Record<string, string>, change: () => void): Promise<void> {
    const c = cluster();
    const p = proposalFor(action, params);
    const pre = await ACTIONS[action].precondition(c, c, p);
    if (!pre.ok) throw new Error(`precondition of ${action} does not hold: ${pre.reason}`);
    expect(pre.guard, `${action} guards its write`).toBeDefined();
    change();
    kube.requestLog.clear();
    const err = await ACTIONS[action].run(c, c, p, false, pre.guard).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(409);
    expect(kube.requestLog.entries().filter((e) => e.changedState)).toEqual([]);
  }
  const touch = (apiVersion: string, kind: string, namespace: string | undefined, name: string) => {
    const obj = kube.store.get(apiVersion, kind, namespace, name);
    if (obj === undefined) throw new Error(`${kind} ${name} missing`);
    kube.store.put({ ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, touched: String(Date.now()) } } });
  };
  /** Deleted and created again under the same name: a new uid, as a controller's replacement has. */
  const replace = (apiVersion: string, kind: string, namespace: string, name: string) => {
    const obj = kube.store.get(apiVersion, kind, namespace, name);
    if (obj === undefined) throw new Error(`${kind} ${name} missing`);
    kube.store.delete(apiVersion, kind, namespace, name);
    const { uid: _uid, resourceVersion: _rv, ...meta } = obj.metadata;
    kube.store.put({ ...obj, metadata: meta });
  };

  it('cordon-node, label-node: the node changed', async () => {
    await refusedAfter('cordon-node', {}, () => touch('v1', 'Node', undefined, 'node-2'));
    await refusedAfter('label-node', { key: 'guard-test', value: 'x' }, () => touch('v1', 'Node', undefined, 'node-2'));
    expect(node('node-2').spec?.unschedulable).not.toBe(true);
  });

  it('disable-feature: cilium-config changed', async () => {
    await refusedAfter('disable-feature', { key: 'guard-test', value: 'x' }, () => touch('v1', 'ConfigMap', 'kube-system', 'cilium-config'));
  });

  it('restart-agent and remove-kube-proxy: the object was replaced (same name, new uid)', async () => {
    const agent = kube.store.list('v1', 'Pod', 'kube-system').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-2');
    await refusedAfter('restart-agent', {}, () => replace('v1', 'Pod', 'kube-system', agent?.metadata.name ?? '?'));
    const cm = kube.store.get('v1', 'ConfigMap', 'kube-system', 'cilium-config') as KubeObject & { data?: Record<string, string> };
    kube.store.put({ ...cm, data: { ...cm.data, 'kube-proxy-replacement': 'true' } });
    kube.store.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy-legacy', namespace: 'kube-system' }, spec: { selector: { matchLabels: { k: 'v' } }, template: { metadata: { labels: { k: 'v' } }, spec: { containers: [] } } } });
    await refusedAfter('remove-kube-proxy', { namespace: 'kube-system', daemonSet: 'kube-proxy-legacy' }, () => replace('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy-legacy'));
    expect(kube.store.get('apps/v1', 'DaemonSet', 'kube-system', 'kube-proxy-legacy')).toBeDefined();
  });

  it('pin-agent-affinity: the DaemonSet changed after its terms were computed', async () => {
    const c = cluster();
    kube.faults.add({ method: 'PATCH', path: '/daemonsets/cilium', query: /^(?!.*dryRun)/, times: 1, onMatch: () => touch('apps/v1', 'DaemonSet', 'kube-system', 'cilium') });
    const err = await ACTIONS['pin-agent-affinity'].run(c, c, proposalFor('pin-agent-affinity', { key: 'guard-test', operator: 'NotIn', values: 'x' }), false).then(() => undefined, (e: unknown) => e);
    kube.faults.clear();
    expect((err as KubeApiError).status).toBe(409);
  });
});

describe('Cilium outside kube-system (OpenShift/OLM namespace `cilium`): the writes land where Cilium runs', () => {
  it('restart-agent and disable-feature target the discovered namespace and DaemonSet', async () => {
    const main = kube;
    kube = await startKubeEmulator({ scenario: resolveScenario('cilium-namespace') });
    try {
      const restart = await run('restart-agent', {});
      expect(restart.outcome).toBe('applied');
      expect(kube.requestLog.entries().filter((e) => e.method === 'DELETE').every((e) => e.path.startsWith('/api/v1/namespaces/cilium/pods/'))).toBe(true);
      const r = await run('disable-feature', { key: 'enable-hubble', value: 'false' });
      expect(r.writes).toEqual(['PATCH configmaps/cilium-config dry-run', 'PATCH daemonsets/cilium dry-run', 'PATCH configmaps/cilium-config apply', 'PATCH daemonsets/cilium apply']);
      const cm = kube.store.get('v1', 'ConfigMap', 'cilium', 'cilium-config') as { data?: Record<string, string> };
      expect(cm.data?.['enable-hubble']).toBe('false');
      expect(kube.store.get('v1', 'ConfigMap', 'kube-system', 'cilium-config')).toBeUndefined();
    } finally {
      await kube.stop();
      kube = main;
    }
  });
});
