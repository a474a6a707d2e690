// Issue 19 (watch performance): what the watch keeps of nodes and agents must read exactly as the whole objects do
// (every authored scenario and a generated cluster with broken nodes), and the agent index answers what scanning
// every agent answered, as agents come, change, move and go.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AgentIndex, watchedNode, watchedPod } from '../../../../jobs/watch/watch-cache.ts';
import { observeNode } from '../../../../jobs/watch/watch-signals.ts';
import { operatorProblem } from '../../../../jobs/watch/operator-health.ts';
import { generateCluster, listScenarios, resolveScenario, type Scenario } from '../../../../sandbox/scenario/index.ts';

function objectsOf(s: Scenario): { nodes: V1Node[]; agents: V1Pod[]; operators: V1Pod[] } {
  const pods = s.objects.filter((o) => o.kind === 'Pod') as unknown as V1Pod[];
  return {
    nodes: s.objects.filter((o) => o.kind === 'Node'),
    agents: pods.filter((p) => p.metadata?.labels?.['k8s-app'] === 'cilium'),
    operators: pods.filter((p) => p.metadata?.labels?.['io.cilium/app'] === 'operator'),
  };
}

const scenarios = [...listScenarios().map((name) => [name, resolveScenario(name)] as const), ['generated', generateCluster({ nodes: 40, broken: { count: 5, reason: 'kernel-too-old' } })] as const];

describe('watchedNode and watchedPod', () => {
  it.each(scenarios)('%s: every node observed from the kept objects as from the whole ones', (_name, scenario) => {
    const { nodes, agents, operators } = objectsOf(scenario);
    expect(nodes.length).toBeGreaterThan(0);
    for (const ctx of [{ config: null, kubeProxyDaemonSet: false, fleetVersion: '1.16.3' }, { config: null, kubeProxyDaemonSet: false, fleetVersion: null }]) {
      for (const n of nodes) {
        const agent = agents.find((p) => p.spec?.nodeName === n.metadata?.name);
        expect(observeNode(watchedNode(n), agent === undefined ? undefined : watchedPod(agent), ctx)).toEqual(observeNode(n, agent, ctx));
      }
    }
    expect(operatorProblem(operators.map(watchedPod))).toBe(operatorProblem(operators));
  });

  it('keeps the resourceVersion (the informer skips an update of the same version) and drops what is never read', () => {
    const { nodes, agents } = objectsOf(generateCluster({ nodes: 2 }));
    const n = { ...nodes[0], metadata: { ...nodes[0]?.metadata, resourceVersion: '42' } } as V1Node;
    const kept = watchedNode(n);
    expect(kept.metadata?.resourceVersion).toBe('42');
    expect(kept.status?.nodeInfo?.kernelVersion).toBe(n.status?.nodeInfo?.kernelVersion);
    expect(kept.status?.capacity).toBeUndefined();
    const pod = agents[0] as V1Pod;
    const keptPod = watchedPod(pod);
    expect(keptPod.spec?.volumes).toBeUndefined();
    expect(keptPod.spec?.containers.map((c) => c.env)).toEqual(keptPod.spec?.containers.map(() => undefined));
    expect(JSON.stringify(keptPod).length).toBeLessThan(JSON.stringify(pod).length / 2);
  });
});

function agent(name: string, node: string, version: string): V1Pod {
  return {
    metadata: { name, namespace: 'kube-system' },
    spec: { nodeName: node, containers: [{ name: 'cilium-agent', image: `quay.io/cilium/cilium:v${version}` }] },
  };
}

describe('AgentIndex', () => {
  it('finds the agent on a node and the version most agents run, through adds, updates, moves and deletes', () => {
    const index = new AgentIndex();
    expect(index.onNode('n1')).toBeUndefined();
    expect(index.fleetVersion()).toBeNull();
    index.upsert(agent('a', 'n1', '1.16.3'));
    index.upsert(agent('b', 'n2', '1.16.3'));
    index.upsert(agent('c', 'n3', '1.17.0'));
    expect(index.onNode('n2')?.metadata?.name).toBe('b');
    expect(index.fleetVersion()).toBe('1.16.3');
    // An upgrade rolls two agents to 1.17.0: the fleet version follows.
    index.upsert(agent('a', 'n1', '1.17.0'));
    index.upsert(agent('b', 'n2', '1.17.0'));
    expect(index.fleetVersion()).toBe('1.17.0');
    // A rollout briefly runs two agents on n3: the first seen is the node's agent until it goes.
    index.upsert(agent('d', 'n3', '1.17.0'));
    expect(index.onNode('n3')?.metadata?.name).toBe('c');
    index.remove(agent('c', 'n3', '1.17.0'));
    expect(index.onNode('n3')?.metadata?.name).toBe('d');
    // A pod updated with another node leaves the first.
    index.upsert(agent('d', 'n4', '1.17.0'));
    expect(index.onNode('n3')).toBeUndefined();
    expect(index.onNode('n4')?.metadata?.name).toBe('d');
    for (const [name, node] of [['a', 'n1'], ['b', 'n2'], ['d', 'n4']] as const) index.remove(agent(name, node, '1.17.0'));
    expect(index.fleetVersion()).toBeNull();
    expect(index.onNode('n1')).toBeUndefined();
  });
});
