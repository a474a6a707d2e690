// ClusterReader over the real @kubernetes/client-node 1.4. Every failure becomes a KubeApiError naming what was
// attempted, so a refused call can be reported with the exact permission to grant.
import {
  ApiextensionsV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  CustomObjectsApi,
  createConfiguration,
  Exec,
  ServerConfiguration,
  type ApiConstructor,
  type ApiType,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
  type KubeConfig,
  type V1Status,
} from '@kubernetes/client-node';
import type { ClusterWriter } from './cluster-writer.ts';
import { pageParams, toPage, type ClusterReader, type ExecQuery, type ExecResult, type ListPage, type LogQuery, type PageQuery, type PodQuery } from './cluster-reader.ts';
import { KubeApiError } from './kube-api-error.ts';
import { attempt, BoundedSink, exitCodeOf, read } from './client-node-support.ts';
import { METADATA_LIST_ACCEPT, streamListPage, type RawListMeta } from './raw-list.ts';

export { loadKubeConfig, type KubeConnectionOptions } from './client-node-support.ts';

export interface ClientNodeClusterOptions {
  /**
   * Awaited before each request is sent and again before its answer is read and parsed (client-node middleware).
   * The bot passes its ack-first gate here, so a worker's API traffic and the parsing of large lists yield to slash
   * commands waiting for their ack. Streamed lists wait before they are sent (their parsing is spread over the
   * chunks as they arrive); exec (WebSocket) does not wait.
   */
  yieldBefore?: () => Promise<void>;
}

/** kubeConfig.makeApiClient, plus a middleware that awaits yieldBefore on the way out and on the way back. */
function makeClient<T extends ApiType>(kubeConfig: KubeConfig, type: ApiConstructor<T>, yieldBefore?: () => Promise<void>): T {
  if (yieldBefore === undefined) return kubeConfig.makeApiClient(type);
  const server = kubeConfig.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('No active cluster!');
  return new type(
    createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [
        {
          pre: async (ctx) => {
            await yieldBefore();
            return ctx;
          },
          post: async (res) => {
            await yieldBefore();
            return res;
          },
        },
      ],
    }),
  );
}

export class ClientNodeCluster implements ClusterReader, ClusterWriter {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly execClient: Exec;
  private readonly discovery: DiscoveryV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly apiext: ApiextensionsV1Api;
  private readonly yieldBefore: (() => Promise<void>) | undefined;

  constructor(
    readonly cluster: string,
    readonly kubeConfig: KubeConfig,
    opts: ClientNodeClusterOptions = {},
  ) {
    const y = opts.yieldBefore;
    this.yieldBefore = y;
    this.core = makeClient(kubeConfig, CoreV1Api, y);
    this.apps = makeClient(kubeConfig, AppsV1Api, y);
    this.custom = makeClient(kubeConfig, CustomObjectsApi, y);
    this.execClient = new Exec(kubeConfig);
    this.discovery = makeClient(kubeConfig, DiscoveryV1Api, y);
    this.authz = makeClient(kubeConfig, AuthorizationV1Api, y);
    this.apiext = makeClient(kubeConfig, ApiextensionsV1Api, y);
  }

  async listServices() {
    return (await read('list services (all namespaces)', () => this.core.listServiceForAllNamespaces())).items;
  }

  async listEndpointSlices() {
    return (await read('list endpointslices (all namespaces)', () => this.discovery.listEndpointSliceForAllNamespaces())).items;
  }

  async canI(verb: string, resource: string, namespace: string, subresource?: string): Promise<boolean> {
    const review = await read('create selfsubjectaccessreviews', () =>
      this.authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb, resource, namespace, ...(subresource !== undefined && { subresource }) } },
        },
      }),
    );
    return review.status?.allowed === true;
  }

  getNode(name: string) {
    return read(`get nodes/${name}`, () => this.core.readNode({ name }));
  }

  async listNodes(labelSelector?: string) {
    const list = await read('list nodes', () => this.core.listNode(labelSelector === undefined ? {} : { labelSelector }));
    return list.items;
  }

  /** Every node's name from a metadata-only list: what name suggestions need, without 5,000 nodes' status. */
  async listNodeNames(): Promise<string[]> {
    const page = await this.streamList('/api/v1/nodes', new URLSearchParams(), 'list nodes (metadata only)', (item) => (item as { metadata?: { name?: unknown } }).metadata?.name, METADATA_LIST_ACCEPT);
    return page.items.filter((n): n is string => typeof n === 'string' && n !== '');
  }

  async listPods(q: PodQuery) {
    const selectors = {
      ...(q.labelSelector !== undefined && { labelSelector: q.labelSelector }),
      ...(q.fieldSelector !== undefined && { fieldSelector: q.fieldSelector }),
    };
    const list =
      q.namespace === undefined
        ? await read('list pods (all namespaces)', () => this.core.listPodForAllNamespaces(selectors))
        : await read(`list pods in ${q.namespace}`, () => this.core.listNamespacedPod({ namespace: q.namespace as string, ...selectors }));
    return list.items;
  }

  readPodLog(q: LogQuery) {
    return read(`get pods/log in ${q.namespace}`, () =>
      this.core.readNamespacedPodLog({
        name: q.pod,
        namespace: q.namespace,
        container: q.container,
        previous: q.previous,
        tailLines: q.tailLines,
        limitBytes: q.limitBytes,
      }),
    );
  }

  async exec(q: ExecQuery): Promise<ExecResult> {
    const what = `create pods/exec in ${q.namespace}`;
    const stdout = new BoundedSink(q.maxBytes);
    const stderr = new BoundedSink(64 * 1024);
    return attempt(
      what,
      () =>
        new Promise<ExecResult>((resolve, reject) => {
          let status: V1Status | undefined;
          this.execClient
            .exec(q.namespace, q.pod, q.container, q.command, stdout, stderr, null, false, (s) => {
              status = s;
            })
            .then((ws) => {
              ws.on('close', () => {
                if (status === undefined) {
                  reject(new KubeApiError(`${what}: the exec stream closed without a status`, undefined, undefined, undefined, what));
                  return;
                }
                if (status.status !== 'Success' && status.reason !== 'NonZeroExitCode') {
                  const code = typeof status.code === 'number' ? status.code : undefined;
                  reject(new KubeApiError(status.message ?? 'exec failed', code, status.reason, undefined, what));
                  return;
                }
                resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode: exitCodeOf(status), truncated: stdout.truncated });
              });
              ws.on('error', (err: Error) => reject(err));
            })
            .catch(reject);
        }),
    );
  }

  async listDaemonSets(namespace: string, labelSelector?: string) {
    const list = await read(`list daemonsets in ${namespace}`, () =>
      this.apps.listNamespacedDaemonSet({ namespace, ...(labelSelector !== undefined && { labelSelector }) }),
    );
    return list.items;
  }

  getDaemonSet(namespace: string, name: string) {
    return read(`get daemonsets/${name} in ${namespace}`, () => this.apps.readNamespacedDaemonSet({ namespace, name }));
  }

  async listDeployments(namespace: string, labelSelector?: string) {
    const list = await read(`list deployments in ${namespace}`, () =>
      this.apps.listNamespacedDeployment({ namespace, ...(labelSelector !== undefined && { labelSelector }) }),
    );
    return list.items;
  }

  getConfigMap(namespace: string, name: string) {
    return read(`get configmaps/${name} in ${namespace}`, () => this.core.readNamespacedConfigMap({ namespace, name }));
  }

  async listEvents(namespace: string | undefined, fieldSelector?: string) {
    const sel = fieldSelector === undefined ? {} : { fieldSelector };
    const list =
      namespace === undefined
        ? await read('list events (all namespaces)', () => this.core.listEventForAllNamespaces(sel))
        : await read(`list events in ${namespace}`, () => this.core.listNamespacedEvent({ namespace, ...sel }));
    return list.items;
  }

  async listCrds(): Promise<unknown[]> {
    const list = await read('list customresourcedefinitions', () => this.apiext.listCustomResourceDefinition());
    // Back to plain JSON: callers validate with zod, as they do for custom objects.
    return list.items.map((crd) => JSON.parse(JSON.stringify(crd)) as unknown);
  }

  getClusterCustomObject(group: string, version: string, plural: string, name: string): Promise<unknown> {
    return read(`get ${plural}.${group}/${name}`, () => this.custom.getClusterCustomObject({ group, version, plural, name }) as Promise<unknown>);
  }

  async listCustomObjects(group: string, version: string, plural: string, namespace?: string): Promise<unknown[]> {
    const list: unknown =
      namespace === undefined
        ? await read(`list ${plural}.${group}`, () => this.custom.listClusterCustomObject({ group, version, plural }))
        : await read(`list ${plural}.${group} in ${namespace}`, () =>
            this.custom.listNamespacedCustomObject({ group, version, plural, namespace }),
          );
    const items = (list as { items?: unknown }).items;
    return Array.isArray(items) ? (items as unknown[]) : [];
  }

  // client-node 1.x sends json-patch unless told otherwise (protocols.md C.5): always set the merge-patch type.
  private static readonly MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

  mergePatchNode(name: string, patch: object, dryRun: boolean) {
    return attempt(`patch nodes/${name}`, () => this.core.patchNode({ name, body: patch, ...(dryRun && { dryRun: 'All' }) }, ClientNodeCluster.MERGE));
  }

  mergePatchConfigMap(namespace: string, name: string, patch: object, dryRun: boolean) {
    return attempt(`patch configmaps/${name} in ${namespace}`, () =>
      this.core.patchNamespacedConfigMap({ namespace, name, body: patch, ...(dryRun && { dryRun: 'All' }) }, ClientNodeCluster.MERGE),
    );
  }

  mergePatchDaemonSet(namespace: string, name: string, patch: object, dryRun: boolean) {
    return attempt(`patch daemonsets/${name} in ${namespace}`, () =>
      this.apps.patchNamespacedDaemonSet({ namespace, name, body: patch, ...(dryRun && { dryRun: 'All' }) }, ClientNodeCluster.MERGE),
    );
  }

  deletePod(namespace: string, name: string, dryRun: boolean, uid?: string) {
    return attempt(`delete pods/${name} in ${namespace}`, () =>
      this.core.deleteNamespacedPod({ namespace, name, ...(dryRun && { dryRun: 'All' }), ...(uid !== undefined && { body: { preconditions: { uid } } }) }),
    );
  }

  async deleteDaemonSet(namespace: string, name: string, dryRun: boolean, uid?: string): Promise<void> {
    await attempt(`delete daemonsets/${name} in ${namespace}`, () =>
      this.apps.deleteNamespacedDaemonSet({ namespace, name, propagationPolicy: 'Background', ...(dryRun && { dryRun: 'All' }), ...(uid !== undefined && { body: { preconditions: { uid } } }) }),
    );
  }

  /**
   * One page of a list at `path`, each item reduced by `summarise` (plain JSON) while the body streams in
   * (raw-list.ts); retried whole on 429/5xx, a failed attempt's summaries dropped. A method here rather than a bare
   * call so that wrappers of the reader (error metrics) see its failures like any other read's.
   */
  streamList<S>(path: string, query: URLSearchParams, attempted: string, summarise: (item: unknown) => S, accept?: string): Promise<RawListMeta & { items: S[] }> {
    return read(attempted, async () => {
      await this.yieldBefore?.();
      const items: S[] = [];
      const meta = await streamListPage(this.kubeConfig, path, query, attempted, (item) => items.push(summarise(item)), accept);
      return { ...meta, items };
    });
  }

  // Paged lists for fleet sweeps (`limit` + `_continue`): no single response holds the whole fleet.
  async listNodesPage(q: PageQuery): Promise<ListPage<V1Node>> {
    return toPage(await read('list nodes', () => this.core.listNode(pageParams(q))));
  }

  async listPodsPage(q: PageQuery): Promise<ListPage<V1Pod>> {
    const ns = q.namespace;
    return toPage(ns === undefined
      ? await read('list pods (all namespaces)', () => this.core.listPodForAllNamespaces(pageParams(q)))
      : await read(`list pods in ${ns}`, () => this.core.listNamespacedPod({ namespace: ns, ...pageParams(q) })));
  }
}
