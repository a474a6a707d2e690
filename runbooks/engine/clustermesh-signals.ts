// What the clustermesh runbooks read, in one place: the ClusterMesh status section, the node list, the local
// cluster's name and id, the agent's ClusterMesh/kvstore log lines and the clustermesh-apiserver's own logs, and the
// blast radius (global services and remote endpoints). Log texts the runbooks key on, each from Cilium's source or a
// real thread:
// - `Unable to establish etcd connection to remote cluster`, `Error observed on etcd connection, reconnecting etcd`,
//   `Connection to remote cluster failed`, `Unable to get remote cluster configuration` (warnings of
//   pkg/clustermesh/common/remote_cluster.go; logrus form `… clusterName=cluster3 … subsys=clustermesh` in #33673).
// - the etcd client's own lines inside the agent (`"logger":"etcd-client"`, `retrying of unary invoker failed`) that
//   carry the TLS error: `x509: certificate is valid for …, not …` verbatim in cilium/cilium#22872.
// - `clusterID %d is reserved`, `clusterID %d is assigned to the local cluster`, `clusterID %d is already used`
//   (pkg/clustermesh/common idsmgr), `ClusterID %d is reserved` (pkg/clustermesh/types ValidateClusterID),
//   `duplicated cluster id` (types.CiliumClusterConfig.IsCompatible before 1.14).
// - the quorum check of pkg/kvstore (`quorum check failed N times in a row`, docs troubleshooting "etcd (kvstore)").
import type { BlastRadius, EvidenceQuote } from './contract.ts';
import type { Evidence, FactKey, MeshLog } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import { agentStatusOf, agentStatusSource } from './agent-status.ts';
import { findAgentLines, quoteLogLine, type LogQuery, type SourcedLine } from './agent-logs.ts';
import { findLogLines, type LogLine } from './log-parser.ts';
import { parseClusterMeshStatus, parseNodeList, type ClusterMeshStatus, type MeshNode } from './clustermesh-status.ts';

const MESH_SUBSYS = /^(?:clustermesh|kvstore|kvstoremesh)\b/;

/** A line from ClusterMesh, the kvstore or the etcd client the agent embeds, never the Kubernetes client. */
export function isMeshOrKvstoreLine(l: LogLine): boolean {
  if (l.subsys !== null && MESH_SUBSYS.test(l.subsys)) return true;
  if (l.fields['logger'] === 'etcd-client' || l.fields['clusterName'] !== undefined) return true;
  return (l.fields['target'] ?? '').startsWith('etcd-endpoints://');
}

export type TlsProblem = 'unknown-authority' | 'expired' | 'wrong-san' | 'rejected';

/** Go crypto/x509 and crypto/tls texts, as etcd's gRPC client wraps them (#22872, #21074). */
export const TLS_PATTERNS: readonly (readonly [TlsProblem, RegExp])[] = [
  ['unknown-authority', /x509: certificate signed by unknown authority/],
  ['expired', /x509: certificate has expired or is not yet valid/],
  ['wrong-san', /x509: certificate is valid for /],
  ['rejected', /remote error: tls: (?:bad certificate|unknown certificate authority|certificate required)/],
];

const TLS_LINES: LogQuery = { text: TLS_PATTERNS.map(([, re]) => re), where: isMeshOrKvstoreLine };
const REMOTE_FAIL_LINES: LogQuery = {
  text: [/Unable to establish etcd connection to remote cluster|Error observed on etcd connection, reconnecting etcd|Connection to remote cluster failed|Unable to get remote cluster configuration/],
};
/** Cluster id rules of pkg/clustermesh (reserved 0, the local id, one already used by another remote cluster). */
export const CLUSTER_ID_PATTERN = /cluster ?ID \d+ is (?:reserved|assigned to the local cluster|already used)|duplicated cluster id/i;
const CLUSTER_ID_LINES: LogQuery = { text: [CLUSTER_ID_PATTERN] };
/** etcd errors (go.etcd.io/etcd api/v3rpc/rpctypes) and the kvstore's quorum check, on kvstore/mesh lines only. */
export const KVSTORE_PATTERN = /etcdserver: (?:request timed out|no leader|leader changed|too many requests|unhealthy cluster)|quorum check failed|context deadline exceeded|connection refused/;
const KVSTORE_LINES: LogQuery = { text: [KVSTORE_PATTERN], where: isMeshOrKvstoreLine };

export interface MeshSignals {
  status: ClusterMeshStatus | null;
  statusSource: string;
  nodes: MeshNode[] | null;
  localName: string | null;
  localId: string | null;
  tls: SourcedLine[];
  remoteFailures: SourcedLine[];
  clusterIdLines: SourcedLine[];
  kvstoreLines: SourcedLine[];
}

const cache = new WeakMap<Evidence, MeshSignals>();

export function meshSignals(e: Evidence): MeshSignals {
  const known = cache.get(e);
  if (known !== undefined) return known;
  const status = e.agentStatus.ok ? parseClusterMeshStatus(e.agentStatus.value.text) : null;
  const nodeList = e.clustermesh.ok ? e.clustermesh.value.nodeList : null;
  const cfg = e.ciliumConfig.ok ? e.ciliumConfig.value : null;
  const s: MeshSignals = {
    status,
    statusSource: agentStatusSource(e),
    nodes: nodeList === null ? null : parseNodeList(nodeList.text),
    localName: cfg?.['cluster-name']?.trim() ?? null,
    localId: cfg?.['cluster-id']?.trim() ?? null,
    tls: findAgentLines(e, TLS_LINES, 6),
    remoteFailures: findAgentLines(e, REMOTE_FAIL_LINES, 6),
    clusterIdLines: findAgentLines(e, CLUSTER_ID_LINES, 4),
    kvstoreLines: findAgentLines(e, KVSTORE_LINES, 6),
  };
  cache.set(e, s);
  return s;
}

/**
 * ClusterMesh is in use on this agent: remote clusters in its status, mesh lines in its log, or a clustermesh-apiserver
 * deployed. Null when none of these could be read.
 */
export function meshInUse(e: Evidence): boolean | null {
  const s = meshSignals(e);
  if ((s.status?.total ?? 0) > 0 || s.remoteFailures.length > 0 || s.tls.length > 0 || s.clusterIdLines.length > 0) return true;
  if (e.clustermesh.ok && e.clustermesh.value.apiserver !== null) return true;
  // A mesh needs a cluster id 1-255 in every cluster (docs troubleshooting_clustermesh.rst): 0 or none means no mesh.
  if (s.localId !== null ? /^0*$/.test(s.localId) : e.ciliumConfig.ok) return false;
  const statusRead = agentStatusOf(e) !== null;
  return statusRead || e.clustermesh.ok ? false : null;
}

/** A runbook's needs: nothing where ClusterMesh is known not to be in use, else the facts it reads. */
export function meshNeeds(facts: readonly FactKey[]): (e: Evidence) => readonly FactKey[] {
  return (e) => (meshInUse(e) === false ? [] : facts);
}

/** The lines of the first clustermesh-apiserver log (apiserver, etcd, kvstoremesh) whose text passes `test`. */
export function apiserverLogLines(e: Evidence, test: (text: string) => boolean, limit = 3): { log: MeshLog; line: LogLine }[] {
  if (!e.clustermesh.ok || e.clustermesh.value.apiserver === null) return [];
  const out: { log: MeshLog; line: LogLine }[] = [];
  for (const log of e.clustermesh.value.apiserver.logs) {
    for (const line of findLogLines(log.text, (l) => test(l.raw), limit - out.length)) out.push({ log, line });
    if (out.length >= limit) break;
  }
  return out;
}

export function quoteApiserverLine(x: { log: MeshLog; line: LogLine }): EvidenceQuote {
  return { kind: 'log', text: x.line.raw, source: `clustermesh-apiserver pod ${x.log.pod}, container ${x.log.container}, line ${x.line.lineNumber}${x.log.truncated ? ' of the tail' : ''}`, lineNumber: x.line.lineNumber };
}

export function quoteAgentLines(lines: readonly SourcedLine[], n = 3): EvidenceQuote[] {
  return lines.slice(0, n).map((l) => quoteLogLine(l.source, l.line));
}

/**
 * A long etcd-client line quoted around its TLS error (the x509 text sits at the end of a 600-character JSON line,
 * past what a quote keeps): the excerpt is verbatim, its cuts marked with "…".
 */
export function quoteTlsLines(lines: readonly SourcedLine[], n = 3): EvidenceQuote[] {
  return lines.slice(0, n).map((l) => {
    const q = quoteLogLine(l.source, l.line);
    const raw = l.line.raw;
    const at = raw.search(/x509:|remote error: tls:/);
    if (raw.length <= 400 || at < 0) return q;
    const start = Math.max(0, at - 160);
    const end = Math.min(raw.length, at + 220);
    return { ...q, text: `${start > 0 ? '…' : ''}${raw.slice(start, end)}${end < raw.length ? '…' : ''}` };
  });
}

/** The not-ready clusters' status lines, quoted as the agent printed them. */
export function quoteNotReady(e: Evidence, filter?: (name: string) => boolean): EvidenceQuote[] {
  const s = meshSignals(e);
  if (s.status === null) return [];
  const out: EvidenceQuote[] = [{ kind: 'fact', text: s.status.header, source: s.statusSource }];
  for (const c of s.status.clusters.filter((x) => !x.ready && (filter?.(x.name) ?? true)).slice(0, 3)) out.push({ kind: 'fact', text: c.lines.join('\n'), source: s.statusSource });
  return out;
}

/**
 * The node's blast radius plus what ClusterMesh loses: global services (`service.cilium.io/global: "true"`) lose
 * the backends of the clusters not ready, and pods here cannot reach endpoints there (remote identities and ipcache
 * entries stop updating). Counts are the agent's own (status header and cluster lines).
 */
export function meshBlastRadius(e: Evidence, clusters: readonly string[]): BlastRadius {
  const br = computeBlastRadius(e);
  const s = meshSignals(e);
  const notReady = s.status?.clusters.filter((c) => !c.ready && (clusters.length === 0 || clusters.includes(c.name))) ?? [];
  const names = clusters.length > 0 ? clusters : notReady.map((c) => c.name);
  const where = names.length > 0 ? `remote cluster${names.length > 1 ? 's' : ''} ${names.join(', ')}` : 'the remote clusters';
  if (s.status !== null && s.status.globalServices > 0) {
    br.sentences.unshift(`${s.status.globalServices} global service(s) (annotation service.cilium.io/global: "true") on this agent lose their backends in ${where}; requests only reach local backends, or fail where there are none.`);
  } else if (s.status !== null) {
    br.sentences.unshift('The agent reports no global service (service.cilium.io/global: "true"), so no Service load-balances across clusters here.');
  }
  const remoteNodes = notReady.reduce((n, c) => n + c.nodes, 0);
  br.sentences.unshift(`Pods on ${e.nodeName} cannot reach endpoints in ${where}${remoteNodes > 0 ? ` (${remoteNodes} remote node(s) last known)` : ''}; policies that select remote identities stop updating.`);
  return br;
}
