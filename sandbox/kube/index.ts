// The Kubernetes API emulator: start it from a Scenario, point kubectl / client-node at its kubeconfig.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecResult, KubeObject, Scenario } from '../scenario/schema.ts';
import type { EmulatorState } from './api-types.ts';
import { ExecResults } from './exec-results.ts';
import { FaultInjector, type FaultSpec } from './faults.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { LogStore, type ContainerLogText } from './logs.ts';
import { RbacAuthorizer } from './rbac.ts';
import { RequestLog, type RequestLogEntry, type RequestLogFilter } from './request-log.ts';
import { ResourceRegistry } from './resources.ts';
import { KubeHttpServer } from './server.ts';
import { ObjectStore } from './store.ts';
import { generateServerTls } from './tls.ts';
import { ADMIN_USERNAME, UserDirectory } from './users.ts';

export { ADMIN_GROUPS, ADMIN_USERNAME } from './users.ts';
export type { FaultSpec } from './faults.ts';
export type { RequestLogEntry, RequestLogFilter } from './request-log.ts';

export interface KubeEmulatorOptions {
  scenario: Scenario;
  /** Default: 'rbac' when the scenario has Roles/ClusterRoles and bindings, else 'allow-all'. */
  authorization?: 'rbac' | 'allow-all';
  /** Where kubeconfigs are written (default: a fresh temp dir, removed on stop). */
  kubeconfigDir?: string;
  /** Added to every request. */
  latencyMs?: number;
  /** How often an open watch with allowWatchBookmarks=true gets a BOOKMARK (default 60 s, the apiserver's). */
  bookmarkIntervalMs?: number;
}

export interface KubeEmulatorStore {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  put(obj: KubeObject): KubeObject;
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** etcd compaction: open watches end with 410 Expired and must relist. */
  compact(): void;
}

export interface KubeEmulator {
  url: string;
  kubeconfigPath: string;
  caPem: string;
  /** The admin bearer token (user `system:admin`, group `system:masters`: always allowed). */
  adminToken: string;
  kubeconfigFor(username: string): string;
  addUser(user: { token: string; username: string; groups?: string[] }): void;
  loadRbac(objects: KubeObject[]): void;
  store: KubeEmulatorStore;
  setLogs(namespace: string, pod: string, container: string, logs: ContainerLogText): void;
  setExec(result: ExecResult): void;
  faults: { add(fault: FaultSpec): void; clear(): void };
  requestLog: { entries(): RequestLogEntry[]; count(filter?: RequestLogFilter): number; clear(): void };
  stop(): Promise<void>;
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function hasRbac(objects: KubeObject[]): boolean {
  const kinds = new Set(objects.filter((o) => o.apiVersion === 'rbac.authorization.k8s.io/v1').map((o) => o.kind));
  return (kinds.has('Role') || kinds.has('ClusterRole')) && (kinds.has('RoleBinding') || kinds.has('ClusterRoleBinding'));
}

/** Namespaces the scenario's objects live in, created when the scenario does not declare them. */
function implicitNamespaces(objects: KubeObject[]): KubeObject[] {
  const declared = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const used = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
  for (const o of objects) if (o.metadata.namespace !== undefined) used.add(o.metadata.namespace);
  return [...used].filter((n) => !declared.has(n)).map((name) => ({
    apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  }));
}

export async function startKubeEmulator(opts: KubeEmulatorOptions): Promise<KubeEmulator> {
  const { scenario } = opts;
  const registry = new ResourceRegistry();
  const store = new ObjectStore(registry);
  const authz = new RbacAuthorizer(store, opts.authorization ?? (hasRbac(scenario.objects) ? 'rbac' : 'allow-all'));
  const state: EmulatorState = { registry, store, logs: new LogStore(), execResults: new ExecResults(), authz, nodeData: scenario.nodeData ?? [],
    ...(opts.bookmarkIntervalMs !== undefined && { bookmarkIntervalMs: opts.bookmarkIntervalMs }) };
  // CRDs first so their custom resources are registered before they are stored.
  const ordered = [...scenario.objects].sort((a, b) => Number(b.kind === 'CustomResourceDefinition') - Number(a.kind === 'CustomResourceDefinition'));
  for (const obj of [...implicitNamespaces(scenario.objects), ...ordered]) store.put(obj);
  for (const log of scenario.logs) {
    state.logs.set(log.namespace, log.pod, log.container, {
      ...(log.current !== undefined ? { current: log.current } : {}),
      ...(log.previous !== undefined ? { previous: log.previous } : {}),
    });
  }
  for (const result of [...scenario.exec].reverse()) state.execResults.add(result);
  const users = new UserDirectory();
  for (const user of scenario.users) users.add(user);

  const tls = await generateServerTls();
  const faults = new FaultInjector();
  const requestLog = new RequestLog();
  const server = new KubeHttpServer({ state, users, faults, requestLog, tls, latencyMs: opts.latencyMs ?? 0 });
  const port = await server.listen();
  const url = `https://127.0.0.1:${port}`;
  const ownDir = opts.kubeconfigDir === undefined;
  const dir = opts.kubeconfigDir ?? mkdtempSync(join(tmpdir(), 'sandbox-kube-'));
  const kubeconfigFor = (username: string): string => {
    const token = users.tokenFor(username);
    if (token === undefined) throw new Error(`no user "${username}" in the emulator; add it with addUser() or the scenario's users`);
    return writeKubeconfig(dir, { server: url, caPem: tls.caPem, userName: username, token, namespace: 'kube-system' });
  };

  return {
    url,
    kubeconfigPath: kubeconfigFor(ADMIN_USERNAME),
    caPem: tls.caPem,
    adminToken: users.adminToken,
    kubeconfigFor,
    addUser: (user) => users.add(user),
    loadRbac: (objects) => {
      for (const obj of objects) if (RBAC_KINDS.has(obj.kind)) store.put(obj);
      authz.mode = 'rbac';
    },
    store: {
      get: (apiVersion, kind, namespace, name) => store.get(apiVersion, kind, namespace, name),
      list: (apiVersion, kind, namespace) => store.list(apiVersion, kind, namespace),
      put: (obj) => store.put(obj),
      delete: (apiVersion, kind, namespace, name) => store.delete(apiVersion, kind, namespace, name),
      compact: () => store.compact(),
    },
    setLogs: (namespace, pod, container, logs) => state.logs.set(namespace, pod, container, logs),
    setExec: (result) => state.execResults.add(result),
    faults: { add: (fault) => faults.add(fault), clear: () => faults.clear() },
    requestLog: { entries: () => requestLog.entries(), count: (filter) => requestLog.count(filter), clear: () => requestLog.clear() },
    stop: async () => {
      await server.stop();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

