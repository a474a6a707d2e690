// What a running cilium-agent container answers to the reads the collectors make, when a scenario scripts nothing
// for them (a healthy node must not show "executable file not found" for `cat /proc/version`). Scripted
// exec results always win; these only fill the gap, from the node the pod runs on.
import type { KubeObject } from '../scenario/schema.ts';
import type { ExecOutcome } from './exec-results.ts';
import { asRecord } from './resources.ts';
import { agentStatusInputs, agentStatusText } from './agent-status-text.ts';

/** The container every Cilium install names the agent in (Helm, OLM, RKE2, GKE anetd alike). */
export const AGENT_CONTAINER = 'cilium-agent';

/** The command the collectors run to read the kernel build config (jobs/collect/collect-evidence.ts). */
export const KERNEL_CONFIG_COMMAND = 'sh -c zcat /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)';

/**
 * `/proc/version` is `Linux version <release> (<user>@<host>) (<compiler>) <version>` (init/version.c
 * linux_proc_banner). Only the release is known from the Node (status.nodeInfo.kernelVersion); the builder and
 * compiler of a vendor kernel are not, so they say so instead of pretending. Scenarios that need a vendor's real
 * line (e.g. Debian's "#1 SMP Debian 4.19.249-2 (2022-06-30)") script it.
 */
export function procVersion(kernelRelease: string): string {
  return `Linux version ${kernelRelease} (unknown@sandbox) (compiler unknown) #1 SMP\n`;
}

/**
 * /proc/1/limits of the agent (PID 1 of its container is cilium-agent). Max locked memory is unlimited: the agent
 * lifts RLIMIT_MEMLOCK itself on kernels without memcg accounting for BPF (cilium/ebpf rlimit.RemoveMemlock, called
 * from daemon/cmd/daemon_main.go), and on later kernels the limit does not gate BPF. The other rows are typical
 * values no runbook reads (not taken from a source); a scenario that needs a real table scripts it.
 */
export const AGENT_PROC_LIMITS = [
  'Limit                     Soft Limit           Hard Limit           Units     ',
  'Max cpu time              unlimited            unlimited            seconds   ',
  'Max file size             unlimited            unlimited            bytes     ',
  'Max data size             unlimited            unlimited            bytes     ',
  'Max stack size            8388608              unlimited            bytes     ',
  'Max core file size        unlimited            unlimited            bytes     ',
  'Max resident set          unlimited            unlimited            bytes     ',
  'Max processes             unlimited            unlimited            processes ',
  'Max open files            1048576              1048576              files     ',
  'Max locked memory         unlimited            unlimited            bytes     ',
  'Max address space         unlimited            unlimited            bytes     ',
  'Max file locks            unlimited            unlimited            locks     ',
  'Max pending signals       62898                62898                signals   ',
  'Max msgqueue size         819200               819200               bytes     ',
  'Max nice priority         0                    0                    ',
  'Max realtime priority     0                    0                    ',
  'Max realtime timeout      unlimited            unlimited            us        ',
  '',
].join('\n');

/** "6.1.0-28-cloud-amd64" → [6, 1]; undefined when the release does not start with a version. */
function majorMinor(release: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

/**
 * The options Cilium's system requirements list (docs.cilium.io/en/stable/operations/system_requirements/, "Base
 * requirements", "Requirements for Tunneling and Routing", "Requirements for L7 and FQDN Policies", "Requirements for
 * IPsec"; added by cilium/cilium PR #18546) and the bandwidth manager's fq qdisc, as a distribution kernel that meets them sets them. CONFIG_WIREGUARD only
 * from 5.6, the release that merged WireGuard: older kernels have no such option at all.
 */
export function kernelConfig(release: string): string {
  const lines = [
    `# Linux/x86 ${release.replace(/-.*$/, '')} Kernel Configuration`,
    'CONFIG_BPF=y', 'CONFIG_BPF_SYSCALL=y', 'CONFIG_BPF_JIT=y', 'CONFIG_NET_CLS_BPF=y', 'CONFIG_NET_CLS_ACT=y',
    'CONFIG_NET_SCH_INGRESS=y', 'CONFIG_CRYPTO_SHA1=y', 'CONFIG_CRYPTO_USER_API_HASH=y', 'CONFIG_CGROUPS=y',
    'CONFIG_CGROUP_BPF=y', 'CONFIG_PERF_EVENTS=y', 'CONFIG_SCHEDSTATS=y',
    'CONFIG_VXLAN=m', 'CONFIG_GENEVE=m', 'CONFIG_FIB_RULES=y',
    'CONFIG_NETFILTER_XT_TARGET_TPROXY=m', 'CONFIG_NETFILTER_XT_TARGET_CT=m', 'CONFIG_NETFILTER_XT_MATCH_MARK=m',
    'CONFIG_NETFILTER_XT_MATCH_SOCKET=m', 'CONFIG_XFRM=y', 'CONFIG_XFRM_USER=m', 'CONFIG_INET_ESP=m',
    // The fq qdisc the bandwidth manager needs (Linux 3.12+); distribution kernels build it as a module.
    'CONFIG_NET_SCH_FQ=m',
  ];
  const mm = majorMinor(release);
  if (mm !== undefined && (mm[0] > 5 || (mm[0] === 5 && mm[1] >= 6))) lines.push('CONFIG_WIREGUARD=m');
  return `${lines.join('\n')}\n`;
}

/** The argv the collector runs for the host kernel (jobs/collect/agent-reads.ts HOST_KERNEL_COMMAND), joined by spaces. */
export const HOST_KERNEL_READ = 'sh -c cat /proc/version && { cat /proc/version_signature 2>/dev/null || true; }';

/** The agent's status CLI: `cilium-dbg` from 1.15 (cilium/cilium PR #28085), `cilium` before. */
export const AGENT_STATUS_READS = ['cilium-dbg status --verbose', 'cilium status --verbose'];

/** The default answer of a running agent container, or undefined when the command is not one of the reads above. */
export function defaultAgentExec(pod: KubeObject, node: KubeObject | undefined, container: string, argv: string[], ciliumConfig: Record<string, string> = {}): ExecOutcome | undefined {
  if (container !== AGENT_CONTAINER || pod.metadata.labels?.['k8s-app'] !== 'cilium') return undefined;
  const release = asRecord(asRecord(asRecord(node?.['status'])['nodeInfo']))['kernelVersion'];
  const joined = argv.join(' ');
  if (joined === 'cat /proc/1/limits') return { stdout: AGENT_PROC_LIMITS, stderr: '', exitCode: 0 };
  if (AGENT_STATUS_READS.includes(joined)) return { stdout: agentStatusText(agentStatusInputs(pod, node, ciliumConfig)), stderr: '', exitCode: 0 };
  if (typeof release !== 'string' || release === '') return undefined;
  // The collector reads /proc/version and, where it exists (Ubuntu), /proc/version_signature in one exec.
  if (joined === 'cat /proc/version' || joined === HOST_KERNEL_READ) return { stdout: procVersion(release), stderr: '', exitCode: 0 };
  if (joined === KERNEL_CONFIG_COMMAND) return { stdout: kernelConfig(release), stderr: '', exitCode: 0 };
  return undefined;
}
