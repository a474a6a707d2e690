// The narrow view of the cluster that collectors need (after cilium-cli's k8sImplementation): only these calls,
// so collectors are easy to reason about and every call can be counted, bounded and explained when refused.
import type { CoreV1Event, V1ConfigMap, V1ListMeta, V1DaemonSet, V1Deployment, V1EndpointSlice, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';

export interface PodQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface LogQuery {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  tailLines: number;
  limitBytes: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** stdout was cut at the byte limit. */
  truncated: boolean;
}

export interface ExecQuery {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  maxBytes: number;
}

/** One page of a list (`limit` + `continue`): fleet sweeps summarise each page and drop it. */
export interface PageQuery extends PodQuery {
  limit: number;
  continueToken?: string;
}

export interface ListPage<T> {
  items: T[];
  continueToken?: string;
  /** The apiserver's estimate of items after this page, when it gives one. */
  remaining?: number;
}

export interface ClusterReader {
  readonly cluster: string;
  getNode(name: string): Promise<V1Node>;
  listNodes(labelSelector?: string): Promise<V1Node[]>;
  /** Every node's name, from a metadata-only list where the reader can ask for one (else callers use listNodes). */
  listNodeNames?(): Promise<string[]>;
  listPods(query: PodQuery): Promise<V1Pod[]>;
  readPodLog(query: LogQuery): Promise<string>;
  exec(query: ExecQuery): Promise<ExecResult>;
  listDaemonSets(namespace: string, labelSelector?: string): Promise<V1DaemonSet[]>;
  getDaemonSet(namespace: string, name: string): Promise<V1DaemonSet>;
  listDeployments(namespace: string, labelSelector?: string): Promise<V1Deployment[]>;
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap>;
  listEvents(namespace: string | undefined, fieldSelector?: string): Promise<CoreV1Event[]>;
  listServices(): Promise<V1Service[]>;
  listEndpointSlices(): Promise<V1EndpointSlice[]>;
  /** SelfSubjectAccessReview: exec refusals arrive as a bare "403" on the WebSocket upgrade, so ask first. */
  canI(verb: string, resource: string, namespace: string, subresource?: string): Promise<boolean>;
  /** CustomResourceDefinitions as plain JSON (callers validate and filter by group). */
  listCrds(): Promise<unknown[]>;
  /** One cluster-scoped custom resource as plain JSON. */
  getClusterCustomObject(group: string, version: string, plural: string, name: string): Promise<unknown>;
  /** Custom resources as plain JSON (callers validate with zod). `namespace` undefined = all namespaces or cluster-scoped. */
  listCustomObjects(group: string, version: string, plural: string, namespace?: string): Promise<unknown[]>;
  /** Paged lists (optional: readers without them are read with one list call). */
  listNodesPage?(q: PageQuery): Promise<ListPage<V1Node>>;
  listPodsPage?(q: PageQuery): Promise<ListPage<V1Pod>>;
}

/** client-node's list parameters for one page. */
export function pageParams(q: PageQuery) {
  return {
    limit: q.limit,
    ...(q.continueToken !== undefined && { _continue: q.continueToken }),
    ...(q.labelSelector !== undefined && { labelSelector: q.labelSelector }),
    ...(q.fieldSelector !== undefined && { fieldSelector: q.fieldSelector }),
  };
}

export function toPage<T>(list: { items: T[]; metadata?: V1ListMeta }): ListPage<T> {
  const next = list.metadata?._continue;
  const remaining = list.metadata?.remainingItemCount;
  return { items: list.items, ...(next !== undefined && next !== '' && { continueToken: next }), ...(remaining !== undefined && { remaining }) };
}
