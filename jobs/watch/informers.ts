// The watch's informers: client-node's ListWatch (list, then watch from the list's resourceVersion; an expired
// resourceVersion — 410 Gone, as an ERROR event or a response — clears it so the next round relists), with
// watch bookmarks asked for (allowWatchBookmarks: the apiserver then sends BOOKMARK events that move the
// resourceVersion on without objects, so a reconnect rarely needs a relist) and a restart with backoff after an
// error, which client-node leaves to its caller.
import { OPERATOR_LABEL } from './operator-health.ts';
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1ConfigMap, type V1Node, type V1Pod } from '@kubernetes/client-node';

/** Watch with allowWatchBookmarks=true on every request (ListWatch builds the query itself). */
class BookmarkWatch extends Watch {
  override watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    const [path, query, callback, done] = args;
    return super.watch(path, { ...query, allowWatchBookmarks: true }, callback, done);
  }
}

export interface InformerHandlers<T extends KubernetesObject> {
  upsert: (obj: T) => void;
  remove: (obj: T) => void;
  error: (err: unknown) => void;
}

export interface RunningInformer<T extends KubernetesObject> {
  list(): readonly T[];
  stop(): Promise<void>;
}

function startInformer<T extends KubernetesObject>(
  kubeConfig: KubeConfig,
  path: string,
  listFn: () => Promise<KubernetesListObject<T>>,
  selectors: { label?: string; field?: string },
  handlers: InformerHandlers<T>,
  restartMs: number,
): RunningInformer<T> {
  const informer = new ListWatch<T>(path, new BookmarkWatch(kubeConfig), listFn, false, selectors.label, selectors.field);
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
  const nodes = startInformer<V1Node>(kubeConfig, '/api/v1/nodes', () => core.listNode(), {}, on.node, restartMs);
  const agents = startInformer<V1Pod>(
    kubeConfig,
    ns === undefined ? '/api/v1/pods' : `/api/v1/namespaces/${ns}/pods`,
    () => (ns === undefined ? core.listPodForAllNamespaces({ labelSelector: AGENT_LABEL }) : core.listNamespacedPod({ namespace: ns, labelSelector: AGENT_LABEL })),
    { label: AGENT_LABEL },
    on.agent,
    restartMs,
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
    operators,
    config,
    async stop() {
      await Promise.all([nodes.stop(), agents.stop(), operators.stop(), config.stop()]);
    },
  };
}
