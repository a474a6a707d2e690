// What the watch keeps of the objects it watches, and how it finds them. On a cluster of 5,000 nodes the informers
// hold every node and every cilium agent for as long as the replica leads: kept whole (client-node models with
// every field, the node's image list, each pod's spec) that is hundreds of megabytes, most never read. Each object
// is reduced as it arrives to what watch-signals.ts and operator-health.ts read, as client-go informers do with a
// transform (cache.SharedIndexInformer SetTransform). Agents are indexed by node, and the fleet's Cilium version is
// counted as agents come and go, so an event costs a lookup, not a scan of every agent.
import type { V1Container, V1ContainerStatus, V1Node, V1Pod } from '@kubernetes/client-node';
import { ciliumVersionFromImage } from '../../runbooks/engine/cilium-version.ts';
import { agentContainerOf } from '../collect/cilium-install.ts';

/** The node as observeNode reads it: name, labels (pool), taints, conditions, nodeInfo (kernel, OS, arch). */
export function watchedNode(n: V1Node): V1Node {
  const meta = n.metadata;
  return {
    metadata: { name: meta?.name, resourceVersion: meta?.resourceVersion, labels: meta?.labels },
    spec: { ...(n.spec?.taints !== undefined && { taints: n.spec.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== undefined && { value: t.value }) })) }) },
    status: {
      ...(n.status?.nodeInfo !== undefined && { nodeInfo: n.status.nodeInfo }),
      ...(n.status?.conditions !== undefined && { conditions: n.status.conditions.map((c) => ({ type: c.type, status: c.status, ...(c.reason !== undefined && { reason: c.reason }) })) }),
    },
  };
}

const container = (c: V1Container): V1Container => ({
  name: c.name, ...(c.image !== undefined && { image: c.image }), ...(c.command !== undefined && { command: c.command }), ...(c.args !== undefined && { args: c.args }),
});
const containerStatus = (s: V1ContainerStatus): V1ContainerStatus => ({
  name: s.name, ready: s.ready, restartCount: s.restartCount, image: s.image, imageID: s.imageID, ...(s.state !== undefined && { state: s.state }),
  // How the last run ended (exit code, reason): a crash loop between its back-offs (watch-signals.ts).
  ...(s.lastState?.terminated !== undefined && { lastState: { terminated: { exitCode: s.lastState.terminated.exitCode, ...(s.lastState.terminated.reason !== undefined && { reason: s.lastState.terminated.reason }) } } }),
});
/** An init container that completed (exit 0) or is running cannot be the one initFailure names: not kept. */
const mayFail = (s: V1ContainerStatus): boolean => (s.state?.waiting !== undefined) || (s.state?.terminated !== undefined && s.state.terminated.exitCode !== 0);

/** An agent (or operator) pod as toFleetAgent, initFailure and operatorProblem read it. */
export function watchedPod(p: V1Pod): V1Pod {
  const meta = p.metadata;
  const status = p.status;
  return {
    metadata: { name: meta?.name, namespace: meta?.namespace, resourceVersion: meta?.resourceVersion, labels: meta?.labels },
    spec: { ...(p.spec?.nodeName !== undefined && { nodeName: p.spec.nodeName }), containers: (p.spec?.containers ?? []).map(container) },
    status: {
      ...(status?.phase !== undefined && { phase: status.phase }),
      ...(status?.containerStatuses !== undefined && { containerStatuses: status.containerStatuses.map(containerStatus) }),
      ...(status?.initContainerStatuses !== undefined && { initContainerStatuses: status.initContainerStatuses.filter(mayFail).map(containerStatus) }),
    },
  };
}

const podKey = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** Agents by node, and how many agents run each Cilium version (image tag), kept current event by event. */
export class AgentIndex {
  private readonly byNode = new Map<string, Map<string, V1Pod>>();
  private readonly nodeOf = new Map<string, string>();
  private readonly versionOf = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  private fleet: string | null | undefined;

  upsert(p: V1Pod): void {
    this.remove(p);
    const key = podKey(p);
    const node = p.spec?.nodeName;
    if (node !== undefined) {
      let pods = this.byNode.get(node);
      if (pods === undefined) this.byNode.set(node, (pods = new Map<string, V1Pod>()));
      pods.set(key, p);
      this.nodeOf.set(key, node);
    }
    const name = agentContainerOf(p.spec);
    const image = p.spec?.containers.find((c) => c.name === name)?.image ?? p.spec?.containers[0]?.image ?? '';
    const version = ciliumVersionFromImage(image);
    if (version !== null) {
      this.versionOf.set(key, version);
      this.versions.set(version, (this.versions.get(version) ?? 0) + 1);
      this.fleet = undefined;
    }
  }

  remove(p: V1Pod): void {
    const key = podKey(p);
    const node = this.nodeOf.get(key);
    if (node !== undefined) {
      const pods = this.byNode.get(node);
      pods?.delete(key);
      if (pods?.size === 0) this.byNode.delete(node);
      this.nodeOf.delete(key);
    }
    const version = this.versionOf.get(key);
    if (version !== undefined) {
      const n = (this.versions.get(version) ?? 1) - 1;
      if (n === 0) this.versions.delete(version);
      else this.versions.set(version, n);
      this.versionOf.delete(key);
      this.fleet = undefined;
    }
  }

  /** The agent on `node` (the first seen, when a rollout briefly runs two). */
  onNode(node: string): V1Pod | undefined {
    return this.byNode.get(node)?.values().next().value;
  }

  /** The version most agents run: what a node that just joined will get. */
  fleetVersion(): string | null {
    this.fleet ??= [...this.versions].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    return this.fleet;
  }
}
