// A one-node diagnosis reads the cluster-wide lists (nodes, cilium agents, every pod, Services, EndpointSlices)
// streamed and slimmed (jobs/collect/slim-lists.ts): the evidence must be exactly what client-node's whole models
// give, for every authored scenario and every node in it, and a refused list must be reported the same way.
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { modelsOnly } from './models-only.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { generateCluster, listScenarios, resolveScenario, type Scenario } from '../../sandbox/scenario/index.ts';

const opts = { deadlineMs: 10_000, tailLines: 500, limitBytes: 1024 * 1024, now: () => new Date(0) };
// The emulator's exec errors carry a random exec id.
const stable = (e: object) => JSON.parse(JSON.stringify(e).replace(/[0-9a-f]{64}/g, 'id')) as unknown;

let kube: KubeEmulator | undefined;
afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function compare(scenario: Scenario, nodes?: string[]): Promise<number> {
  kube = await startKubeEmulator({ scenario });
  const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  const names = nodes ?? (await cluster.listNodes()).map((n) => n.metadata?.name ?? '');
  for (const node of names) {
    const calls = kube.requestLog.count();
    const slim = await collectEvidence(cluster, node, opts);
    const slimCalls = kube.requestLog.count() - calls;
    const whole = await collectEvidence(modelsOnly(cluster), node, opts);
    expect(stable(slim), `${node}: the same evidence`).toEqual(stable(whole));
    expect(slimCalls, `${node}: no extra API call`).toBe(kube.requestLog.count() - calls - slimCalls);
  }
  return names.length;
}

describe('one-node collection with slimmed cluster-wide lists', () => {
  it.each(listScenarios())('scenario %s: every node gets the evidence whole objects give', async (name) => {
    expect(await compare(resolveScenario(name))).toBeGreaterThan(0);
  });

  it('a generated cluster with broken nodes, healthy and broken nodes alike', async () => {
    await compare(generateCluster({ nodes: 40, broken: { count: 3, reason: 'kernel-too-old' } }), ['node-legacy-01', 'node-7']);
  });

  it('a refused or failing list is reported as whole objects report it', async () => {
    kube = await startKubeEmulator({ scenario: resolveScenario('kube-proxy-conflict') });
    const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
    kube.faults.add({ path: /^\/api\/v1\/nodes$/, status: 403 });
    kube.faults.add({ path: '/api/v1/services', status: 403 });
    const slim = await collectEvidence(cluster, 'node-2', opts);
    const whole = await collectEvidence(modelsOnly(cluster), 'node-2', opts);
    expect(slim.peers.ok).toBe(false);
    expect(slim.services.ok).toBe(false);
    expect(stable(slim)).toEqual(stable(whole));
  });
});
