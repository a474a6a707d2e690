// How a sweep reads lists that grow with the cluster (pods, nodes; cluster-wide lists its deep collections share):
// each object is summarised by the caller the moment it is read and only the summaries are returned. Against a real
// cluster (ClientNodeCluster) the response is streamed as plain JSON (raw-list.ts) so that no page ever exists
// whole; any other reader (test doubles) goes through its own paged or whole-list calls. The few objects a sweep
// keeps whole are revived as client-node models, as the reader's own calls would have returned them.
import { loadYaml, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { ClientNodeCluster } from '../kube/client-node-cluster.ts';
import type { ClusterReader, ListPage, PageQuery } from '../kube/cluster-reader.ts';

/**
 * Reads one object of a page into what the sweep keeps of it. The object is plain JSON when listed raw (its
 * timestamps are strings, not Dates): a summariser reads names, labels, statuses and images, never times.
 */
export type Summarise<T, S> = (item: T) => S;

export interface FleetLister {
  pods<S>(q: PageQuery, summarise: Summarise<V1Pod, S>): Promise<ListPage<S>>;
  nodes<S>(q: PageQuery, summarise: Summarise<V1Node, S>): Promise<ListPage<S>>;
  /**
   * Every object at `path` (a cluster-wide list, e.g. `/api/v1/pods`) in one call, each reduced as it arrives. Only
   * where lists are streamed: elsewhere the reader's own call is the only way, and its objects come whole.
   */
  readonly listAll?: <T, S>(path: string, attempted: string, summarise: Summarise<T, S>) => Promise<S[]>;
  /** A pod kept for a deep collection, as the reader's own calls would return it. */
  keepPod(pod: V1Pod): V1Pod;
  keepNode(node: V1Node): V1Node;
}

function summarised<T, S>(page: ListPage<T>, summarise: Summarise<T, S>): ListPage<S> {
  return { ...page, items: page.items.map(summarise) };
}

/** Readers without raw access: their own paged calls, or one whole list when they cannot page. */
function viaReader(reader: ClusterReader): FleetLister {
  return {
    async pods(q, summarise) {
      const page = reader.listPodsPage !== undefined ? await reader.listPodsPage(q) : { items: await reader.listPods(q) };
      return summarised(page, summarise);
    },
    async nodes(q, summarise) {
      const page = reader.listNodesPage !== undefined ? await reader.listNodesPage(q) : { items: await reader.listNodes(q.labelSelector) };
      return summarised(page, summarise);
    },
    keepPod: (pod) => pod,
    keepNode: (node) => node,
  };
}

function listQuery(q: PageQuery): URLSearchParams {
  const p = new URLSearchParams({ limit: String(q.limit) });
  if (q.continueToken !== undefined) p.set('continue', q.continueToken);
  if (q.labelSelector !== undefined) p.set('labelSelector', q.labelSelector);
  if (q.fieldSelector !== undefined) p.set('fieldSelector', q.fieldSelector);
  return p;
}

/** client-node's own deserialiser (the public one: JSON is YAML), so a kept object has Dates where models do. */
function revive<T>(apiVersion: string, kind: string, item: T): T {
  return loadYaml<T>(JSON.stringify({ apiVersion, kind, ...item }));
}

function viaRawList(reader: ClientNodeCluster): FleetLister {
  // Retried as a whole (429/5xx/network) by streamList, with fresh summaries each time.
  const list = <T, S>(path: string, query: URLSearchParams, attempted: string, summarise: Summarise<T, S>) =>
    reader.streamList(path, query, attempted, (item) => summarise(item as T));
  return {
    pods: (q, summarise) =>
      q.namespace === undefined
        ? list('/api/v1/pods', listQuery(q), 'list pods (all namespaces)', summarise)
        : list(`/api/v1/namespaces/${encodeURIComponent(q.namespace)}/pods`, listQuery(q), `list pods in ${q.namespace}`, summarise),
    nodes: (q, summarise) => list('/api/v1/nodes', listQuery(q), 'list nodes', summarise),
    listAll: async (path, attempted, summarise) => (await list(path, new URLSearchParams(), attempted, summarise)).items,
    keepPod: (pod) => revive('v1', 'Pod', pod),
    keepNode: (node) => revive('v1', 'Node', node),
  };
}

export function fleetListerFor(reader: ClusterReader): FleetLister {
  return reader instanceof ClientNodeCluster ? viaRawList(reader) : viaReader(reader);
}
