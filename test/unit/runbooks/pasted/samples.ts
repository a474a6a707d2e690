// Real output, quoted from public threads, for the paste recogniser's tests. Each constant names its source.
/** cilium/cilium#18331 (IPAM full; one controller failing), verbatim but for the shortened API list. */
export const STATUS_18331 = [
  'KVStore:                Ok   Disabled',
  'Kubernetes:             Ok   1.19+ (v1.19.2-1049+f173eb4a83e557-dirty) [linux/amd64]',
  'Kubernetes APIs:        ["cilium/v2::CiliumClusterwideNetworkPolicy", "cilium/v2::CiliumEndpoint", "core/v1::Service"]',
  'KubeProxyReplacement:   Probe   [eth0 (Direct Routing)]',
  'Cilium:                 Ok      OK',
  'NodeMonitor:            Listening for events on 16 CPUs with 64x4096 of shared memory',
  '                        1092 events lost, 0 unknown notifications',
  'Cilium health daemon:   Ok',
  'IPAM:                   IPv4: 510/511 allocated from 10.128.68.0/23,',
  'BandwidthManager:       Disabled',
  'Host Routing:           Legacy',
  'Masquerading:           IPTables',
  'Controller Status:      2056/2057 healthy',
  '  Name                                 Last success   Last error   Count   Message',
  '  endpoint-595-regeneration-recovery   never          22m37s ago   1140    regeneration recovery failed',
].join('\n');

/** The cilium-cli summary box (cilium/cilium#24237): no IPAM, not the agent's status. */
export const CLI_STATUS_24237 = [
  'cilium status',
  '    /¯¯\\',
  ' /¯¯\\__/¯¯\\    Cilium:          OK',
  ' \\__/¯¯\\__/    Operator:        OK',
  ' /¯¯\\__/¯¯\\    Hubble Relay:    disabled',
  ' \\__/¯¯\\__/    ClusterMesh:     disabled',
  '    \\__/',
  '',
  'DaemonSet         cilium             Desired: 2, Ready: 2/2, Available: 2/2',
  'Deployment        cilium-operator    Desired: 1, Ready: 1/1, Available: 1/1',
  'Containers:       cilium             Running: 2',
  '                  cilium-operator    Running: 1',
].join('\n');

/** `hubble observe` (gatekeeper#3648 via the corpus, and cilium hubble/pkg/printer printer_test.go's compact line). */
export const HUBBLE_3648 = [
  'Oct 15 10:53:22.292: gatekeeper-system/gatekeeper-controller-manager-8cfdfc7d4-mg266:57736 (ID:5303) <- 10.1.0.11:443 (kube-apiserver) to-endpoint FORWARDED (TCP Flags: ACK, PSH)',
  'Oct 15 10:53:22.338: 198.18.0.1:61504 (remote-node) <> gatekeeper-system/gatekeeper-controller-manager-8cfdfc7d4-mg266:8443 (ID:5303) policy-verdict:none INGRESS DENIED (TCP Flags: SYN)',
  'Oct 15 10:53:22.338: 198.18.0.1:61504 (remote-node) <> gatekeeper-system/gatekeeper-controller-manager-8cfdfc7d4-mg266:8443 (ID:5303) Policy denied DROPPED (TCP Flags: SYN)',
].join('\n');
export const HUBBLE_PRINTER = 'Jan  1 00:20:34.567: 1.1.1.1:31793 (health) -> 2.2.2.2:8080 (ID:12345) Policy denied DROPPED (TCP Flags: SYN)';

/** SELinux denials of the agent's probes on Fedora 29 (cilium/cilium#6358). */
export const AVC_6358 = [
  'avc: denied  { prog_load } for  pid=29990 comm="raw_change_tail" scontext=system_u:system_r:unconfined_service_t:s0 tcontext=system_u:system_r:unconfined_service_t:s0 tclass=bpf permissive=0',
  'avc: denied  { map_create } for  pid=30002 comm="raw_lpm_map.t" scontext=system_u:system_r:unconfined_service_t:s0 tcontext=system_u:system_r:unconfined_service_t:s0 tclass=bpf permissive=0',
].join('\n');

/** A lockdown refusal from `talosctl dmesg` (siderolabs/talos#8117). */
export const LOCKDOWN_8117 = '10.0.88.3: kern:  notice: [2023-12-28T15:24:56.462748671Z]: Lockdown: bpftool: use of bpf to read kernel RAM is restricted; see man kernel_lockdown.7';

/** CNI events under a describe (cilium/cilium#15255, via the corpus). */
export const EVENTS_15255 = '   Warning  FailedCreatePodSandBox  7m10s                   kubelet            Failed create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container "f175583fbbd2" network for pod "coredns-5544f57546-dmzhd": NetworkPlugin cni failed to set up pod "coredns-5544f57546-dmzhd_kube-system" network: unable to allocate IP via local cilium agent: [POST /ipam][502] postIpamFailure  range is full';

/**
 * `kubectl describe pod` of an agent: the header verbatim from cilium/cilium#26907; the container blocks in kubectl's
 * layout as #33924 quotes it (State / Reason / Exit Code / Ready / Restart Count), with a crash-looping agent.
 */
export const DESCRIBE_AGENT_POD = [
  'Name:                 cilium-crx2x',
  'Namespace:            kube-system',
  'Priority:             2000001000',
  'Priority Class Name:  system-node-critical',
  'Node:                 lvquanfeng-master-1/10.26.65.231',
  'Start Time:           Thu, 20 Jul 2023 16:01:04 +0800',
  'Labels:               controller-revision-hash=5d599fd585',
  '                      k8s-app=cilium',
  '                      pod-template-generation=1',
  'Status:               Running',
  'IP:                   10.26.65.231',
  'Controlled By:  DaemonSet/cilium',
  'Init Containers:',
  '  mount-cgroup:',
  '    Image:         quay.io/cilium/cilium:v1.11.4@sha256:d9d4c7759175db31aa32eaa68274bb9355d468fbc87e23123c80052e3ed63116',
  '    State:          Terminated',
  '      Reason:       Completed',
  '      Exit Code:    0',
  '    Ready:          True',
  '    Restart Count:  0',
  'Containers:',
  '  cilium-agent:',
  '    Image:         quay.io/cilium/cilium:v1.11.4@sha256:d9d4c7759175db31aa32eaa68274bb9355d468fbc87e23123c80052e3ed63116',
  '    State:          Waiting',
  '      Reason:       CrashLoopBackOff',
  '    Last State:     Terminated',
  '      Reason:       Error',
  '      Exit Code:    1',
  '      Started:      Thu, 20 Jul 2023 16:20:11 +0800',
  '      Finished:     Thu, 20 Jul 2023 16:20:12 +0800',
  '    Ready:          False',
  '    Restart Count:  9',
  'Conditions:',
  '  Type              Status',
  '  Initialized       True',
  '  Ready             False',
  '  ContainersReady   False',
  '  PodScheduled      True',
  'Events:',
  '  Type     Reason   Age                  From     Message',
  '  ----     ------   ----                 ----     -------',
  '  Warning  BackOff  2m (x50 over 12m)    kubelet  Back-off restarting failed container',
].join('\n');
