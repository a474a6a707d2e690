// A one-node diagnosis reads its node's cilium agent by field selector, not every agent of the cluster: the
// apiserver returns one pod where a list by label returned one per node. A node without an agent still gets the
// cluster-wide look (where the agents are, and that none runs here). Node names for suggestions come from a
// metadata-only list. Behaviour and calls, through the Kubernetes API emulator; no timing.
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { generateCluster } from '../../sandbox/scenario/index.ts';

const opts = { deadlineMs: 10_000, tailLines: 500, limitBytes: 1024 * 1024, now: () => new Date(0) };

let kube: KubeEmulator | undefined;
afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function start(): Promise<{ kube: KubeEmulator; cluster: ClientNodeCluster }> {
  kube = await startKubeEmulator({ scenario: generateCluster({ nodes: 30, broken: { count: 3, reason: 'kernel-too-old' } }) });
  return { kube, cluster: new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath })) };
}

/** Each pod list's selectors, e.g. "label k8s-app=cilium; field spec.nodeName=node-9". */
const podLists = (k: KubeEmulator): string[] => k.requestLog.entries().filter((e) => e.verb === 'list' && e.resource === 'pods').map((e) => {
  const q = new URLSearchParams(e.query);
  return `label ${q.get('labelSelector') ?? ''}; field ${q.get('fieldSelector') ?? ''}`;
});

describe('the node agent by field selector', () => {
  it('reads only the node agent: no list of every agent, the report still has the agent, its install and every peer', async () => {
    const { kube: k, cluster } = await start();
    k.requestLog.clear();
    const e = await collectEvidence(cluster, 'node-legacy-02', opts);
    const lists = podLists(k);
    expect(lists).toContain('label k8s-app=cilium; field spec.nodeName=node-legacy-02');
    // Every pod list is scoped to the node: none by label alone (that would be one pod per node).
    expect(lists.every((q) => q.endsWith('field spec.nodeName=node-legacy-02'))).toBe(true);
    expect(e.agentPod.ok && e.agentPod.value.name.startsWith('cilium-')).toBe(true);
    expect(e.agentPod.ok && e.agentPod.value.restartCount).toBe(17);
    expect(e.install.ok && e.install.value).toMatchObject({ namespace: 'kube-system', daemonSet: 'cilium', agentSelector: 'k8s-app=cilium' });
    expect(e.peers.ok && e.peers.value.length).toBe(29);
    // Other nodes' agents were not read: their readiness is absent (unknown), never guessed.
    expect(e.peers.ok && e.peers.value.some((p) => p.ciliumAgentReady !== undefined)).toBe(false);
  });

  it('a node without an agent falls back to the cluster-wide list and says no agent is scheduled there', async () => {
    const { kube: k, cluster } = await start();
    const agent = k.store.list('v1', 'Pod', 'kube-system').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && (p as { spec?: { nodeName?: string } }).spec?.nodeName === 'node-9');
    if (agent === undefined) throw new Error('the generated cluster has no agent on node-9');
    k.store.delete('v1', 'Pod', 'kube-system', agent.metadata.name);
    k.requestLog.clear();
    const e = await collectEvidence(cluster, 'node-9', opts);
    expect(podLists(k)).toContain('label k8s-app=cilium; field ');
    expect(e.agentPod.ok).toBe(false);
    expect(!e.agentPod.ok && e.agentPod.detail).toBe('no cilium-agent pod (label k8s-app=cilium in kube-system) is scheduled on node-9');
    expect(e.install.ok && e.install.value.namespace).toBe('kube-system');
    // Every agent was listed here, so the peers carry their agents' readiness.
    expect(e.peers.ok && e.peers.value.find((p) => p.name === 'node-legacy-01')?.ciliumAgentReady).toBe(false);
    expect(e.peers.ok && e.peers.value.find((p) => p.name === 'node-4')?.ciliumAgentReady).toBe(true);
  });

  it('node names for suggestions come from one metadata-only list', async () => {
    const { kube: k, cluster } = await start();
    k.requestLog.clear();
    const names = await cluster.listNodeNames();
    expect(names).toHaveLength(30);
    expect(names).toContain('node-legacy-01');
    expect(names).toContain('node-30');
    const calls = k.requestLog.entries();
    expect(calls.map((c) => `${c.verb} ${c.resource}`)).toEqual(['list nodes']);
    expect(calls[0]?.accept).toMatch(/^application\/json;as=PartialObjectMetadataList;g=meta\.k8s\.io;v=v1/);
  });
});
