// Realistic cilium-agent log lines for the log-matching benchmark: mostly routine info lines an agent prints all day
// (endpoint regeneration, identity and CT GC statistics, k8s watchers), in both formats — logrus ≤1.17
// `level=info msg="…" subsys=…` (sometimes with time="…") and slog ≥1.18 `time=… level=info msg=… module=…` —
// with a sprinkle of the real failure lines quoted in /work/shared/cilium-facts.md §2 (issue numbers beside them).

export type Rng = () => number;

/** Deterministic PRNG (mulberry32), so every generation writes the same file. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const ip = (r: Rng) => `10.${int(r, 0, 3)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

interface Routine {
  level: 'info' | 'debug' | 'warn';
  subsys: string;
  module: string;
  msg: (r: Rng) => string;
  fields?: (r: Rng) => string;
}

const PODS = ['shop/web-0-6f7d9c5d-x2x7m', 'shop/cart-7c9d8-f2kq1', 'kube-system/coredns-5d78c9869d-8mnv2', 'default/nginx-55f598f8d-pq7zl'];

const ROUTINE: readonly Routine[] = [
  { level: 'info', subsys: 'endpoint', module: 'agent.controlplane.endpoint', msg: () => 'Rewrote endpoint BPF program', fields: (r) => `containerID=${int(r, 1e8, 9e8).toString(16)} datapathPolicyRevision=${int(r, 1, 90)} desiredPolicyRevision=${int(r, 1, 90)} endpointID=${int(r, 100, 4000)} identity=${int(r, 1000, 60000)} ipv4=${ip(r)} k8sPodName=${pick(r, PODS)}` },
  { level: 'info', subsys: 'endpoint', module: 'agent.controlplane.endpoint', msg: () => 'Completed endpoint regeneration', fields: (r) => `bpfCompilation=0s bpfLoadProg=${int(r, 10, 900)}ms endpointID=${int(r, 100, 4000)} mapSync=${int(r, 10, 900)}µs policyCalculation=${int(r, 10, 900)}µs reason="policy rules added" total=${int(r, 20, 990)}ms` },
  { level: 'info', subsys: 'endpoint', module: 'agent.controlplane.endpoint', msg: () => 'Create endpoint request', fields: (r) => `addressing="&{${ip(r)}   }" containerID=${int(r, 1e8, 9e8).toString(16)} datapathConfiguration="&{false false false false false <nil>}" interface=lxc${int(r, 1e6, 9e6).toString(16)} k8sPodName=${pick(r, PODS)} labels="[]" sync-build=true` },
  { level: 'info', subsys: 'identity-cache', module: 'agent.controlplane.identity', msg: () => 'Allocated identity', fields: (r) => `identity=${int(r, 1000, 60000)} identityLabels="k8s:app=web-${int(r, 0, 9)},k8s:io.kubernetes.pod.namespace=shop"` },
  { level: 'info', subsys: 'map-ct', module: 'agent.datapath.maps.ctmap.gc', msg: () => 'Conntrack garbage collection statistics', fields: (r) => `completed=true duration=${int(r, 5, 900)}ms family=ipv4 maxEntries=524288 numDeleted=${int(r, 0, 9000)} numKeyFallbacks=0 numLookups=${int(r, 1000, 200000)} numLookupsFailed=0 protocol=TCP startTime="2026-11-23 12:40:00.${int(r, 100, 999)}"` },
  { level: 'info', subsys: 'daemon', module: 'agent.controlplane.daemon', msg: () => 'Policy imported via API, recalculating...', fields: (r) => `policyAddRequest=${int(r, 1e8, 9e8).toString(16)} policyRevision=${int(r, 2, 400)}` },
  { level: 'info', subsys: 'k8s-watcher', module: 'agent.k8s.watcher', msg: () => 'Kubernetes service definition changed', fields: (r) => `action=service-updated endpoints="${ip(r)}:8080/TCP,${ip(r)}:8080/TCP" k8sNamespace=shop k8sSvcName=web-${int(r, 0, 9)} shared=false` },
  { level: 'info', subsys: 'policy', module: 'agent.controlplane.policy', msg: () => 'Policy Add Request', fields: (r) => `ciliumNetworkPolicy="[&{EndpointSelector:{\\"matchLabels\\":{\\"k8s:app\\":\\"web-${int(r, 0, 9)}\\"}}}]"` },
  { level: 'info', subsys: 'hubble', module: 'agent.observe.hubble', msg: () => 'Received peer change notification', fields: (r) => `name=node-${int(r, 1, 5000)} address=${ip(r)}:4244 type=PEER_UPDATED` },
  { level: 'info', subsys: 'nodemanager', module: 'agent.datapath.node-manager', msg: () => 'Node updated', fields: (r) => `clusterName=default nodeName=node-${int(r, 1, 5000)}` },
  { level: 'info', subsys: 'fqdn', module: 'agent.controlplane.fqdn', msg: () => 'Updated DNS cache', fields: (r) => `names=${int(r, 1, 40)} source=dns-proxy` },
  { level: 'info', subsys: 'ipam', module: 'agent.controlplane.ipam', msg: () => 'Allocated IP', fields: (r) => `ip=${ip(r)} owner=${pick(r, PODS)} pool=default` },
  { level: 'info', subsys: 'daemon', module: 'agent.infra.metrics', msg: () => 'Serving cilium health API', fields: () => 'address="127.0.0.1:9879"' },
  { level: 'debug', subsys: 'fqdn/dnsproxy', module: 'agent.controlplane.fqdn.dns-proxy', msg: () => 'Handling DNS query from endpoint', fields: (r) => `endpointID=${int(r, 100, 4000)} qname=api.example.com.` },
  { level: 'debug', subsys: 'fqdn/dnsproxy', module: 'agent.controlplane.fqdn.dns-proxy', msg: () => 'Forwarding DNS request for a name that is allowed', fields: (r) => `endpointID=${int(r, 100, 4000)} qname=registry.example.com.` },
  { level: 'warn', subsys: 'k8s-watcher', module: 'agent.k8s.watcher', msg: () => 'Unable to find identity of peer IP, dropping', fields: (r) => `ip=${ip(r)}` },
  { level: 'info', subsys: 'cilium-health', module: 'agent.health', msg: () => 'Cluster health: 2/2 reachable', fields: () => '' },
];

/** Real lines the runbooks look for (cilium-facts §2.1–§2.9), as the agent printed them: failures, and the apiserver line of a (re)start. */
const FAILURES: readonly string[] = [
  'level=info msg="Establishing connection to apiserver" host="https://10.96.0.1:443" subsys=k8s-client',
  'time=2026-03-23T22:11:05.1Z level=info msg="Establishing connection to apiserver" host="https://10.96.0.1:443" module=agent.k8s-client',
  'level=fatal msg="kernel version: NOT OK: minimal supported kernel version is >= 4.8.0; kernel version that is running is: 4.4.0" subsys=daemon',
  'time=2026-03-23T22:11:06.657919407Z level=error msg="Start hook failed" function="datapath.initDatapath.func1 (pkg/datapath/cells.go:181) (agent.datapath)" error="requirements failed: Require support for large programs (Linux 5.2.0 or newer)"',
  'level=error msg="Error while opening/creating BPF maps" error="Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted" subsys=daemon',
  'level=error msg="error while opening/creating BPF maps" error="initializing conntrack map cilium_ct_any4_global: creating map: map create: cannot allocate memory (without BTF k/v)" subsys=daemon',
  'level=error msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon',
  'level=fatal msg="Cannot initialise BPF perf ring buffer sockets" error="failed to create perf ring for CPU 0: can\'t mmap: operation not permitted" subsys=monitor-agent',
  'level=warning msg="BPF program is too large. Processed 131073 insn" subsys=datapath-loader',
  'level=error msg="Error while reloading endpoint BPF program" endpointID=1821 error="attaching cilium_host: loading eBPF collection into the kernel: program tail_nodeport_nat_ingress_ipv4: load program: argument list too long: BPF program is too large. Processed 1000001 insn (12 line(s) omitted)" subsys=datapath-loader',
  'level=error msg="Error while inserting service in LB map" error="failed to update backend cilium_lb4_backends_v2 map with file descriptor 17: the map is full, please consider resizing it. argument list too long" subsys=service',
  'level=warning msg="Garbage collection on ipv4 TCP CT map failed to finish" interrupted=0 subsys=map-ct',
  'level=warning msg="BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." subsys=bandwidth-manager',
  'level=fatal msg="Failed to initialize wireguard agent" error="wireguard not supported by the Linux kernel (netlink: operation not supported). Please upgrade your kernel or manually install the kernel module: https://www.wireguard.com/install/" subsys=daemon',
  'level=error msg="Unable to contact k8s api-server" error="Get \\"https://10.96.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.96.0.1:443: i/o timeout" subsys=k8s-client',
  'level=info msg="Still waiting for Cilium Operator to register the following CRDs: [crd:ciliumnodes.cilium.io]" subsys=k8s',
  'time=2026-03-23T22:11:09.1Z level=warn msg="Timeout waiting for response to forwarded proxied DNS lookup" module=agent.controlplane.fqdn.dns-proxy error="read udp 10.0.1.23:41112->10.96.0.10:53: i/o timeout"',
  'level=fatal msg="Error while allocating cilium-health IP" error="range is full" subsys=daemon',
  'level=warning msg="Waiting for k8s node information" error="required IPv4 pod CIDR not present in node resource" subsys=k8s',
  'time=2026-03-23T22:11:12.2Z level=fatal msg="failed to probe helper" module=agent.datapath error="detect support for FnSetRetval for program type CGroupSock: load program: invalid argument: 0: (85) call bpf_set_retval#187: R1 is not a scalar (2 line(s) omitted)"',
];

/** Share of lines taken from FAILURES (the rest are routine). */
export const FAILURE_RATE = 0.0005;

function stamp(base: number, i: number): string {
  return new Date(base + i * 7).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}Z`);
}

/** One log line (without the newline) for line number i. */
export function logLine(r: Rng, i: number): string {
  if (r() < FAILURE_RATE) return pick(r, FAILURES);
  const t = pick(r, ROUTINE);
  const fields = t.fields?.(r) ?? '';
  const msg = t.msg(r).replace(/"/g, '\\"');
  const tail = fields === '' ? '' : ` ${fields}`;
  const ts = stamp(Date.UTC(2026, 10, 23, 12, 0, 0), i);
  const style = r();
  if (style < 0.45) return `level=${t.level === 'warn' ? 'warning' : t.level} msg="${msg}"${tail} subsys=${t.subsys}`;
  if (style < 0.6) return `time="${ts}" level=${t.level === 'warn' ? 'warning' : t.level} msg="${msg}"${tail} subsys=${t.subsys}`;
  return `time=${ts} level=${t.level} msg="${msg}"${tail} module=${t.module}`;
}
