// The watch's informers: client-node's ListWatch (list, then watch from the list's resourceVersion; an expired
// resourceVersion — 410 Gone, as an ERROR event or a response — clears it so the next round relists), with
// watch bookmarks asked for (allowWatchBookmarks: the apiserver then sends BOOKMARK events that move the
// resourceVersion on without objects, so a reconnect rarely needs a relist) and a restart with backoff after an
// error, which client-node leaves to its caller. Nodes and agents are listed as a stream of plain JSON and kept
// reduced (watch-cache.ts): the cache of a 5,000-node cluster holds what the watch reads, not whole objects.
import { OPERATOR_LABEL } from './operator-health.ts';
import { AgentIndex, watchedNode, watchedPod } from './watch-cache.ts';
import { streamListPage } from '../kube/raw-list.ts';
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1ConfigMap, type V1Node, type V1Pod } from '@kubernetes/client-node';

/** Watch with allowWatchBookmarks=true on every request (ListWatch builds the query itself), objects reduced by `keep`. */
class BookmarkWatch<T extends KubernetesObject> extends Watch {
  constructor(config: KubeConfig, private readonly keep: (obj: T) => T) {
    super(config);
  }

  override watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    const [path, query, callback, done] = args;
    const keep = this.keep;
    // BOOKMARK and ERROR objects are not the watched kind: only their resourceVersion or code is read.
    const reduced: typeof callback = (phase, obj, watchObj) => callback(phase, phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' ? keep(obj as T) : obj, watchObj);
    return super.watch(path, { ...query, allowWatchBookmarks: true }, reduced, done);
  }
}

/** A list read as a stream, each item reduced as it arrives (no page of whole objects, no client-node models). */
function streamedList<T extends KubernetesObject>(kubeConfig: KubeConfig, path: string, query: Record<string, string>, keep: (obj: T) => T): () => Promise<KubernetesListObject<T>> {
  return async () => {
    const items: T[] = [];
    const meta = await streamListPage(kubeConfig, path, new URLSearchParams(query), `list ${path}`, (item) => items.push(keep(item as T)));
    return { metadata: { ...(meta.resourceVersion !== undefined && { resourceVersion: meta.resourceVersion }) }, items };
  };
}

export interface InformerHandlers<T extends KubernetesObject> {
  upsert: (obj: T) => void;
  remove: (obj: T) => void;
  error: (err: unknown) => void;
}

export interface RunningInformer<T extends KubernetesObject> {
  list(): readonly T[];
  /** One cached object by name (and namespace), without listing the cache. */
  get(name: string, namespace?: string): T | undefined;
  stop(): Promise<void>;
}

function startInformer<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  listFn: () => Promise<KubernetesListObject<T>>,
  selectors: { label?: string; field?: string },
  handlers: InformerHandlers<T>,
  restartMs: number,
  keep: (obj: T) => T = (obj) => obj,
): RunningInformer<T> {
  const informer = new ListWatch<T>(path, new BookmarkWatch<T>(kubeConfig, keep), listFn, false, selectors.label, selectors.field);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  informer.on('add', handlers.upsert);
  informer.on('update', handlers.upsert);
  informer.on('delete', handlers.remove);
  informer.on('error', (err: unknown) => {
    if (stopped) return; // our own abort of the watch
    handlers.error(err);
    timer = setTimeout(() => void informer.start().catch(handlers.error), restartMs);
  });
  void informer.start().catch(handlers.error);
  return {
    list: () => informer.list(),
    get: (name, namespace) => informer.get(name, namespace),
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await informer.stop();
    },
  };
}

export interface WatchedCluster {
  nodes: RunningInformer<V1Node>;
  agents: RunningInformer<V1Pod>;
  /** The agent on a node, and the version most agents run, kept current by the agent informer. */
  agentIndex: AgentIndex;
  operators: RunningInformer<V1Pod>;
  config: RunningInformer<V1ConfigMap>;
  stop(): Promise<void>;
}

export interface WatchSources {
  node: InformerHandlers<V1Node>;
  agent: InformerHandlers<V1Pod>;
  operator: InformerHandlers<V1Pod>;
  config: InformerHandlers<V1ConfigMap>;
}

/** Agents by the label the Helm chart and OLM put on them (k8s-app=cilium), as the collectors find them. */
export const AGENT_LABEL = 'k8s-app=cilium';

export function watchCluster(kubeConfig: KubeConfig, opts: { ciliumNamespace?: string; restartMs?: number }, on: WatchSources): WatchedCluster {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const restartMs = opts.restartMs ?? 1000;
  const ns = opts.ciliumNamespace;
  const nodes = startInformer<V1Node>(kubeConfig, '/api/v1/nodes', streamedList(kubeConfig, '/api/v1/nodes', {}, watchedNode), {}, on.node, restartMs, watchedNode);
  const agentIndex = new AgentIndex();
  const agentsPath = ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`;
  const agents = startInformer<V1Pod>(
    kubeConfig,
    agentsPath,
    streamedList(kubeConfig, agentsPath, { labelSelector: AGENT_LABEL }, watchedPod),
    { label: AGENT_LABEL },
    {
      // The index first: the handlers look agents up through it.
      upsert: (p) => { agentIndex.upsert(p); on.agent.upsert(p); },
      remove: (p) => { agentIndex.remove(p); on.agent.remove(p); },
      error: on.agent.error,
    },
    restartMs,
    watchedPod,
  );
  const operators = startInformer<V1Pod>(
    kubeConfig,
    ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`,
    () => (ns === undefined ? core.listPodForAllNamespaces({ labelSelector: OPERATOR_LABEL }) : core.listNamespacedPod({ namespace: ns, labelSelector: OPERATOR_LABEL })),
    { label: OPERATOR_LABEL },
    on.operator,
    restartMs,
  );
  // cilium-config by name in every namespace (Cilium is not always in kube-system).
  const config = startInformer<V1ConfigMap>(
    kubeConfig,
    ns === undefined ? '/api/v1/configmaps' : `/api/v1/namespaces/${ns}/configmaps`,
    () => (ns === undefined
      ? core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=cilium-config' })
      : core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=cilium-config' })),
    { field: 'metadata.name=cilium-config' },
    on.config,
    restartMs,
  );
  return {
    nodes,
    agents,
    agentIndex,
    operators,
    config,
    async stop() {
      await Promise.all([nodes.stop(), agents.stop(), operators.stop(), config.stop()]);
    },
  };
}
