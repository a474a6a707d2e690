// ClusterMesh parsing and runbooks on real text. Status samples, node lists and log lines are quoted from the threads
// named beside them; several come from threads the matchers were not written from (#20729's 1.12 line without an
// endpoint count, the docs' `remote clusters ready … reconnections` form, #8327's node list without a Source column,
// #39838's "rejected connection on client endpoint", cilium-cli#460's API-server x509 line).
import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseClusterMeshStatus, parseNodeList } from '../../../runbooks/engine/clustermesh-status.ts';
import { isMeshOrKvstoreLine } from '../../../runbooks/engine/clustermesh-signals.ts';
import { parseLogLine } from '../../../runbooks/engine/log-parser.ts';
import { analyze } from '../../../runbooks/engine/analyze.ts';
import type { Evidence, EvidenceInput } from '../../../runbooks/engine/evidence.ts';
import { clustermeshTls } from '../../../runbooks/catalogue/clustermesh-tls.ts';
import { clustermeshKvstore } from '../../../runbooks/catalogue/clustermesh-kvstore.ts';
import { clustermeshClusterId } from '../../../runbooks/catalogue/clustermesh-cluster-id.ts';
import { clustermeshPodCidrOverlap } from '../../../runbooks/catalogue/clustermesh-pod-cidr-overlap.ts';
import { clustermeshRemoteNotReady } from '../../../runbooks/catalogue/clustermesh-remote-not-ready.ts';
import { clustermeshVersionSkew } from '../../../runbooks/catalogue/clustermesh-version-skew.ts';
import { apiserverUnreachable } from '../../../runbooks/catalogue/apiserver-unreachable.ts';
import { analyzePastedText } from '../../../runbooks/engine/pasted/analyze-pasted.ts';
import { agentLogs, exampleEvidence, healthyInput, ok } from './fixtures.ts';

/** cilium/cilium#20729 (1.12.0, `cilium status --verbose` in cluster2): the pre-1.14 line has no endpoint count. */
const STATUS_20729 = [
  'IPAM:                   IPv4: 3/254 allocated from 10.2.0.0/24, ',
  'ClusterMesh:   0/1 clusters ready, 10 global-services',
  '   mesh-1: not-ready, 0 nodes, 0 identities, 0 services, 1 failures (last: 2m52s ago)',
  '   └  Waiting for initial connection to be established',
  'BandwidthManager:       Disabled',
].join('\n');

/** cilium/cilium#30797: a remote etcd failing its quorum check. */
const STATUS_30797 = [
  'ClusterMesh:            4/5 clusters ready, 13286 global-services',
  '   REDACT-01-use1: not-ready, 41 nodes, 3997 endpoints, 0 identities, 4187 services, 4 failures (last: 28m28s ago)',
  '   └  quorum check failed 60 times in a row: 28m9.506119043s since last heartbeat update has been received',
  '   └  remote configuration: expected=false, retrieved=false',
  '   └  synchronization status: nodes=false, endpoints=false, identities=false, services=false',
].join('\n');

/** docs operations/troubleshooting_clustermesh.rst (`cilium-dbg status --all-clusters`, current releases). */
const STATUS_DOCS = [
  'ClusterMesh:   1/1 remote clusters ready, 10 global-services',
  '   k8s-c2: ready, 3 nodes, 25 endpoints, 8 identities, 10 services, 0 reconnections (last: never)',
  '   └  etcd: 1/1 connected, leases=0, lock lease-ID=7c028201b53de662, has-quorum=true: https://k8s-c2.mesh.cilium.io:2379 - 3.5.4 (Leader)',
  '   └  remote configuration: expected=true, retrieved=true, cluster-id=3, kvstoremesh=false, sync-canaries=true',
  '   └  synchronization status: nodes=true, endpoints=true, identities=true, services=true',
].join('\n');

/** cilium/cilium PR #29196 (the Source column). */
const NODE_LIST_29196 = [
  'Name                                                 IPv4 Address   Endpoint CIDR   IPv6 Address   Endpoint CIDR   Source',
  'cluster-1/ip-10-1-0-232.eu-west-1.compute.internal   10.1.0.232     10.201.2.0/24                                  kvstore',
  'cluster-1/ip-10-1-2-37.eu-west-1.compute.internal    10.1.2.37      10.201.0.0/24                                  local',
  'cluster-2/ip-10-2-0-237.eu-west-1.compute.internal   10.2.0.237     10.202.0.0/24                                  kvstore',
].join('\n');

/** cilium/cilium#8327 (1.5.3): no Source column, `<nil>` IPv6. */
const NODE_LIST_8327 = [
  'Name               IPv4 Address   Endpoint CIDR   IPv6 Address   Endpoint CIDR',
  'cluster1/tbh       192.168.1.10   20.0.0.0/24     <nil>          ',
  'cluster2/osboxes   192.168.1.23   10.0.0.0/24     <nil>          ',
].join('\n');

/** cilium/cilium#22872: the agent's etcd client, wrong SAN. */
const WRONG_SAN = String.raw`{"level":"warn","ts":"2022-12-26T02:33:49.978Z","logger":"etcd-client","caller":"v3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc000334380/192.168.186.121:32379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \"transport: authentication handshake failed: x509: certificate is valid for 127.0.0.1, ::1, 192.168.58.109, 192.168.58.120, 192.168.58.121, 192.168.58.122, not 192.168.186.121\""}`;
/** cilium/cilium-cli#460: the Kubernetes client's x509 failure (the API server's certificate, not ClusterMesh). */
const K8S_X509 = String.raw`level=fatal msg="Unable to initialize Kubernetes subsystem" error="unable to create k8s client: unable to create k8s client: Get \"https://10.120.128.1:443/api/v1/namespaces/kube-system\": x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"kubernetes\")" subsys=daemon`;
/** cilium/cilium#39838: a clustermesh-apiserver etcd refusing a client certificate (KVStoreMesh, cronjob certs). */
const REJECTED_39838 = '{"level":"warn","ts":"2025-06-02T15:31:49.963164Z","caller":"embed/config_logging.go:170","msg":"rejected connection on client endpoint","remote-addr":"127.0.0.1:53690","server-name":"","error":"tls: failed to verify certificate: x509: certificate specifies an incompatible key usage"}';
/** cilium/cilium#33673 (1.16 CI). */
const CONNECTED_33673 = 'time="2024-07-09T10:02:07Z" level=info msg="Connection to remote cluster established" clusterName=cluster3 etcdClusterID=7e2aa5c77baae76b subsys=clustermesh';

const status = (text: string): Partial<EvidenceInput> => ({ agentStatus: ok({ text, verbose: true, source: 'agent-exec' as const }) });
const mesh = (config: Record<string, string> = { 'cluster-name': 'cluster1', 'cluster-id': '1' }): Partial<EvidenceInput> => {
  const base = healthyInput().ciliumConfig;
  return { ciliumConfig: ok({ ...(base?.ok === true ? base.value : {}), ...config }) };
};
const apiserver = (patch: Record<string, unknown> = {}) => ({
  namespace: 'kube-system', deployment: 'clustermesh-apiserver', image: 'quay.io/cilium/clustermesh-apiserver:v1.16.3', version: '1.16.3',
  replicas: 1, readyReplicas: 1, pods: [], service: null, logs: [], ...patch,
});
const ids = (e: Evidence) => analyze(e).findings.map((f) => f.runbookId);

describe('ClusterMesh status parsing', () => {
  it('reads the 1.12 line without endpoints, its backend wait and the header (#20729)', () => {
    const s = parseClusterMeshStatus(STATUS_20729);
    expect(s).toMatchObject({ ready: 0, total: 1, globalServices: 10 });
    expect(s?.clusters).toEqual([expect.objectContaining({ name: 'mesh-1', ready: false, nodes: 0, failures: 1, backend: 'Waiting for initial connection to be established', config: null })]);
  });

  it('reads the quorum failure and the remote configuration (#30797)', () => {
    const c = parseClusterMeshStatus(STATUS_30797)?.clusters[0];
    expect(c).toMatchObject({ name: 'REDACT-01-use1', ready: false, nodes: 41, failures: 4, config: { expected: false, retrieved: false, clusterId: null } });
    expect(c?.backend).toMatch(/^quorum check failed 60 times in a row/);
  });

  it('reads the current `remote clusters ready … reconnections` form and the advertised cluster id (docs)', () => {
    const s = parseClusterMeshStatus(STATUS_DOCS);
    expect(s).toMatchObject({ ready: 1, total: 1, globalServices: 10 });
    expect(s?.clusters[0]).toMatchObject({ name: 'k8s-c2', ready: true, config: { expected: true, retrieved: true, clusterId: 3 } });
    expect(s?.clusters[0]?.backend).toMatch(/^etcd: 1\/1 connected/);
  });

  it('is null without a ClusterMesh line, and empty for 0/0 (ClusterMesh not configured)', () => {
    expect(parseClusterMeshStatus('KVStore:                Ok   Disabled\nCilium:                 Ok   1.16.3 (v1.16.3-x)')).toBeNull();
    expect(parseClusterMeshStatus('ClusterMesh:             0/0 remote clusters ready, 0 global-services')).toMatchObject({ total: 0, clusters: [] });
  });
});

describe('node list parsing and CIDR overlap', () => {
  it('reads names, IPs, CIDRs and the source (PR #29196) and the older layout without a source (#8327)', () => {
    expect(parseNodeList(NODE_LIST_29196).map((n) => [n.cluster, n.ipv4, n.cidrs, n.source])).toEqual([
      ['cluster-1', '10.1.0.232', ['10.201.2.0/24'], 'kvstore'],
      ['cluster-1', '10.1.2.37', ['10.201.0.0/24'], 'local'],
      ['cluster-2', '10.2.0.237', ['10.202.0.0/24'], 'kvstore'],
    ]);
    expect(parseNodeList(NODE_LIST_8327).map((n) => [n.cluster, n.cidrs, n.source])).toEqual([['cluster1', ['20.0.0.0/24'], null], ['cluster2', ['10.0.0.0/24'], null]]);
  });

  it('compares IPv4 ranges, never IPv6', () => {
    expect(cidrsOverlap('10.0.0.0/8', '10.202.0.0/24')).toBe(true);
    expect(cidrsOverlap('10.201.0.0/16', '10.202.0.0/24')).toBe(false);
    expect(cidrsOverlap('10.1.1.0/24', '10.1.1.128/25')).toBe(true);
    expect(cidrsOverlap('fd00::/64', 'fd00::/64')).toBe(false);
  });
});

describe('which lines are ClusterMesh lines', () => {
  it('the etcd client and clustermesh subsystem are; the Kubernetes client is not', () => {
    expect(isMeshOrKvstoreLine(parseLogLine(WRONG_SAN, 1))).toBe(true);
    expect(isMeshOrKvstoreLine(parseLogLine(CONNECTED_33673, 1))).toBe(true);
    expect(isMeshOrKvstoreLine(parseLogLine(K8S_X509, 1))).toBe(false);
  });

  it('an API-server x509 line stays apiserver-unreachable and is not a ClusterMesh TLS finding (cilium-cli#460)', () => {
    const e = exampleEvidence({ ...mesh(), ...agentLogs(null, [K8S_X509]) });
    expect(clustermeshTls.match(e)).toBeNull();
    expect(apiserverUnreachable.match(e)).not.toBeNull();
  });

  it('a ClusterMesh x509 line is not read as the API server being unreachable (#22872)', () => {
    const e = exampleEvidence({ ...mesh(), ...agentLogs(null, [WRONG_SAN]) });
    expect(apiserverUnreachable.match(e)).toBeNull();
    expect(clustermeshTls.match(e)?.fixSteps.map((s) => s.helmValues ?? '').join('\n')).toContain('- 192.168.186.121');
  });
});

describe('clustermesh runbooks', () => {
  it('healthy fixture (ClusterMesh 0/0): no clustermesh finding and none inconclusive', () => {
    const report = analyze(exampleEvidence());
    expect(report.findings.filter((f) => f.runbookId.startsWith('clustermesh'))).toEqual([]);
    expect(report.inconclusive.filter((i) => i.runbookId.startsWith('clustermesh'))).toEqual([]);
  });

  it('TLS: wrong SAN with the cluster not ready is critical, explicit, and supersedes the not-ready fallback', () => {
    const e = exampleEvidence({ ...mesh(), ...agentLogs(null, [WRONG_SAN]), ...status(STATUS_20729) });
    const f = clustermeshTls.match(e);
    expect(f).toMatchObject({ severity: 'critical', confidence: 'certain', basis: 'explicit' });
    expect(f?.evidence.some((q) => q.text.includes('x509: certificate is valid for'))).toBe(true);
    expect(clustermeshRemoteNotReady.match(e)).not.toBeNull();
    expect(ids(e)).toContain('clustermesh-tls');
    expect(ids(e)).not.toContain('clustermesh-remote-not-ready');
  });

  it('TLS: an apiserver etcd refusing client certificates while the mesh is ready is a warning (#39838)', () => {
    const e = exampleEvidence({
      ...mesh(), ...status(STATUS_DOCS),
      clustermesh: ok({ apiserver: apiserver({ logs: [{ pod: 'clustermesh-apiserver-0', container: 'etcd', text: `${REJECTED_39838}\n`, truncated: false }] }), nodeList: null }),
    });
    const f = clustermeshTls.match(e);
    expect(f).toMatchObject({ severity: 'warning', confidence: 'high' });
    expect(f?.fixSteps[0]?.title).toMatch(/trust one CA/);
  });

  it('kvstore: the quorum status line is critical and names the remote cluster (#30797)', () => {
    const e = exampleEvidence({ ...mesh(), ...status(STATUS_30797) });
    const f = clustermeshKvstore.match(e);
    expect(f).toMatchObject({ severity: 'critical', title: 'ClusterMesh etcd lost quorum', basis: 'explicit' });
    expect(f?.summary).toContain('REDACT-01-use1');
    expect(f?.blastRadius.sentences.join(' ')).toContain('13286 global service(s)');
    expect(ids(e)).not.toContain('clustermesh-remote-not-ready');
  });

  it('kvstore: the local clustermesh-apiserver with no ready replica is observed, not said', () => {
    const e = exampleEvidence({ ...mesh(), clustermesh: ok({ apiserver: apiserver({ readyReplicas: 0 }), nodeList: null }) });
    expect(clustermeshKvstore.match(e)).toMatchObject({ severity: 'critical', basis: 'observed' });
  });

  it('cluster id: 0 with remote clusters, and a remote advertising the local id', () => {
    expect(clustermeshClusterId.match(exampleEvidence({ ...mesh({ 'cluster-name': 'cluster1', 'cluster-id': '0' }), ...status(STATUS_DOCS) }))?.summary).toMatch(/no cluster id/);
    const same = clustermeshClusterId.match(exampleEvidence({ ...mesh({ 'cluster-name': 'cluster1', 'cluster-id': '3' }), ...status(STATUS_DOCS) }));
    expect(same?.summary).toMatch(/k8s-c2 uses the same cluster id 3/);
    expect(clustermeshClusterId.match(exampleEvidence({ ...mesh(), ...status(STATUS_DOCS) }))).toBeNull();
  });

  it('pod CIDR overlap: a remote node inside the local pool is critical; distinct pools are not a finding (PR #29196 ranges)', () => {
    const list = (text: string) => ({ clustermesh: ok({ apiserver: null, nodeList: { text, source: 'agent-exec' as const } }) });
    expect(clustermeshPodCidrOverlap.match(exampleEvidence({ ...mesh({ 'cluster-name': 'cluster-1', 'cluster-id': '1', 'cluster-pool-ipv4-cidr': '10.201.0.0/16' }), ...status(STATUS_DOCS), ...list(NODE_LIST_29196) }))).toBeNull();
    const f = clustermeshPodCidrOverlap.match(exampleEvidence({ ...mesh({ 'cluster-name': 'cluster-1', 'cluster-id': '1', 'cluster-pool-ipv4-cidr': '10.0.0.0/8' }), ...status(STATUS_DOCS), ...list(NODE_LIST_29196) }));
    expect(f).toMatchObject({ severity: 'critical', confidence: 'certain' });
    expect(f?.evidence[0]?.text).toContain('cluster-2/ip-10-2-0-237');
  });

  it('pod CIDR overlap without the node list: the default pool is only a low-confidence warning', () => {
    const f = clustermeshPodCidrOverlap.match(exampleEvidence({ ...mesh({ 'cluster-name': 'cluster1', 'cluster-id': '1', 'cluster-pool-ipv4-cidr': '10.0.0.0/8' }), ...status(STATUS_DOCS) }));
    expect(f).toMatchObject({ severity: 'warning', confidence: 'low', basis: 'inferred' });
  });

  it('version skew: apiserver two minors behind the agent is a warning; one minor is not', () => {
    const at = (version: string) => exampleEvidence({ ...mesh(), cilium: ok({ version: '1.16.3', image: 'quay.io/cilium/cilium:v1.16.3', versionSource: 'image-tag' as const }), clustermesh: ok({ apiserver: apiserver({ version, image: `quay.io/cilium/clustermesh-apiserver:v${version}` }), nodeList: null }) });
    expect(clustermeshVersionSkew.match(at('1.14.5'))).toMatchObject({ severity: 'warning' });
    expect(clustermeshVersionSkew.match(at('1.15.7'))).toBeNull();
  });

  it('not ready without a named cause: the fallback, critical when global services depend on it', () => {
    const f = clustermeshRemoteNotReady.match(exampleEvidence({ ...mesh(), ...status(STATUS_20729) }));
    expect(f).toMatchObject({ severity: 'critical', runbookId: 'clustermesh-remote-not-ready' });
    expect(f?.title).toContain('mesh-1');
  });

  it('a pasted `cilium status --verbose` with a not-ready remote cluster is read too (#20729)', () => {
    const paste = ['KVStore:                Ok   Disabled', 'Cilium:                 Ok   1.12.0 (v1.12.0-9447cd1)', STATUS_20729, 'Controller Status:      40/40 healthy'].join('\n');
    const { report } = analyzePastedText(paste);
    expect(report.findings.map((f) => [f.runbookId, f.severity])).toEqual([['clustermesh-remote-not-ready', 'critical']]);
    expect(report.findings[0]?.evidence[1]?.text).toContain('mesh-1: not-ready');
  });

  it("the agent's own kvstore failing its quorum check without a mesh is named as the kvstore, not ClusterMesh (docs troubleshooting)", () => {
    const f = clustermeshKvstore.match(exampleEvidence({ ...status('KVStore: Failure   Err: quorum check failed 8 times in a row: 4m28.446600949s since last heartbeat update has been received\nCilium:                 Ok   1.16.3 (v1.16.3-x)') }));
    expect(f).toMatchObject({ severity: 'critical', title: 'Cilium kvstore (etcd) lost quorum' });
    expect(f?.evidence[0]?.text).toContain('quorum check failed 8 times');
  });
});
