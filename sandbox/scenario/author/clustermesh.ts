// ClusterMesh scenarios: this cluster ("cluster1", id 1) meshed with others through clustermesh-apiserver. node-2's
// agent answers `cilium-dbg status --verbose` with a ClusterMesh section and `cilium-dbg node list` with the nodes of
// every cluster; the clustermesh-apiserver Deployment, its pod (apiserver + etcd containers), logs and Service are
// in kube-system. Each story's lines and status text cite their thread (cilium-logs-clustermesh.ts and below).
import { agentStatusInputs, agentStatusText } from '../../kube/agent-status-text.ts';
import { deployment } from '../build-apps.ts';
import { workloadPod } from '../build-pods.ts';
import { healthyAgentLog } from '../cilium-logs.ts';
import { APISERVER_ETCD_START, ETCD_CLIENT_WRONG_SAN, ETCD_REJECTED_BAD_CERT, quorumReconnect, remoteConnected } from '../cilium-logs-clustermesh.ts';
import { uidFor } from '../ids.ts';
import type { ContainerLog, ExecResult, KubeObject } from '../schema.ts';
import { agentName, BROKEN, buildCluster, clusterYaml, logContext, nodeIP, text, type ClusterSpec } from './broken-cluster.ts';
import { DEBIAN_12 } from './healthy.ts';
import { find } from './mutate.ts';

const NS = 'kube-system';
const VERSION = '1.16.3';
const MESH_CONFIG = { 'cluster-name': 'cluster1', 'cluster-id': '1', 'cluster-pool-ipv4-cidr': '10.1.0.0/16' };

type Json = Record<string, unknown>;

const APISERVER_POD = 'clustermesh-apiserver-6d9f7c8b5-x7k2p';

/** How remote agents reach the clustermesh-apiserver (cilium docs clustermesh setup). */
interface ApiserverService { type: 'NodePort' | 'LoadBalancer'; nodePort?: number; ingress?: string }

/** The Helm chart's clustermesh-apiserver: Deployment, one pod (apiserver + etcd), and its Service. */
function apiserverObjects(service: ApiserverService, etcdRestarts = 0): KubeObject[] {
  const labels = { 'k8s-app': 'clustermesh-apiserver', 'app.kubernetes.io/name': 'clustermesh-apiserver', 'app.kubernetes.io/part-of': 'cilium' };
  const image = `quay.io/cilium/clustermesh-apiserver:v${VERSION}`;
  const d = deployment({ name: 'clustermesh-apiserver', namespace: NS, labels, container: 'apiserver', image, replicas: 1 });
  const pod = workloadPod({ name: APISERVER_POD, node: 'node-1', nodeIP: nodeIP(1), namespace: NS, app: 'clustermesh-apiserver', labels, owner: { kind: 'ReplicaSet', name: 'clustermesh-apiserver-6d9f7c8b5' }, state: 'running', podIP: '10.1.1.40', image });
  // The chart's pod runs etcd beside the apiserver (the troubleshooting guide's `-c etcd` / `-c apiserver`).
  const spec = pod['spec'] as Json;
  spec['containers'] = [{ name: 'etcd', image, ports: [{ containerPort: 2379, protocol: 'TCP' }] }, { name: 'apiserver', image }];
  const status = pod['status'] as Json;
  const started = '2026-11-20T09:15:00Z';
  status['containerStatuses'] = ['etcd', 'apiserver'].map((name) => ({
    name, ready: true, started: true, restartCount: name === 'etcd' ? etcdRestarts : 0, image, imageID: `${image}@sha256:${uidFor(`img:${name}`).replace(/-/g, '')}`,
    containerID: `containerd://${uidFor(`container:${name}`).replace(/-/g, '')}`, state: { running: { startedAt: started } }, lastState: {},
  }));
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'clustermesh-apiserver', namespace: NS, uid: uidFor('service:kube-system/clustermesh-apiserver'), creationTimestamp: '2026-11-01T08:05:00Z', labels },
    spec: { type: service.type, clusterIP: '10.100.41.7', clusterIPs: ['10.100.41.7'], selector: labels, ports: [{ port: 2379, protocol: 'TCP', targetPort: 2379, ...(service.nodePort === undefined ? {} : { nodePort: service.nodePort }) }] },
    status: { loadBalancer: service.ingress === undefined ? {} : { ingress: [{ ip: service.ingress }] } },
  };
  return [d, pod, svc];
}

/** The agent's status text with the ClusterMesh section where FormatStatusResponse prints it (after IPAM). */
function statusWithMesh(objects: readonly KubeObject[], mesh: string[]): string {
  const pod = find(objects, 'Pod', agentName(BROKEN));
  const node = find(objects, 'Node', BROKEN);
  const cm = find(objects, 'ConfigMap', 'cilium-config');
  const base = agentStatusText(agentStatusInputs(pod, node, (cm['data'] ?? {}) as Record<string, string>));
  return base.replace(/^IPv4 BIG TCP:/m, `${mesh.join('\n')}\nIPv4 BIG TCP:`);
}

function agentExec(command: string, stdout: string): ExecResult {
  return { namespace: NS, pod: agentName(BROKEN), container: 'cilium-agent', command, stdout, stderr: '', exitCode: 0 };
}

/** `cilium-dbg node list` in the layout of cilium/cilium PR #29196 (Name, IPv4, Endpoint CIDR, IPv6, Endpoint CIDR, Source). */
function nodeList(rows: readonly (readonly [string, string, string, string])[]): string {
  const line = (c: readonly string[]): string => `${(c[0] ?? '').padEnd(30)} ${(c[1] ?? '').padEnd(14)} ${(c[2] ?? '').padEnd(15)} ${''.padEnd(14)} ${''.padEnd(15)} ${c[3] ?? ''}`.trimEnd();
  return `${['Name', 'IPv4 Address', 'Endpoint CIDR', 'IPv6 Address', 'Endpoint CIDR', 'Source'].map((h, i) => h.padEnd([30, 14, 15, 14, 15, 0][i] ?? 0)).join(' ').trimEnd()}\n${rows.map(line).join('\n')}\n`;
}

function localRows(nodes: number): [string, string, string, string][] {
  return Array.from({ length: nodes }, (_, i) => [`cluster1/node-${i + 1}`, nodeIP(i + 1), `10.1.${i + 1}.0/24`, `node-${i + 1}` === BROKEN ? 'local' : 'custom-resource']);
}

/** A ClusterMesh story: what differs between the scenarios; the cluster, its apiserver pod and logs are common. */
interface MeshStory {
  name: string;
  description: string;
  header: string[];
  expectFindings: string[];
  /** The ClusterMesh section of node-2's `cilium-dbg status --verbose`. */
  status: string[];
  /** node-2's `cilium-dbg node list`; absent: the exec has no answer. */
  nodeList?: string;
  service: ApiserverService;
  /** The clustermesh-apiserver pod's etcd container log, for stories where etcd speaks; its apiserver log is always the start. */
  etcdLines?: readonly string[];
  /** Appended to node-2's healthy agent log. */
  agentLines: string[];
}

/** The clustermesh-apiserver pod's container logs: etcd's when given, then the apiserver starting against it. */
function apiserverLogs(etcdLines: readonly string[] | undefined): ContainerLog[] {
  const log = (container: string, lines: readonly string[]): ContainerLog => ({ namespace: NS, pod: APISERVER_POD, container, current: text([...lines]) });
  return [...(etcdLines === undefined ? [] : [log('etcd', etcdLines)]), log('apiserver', APISERVER_ETCD_START)];
}

/** Builds cluster1 (3 Debian 12 nodes, KPR) with the clustermesh-apiserver and node-2's mesh status, node list and log. */
function meshCluster(story: MeshStory): string {
  const spec: ClusterSpec = {
    name: story.name, description: story.description, header: story.header,
    version: VERSION, nodes: 3, os: DEBIAN_12, config: MESH_CONFIG, kpr: true, broken: { state: 'running' },
    expectFindings: story.expectFindings,
    extraObjects: apiserverObjects(story.service),
  };
  const built = buildCluster(spec);
  const ctx = logContext(spec);
  const agentLog = built.logs.find((l) => l.pod === agentName(BROKEN));
  if (agentLog !== undefined) agentLog.current = text([...healthyAgentLog(ctx).trimEnd().split('\n'), ...story.agentLines]);
  built.logs.push(...apiserverLogs(story.etcdLines));
  built.exec.push(agentExec('cilium-dbg status --verbose', statusWithMesh(built.objects, story.status)));
  if (story.nodeList !== undefined) built.exec.push(agentExec('cilium-dbg node list', story.nodeList));
  return clusterYaml(spec, built);
}

/** A remote cluster connected and in sync, as `cilium-dbg status --verbose` prints it (PR #26788 and the docs guide). */
function readyRemote(cluster: string, id: number, counts: { nodes: number; endpoints: number; identities: number; services: number }): string[] {
  return [
    `   ${cluster}: ready, ${counts.nodes} nodes, ${counts.endpoints} endpoints, ${counts.identities} identities, ${counts.services} services, 0 failures (last: never)`,
    `   └  etcd: 1/1 connected, leases=0, lock lease-ID=7c028201b53de662, has-quorum=true: https://${cluster}.mesh.cilium.io:2379 - 3.5.4 (Leader)`,
    `   └  remote configuration: expected=true, retrieved=true, cluster-id=${id}, kvstoremesh=false, sync-canaries=true`,
    '   └  synchronization status: nodes=true, endpoints=true, identities=true, services=true',
  ];
}

export function clustermeshTlsYaml(): string {
  return meshCluster({
    name: 'clustermesh-tls',
    description: 'Cilium 1.16.3 meshed with cluster2 through NodePort clustermesh-apiservers, each cluster with its own certificates. node-2\'s agent never connects to cluster2: its etcd client fails the TLS handshake ("x509: certificate is valid for 127.0.0.1, ::1, 192.168.58.109, …, not 192.168.186.121") and the local clustermesh-apiserver\'s etcd rejects cluster2\'s agents with "remote error: tls: bad certificate". cilium-dbg status shows cluster2 not-ready, waiting for the initial connection; the three global services lose their cluster2 backends.',
    header: [
      'Certificate trust failure between meshed clusters: agent etcd-client lines and the clustermesh-apiserver etcd lines verbatim from cilium/cilium#22872 (https://github.com/cilium/cilium/issues/22872).',
      'ClusterMesh status lines: layout of pkg/client/client.go and cilium/cilium#20729 (https://github.com/cilium/cilium/issues/20729: "not-ready …", "└  Waiting for initial connection to be established"); counts ours.',
      'apiserver container lines verbatim from the docs troubleshooting guide (Documentation/operations/troubleshooting_clustermesh.rst). No Secret is in the scenario: the bot never reads them.',
    ],
    expectFindings: ['clustermesh-tls'],
    status: [
      'ClusterMesh:            0/1 clusters ready, 3 global-services',
      '   cluster2: not-ready, 0 nodes, 0 endpoints, 0 identities, 0 services, 1 failures (last: 2m52s ago)',
      '   └  Waiting for initial connection to be established',
      '   └  remote configuration: expected=unknown, retrieved=unknown',
    ],
    service: { type: 'NodePort', nodePort: 32379 },
    etcdLines: ETCD_REJECTED_BAD_CERT,
    agentLines: [...ETCD_CLIENT_WRONG_SAN],
  });
}

export function clustermeshPodCidrOverlapYaml(): string {
  return meshCluster({
    name: 'clustermesh-pod-cidr-overlap',
    description: 'Cilium 1.16.3, cluster1 (pool 10.1.0.0/16) meshed with cluster2, which was installed from the same values file and hands out pod IPs from the same 10.1.0.0/16. The mesh connects (1/1 clusters ready) but `cilium-dbg node list` on node-2 shows cluster2\'s nodes with endpoint CIDRs 10.1.1.0/24 and 10.1.2.0/24, the very ranges of cluster1\'s node-1 and node-2: a pod IP names two pods and cross-cluster traffic is misrouted.',
    header: [
      'The docs rule (Documentation/network/clustermesh/clustermesh.rst, "Cluster Addressing Requirements"): "PodCIDR ranges in all clusters and all nodes must be non-conflicting and unique IP addresses."',
      'cilium-dbg node list layout from cilium/cilium PR #29196 (https://github.com/cilium/cilium/pull/29196); the overlapping ranges are ours.',
      'ClusterMesh status (ready cluster, verbose form): PR #26788 (https://github.com/cilium/cilium/pull/26788) and the docs troubleshooting guide; agent line "Connection to remote cluster established" from cilium/cilium#33673.',
    ],
    expectFindings: ['clustermesh-pod-cidr-overlap'],
    status: [
      'ClusterMesh:            1/1 clusters ready, 2 global-services',
      ...readyRemote('cluster2', 2, { nodes: 2, endpoints: 14, identities: 9, services: 2 }),
    ],
    nodeList: nodeList([...localRows(3), ['cluster2/ip-10-2-0-237', '10.2.0.237', '10.1.1.0/24', 'kvstore'], ['cluster2/ip-10-2-1-31', '10.2.1.31', '10.1.2.0/24', 'kvstore']]),
    service: { type: 'LoadBalancer', ingress: '10.20.0.240' },
    agentLines: [remoteConnected('cluster2', '7e2aa5c77baae76b')],
  });
}

export function clustermeshKvstoreYaml(): string {
  return meshCluster({
    name: 'clustermesh-kvstore',
    description: 'Cilium 1.16.3, cluster1 meshed with cluster2 and cluster3. After an etcd upgrade in cluster2, node-2\'s agent reports cluster2 not-ready: "quorum check failed 39 times in a row: 18m21.655367018s since last heartbeat update has been received", and its watchdog keeps reconnecting. cluster3 is fine; the global services lose their cluster2 backends from node-2.',
    header: [
      'Quorum failure status verbatim from cilium/cilium#30797 (https://github.com/cilium/cilium/issues/30797), cluster renamed from the redacted REDACT-01-use1 to cluster2, counts kept.',
      'The watchdog warning: pkg/clustermesh/common/remote_cluster.go with the #30797 error text; the ready cluster3 lines from PR #26788 and the docs guide.',
    ],
    expectFindings: ['clustermesh-kvstore'],
    status: [
      'ClusterMesh:            1/2 clusters ready, 13292 global-services',
      '   cluster2: not-ready, 41 nodes, 3997 endpoints, 0 identities, 4187 services, 4 failures (last: 18m31s ago)',
      '   └  quorum check failed 39 times in a row: 18m21.655367018s since last heartbeat update has been received',
      '   └  remote configuration: expected=false, retrieved=false',
      '   └  synchronization status: nodes=false, endpoints=false, identities=false, services=false',
      ...readyRemote('cluster3', 3, { nodes: 3, endpoints: 25, identities: 8, services: 10 }),
    ],
    nodeList: nodeList([...localRows(3), ['cluster3/ip-10-3-0-12', '10.3.0.12', '10.3.0.0/24', 'kvstore']]),
    service: { type: 'LoadBalancer', ingress: '10.20.0.240' },
    agentLines: [remoteConnected('cluster3', '5d1c0b9e2a7f4c31'), quorumReconnect('cluster2', 3, '1m30.41s')],
  });
}
