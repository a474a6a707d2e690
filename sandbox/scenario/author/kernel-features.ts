// A feature enabled in cilium-config that node-2's kernel cannot run: WireGuard on a kernel built without it,
// WireGuard below 5.6, the bandwidth manager below 5.1 (cilium-facts §1.2, §2.6, §2.7).
import { sandboxNoAgentMessage } from '../build-apps.ts';
import { healthyAgentLog } from '../cilium-logs.ts';
import { BANDWIDTH_KERNEL_WARNING, WIREGUARD_UNSUPPORTED_FATAL, wireguardConfigMissingError } from '../cilium-logs-failures.ts';
import { clusterYaml, CRASH, flagLines, logContext, startLines, text, type ClusterSpec } from './broken-cluster.ts';
import { legacyKpr } from './agent-failures.ts';

const UBUNTU_2404_AWS = { kernel: '6.8.0-1018-aws', osImage: 'Ubuntu 24.04.1 LTS' };
const CUSTOM_RT = { kernel: '6.6.63-rt46-custom', osImage: 'Ubuntu 24.04.1 LTS' };

export function kernelConfigMissingYaml(): string {
  const crash = text([wireguardConfigMissingError('2026-11-23T12:36:44.174218911Z')]);
  const spec: ClusterSpec = {
    name: 'kernel-config-missing',
    description: 'Cilium 1.18.6 with WireGuard encryption (enable-wireguard=true) on Ubuntu 24.04 nodes; node-2 joined from the new workers-rt pool, whose custom-built 6.6 real-time kernel leaves out CONFIG_WIREGUARD. The kernel is far above WireGuard\'s 5.6, yet the agent on node-2 crash-loops on "WireGuard not supported by the Linux kernel (netlink: operation not supported)" (as on the AKS 6.6 kernel of microsoft/azurelinux#16243) and its pods wait for a sandbox.',
    header: [
      'The WireGuard error text is cilium-facts §2.7 (azurelinux#16243, 1.18.6); the 1.18 slog line around it is rendered from daemon.go (see cilium-logs-failures.ts).',
      'Healthy 1.18 agents carry no log text here: no complete 1.18 start-up line is in our sources.',
    ],
    version: '1.18.6', nodes: 4, os: UBUNTU_2404_AWS, brokenOs: CUSTOM_RT, brokenPool: 'workers-rt',
    config: { 'enable-wireguard': 'true', 'routing-mode': 'tunnel' }, kpr: true,
    healthyLog: () => undefined,
    broken: { state: 'crashloop', restarts: 12, lastTermination: CRASH, previous: crash, current: crash, neverReady: true, stuckWorkloads: sandboxNoAgentMessage },
  };
  return clusterYaml(spec);
}

const AL2_510 = { kernel: '5.10.227-219.884.amzn2.x86_64', osImage: 'Amazon Linux 2', kubeletVersion: 'v1.29.15-eks-473151a' };
const AL2_414 = { kernel: '4.14.355-275.572.amzn2.x86_64', osImage: 'Amazon Linux 2', kubeletVersion: 'v1.29.15-eks-473151a' };
const FLAGS_110 = { 'enable-l7-proxy': 'false', 'enable-wireguard': 'true', 'kube-proxy-replacement': 'disabled', tunnel: 'vxlan' };

export function wireguardUnsupportedYaml(): string {
  const crash = text([...flagLines(FLAGS_110), WIREGUARD_UNSUPPORTED_FATAL]);
  const spec: ClusterSpec = {
    name: 'wireguard-unsupported',
    description: 'Cilium 1.10.20 with WireGuard encryption (enable-wireguard=true, enable-l7-proxy=false as 1.10 requires) on Amazon Linux 2 nodes with the 5.10 kernel; node-2 came from an old launch template with the 4.14 kernel, below WireGuard\'s 5.6 and without the out-of-tree module. Its agent crash-loops on "Failed to initialize wireguard agent … wireguard not supported by the Linux kernel" (cilium PR #15825) and the node keeps the agent-not-ready taint.',
    header: ['Fatal line: cilium-facts §2.7 (cilium PR #15825, verbatim). 1.10 agents: only the flag dump precedes it (cilium#10627 form).'],
    version: '1.10.20', nodes: 3, os: AL2_510, brokenOs: AL2_414, brokenPool: 'workers-legacy',
    config: { 'enable-wireguard': 'true', 'enable-l7-proxy': 'false', 'kube-proxy-replacement': 'disabled', tunnel: 'vxlan' }, kpr: false,
    healthyLog: () => text(flagLines(FLAGS_110)),
    broken: { state: 'crashloop', restarts: 21, lastTermination: { ...CRASH, startedAt: '2026-11-23T12:36:40Z', finishedAt: '2026-11-23T12:36:42Z' }, previous: crash, current: crash, neverReady: true },
  };
  return clusterYaml(spec);
}

const DEBIAN_11 = { kernel: '5.10.0-32-cloud-amd64', osImage: 'Debian GNU/Linux 11 (bullseye)' };
const DEBIAN_10 = { kernel: '4.19.0-27-cloud-amd64', osImage: 'Debian GNU/Linux 10 (buster)' };

export function bandwidthManagerUnsupportedYaml(): string {
  const ctx = logContext({ kpr: false });
  const start = legacyKpr(startLines(ctx), 'disabled');
  const spec: ClusterSpec = {
    name: 'bandwidth-manager-unsupported',
    description: 'Cilium 1.12.19 with enable-bandwidth-manager=true on Debian 11 (5.10) nodes; node-2 still runs Debian 10 with its 4.19 kernel, below the bandwidth manager\'s 5.1. Its agent runs and is ready but logs "BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature." (cilium#18639), so kubernetes.io/egress-bandwidth limits are silently not enforced on node-2 only.',
    header: [
      'Warning line: cilium-facts §2.6 (cilium#18639 text; level/subsys from bandwidth.go). Non-fatal: the agent is ready (§0 item 6).',
      'A 5.4 kernel would not do here: 5.4 ≥ 5.1 runs the bandwidth manager (cilium-facts §0 item 8); only BBR needs 5.18.',
    ],
    version: '1.12.19', nodes: 3, os: DEBIAN_11, brokenOs: DEBIAN_10,
    config: { 'enable-bandwidth-manager': 'true', 'kube-proxy-replacement': 'disabled' }, kpr: false,
    healthyLog: (c) => text(legacyKpr(healthyAgentLog(c).trimEnd().split('\n'), 'disabled')),
    broken: { state: 'running', current: text([...start, BANDWIDTH_KERNEL_WARNING]) },
  };
  return clusterYaml(spec);
}
