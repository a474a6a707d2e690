// The ClusterMesh section of `cilium-dbg status [--verbose]` and `cilium-dbg node list`, as text → what the
// clustermesh runbooks read. Pure, never throws.
//
// Status layout (cilium/cilium pkg/client/client.go FormatStatusResponse): a header
// `ClusterMesh:   <ready>/<total> [remote ]clusters ready, <n> global-services`, then for each remote cluster (every
// one with --verbose/--all-clusters, only the not-ready ones otherwise) a line
// `<name>: ready|not-ready, <n> nodes, [<n> endpoints, ]<n> identities, <n> services, <n> failures|reconnections (last: …)`
// and `└` lines: the etcd backend status (or its error, or "Waiting for initial connection to be established" from
// pkg/clustermesh/common/remote_cluster.go), `remote configuration: expected=…, retrieved=…[, cluster-id=N, …]` and
// `synchronization status: …`. Real output: cilium/cilium#20729 (1.12, not-ready), #30797 (quorum check failed),
// PR #26788 (the verbose form), docs operations/troubleshooting_clustermesh.rst (`1/1 remote clusters ready`).
// Node list layout (cilium/cilium PR #29196): `Name  IPv4 Address  Endpoint CIDR  IPv6 Address  Endpoint CIDR  Source`,
// names `<cluster>/<node>`, source `local` or `kvstore` (remote and kvstore nodes) or `custom-resource`.
import { parseAgentStatus } from './agent-status.ts';

export interface RemoteClusterConfig {
  expected: boolean | null;
  retrieved: boolean | null;
  /** The remote cluster's id as it advertised it (only when retrieved). */
  clusterId: number | null;
}

export interface RemoteClusterStatus {
  name: string;
  ready: boolean;
  nodes: number;
  identities: number;
  failures: number;
  /** The etcd backend line: `etcd: 1/1 connected, …`, an error text, or the initial-connection wait. */
  backend: string | null;
  config: RemoteClusterConfig | null;
  /** The lines as printed (for quoting). */
  lines: string[];
}

export interface ClusterMeshStatus {
  ready: number;
  total: number;
  globalServices: number;
  clusters: RemoteClusterStatus[];
  /** The header line as printed. */
  header: string;
}

const HEADER = /^(\d+)\/(\d+) (?:remote )?clusters ready, (\d+) global-services?/;
const CLUSTER = /^([^\s:]+): (ready|not-ready), (\d+) nodes, (?:\d+ endpoints, )?(\d+) identities, \d+ services, (?:\d+ MCS-API service exports, )?(\d+) (?:failures|reconnections) \(last: [^)]*\)/;
const CONFIG = /^remote configuration: expected=(true|false|unknown), retrieved=(true|false|unknown)(?:, cluster-id=(\d+))?/;

/** The ClusterMesh section, or null when the status has no ClusterMesh line (ClusterMesh not enabled on the agent). */
export function parseClusterMeshStatus(statusText: string): ClusterMeshStatus | null {
  const field = parseAgentStatus(statusText).fields['ClusterMesh'];
  if (field === undefined) return null;
  const [first = '', ...rest] = field.split('\n');
  const h = HEADER.exec(first.trim());
  if (h === null) return null;
  const clusters: RemoteClusterStatus[] = [];
  for (const raw of rest) {
    const line = raw.trim();
    const c = CLUSTER.exec(line);
    if (c !== null) {
      clusters.push({ name: c[1] ?? '', ready: c[2] === 'ready', nodes: Number(c[3]), identities: Number(c[4]), failures: Number(c[5]), backend: null, config: null, lines: [line] });
      continue;
    }
    const current = clusters[clusters.length - 1];
    if (current === undefined || !line.startsWith('└')) continue;
    current.lines.push(line);
    const body = line.replace(/^└\s*/, '');
    const cfg = CONFIG.exec(body);
    if (cfg !== null) current.config = { expected: bool(cfg[1]), retrieved: bool(cfg[2]), clusterId: cfg[3] === undefined ? null : Number(cfg[3]) };
    else if (!body.startsWith('synchronization status:') && current.backend === null) current.backend = body;
  }
  return { ready: Number(h[1]), total: Number(h[2]), globalServices: Number(h[3]), clusters, header: `ClusterMesh: ${first.trim()}` };
}

function bool(v: string | undefined): boolean | null {
  return v === 'true' ? true : v === 'false' ? false : null;
}

export interface MeshNode {
  /** The cluster part of `<cluster>/<node>`; null when the name has none (pre-1.6 local entries, #8327). */
  cluster: string | null;
  name: string;
  ipv4: string | null;
  /** Endpoint (pod) CIDRs, IPv4 and IPv6. */
  cidrs: string[];
  source: string | null;
  /** The row as printed. */
  row: string;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const CIDR = /^[0-9a-fA-F.:]+\/\d{1,3}$/;

/** Rows of `cilium-dbg node list` (the header skipped); unknown lines are ignored. */
export function parseNodeList(text: string): MeshNode[] {
  const out: MeshNode[] = [];
  for (const raw of text.split('\n')) {
    const row = raw.trim();
    if (row === '' || row.startsWith('Name ')) continue;
    const tokens = row.split(/\s+/);
    const full = tokens[0] ?? '';
    const rest = tokens.slice(1);
    const last = rest[rest.length - 1];
    const source = last !== undefined && /^[a-z][a-z-]*$/.test(last) ? last : null;
    const slash = full.indexOf('/');
    out.push({
      cluster: slash > 0 ? full.slice(0, slash) : null,
      name: slash > 0 ? full.slice(slash + 1) : full,
      ipv4: rest.find((t) => IPV4.test(t)) ?? null,
      cidrs: rest.filter((t) => CIDR.test(t)),
      source,
      row,
    });
  }
  return out;
}

/** [first, last] address of an IPv4 CIDR as numbers; null for IPv6 or anything unreadable. */
export function ipv4Range(cidr: string): [number, number] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (m === null) return null;
  const octets = [m[1], m[2], m[3], m[4]].map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return null;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const start = Math.floor(addr / size) * size;
  return [start, start + size - 1];
}

/** Whether two IPv4 CIDRs share an address (false when either is not IPv4). */
export function cidrsOverlap(a: string, b: string): boolean {
  const ra = ipv4Range(a);
  const rb = ipv4Range(b);
  return ra !== null && rb !== null && ra[0] <= rb[1] && rb[0] <= ra[1];
}
