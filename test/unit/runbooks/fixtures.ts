// Evidence fixtures built from realistic node facts and real agent log lines (cited per line, fact sheet §2).
import { parseEvidence, type Evidence, type EvidenceInput, type PeerNode, type Unavailable } from '../../../runbooks/engine/evidence.ts';
import { summarizeIptablesSave } from '../../../runbooks/engine/iptables-summary.ts';

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const missing = (reason: Unavailable['reason'], detail: string, fix?: string): Unavailable =>
  ({ ok: false, reason, detail, ...(fix === undefined ? {} : { fix }) });

/** Real lines, logfmt (≤1.17) and slog (≥1.18), with where they come from. */
export const LINES = {
  // §2.8 (#28823): routine info, logfmt
  apiserverInfo: 'level=info msg="Establishing connection to apiserver" host="https://10.96.0.1:443" subsys=k8s-client',
  // §2.4: routine warning on a healthy agent
  ctGcWarning: 'level=warning msg="Garbage collection on ipv4 TCP CT map failed to finish" interrupted=0 subsys=map-ct',
  // §2.2 (#9402, #15510): ≤1.13 map creation EPERM
  mapEperm: 'level=error msg="Error while opening/creating BPF maps" error="Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted" subsys=daemon',
  daemonFatal: 'level=fatal msg="Error while creating daemon" error="Unable to create map /sys/fs/bpf/tc/globals/cilium_lxc: operation not permitted" subsys=daemon',
  // §2.2 (#30437): 1.14+ cilium/ebpf ENOMEM
  mapEnomem: 'level=error msg="error while opening/creating BPF maps" error="initializing conntrack map cilium_ct_any4_global: creating map: map create: cannot allocate memory (without BTF k/v)"',
  // §2.2 (kubeshark#1747): cilium/ebpf memlock hint
  mapMemlock: 'level=error msg="error while opening/creating BPF maps" error="initializing conntrack map cilium_ct_global_tcp4: creating map: map create: operation not permitted (MEMLOCK may be too low, consider rlimit.RemoveMemlock)" subsys=daemon',
  // §2.1 (#44967, v1.18.8): slog requirement failure, then hive failure and panic
  slogDce: 'time=2026-03-23T22:11:06.657919407Z level=error msg="Start hook failed" function="datapath.initDatapath.func1 (pkg/datapath/cells.go:181) (agent.datapath)" error="requirements failed: Require support for dead code elimination (Linux 5.1 or newer)"',
  slogRedirectNeigh: 'time=2026-03-23T22:11:06.657919407Z level=error msg="Start hook failed" function="datapath.initDatapath.func1 (pkg/datapath/cells.go:181) (agent.datapath)" error="requirements failed: Require support for bpf_redirect_neigh() (Linux 5.10.0 or newer)"',
  slogHive: 'time=2026-03-23T22:11:06.658003112Z level=error msg="Failed to start hive"',
  panic: 'panic: Start or stop failed to finish on time, aborting forcefully.',
  // §2.1 (1.16–1.17 log.Fatalf wording)
  largePrograms: 'level=fatal msg="Require support for large programs (Linux 5.2.0 or newer)"',
  // §2.1 (#20726): v1.12.0 on 5.18.14 — a custom-kernel config issue, not the kernel's age
  nodePortNeeds: 'level=error msg="unable to initialize Kube proxy replacement options" error="BPF NodePort services needs kernel 4.17.0 or newer." subsys=daemon',
  // §2.1 (#48016): kernel 7.2 helper probe regression
  probeHelper: 'level=fatal msg="failed to probe helper" error="detect support for FnSetRetval for program type CGroupSock: load program: invalid argument: 0: (85) call bpf_set_retval#187: R1 is not a scalar (2 line(s) omitted)"',
  // §2.5 (#30437): escaped quotes
  kprDeprecated: 'level=warning msg="Deprecated value for --kube-proxy-replacement: strict (use either \\"true\\", or \\"false\\")" subsys=daemon',
  // §2.9 (#43643): slog warn with module=
  slogDnsWarn: 'time=2025-10-01T08:00:00.1Z level=warn msg="Timeout waiting for response to forwarded proxied DNS lookup" module=agent.controlplane.fqdn.dns-proxy error="read udp 10.0.1.5:41234->10.96.0.10:53: i/o timeout"',
  // §2.10: folklore lines Cilium never prints — must not match anything
  folkloreMap: 'level=fatal msg="Failed to create BPF map" error="map create: operation not supported" mapName="cilium_lb4_services_v2" type=LRU_HASH',
  folkloreKernel: 'FATAL: kernel too old to run Cilium (4.14.0 < 4.19.57)',
  // §2.4 (#44635): config validation fatal no runbook owns
  ctTablesFatal: 'level=fatal msg="invalid daemon configuration: specified CT tables values 2000000/18000000 must not exceed maximum 16777216"',
  // §2.7 (PR #15825): WireGuard missing from the kernel, logfmt
  wgNotSupported: 'level=fatal msg="Failed to initialize wireguard agent" error="wireguard not supported by the Linux kernel (netlink: operation not supported). Please upgrade your kernel or manually install the kernel module: https://www.wireguard.com/install/" subsys=daemon',
  // §2.7 (microsoft/azurelinux#16243, 1.18.6 on a 6.6 kernel): newer wording, in the 1.18 slog Start-hook wrapper (#44967)
  wgSlog: 'time=2025-11-02T10:00:00.1Z level=error msg="Start hook failed" function="wireguard.newAgent (pkg/wireguard/cell.go:80)" error="failed to initialize WireGuard agent: WireGuard not supported by the Linux kernel (netlink: operation not supported). Please upgrade your kernel, or manually install the kernel module (https://www.wireguard.com/install/)"',
  // §2.7 (#35928): port 51871 taken — not the kernel
  wgPortInUse: 'level=fatal msg="failed to initialize WireGuard agent: failed to set link up: address already in use" subsys=daemon',
  // §2.6 (bandwidth.go@439e9b25; #18639): non-fatal disable
  bwmNeeds51: 'level=warning msg="BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." subsys=daemon',
  bwmProcfs: 'time=2024-08-01T09:00:00Z level=warn msg="BPF bandwidth manager could not read procfs. Disabling the feature." error="open /proc/sys/net/core/default_qdisc: no such file or directory"',
  // §2.6 (1.12 log.Fatalf wording)
  bbrFatal: 'level=fatal msg="Cannot enable --enable-bbr, needs kernel 5.18 or newer." subsys=daemon',
  // §2.2 (siderolabs/talos#9494; daemon_main.go logs it at Fatal)
  memlockFatal: 'level=fatal msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon',
  // §2.2 (PR #19812, #19808): missing CAP_IPC_LOCK
  perfRing: 'level=fatal msg="Cannot initialise BPF perf ring buffer sockets" error="failed to create perf ring for CPU 0: can\'t mmap: operation not permitted" subsys=monitor-agent',
  // §2.3 (#17647, #18047): 4.19 verifier budget, ≤1.13 loader
  tooLarge419: 'level=warning msg="BPF program is too large. Processed 131073 insn" subsys=datapath-loader',
  // §2.3 (#38967): 1.14+ cilium/ebpf E2BIG (the reported line ends "Processe…"; tail completed for the test)
  tooLargeEbpf: 'level=error msg="Error while reloading endpoint BPF program" error="attaching cilium_host: loading eBPF collection into the kernel: program tail_nodeport_nat_ingress_ipv4: load program: argument list too long: BPF program is too large. Processed 1000001 insn" subsys=datapath-loader',
  // §2.4 (#28726, #19279)
  lbMapFull: 'level=error msg="Error while inserting service in LB map" error="failed to update backend cilium_lb4_backends_v2 map with file descriptor 17: the map is full, please consider resizing it. argument list too long"',
  policyMapFull: 'level=error msg="Failed to add PolicyMap key" bpfMapKey="{6291 0 0 0}" error="Unable to update element for cilium_policy_02913 map with file descriptor 245: the map is full, please consider resizing it. argument list too long"',
  // §2.4 (#31701): ENOMEM on update is not "full"
  ipcacheEnomem: 'level=warning msg="unable to update bpf map" error="Unable to update element for cilium_ipcache map with file descriptor 15: cannot allocate memory"',
  // §2.9 (#5517, #12956)
  healthIpFull: 'level=fatal msg="Error while allocating cilium-health IP" error="range is full" subsys=daemon',
  noPodCidr: 'level=warning msg="Waiting for k8s node information" error="required IPv4 pod CIDR not present in node resource" subsys=k8s',
  // §2.8 (#28823, #35927)
  apiserverTimeout: 'level=error msg="Unable to contact k8s api-server" error="Get \\"https://10.96.0.1:443/api/v1/namespaces/kube-system\\": dial tcp 10.96.0.1:443: i/o timeout" subsys=k8s-client',
  crdWait: 'level=info msg="Still waiting for Cilium Operator to register the following CRDs: [crd:ciliumnodes.cilium.io crd:ciliumidentities.cilium.io]" subsys=k8s',
  // §2.9 (PR #40549): L7 proxy off
  l7Rejected: 'level=warning msg="Unable to add CiliumNetworkPolicy" error="Invalid CiliumNetworkPolicy spec: L7 policy is not supported since L7 proxy is not enabled" subsys=k8s-watcher',
  // §1.3: non-fatal config line
  policyRouting: 'level=error msg="Policy routing:NOT OK. Please enable kernel configuration item CONFIG_IP_MULTIPLE_TABLES"',
} as const;

export const logChunk = (lines: readonly string[], truncated = false) => ({ text: lines.join('\n') + '\n', truncated, lines: lines.length });

export function peers(count: number, kernelVersion: string, pool: string, osImage = 'Amazon Linux 2', prefix = pool): PeerNode[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i + 1}`, kernelVersion, osImage, pool, ready: true }));
}

/** A healthy node: kernel 6.1 (Debian 12), Cilium 1.16.3 without KPR, kube-proxy running, routine logs. */
export function healthyInput(): EvidenceInput {
  return {
    schemaVersion: 1,
    cluster: 'prod-eu1',
    nodeName: 'node-7',
    collectedAt: '2025-06-01T10:00:00Z',
    node: ok({
      name: 'node-7', kernelVersion: '6.1.0-18-cloud-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.7.13', kubeletVersion: 'v1.29.4', architecture: 'amd64',
      labels: { 'kubernetes.io/hostname': 'node-7', 'node-pool': 'workers' }, pool: 'workers',
      taints: [], unschedulable: false, internalIP: '10.0.1.7',
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        { type: 'NetworkUnavailable', status: 'False', reason: 'CiliumIsUp', message: 'Cilium is running on this node' },
      ],
    }),
    peers: ok(peers(3, '6.1.0-18-cloud-amd64', 'workers', 'Debian GNU/Linux 12 (bookworm)')),
    cilium: ok({ version: '1.16.3', image: 'quay.io/cilium/cilium:v1.16.3@sha256:62d2a09bbef840a46099ac4c69421c90f84f28d018d479749049011329aa7f28' }),
    ciliumConfig: ok({ 'kube-proxy-replacement': 'false', 'enable-hubble': 'true', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'enable-bandwidth-manager': 'false' }),
    agentPod: ok({ name: 'cilium-x7k2p', namespace: 'kube-system', phase: 'Running', ready: true, restartCount: 0, containers: ['cilium-agent', 'config', 'mount-bpf-fs'], startedAt: '2025-06-01T09:00:00Z' }),
    agentLogs: ok({ current: logChunk([LINES.apiserverInfo, LINES.ctGcWarning]), previous: null }),
    kubeProxy: ok({ daemonSetPresent: true, daemonSetName: 'kube-proxy', podOnNode: { name: 'kube-proxy-abcde', phase: 'Running', ready: true }, mode: 'iptables' }),
    iptables: ok(summarizeIptablesSave(IPTABLES.kubeProxy, { source: 'agent-exec', versionText: 'iptables v1.8.9 (nf_tables)' })),
    workloads: ok([
      { namespace: 'shop', name: 'web-1', phase: 'Running', hostNetwork: false, ownerKind: 'ReplicaSet', ownerName: 'web-5d9' },
      { namespace: 'shop', name: 'db-0', phase: 'Running', hostNetwork: false, ownerKind: 'StatefulSet', ownerName: 'db' },
      { namespace: 'kube-system', name: 'cilium-x7k2p', phase: 'Running', hostNetwork: true, ownerKind: 'DaemonSet', ownerName: 'cilium' },
    ]),
    events: ok([]),
    policies: ok({ cnp: [], ccnp: [] }),
    services: ok([
      { namespace: 'shop', name: 'db', type: 'ClusterIP', clusterIP: '10.96.4.2', endpoints: [{ podName: 'db-0', nodeName: 'node-7', ready: true }] },
      { namespace: 'shop', name: 'web', type: 'ClusterIP', clusterIP: '10.96.4.3', endpoints: [{ podName: 'web-1', nodeName: 'node-7', ready: true }, { podName: 'web-2', nodeName: 'node-8', ready: true }] },
    ]),
    hubble: ok({ enabled: true, relayPresent: true, relayReady: true }),
    operator: ok({ image: 'quay.io/cilium/operator-generic:v1.16.3@sha256:6e2925ef47a1c76e183c48f95d4ce0d34a1e5e848252f910476c3e11ce1ec94b', version: '1.16.3', replicas: 2, readyReplicas: 2 }),
    crds: ok(['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies', 'ciliumendpoints', 'ciliumidentities', 'ciliumnodes'].map((n) => ({
      name: `${n}.cilium.io`, servedVersions: ['v2'], storageVersion: 'v2', storedVersions: ['v2'], established: true,
    }))),
    ciliumNode: ok({ podCIDRs: ['10.0.1.0/24'], used: 4, operatorError: null }),
    clusterPods: ok([
      { namespace: 'shop', name: 'web-1', phase: 'Running', labels: { app: 'web' } },
      { namespace: 'shop', name: 'web-2', phase: 'Running', labels: { app: 'web' } },
      { namespace: 'shop', name: 'db-0', phase: 'Running', labels: { app: 'db' } },
    ]),
    kernelConfig: ok({ source: '/proc/config.gz', options: Object.fromEntries([
      'CONFIG_BPF', 'CONFIG_BPF_SYSCALL', 'CONFIG_NET_CLS_BPF', 'CONFIG_BPF_JIT', 'CONFIG_NET_CLS_ACT', 'CONFIG_NET_SCH_INGRESS',
      'CONFIG_CRYPTO_SHA1', 'CONFIG_CRYPTO_USER_API_HASH', 'CONFIG_CGROUPS', 'CONFIG_CGROUP_BPF', 'CONFIG_PERF_EVENTS', 'CONFIG_SCHEDSTATS',
      'CONFIG_VXLAN', 'CONFIG_GENEVE', 'CONFIG_NETFILTER_XT_TARGET_TPROXY', 'CONFIG_NETFILTER_XT_MATCH_SOCKET', 'CONFIG_NET_SCH_FQ', 'CONFIG_WIREGUARD',
    ].map((k) => [k, k === 'CONFIG_VXLAN' || k === 'CONFIG_WIREGUARD' ? 'm' : 'y'])) }),
    memlock: ok({ soft: 'unlimited', hard: 'unlimited' }),
    install: ok({
      namespace: 'kube-system', daemonSet: 'cilium', agentContainer: 'cilium-agent', agentSelector: 'k8s-app=cilium', platform: 'generic',
      helmRelease: { name: 'cilium', namespace: 'kube-system' }, managedBy: null, how: 'DaemonSet kube-system/cilium (label k8s-app=cilium)',
    }),
    initLogs: ok([]),
    configOverrides: ok([]),
    // Debian 12's /proc/version for 6.1.0-18-cloud-amd64 (the upstream patch level follows "Debian").
    hostKernel: ok({ procVersion: 'Linux version 6.1.0-18-cloud-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)', source: 'agent-exec' }),
    kernelLog: ok({ lines: [], truncated: false, source: 'probe-pod' }),
    // A healthy agent's `cilium status --verbose` head as quoted in cilium/cilium#17540 (1.10.4; the Kubernetes APIs
    // list shortened): IPAM 4/254, the huge IPv6 total, the Allocated addresses --verbose adds.
    agentStatus: ok({
      text: [
        'KVStore:                Ok   Disabled',
        'Kubernetes:             Ok   1.22 (v1.22.1) [linux/amd64]',
        'Kubernetes APIs:        ["cilium/v2::CiliumClusterwideNetworkPolicy", "cilium/v2::CiliumEndpoint", "core/v1::Pods", "core/v1::Service"]',
        'KubeProxyReplacement:   Probe   [ens6f0np0 172.81.0.10 fd00:81::ac51:a (Direct Routing)]',
        'Cilium:                 Ok   1.10.4 (v1.10.4-2a46fd6)',
        'NodeMonitor:            Listening for events on 40 CPUs with 64x4096 of shared memory',
        'Cilium health daemon:   Ok',
        'IPAM:                   IPv4: 4/254 allocated from 172.21.0.0/24, IPv6: 4/18446744073709551614 allocated from fc01::/64',
        'Allocated addresses:',
        '  172.21.0.106 (kube-system/calico-kube-controllers-58497c65d5-4mrdr)',
        '  172.21.0.20 (router)',
        '  172.21.0.95 (health)',
        '  172.21.0.96 (default/nginx-172-81-0-10-684bb7f5b9-78bzc)',
        'ClusterMesh:            0/0 clusters ready, 0 global-services',
      ].join('\n'),
      verbose: true,
      source: 'agent-exec',
    }),
    // No Hubble flow seen dropped on a healthy node.
    flows: ok({ flows: [], truncated: false, source: 'hubble-relay' }),
    // No clustermesh-apiserver deployed; the agent reports no remote cluster, so the node list is not read.
    clustermesh: ok({ apiserver: null, nodeList: null, nodeListNote: 'not read: the agent reports no remote cluster' }),
  };
}

/** Builds validated Evidence from the healthy baseline plus overrides (parseEvidence checks every fixture). */
export function exampleEvidence(patch: Partial<EvidenceInput> = {}): Evidence {
  return parseEvidence({ ...healthyInput(), ...patch });
}

/** Node fact with a different kernel / OS / kubelet. */
export function withNode(patch: Partial<{ kernelVersion: string; osImage: string; kubeletVersion: string; architecture: string; pool: string }>): Partial<EvidenceInput> {
  const base = healthyInput().node;
  if (base === undefined || !base.ok) throw new Error('fixture baseline lacks a node');
  return { node: ok({ ...base.value, ...patch }) };
}

/** Agent logs from lines: previous container (the crashed one) and current. */
export const agentLogs = (previous: readonly string[] | null, current: readonly string[] = []) =>
  ({ agentLogs: ok({ current: logChunk(current), previous: previous === null ? null : logChunk(previous) }) });

export const crashingPod = (restartCount = 7) => ok({
  name: 'cilium-x7k2p', namespace: 'kube-system', phase: 'Running', ready: false, restartCount,
  waitingReason: 'CrashLoopBackOff', waitingMessage: 'back-off 5m0s restarting failed container=cilium-agent',
  lastTermination: { exitCode: 1, reason: 'Error', finishedAt: '2025-06-01T09:58:00Z' },
  containers: ['cilium-agent', 'config', 'mount-bpf-fs'],
});

export const IPTABLES = {
  // kube-proxy iptables mode (kubernetes pkg/proxy/iptables/proxier.go) plus kubelet's chains
  kubeProxy: [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-KUBELET-CANARY - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-NODEPORTS - [0:0]',
    ':KUBE-POSTROUTING - [0:0]', ':KUBE-PROXY-CANARY - [0:0]', ':KUBE-SERVICES - [0:0]', ':KUBE-SVC-ERIFXISQEP7F7OF4 - [0:0]',
    ':KUBE-SEP-IT2ZTR26TO4XFPTO - [0:0]', ':CILIUM_POST_nat - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU',
    '-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp -> 10.0.1.12:53" -j KUBE-SEP-IT2ZTR26TO4XFPTO',
    '-A KUBE-SEP-IT2ZTR26TO4XFPTO -p tcp -m tcp -j DNAT --to-destination 10.0.1.12:53',
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A CILIUM_POST_nat -s 10.0.1.0/24 -m comment --comment "cilium masquerade non-cluster" -j MASQUERADE',
    'COMMIT',
  ].join('\n'),
  // a kube-proxy-free node: only kubelet's chains and Cilium's (#22164)
  kubeletOnly: [
    '*filter', ':KUBE-FIREWALL - [0:0]', ':KUBE-KUBELET-CANARY - [0:0]',
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    'COMMIT', '*nat', ':KUBE-KUBELET-CANARY - [0:0]', ':KUBE-MARK-DROP - [0:0]', ':CILIUM_POST_nat - [0:0]', ':CILIUM_OUTPUT_nat - [0:0]',
    '-A POSTROUTING -m comment --comment "cilium-feeder: CILIUM_POST_nat" -j CILIUM_POST_nat',
    '-A CILIUM_POST_nat -s 10.0.1.0/24 -j MASQUERADE', 'COMMIT',
  ].join('\n'),
  // kube-proxy IPVS mode (pkg/proxy/ipvs/proxier.go): no KUBE-SVC chains
  ipvs: [
    '*nat', ':KUBE-SERVICES - [0:0]', ':KUBE-NODE-PORT - [0:0]', ':KUBE-LOAD-BALANCER - [0:0]', ':KUBE-POSTROUTING - [0:0]',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
    '-A KUBE-NODE-PORT -p tcp -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ', 'COMMIT',
  ].join('\n'),
} as const;
