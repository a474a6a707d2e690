// One diagnosis reads a few lists that grow with the cluster: every node and every cilium-agent pod (peers and the
// blast radius), and where needed every pod (policy selectors), Service and EndpointSlice. As client-node models
// those cost seconds of CPU per diagnosis on a cluster of thousands of nodes (ObjectSerializer walks every field of
// every object), and most of each object is never read. Where lists can be streamed (a ClientNodeCluster), this
// reader reduces each object as it arrives to what the collectors read of it; the node's own agent pod, which the
// runbooks read in full, is kept whole. Other readers (test doubles, the sweep's own) pass through unchanged.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClusterReader, PodQuery } from '../kube/cluster-reader.ts';
import { fleetListerFor } from '../fleet/fleet-lister.ts';
import { slimEndpointSlice, slimPod, slimService } from '../fleet/slim-objects.ts';
import { AGENT_SELECTORS, agentContainerOf } from './cilium-install.ts';

const AGENT_LABELS: readonly string[] = AGENT_SELECTORS;

/** toPeers (node-facts.ts) and the node names for suggestions: name, labels (pool), kernel, OS image, Ready. */
export function slimNode(n: V1Node): V1Node {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const info = n.status?.nodeInfo;
  return {
    metadata: { name: n.metadata?.name, labels: n.metadata?.labels },
    status: {
      ...(info !== undefined && { nodeInfo: info }), // a dozen short strings
      ...(ready !== undefined && { conditions: [{ type: ready.type, status: ready.status }] }),
    },
  };
}

/** toPeers (node-facts.ts) of another node's agent: its node and whether the agent container is ready. */
export function slimAgentPod(p: V1Pod): V1Pod {
  const container = agentContainerOf(p.spec);
  const agent = p.status?.containerStatuses?.find((c) => c.name === container);
  const spec = p.spec?.containers.find((c) => c.name === container);
  return {
    metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace },
    // The agent container's name (and its command, by which discovery knows it), not the rest of the spec.
    spec: { nodeName: p.spec?.nodeName, containers: spec === undefined ? [] : [{ name: spec.name, ...(spec.command !== undefined && { command: spec.command }) }] },
    status: { ...(agent !== undefined && { containerStatuses: [{ name: agent.name, ready: agent.ready, restartCount: agent.restartCount, image: agent.image, imageID: agent.imageID }] }) },
  };
}

/** The reader `collectEvidence(reader, node)` should get: cluster-wide lists slimmed where they can be streamed. */
export function slimListsFor(reader: ClusterReader, node: string): ClusterReader {
  const lister = fleetListerFor(reader);
  const listAll = lister.listAll;
  if (listAll === undefined) return reader;
  const overrides: Partial<ClusterReader> = {
    listNodes: (labelSelector?: string) => (labelSelector === undefined ? listAll<V1Node, V1Node>('/api/v1/nodes', 'list nodes', slimNode) : reader.listNodes(labelSelector)),
    listPods: (q: PodQuery) => {
      const cluster = q.labelSelector === undefined && q.fieldSelector === undefined;
      if (q.namespace === undefined && cluster) return listAll<V1Pod, V1Pod>('/api/v1/pods', 'list pods (all namespaces)', slimPod);
      if (q.labelSelector !== undefined && AGENT_LABELS.includes(q.labelSelector) && q.fieldSelector === undefined) {
        const base = q.namespace === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(q.namespace)}/pods`;
        const path = `${base}?labelSelector=${encodeURIComponent(q.labelSelector)}`;
        return listAll<V1Pod, V1Pod>(path, `list pods in ${q.namespace ?? 'all namespaces'}`, (p) => (p.spec?.nodeName === node ? lister.keepPod(p) : slimAgentPod(p)));
      }
      return reader.listPods(q);
    },
    listServices: () => listAll('/api/v1/services', 'list services (all namespaces)', slimService),
    listEndpointSlices: () => listAll('/apis/discovery.k8s.io/v1/endpointslices', 'list endpointslices (all namespaces)', slimEndpointSlice),
  };
  return new Proxy(reader, {
    get(target, prop) {
      const own = (overrides as Record<PropertyKey, unknown>)[prop];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
