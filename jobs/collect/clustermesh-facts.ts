// The ClusterMesh fact: the clustermesh-apiserver Deployment in Cilium's namespace (Helm labels it
// k8s-app=clustermesh-apiserver), its pods, a bounded tail of its apiserver/etcd/kvstoremesh containers' current
// logs, its Service (type, ports, LoadBalancer ingress), and, only when the agent reports remote clusters,
// `cilium-dbg node list` inside the node's agent (remote nodes with their pod CIDRs). Secrets are never read: the
// ClusterMesh certificates live there, and what is wrong with them shows in the log lines and the status text.
import type { V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import type { AgentStatus, ClusterMesh, ClusterMeshApiserver, Fact, MeshContainer, MeshLog, MeshPod, MeshService } from '../../runbooks/engine/evidence.ts';
import { ciliumVersionFromImage } from '../../runbooks/engine/cilium-version.ts';
import { parseClusterMeshStatus } from '../../runbooks/engine/clustermesh-status.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { ok } from './fact-outcome.ts';
import { perm, type Guard } from './agent-reads.ts';

export const CLUSTERMESH_APISERVER_SELECTOR = 'k8s-app=clustermesh-apiserver';
const APISERVER = 'clustermesh-apiserver';
/** The containers of the Helm chart's clustermesh-apiserver pod whose logs say something about the mesh. */
const LOGGED_CONTAINERS = ['apiserver', 'etcd', 'kvstoremesh'] as const;
/** A tail is enough: these containers repeat their errors (rejected connections, reconnects). */
const MAX_TAIL_LINES = 200;
const MAX_LOG_BYTES = 256 * 1024;

export interface ClusterMeshReadOptions { tailLines: number; limitBytes: number }

export interface AgentRef { pod: V1Pod; container: string; cli: 'cilium' | 'cilium-dbg' }

function containerState(pod: V1Pod, name: string): MeshContainer {
  const s = pod.status?.containerStatuses?.find((c) => c.name === name);
  const state = s?.state?.running !== undefined ? 'running' : s?.state?.waiting !== undefined ? 'waiting' : s?.state?.terminated !== undefined ? 'terminated' : 'unknown';
  const reason = s?.state?.waiting?.reason ?? s?.state?.terminated?.reason;
  return { name, state, ...(reason !== undefined && { reason }), ready: s?.ready === true, restartCount: s?.restartCount ?? 0 };
}

function toMeshPod(pod: V1Pod): MeshPod {
  return { name: pod.metadata?.name ?? '', phase: pod.status?.phase ?? 'Unknown', nodeName: pod.spec?.nodeName ?? null, containers: (pod.spec?.containers ?? []).map((c) => containerState(pod, c.name)) };
}

export function toMeshService(svc: V1Service): MeshService {
  return {
    name: svc.metadata?.name ?? '',
    type: svc.spec?.type ?? 'ClusterIP',
    ports: (svc.spec?.ports ?? []).map((p) => ({ port: p.port, ...(p.nodePort !== undefined && { nodePort: p.nodePort }) })),
    ingress: (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== ''),
  };
}

/** The pod whose logs are read: a not-ready one first (its logs hold the failure), else the first. */
function podToRead(pods: readonly V1Pod[]): V1Pod | undefined {
  return pods.find((p) => p.status?.containerStatuses?.some((c) => !c.ready) === true) ?? pods[0];
}

async function readApiserver(reader: ClusterReader, ns: string, d: V1Deployment, services: V1Service[] | null, opts: ClusterMeshReadOptions, guard: Guard): Promise<Fact<ClusterMeshApiserver>> {
  const pods = await guard(`list ${APISERVER} pods`, [perm('list', 'pods', ns)], () => reader.listPods({ namespace: ns, labelSelector: CLUSTERMESH_APISERVER_SELECTOR }));
  if (!pods.ok) return pods;
  const first = podToRead(pods.value);
  const logs: MeshLog[] = [];
  const tailLines = Math.min(opts.tailLines, MAX_TAIL_LINES);
  const limitBytes = Math.min(opts.limitBytes, MAX_LOG_BYTES);
  for (const container of LOGGED_CONTAINERS) {
    if (first === undefined || !(first.spec?.containers ?? []).some((c) => c.name === container)) continue;
    const name = first.metadata?.name ?? '';
    const text = await guard(`get pods/log (${APISERVER} ${container})`, [perm('get', 'pods/log', ns)], () => reader.readPodLog({ namespace: ns, pod: name, container, previous: false, tailLines, limitBytes }));
    // A container without a log yet (waiting) costs its log only, never the fact.
    if (text.ok) logs.push({ pod: name, container, text: text.value, truncated: text.value.split('\n').length > tailLines || Buffer.byteLength(text.value) >= limitBytes });
  }
  const image = d.spec?.template.spec?.containers.find((c) => c.name === 'apiserver')?.image ?? d.spec?.template.spec?.containers[0]?.image ?? null;
  const svc = services?.find((s) => s.metadata?.namespace === ns && s.metadata.name === APISERVER);
  return ok({
    namespace: ns,
    deployment: d.metadata?.name ?? APISERVER,
    image,
    version: image === null ? null : ciliumVersionFromImage(image),
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
    pods: pods.value.map(toMeshPod),
    service: svc === undefined ? null : toMeshService(svc),
    logs,
  });
}

/** The argv of `node list` for this agent's CLI name. */
export function nodeListCommand(cli: 'cilium' | 'cilium-dbg'): string[] {
  return [cli, 'node', 'list'];
}

/** The clustermesh-apiserver part: it needs only the namespace and the Services, so it runs beside the agent reads. */
export interface ClusterMeshApiserverRead {
  apiserver: ClusterMesh['apiserver'];
  apiserverUnread?: string;
}

export async function readClusterMeshApiserver(
  reader: ClusterReader, ns: string, services: Fact<V1Service[]>, opts: ClusterMeshReadOptions, guard: Guard,
): Promise<ClusterMeshApiserverRead> {
  const deployments = await guard(`list ${APISERVER} deployments`, [perm('list', 'deployments', ns, 'apps')], () => reader.listDeployments(ns, CLUSTERMESH_APISERVER_SELECTOR));
  const d = deployments.ok ? deployments.value.find((x) => x.metadata?.name === APISERVER) ?? deployments.value[0] : undefined;
  const read = d === undefined ? ok(null) : await readApiserver(reader, ns, d, services.ok ? services.value : null, opts, guard);
  // An unreadable apiserver costs that part only: the node list still says what the agent sees of the mesh.
  const unread = !deployments.ok ? deployments : !read.ok ? read : null;
  return { apiserver: read.ok ? read.value : null, ...(unread !== null && { apiserverUnread: `${unread.reason}: ${unread.detail}${unread.fix === undefined ? '' : ` (${unread.fix})`}` }) };
}

/** The ClusterMesh fact: the apiserver part (read beforehand) and, when the agent reports remote clusters, its node list. */
export async function collectClusterMesh(
  reader: ClusterReader, base: ClusterMeshApiserverRead, agent: AgentRef | null, status: Fact<AgentStatus>, guard: Guard,
): Promise<Fact<ClusterMesh>> {
  const remotes = status.ok ? parseClusterMeshStatus(status.value.text)?.total ?? 0 : 0;
  // Exec only where it can tell something: the agent runs (its status was read) and it has remote clusters.
  if (!status.ok || remotes === 0 || agent === null) {
    const note = !status.ok ? `not read: cilium-dbg status was not read (${status.detail})` : 'not read: the agent reports no remote cluster';
    return ok({ ...base, nodeList: null, nodeListNote: note });
  }
  const argv = nodeListCommand(agent.cli);
  const namespace = agent.pod.metadata?.namespace ?? '';
  const res = await guard(`exec ${argv.join(' ')}`, [perm('create', 'pods/exec', namespace), perm('get', 'pods/exec', namespace)], () =>
    reader.exec({ namespace, pod: agent.pod.metadata?.name ?? '', container: agent.container, command: argv, maxBytes: 4 * 1024 * 1024 }));
  if (!res.ok || res.value.exitCode !== 0) {
    const why = !res.ok ? res.detail : `exit ${res.value.exitCode}: ${res.value.stderr.trim().slice(0, 200)}`;
    return ok({ ...base, nodeList: null, nodeListNote: `not read: ${argv.join(' ')} failed (${why})` });
  }
  return ok({ ...base, nodeList: { text: res.value.stdout, source: 'agent-exec' } });
}
