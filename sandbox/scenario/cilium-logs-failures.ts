// Agent log lines of the failure scenarios. Each is a line Cilium really prints, copied from the issue or PR named
// beside it; only values that differ per cluster (IPs, endpoint ids, timestamps) are ours. Where a source shows only
// the message text, the level and subsystem come from the logging call in Cilium's source, named too.

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** bpf-map-create-failed: 1.12.1 on 5.15.0-1019-aws with a 1G agent memory limit (cilium#23436, verbatim). */
export const MAP_CREATE_NEIGH_ENOMEM_ERROR =
  'level=error msg="error while opening/creating BPF maps" error="Unable to create map /sys/fs/bpf/tc/globals/cilium_nodeport_neigh4: cannot allocate memory" subsys=daemon';
export const MAP_CREATE_NEIGH_ENOMEM_FATAL =
  'level=fatal msg="Error while creating daemon" error="error while opening/creating BPF maps: Unable to create map /sys/fs/bpf/tc/globals/cilium_nodeport_neigh4: cannot allocate memory" subsys=daemon';

/**
 * memlock-rlimit: message text verbatim from siderolabs/talos#9494; level fatal and subsys=daemon from
 * `log.WithError(err).Fatal("unable to set memory resource limits")` in daemon/cmd/daemon_main.go (1.12–1.17).
 */
export const MEMLOCK_FATAL =
  'level=fatal msg="unable to set memory resource limits" error="failed to set memlock rlimit: operation not permitted" subsys=daemon';

/** wireguard-unsupported: the example line of cilium PR #15825 (1.10, tested on 4.9), verbatim. */
export const WIREGUARD_UNSUPPORTED_FATAL =
  'level=fatal msg="Failed to initialize wireguard agent" error="wireguard not supported by the Linux kernel (netlink: operation not supported). Please upgrade your kernel or manually install the kernel module: https://www.wireguard.com/install/" subsys=daemon';

/**
 * kernel-config-missing (1.18, slog): the error text is verbatim from microsoft/azurelinux#16243 (cilium-facts §2.7,
 * 6.6 kernel without CONFIG_WIREGUARD, 1.18.6); the message is `d.logger.Error("failed to initialize WireGuard
 * agent", logfields.Error, err)` in 1.18 daemon/cmd/daemon.go. Rendered in the slog layout of cilium-facts §2.0
 * (time=… level=… msg=… error=…); no module= field, because that logger's module is not in any source we have.
 */
export function wireguardConfigMissingError(time: string): string {
  return `time=${time} level=error msg="failed to initialize WireGuard agent" error="WireGuard not supported by the Linux kernel (netlink: operation not supported). Please upgrade your kernel, or manually install the kernel module (https://www.wireguard.com/install/)"`;
}

/**
 * bandwidth-manager-unsupported: text verbatim from cilium#18639 (1.11.0 on 4.19); level warning and
 * subsys=bandwidth-manager from `log.Warn(...)` in pkg/datapath/linux/bandwidth/bandwidth.go (1.12, `subsystem =
 * "bandwidth-manager"`). Not fatal: the agent runs on without the feature (cilium-facts §2.6).
 */
export const BANDWIDTH_KERNEL_WARNING =
  'level=warning msg="BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." subsys=bandwidth-manager';

/** Verifier complexity limit, datapath-loader warning (cilium-facts §2.3): 4.19 budget (#17647, #18047), 5.2+ budget (#25500). */
export function programTooLarge(insns: 131073 | 1000001): string {
  return `level=warning msg="BPF program is too large. Processed ${insns} insn" subsys=datapath-loader`;
}

/** The verifier's summary line (5.2+), verbatim from vexxhost/atmosphere#453 (Cilium 1.11 datapath-loader). */
export const VERIFIER_PROCESSED =
  'level=warning msg="processed 1000001 insns (limit 1000000) max_states_per_insn 22 total_states 65677 peak_states 1966 mark_read 85" subsys=datapath-loader';

export const UNABLE_TO_LOAD_PROGRAM = 'level=warning msg="Unable to load program" subsys=datapath-loader';

/** vexxhost/atmosphere#453 (1.11 tc loader), with our endpoint id. */
export function joinEpFailed(endpointID: number): string {
  return `level=warning msg="JoinEP: Failed to load program" containerID= datapathPolicyRevision=0 desiredPolicyRevision=1 endpointID=${endpointID} error="Failed to load prog with tc: exit status 1" file-path=${endpointID}_next/bpf_lxc.o identity=4 ipv4= ipv6= k8sPodName=/ subsys=datapath-loader veth=lxc_health`;
}

/** vexxhost/atmosphere#453; the message is cilium-facts §2.3 (#18680, 1.11). */
export function rewriteEndpointFailed(endpointID: number): string {
  return `level=error msg="Error while rewriting endpoint BPF program" containerID= datapathPolicyRevision=0 desiredPolicyRevision=1 endpointID=${endpointID} error="Failed to load prog with tc: exit status 1" identity=4 ipv4= ipv6= k8sPodName=/ subsys=endpoint`;
}

/** cilium#25500 (1.11.15 on 5.15.0-72), with our endpoint id, policy revision and identity. */
export function endpointRegenerationFailed(endpointID: number, revision: number, identity: number): string {
  return `level=error msg="endpoint regeneration failed" containerID= datapathPolicyRevision=0 desiredPolicyRevision=${revision} endpointID=${endpointID} error="Failed to load prog with tc: exit status 1" identity=${identity} ipv4= ipv6= k8sPodName=/ subsys=endpoint`;
}

export interface PolicyMapFullOptions {
  peerIdentity: number;
  containerID: string;
  endpointID: number;
  fd: number;
  identity: number;
  ipv4: string;
  pod: string;
}

/** map-full: cilium#19279 (1.11.1–1.11.3, verbatim shape; cilium-facts §2.4), with our pod and ids. */
export function policyMapFull(o: PolicyMapFullOptions): string {
  const map = `cilium_policy_${String(o.endpointID).padStart(5, '0')}`;
  return `level=error msg="Failed to add PolicyMap key" bpfMapKey="{${o.peerIdentity} 0 0 0}" containerID=${o.containerID} datapathPolicyRevision=0 desiredPolicyRevision=4 endpointID=${o.endpointID} error="Unable to update element for ${map} map with file descriptor ${o.fd}: the map is full, please consider resizing it. argument list too long" identity=${o.identity} ipv4=${o.ipv4} ipv6= k8sPodName=${o.pod} port=0 subsys=endpoint`;
}

/** apiserver-unreachable: the line of cilium-facts §2.8 (#28823, #35440) exactly as given there, with our Service VIP. */
export function apiserverUnreachable(vip: string): string {
  return `level=error msg="Unable to contact k8s api-server" error="Get \\"https://${vip}:443/api/v1/namespaces/kube-system\\": dial tcp ${vip}:443: i/o timeout"`;
}

const IP = '\\d+\\.\\d+\\.\\d+\\.\\d+';

/** Every line above as a pattern, with its source; cilium-logs.ts adds these to its table. */
export const FAILURE_CITATIONS: readonly (readonly [RegExp, string])[] = [
  [new RegExp(`^${escapeRe(MAP_CREATE_NEIGH_ENOMEM_ERROR)}$`), 'cilium#23436 verbatim (1.12.1, 5.15.0-1019-aws, 1G memory limit); cilium-facts §2.2 (≤1.13 pkg/bpf form)'],
  [new RegExp(`^${escapeRe(MAP_CREATE_NEIGH_ENOMEM_FATAL)}$`), 'cilium#23436 verbatim; "Error while creating daemon" fatal per cilium-facts §2.2 (#9402, #15510)'],
  [new RegExp(`^${escapeRe(MEMLOCK_FATAL)}$`), 'cilium-facts §2.2 (siderolabs/talos#9494 text); level/subsys from daemon_main.go Fatal("unable to set memory resource limits")'],
  [new RegExp(`^${escapeRe(WIREGUARD_UNSUPPORTED_FATAL)}$`), 'cilium-facts §2.7 (cilium PR #15825 example line, verbatim)'],
  [/^time=\S+ level=error msg="failed to initialize WireGuard agent" error="WireGuard not supported by the Linux kernel \(netlink: operation not supported\)\. Please upgrade your kernel, or manually install the kernel module \(https:\/\/www\.wireguard\.com\/install\/\)"$/, 'cilium-facts §2.7 error text (microsoft/azurelinux#16243, 1.18.6 on 6.6); msg from 1.18 daemon.go; slog layout per §2.0'],
  [new RegExp(`^${escapeRe(BANDWIDTH_KERNEL_WARNING)}$`), 'cilium-facts §2.6 (cilium#18639 text); level/subsys from pkg/datapath/linux/bandwidth/bandwidth.go (1.12)'],
  [/^level=warning msg="BPF program is too large\. Processed (131073|1000001) insn" subsys=datapath-loader$/, 'cilium-facts §2.3 (#17647, #18047: 131073 on 4.19; #25500, #18591: 1000001)'],
  [new RegExp(`^${escapeRe(VERIFIER_PROCESSED)}$`), 'vexxhost/atmosphere#453 verbatim (Cilium 1.11 datapath-loader)'],
  [new RegExp(`^${escapeRe(UNABLE_TO_LOAD_PROGRAM)}$`), 'vexxhost/atmosphere#453 verbatim'],
  [/^level=warning msg="JoinEP: Failed to load program" containerID= datapathPolicyRevision=0 desiredPolicyRevision=1 endpointID=(\d+) error="Failed to load prog with tc: exit status 1" file-path=\1_next\/bpf_lxc\.o identity=4 ipv4= ipv6= k8sPodName=\/ subsys=datapath-loader veth=lxc_health$/, 'cilium-facts §2.3; vexxhost/atmosphere#453 verbatim shape'],
  [/^level=error msg="Error while rewriting endpoint BPF program" containerID= datapathPolicyRevision=0 desiredPolicyRevision=1 endpointID=\d+ error="Failed to load prog with tc: exit status 1" identity=4 ipv4= ipv6= k8sPodName=\/ subsys=endpoint$/, 'cilium-facts §2.3 (#18680); vexxhost/atmosphere#453 verbatim shape'],
  [/^level=error msg="endpoint regeneration failed" containerID= datapathPolicyRevision=0 desiredPolicyRevision=\d+ endpointID=\d+ error="Failed to load prog with tc: exit status 1" identity=\d+ ipv4= ipv6= k8sPodName=\/ subsys=endpoint$/, 'cilium#25500 verbatim shape (1.11.15 on 5.15.0-72)'],
  [new RegExp(`^level=error msg="Failed to add PolicyMap key" bpfMapKey="\\{\\d+ 0 0 0\\}" containerID=[0-9a-f]{10} datapathPolicyRevision=0 desiredPolicyRevision=4 endpointID=(\\d+) error="Unable to update element for cilium_policy_\\d{5} map with file descriptor \\d+: the map is full, please consider resizing it\\. argument list too long" identity=\\d+ ipv4=${IP} ipv6= k8sPodName=[a-z0-9-]+/[a-z0-9-]+ port=0 subsys=endpoint$`), 'cilium-facts §2.4 (cilium#19279 verbatim shape, 1.11.1–1.11.3)'],
  [new RegExp(`^level=error msg="Unable to contact k8s api-server" error="Get \\\\"https://(${IP}):443/api/v1/namespaces/kube-system\\\\": dial tcp \\1:443: i/o timeout"$`), 'cilium-facts §2.8 (#28823, #35440), as given there'],
];
