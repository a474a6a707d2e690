// The ClusterReader a deep collection sees during a sweep: what the fleet facts already hold is answered from
// them (the node, its agent pod, every node and agent as peers, cilium-config, kube-proxy), cluster-wide reads are
// made once and shared by every node (every pod, Service and EndpointSlice slimmed to what is read of them), and
// only node-specific reads (logs, events, pods on the node, exec) reach the API, through the shared rate limiter.
// This is what keeps a sweep at a few calls per unhealthy node, and its memory at a few fields per object.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClusterReader, ExecQuery, LogQuery, PodQuery } from '../kube/cluster-reader.ts';
import { AGENT_CONTAINER } from '../collect/pod-facts.ts';
import type { FleetSnapshot, Settled } from './fleet-facts.ts';
import { fleetListerFor, type FleetLister } from './fleet-lister.ts';
import type { RateLimiter } from './rate-limit.ts';
import { slimEndpointSlice, slimPod, slimService } from './slim-objects.ts';

const POOL_LABEL = 'node.kubernetes.io/pool';

/** Shared by every node of one sweep: the snapshot, the memo of cluster-wide reads, the limiter, a call count. */
export class FleetCache {
  private readonly memo = new Map<string, Promise<unknown>>();
  private peerNodes: V1Node[] | undefined;
  private peerAgents: V1Pod[] | undefined;
  private readonly lister: FleetLister;
  calls = 0;

  constructor(
    readonly inner: ClusterReader,
    readonly snapshot: FleetSnapshot,
    readonly limiter: RateLimiter,
  ) {
    this.lister = fleetListerFor(inner);
  }

  /**
   * A cluster-wide list shared by every node, read once: streamed and slimmed to what the collectors read
   * (slim-objects.ts) where lists can be streamed, else the reader's own call.
   */
  slimList<T>(key: string, path: string, attempted: string, slim: (o: T) => T, whole: () => Promise<T[]>): Promise<T[]> {
    const { listAll } = this.lister;
    return this.once(key, listAll === undefined ? whole : () => listAll<T, T>(path, attempted, slim));
  }

  /** A call that reaches the API (rate-limited, counted). */
  direct<T>(call: () => Promise<T>): Promise<T> {
    this.calls += 1;
    return this.limiter.run(call);
  }

  /** A cluster-wide read: made once per sweep; failures are shared too (a forbidden list stays forbidden). */
  once<T>(key: string, call: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key);
    if (p === undefined) {
      p = this.direct(call);
      this.memo.set(key, p);
    }
    return p as Promise<T>;
  }

  /** Every node as a minimal object: what peers and blast radius read (name, kernel, OS, pool, Ready). */
  nodes(): V1Node[] {
    this.peerNodes ??= this.snapshot.nodes.map((n): V1Node => ({
      metadata: { name: n.name, labels: n.pool === null ? {} : { [POOL_LABEL]: n.pool } },
      status: {
        nodeInfo: { kernelVersion: n.kernel, osImage: n.osImage, architecture: n.arch, bootID: '', containerRuntimeVersion: '', kubeProxyVersion: '', kubeletVersion: '', machineID: '', operatingSystem: 'linux', systemUUID: '' },
        conditions: [{ type: 'Ready', status: n.ready ? 'True' : 'False' }],
      },
    }));
    return this.peerNodes;
  }

  /** Every agent as a minimal pod (node and readiness); full objects only for nodes collected in depth. */
  agents(): V1Pod[] {
    this.peerAgents ??= this.snapshot.nodes.flatMap((n) =>
      n.agent === null
        ? []
        : [this.snapshot.deepAgents.get(n.name) ?? {
            metadata: { name: n.agent.pod, namespace: this.snapshot.ciliumNamespace },
            spec: { nodeName: n.name, containers: [{ name: AGENT_CONTAINER, image: n.agent.image }] },
            status: { phase: n.agent.phase, containerStatuses: [{ name: AGENT_CONTAINER, ready: n.agent.ready, restartCount: n.agent.restarts, image: n.agent.image, imageID: '' }] },
          }],
    );
    return this.peerAgents;
  }
}

function unwrap<T>(s: Settled<T>): Promise<T> {
  return s.ok ? Promise.resolve(s.value) : Promise.reject(s.error instanceof Error ? s.error : new Error(String(s.error)));
}

/** The reader for one node's deep collection. */
export class FleetNodeReader implements ClusterReader {
  readonly cluster: string;

  constructor(
    private readonly cache: FleetCache,
    private readonly node: string,
  ) {
    this.cluster = cache.inner.cluster;
  }

  private get inner(): ClusterReader {
    return this.cache.inner;
  }

  getNode(name: string) {
    const kept = this.cache.snapshot.deepNodes.get(name);
    return kept !== undefined ? Promise.resolve(kept) : this.cache.direct(() => this.inner.getNode(name));
  }

  listNodes(labelSelector?: string) {
    return labelSelector === undefined ? Promise.resolve(this.cache.nodes()) : this.cache.once(`nodes:${labelSelector}`, () => this.inner.listNodes(labelSelector));
  }

  async listPods(q: PodQuery): Promise<V1Pod[]> {
    const { snapshot } = this.cache;
    const agentQuery = q.labelSelector === snapshot.agentSelector && q.fieldSelector === undefined && (q.namespace === undefined || q.namespace === snapshot.ciliumNamespace);
    if (agentQuery) {
      const agents = this.cache.agents();
      const own = snapshot.nodes.find((n) => n.name === this.node)?.agent;
      if (own === undefined || own === null || snapshot.deepAgents.has(this.node)) return agents;
      // A healthy agent on a flagged node (e.g. only its kernel tripped a check): its full pod, one call.
      const full = await this.cache.direct(() => this.inner.listPods({ namespace: snapshot.ciliumNamespace, labelSelector: q.labelSelector, fieldSelector: `spec.nodeName=${this.node}` }));
      return [...full, ...agents.filter((p) => p.spec?.nodeName !== this.node)];
    }
    if (q.fieldSelector?.includes(this.node) === true) return this.cache.direct(() => this.inner.listPods(q));
    if (q.namespace === undefined && q.labelSelector === undefined && q.fieldSelector === undefined) {
      return this.cache.slimList('pods:all', '/api/v1/pods', 'list pods (all namespaces)', slimPod, () => this.inner.listPods(q));
    }
    return this.cache.once(`pods:${JSON.stringify(q)}`, () => this.inner.listPods(q));
  }

  readPodLog(q: LogQuery) {
    return this.cache.direct(() => this.inner.readPodLog(q));
  }

  exec(q: ExecQuery) {
    return this.cache.direct(() => this.inner.exec(q));
  }

  listDaemonSets(namespace: string, labelSelector?: string) {
    if (namespace === 'kube-system' && labelSelector === 'k8s-app=kube-proxy') return unwrap(this.cache.snapshot.kubeProxyDaemonSets);
    return this.cache.once(`ds:${namespace}:${labelSelector ?? ''}`, () => this.inner.listDaemonSets(namespace, labelSelector));
  }

  getDaemonSet(namespace: string, name: string) {
    return this.cache.once(`ds:${namespace}/${name}`, () => this.inner.getDaemonSet(namespace, name));
  }

  listDeployments(namespace: string, labelSelector?: string) {
    return this.cache.once(`deploy:${namespace}:${labelSelector ?? ''}`, () => this.inner.listDeployments(namespace, labelSelector));
  }

  getConfigMap(namespace: string, name: string) {
    if (namespace === this.cache.snapshot.ciliumNamespace && name === 'cilium-config') return unwrap(this.cache.snapshot.ciliumConfig);
    return this.cache.once(`cm:${namespace}/${name}`, () => this.inner.getConfigMap(namespace, name));
  }

  listEvents(namespace: string | undefined, fieldSelector?: string) {
    // Events of one object (this node, its agent) are this node's; any other selector is cluster-wide.
    if (fieldSelector?.includes('involvedObject.name=') === true) return this.cache.direct(() => this.inner.listEvents(namespace, fieldSelector));
    return this.cache.once(`events:${namespace ?? ''}:${fieldSelector ?? ''}`, () => this.inner.listEvents(namespace, fieldSelector));
  }

  listServices() {
    return this.cache.slimList('services', '/api/v1/services', 'list services (all namespaces)', slimService, () => this.inner.listServices());
  }

  listEndpointSlices() {
    return this.cache.slimList('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', 'list endpointslices (all namespaces)', slimEndpointSlice, () =>
      this.inner.listEndpointSlices(),
    );
  }

  canI(verb: string, resource: string, namespace: string, subresource?: string) {
    return this.cache.once(`cani:${verb}:${resource}:${namespace}:${subresource ?? ''}`, () => this.inner.canI(verb, resource, namespace, subresource));
  }

  listCrds() {
    return this.cache.once('crds', () => this.inner.listCrds());
  }

  getClusterCustomObject(group: string, version: string, plural: string, name: string) {
    return this.cache.direct(() => this.inner.getClusterCustomObject(group, version, plural, name));
  }

  listCustomObjects(group: string, version: string, plural: string, namespace?: string) {
    return this.cache.once(`custom:${group}/${version}/${plural}:${namespace ?? ''}`, () => this.inner.listCustomObjects(group, version, plural, namespace));
  }
}
