// The node and its peers: kernel, OS image, runtime, pool, taints and conditions (with reasons: a status without
// its reason is how k8sgpt raised false alarms, #1461).
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { NodeInfo, PeerNode } from '../../runbooks/engine/evidence.ts';
import { nodePool } from '../../runbooks/engine/node-pool.ts';

// The pool label list lives beside the runbooks (per-pool fixes select by it); re-exported for the collectors.
export { nodePool };

export function toNodeInfo(node: V1Node): NodeInfo {
  const labels = node.metadata?.labels ?? {};
  const info = node.status?.nodeInfo;
  return {
    name: node.metadata?.name ?? '',
    kernelVersion: info?.kernelVersion ?? '',
    osImage: info?.osImage ?? '',
    containerRuntimeVersion: info?.containerRuntimeVersion ?? '',
    kubeletVersion: info?.kubeletVersion ?? '',
    architecture: info?.architecture ?? '',
    labels,
    pool: nodePool(labels),
    taints: (node.spec?.taints ?? []).map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== undefined && { value: t.value }) })),
    conditions: (node.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason !== undefined && { reason: c.reason }),
      ...(c.message !== undefined && { message: c.message }),
      ...(c.lastTransitionTime !== undefined && { lastTransitionTime: new Date(c.lastTransitionTime).toISOString() }),
    })),
    unschedulable: node.spec?.unschedulable === true,
    internalIP: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? null,
  };
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Every other node, summarised; `agentPods` (all cilium-agent pods) adds each one's agent readiness. */
export function toPeers(nodes: V1Node[], self: string, agentPods: V1Pod[] | null): PeerNode[] {
  const agentReady = new Map<string, boolean>();
  for (const pod of agentPods ?? []) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined) continue;
    const ready = pod.status?.containerStatuses?.find((c) => c.name === 'cilium-agent')?.ready === true;
    agentReady.set(nodeName, ready);
  }
  return nodes
    .filter((n) => n.metadata?.name !== self)
    .map((n) => {
      const name = n.metadata?.name ?? '';
      const ready = agentReady.get(name);
      return {
        name,
        kernelVersion: n.status?.nodeInfo?.kernelVersion ?? '',
        osImage: n.status?.nodeInfo?.osImage ?? '',
        pool: nodePool(n.metadata?.labels ?? {}),
        ready: isNodeReady(n),
        ...(ready !== undefined && { ciliumAgentReady: ready }),
      };
    });
}
