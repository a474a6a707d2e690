// Log lines of the ClusterMesh scenarios: the cilium-agent's own lines and those of the clustermesh-apiserver's
// containers. Each is a line Cilium (or the etcd it embeds) really prints, copied from the thread named beside it;
// where a thread shows only the message, the fields come from the logging call in Cilium's source, named too.

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The etcd client inside the agent failing the TLS handshake with a remote clustermesh-apiserver whose server
 * certificate does not cover the address dialled (a NodePort on a node IP): verbatim from cilium/cilium#22872.
 */
export const ETCD_CLIENT_WRONG_SAN = [
  String.raw`{"level":"warn","ts":"2022-12-26T02:33:49.978Z","logger":"etcd-client","caller":"v3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc000334380/192.168.186.121:32379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \"transport: authentication handshake failed: x509: certificate is valid for 127.0.0.1, ::1, 192.168.58.109, 192.168.58.120, 192.168.58.121, 192.168.58.122, not 192.168.186.121\""}`,
  String.raw`{"level":"warn","ts":"2022-12-26T02:33:49.978Z","logger":"etcd-client","caller":"v3/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc0011fc700/192.168.164.15:32379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \"transport: authentication handshake failed: x509: certificate is valid for 127.0.0.1, ::1, 192.168.58.109, 192.168.58.120, 192.168.58.121, 192.168.58.122, not 192.168.164.15\""}`,
] as const;

/** The clustermesh-apiserver's etcd container refusing clients whose certificate it does not trust: verbatim from cilium/cilium#22872. */
export const ETCD_REJECTED_BAD_CERT = [
  '{"level":"warn","ts":"2022-12-26T02:32:45.114Z","caller":"embed/config_logging.go:169","msg":"rejected connection","remote-addr":"10.150.82.170:38390","server-name":"","error":"remote error: tls: bad certificate"}',
  '{"level":"warn","ts":"2022-12-26T02:32:45.359Z","caller":"embed/config_logging.go:169","msg":"rejected connection","remote-addr":"10.150.85.253:38158","server-name":"","error":"remote error: tls: bad certificate"}',
  '{"level":"warn","ts":"2022-12-26T02:32:45.700Z","caller":"embed/config_logging.go:169","msg":"rejected connection","remote-addr":"10.150.84.37:42418","server-name":"","error":"remote error: tls: bad certificate"}',
] as const;

/** The clustermesh-apiserver's apiserver container starting against its etcd sidecar: verbatim from the docs' troubleshooting_clustermesh.rst. */
export const APISERVER_ETCD_START = [
  'level=info msg="Connecting to etcd server..." config=/var/lib/cilium/etcd-config.yaml endpoints="[https://127.0.0.1:2379]" subsys=kvstore',
  'level=info msg="Got lock lease ID 7c0281854b945c07" subsys=kvstore',
  'level=info msg="Initial etcd session established" config=/var/lib/cilium/etcd-config.yaml endpoints="[https://127.0.0.1:2379]" subsys=kvstore',
  'level=info msg="Successfully verified version of etcd endpoint" config=/var/lib/cilium/etcd-config.yaml endpoints="[https://127.0.0.1:2379]" etcdEndpoint="https://127.0.0.1:2379" subsys=kvstore version=3.4.13',
] as const;

/**
 * The agent's watchdog on a remote cluster whose etcd fails the quorum check: message and fields from
 * `rc.logger.WithError(err).Warning("Error observed on etcd connection, reconnecting etcd")` in
 * pkg/clustermesh/common/remote_cluster.go (logrus layout `clusterName=… subsys=clustermesh` as in cilium/cilium#33673);
 * the error is the quorum text of cilium/cilium#30797.
 */
export function quorumReconnect(cluster: string, times: number, since: string): string {
  return `level=warning msg="Error observed on etcd connection, reconnecting etcd" clusterName=${cluster} error="quorum check failed ${times} times in a row: ${since} since last heartbeat update has been received" subsys=clustermesh`;
}

/** Connected to a remote cluster: cilium/cilium#33673 (1.16 CI), with our cluster name and etcd cluster id. */
export function remoteConnected(cluster: string, etcdClusterID: string): string {
  return `level=info msg="Connection to remote cluster established" clusterName=${cluster} etcdClusterID=${etcdClusterID} subsys=clustermesh`;
}

export const CLUSTERMESH_CITATIONS: readonly (readonly [RegExp, string])[] = [
  ...ETCD_CLIENT_WRONG_SAN.map((l) => [new RegExp(`^${escapeRe(l)}$`), 'cilium/cilium#22872 verbatim (agent etcd-client, wrong SAN)'] as const),
  ...ETCD_REJECTED_BAD_CERT.map((l) => [new RegExp(`^${escapeRe(l)}$`), 'cilium/cilium#22872 verbatim (clustermesh-apiserver etcd)'] as const),
  ...APISERVER_ETCD_START.map((l) => [new RegExp(`^${escapeRe(l)}$`), 'docs operations/troubleshooting_clustermesh.rst verbatim (clustermesh-apiserver)'] as const),
  [/^level=warning msg="Error observed on etcd connection, reconnecting etcd" clusterName=[a-z0-9-]+ error="quorum check failed \d+ times in a row: [0-9hms.]+ since last heartbeat update has been received" subsys=clustermesh$/, 'pkg/clustermesh/common/remote_cluster.go watchdog; error text cilium/cilium#30797; layout cilium/cilium#33673'],
  [/^level=info msg="Connection to remote cluster established" clusterName=[a-z0-9-]+ etcdClusterID=[0-9a-f]+ subsys=clustermesh$/, 'cilium/cilium#33673'],
];
