// Which kernel each Cilium release and each datapath feature needs, and which cilium-config keys turn them on.
// Fact sheet §1.1 (floors: PR #23124, #23951, #30869, #38308, #42081; system_requirements.rst@fee7215c5f87 and
// @00c88111b78b), §1.2 (features: PR #10537, daemon/cmd/kube_proxy_replacement.go, bandwidth.go@439e9b25,
// daemon_main.go), §3.1 (config keys; Helm names from install/kubernetes/cilium/templates/cilium-configmap.yaml).
import semver from 'semver';
import type { HelmValuePaths } from './helm-values.ts';
import { compareTriples, parseTriple, type KernelTriple } from './kernel-version.ts';

export interface CiliumKernelFloor {
  /** Releases this floor covers, e.g. "1.16–1.17". */
  releases: string;
  minimum: KernelTriple;
  source: string;
}

// Newest first. 1.20's proposed 6.1 floor (CFP #44201) is unverified, so it is deliberately absent.
const FLOORS: readonly (CiliumKernelFloor & { from: string })[] = [
  { from: '1.18.0', releases: '1.18+', minimum: [5, 10, 0], source: 'PR #38308, PR #42081; system_requirements.rst@00c88111b78b' },
  { from: '1.16.0', releases: '1.16–1.17', minimum: [5, 4, 0], source: 'CFP #30456, PR #30869, docs PR #36386' },
  { from: '1.13.0', releases: '1.13–1.15', minimum: [4, 19, 57], source: 'PR #23124, PR #23951; system_requirements.rst@fee7215c5f87' },
  { from: '1.1.0', releases: '1.1–1.12', minimum: [4, 9, 17], source: 'kubespray PR #6376; PR #10537' },
  { from: '1.0.0', releases: '1.0', minimum: [4, 8, 0], source: 'kubespray PR #6376; #603' },
];

/** The minimum kernel for a Cilium version ("1.15.6", "1.18.0-rc.1"); null when the version is unparseable. */
export function ciliumKernelFloor(ciliumVersion: string): CiliumKernelFloor | null {
  const v = semver.coerce(ciliumVersion);
  if (v === null) return null;
  const floor = FLOORS.find((f) => semver.gte(v, f.from));
  if (floor === undefined) return null;
  return { releases: floor.releases, minimum: floor.minimum, source: floor.source };
}

/** For an unread Cilium version: 1.0 needed 4.8 and every later release more, so a kernel below it runs none. */
export function anyReleaseKernelFloor(): CiliumKernelFloor {
  const { minimum, source } = FLOORS[FLOORS.length - 1] ?? { minimum: [4, 8, 0] as KernelTriple, source: '#603' };
  return { releases: 'any release (1.0 and later)', minimum, source };
}

/**
 * What the agent does when the kernel is too old for an enabled feature: stop (fatal), switch the feature off
 * (disabled), fall back to a slower path (fallback), lose part of it (degraded), or not documented (unverified).
 */
export type FeatureEffect = 'fatal' | 'disabled' | 'fallback' | 'degraded' | 'unverified';

export interface FeatureRequirement {
  id: string;
  name: string;
  /**
   * Minimums per stable branch, ascending: satisfied by a kernel ≥ the last entry, or ≥ an entry of its own
   * major.minor (socket LB: 4.19.57, 5.1.16, 5.2.0 — so 4.20 and 5.0.y are not enough).
   */
  minimums: readonly KernelTriple[];
  /** A different minimum on arm64 (multicast: 6.0). */
  arm64Minimum?: KernelTriple;
  effect: FeatureEffect;
  /** The feature runbook that reports this feature; kernel-too-old then leaves it alone (no double findings). */
  owner?: 'bandwidth-manager-unsupported' | 'wireguard-unsupported';
  /** Returns the config evidence that turns the feature on, or null when it is off. */
  enabledBy(config: Record<string, string>): string | null;
  /** Helm values (dotted paths, current spellings) that turn it off, given how it was turned on. */
  helmDisable(config: Record<string, string>): HelmValuePaths;
  /** What the agent prints when it refuses or disables the feature, if known. */
  agentMessage?: string;
  source: string;
  docs: string;
}

const isTrue = (config: Record<string, string>, key: string): boolean => config[key]?.trim().toLowerCase() === 'true';
const kprOn = (config: Record<string, string>): boolean =>
  ['true', 'strict'].includes(config['kube-proxy-replacement']?.trim().toLowerCase() ?? '');
const quoteKey = (config: Record<string, string>, key: string): string => `${key}=${config[key] ?? ''}`;

const DOCS = 'https://docs.cilium.io/en/stable';

export const FEATURE_REQUIREMENTS: readonly FeatureRequirement[] = [
  {
    id: 'socket-lb',
    name: 'Socket LB (host-reachable services, used by kube-proxy replacement)',
    minimums: [[4, 19, 57], [5, 1, 16], [5, 2, 0]],
    effect: 'fatal',
    enabledBy: (c) => {
      if (c['bpf-lb-sock']?.trim().toLowerCase() === 'false') return null;
      if (isTrue(c, 'bpf-lb-sock')) return quoteKey(c, 'bpf-lb-sock');
      if (isTrue(c, 'enable-host-reachable-services')) return quoteKey(c, 'enable-host-reachable-services');
      return kprOn(c) ? `${quoteKey(c, 'kube-proxy-replacement')} (auto-enables bpf-lb-sock)` : null;
    },
    // Turned on by KPR → the change is KPR off; turned on explicitly → socket LB off.
    helmDisable: (c): HelmValuePaths => (isTrue(c, 'bpf-lb-sock') ? { 'socketLB.enabled': false } : { kubeProxyReplacement: false }),
    agentMessage: 'socketlb enabled, but kernel does not support attaching bpf programs to cgroups',
    source: 'PR #10537; old kubeproxy-free.rst',
    docs: `${DOCS}/network/kubernetes/kubeproxy-free/`,
  },
  {
    id: 'bpf-nodeport',
    name: 'BPF NodePort (kube-proxy replacement)',
    minimums: [[4, 17, 0]],
    effect: 'fatal',
    enabledBy: (c) =>
      isTrue(c, 'enable-node-port') ? quoteKey(c, 'enable-node-port')
        : kprOn(c) ? `${quoteKey(c, 'kube-proxy-replacement')} (auto-enables enable-node-port)` : null,
    helmDisable: (c): HelmValuePaths => (isTrue(c, 'enable-node-port') && !kprOn(c) ? { 'nodePort.enabled': false } : { kubeProxyReplacement: false }),
    agentMessage: 'BPF NodePort services needs kernel 4.17.0 or newer',
    source: 'daemon/cmd/kube_proxy_replacement.go; #20726',
    docs: `${DOCS}/network/kubernetes/kubeproxy-free/`,
  },
  {
    id: 'bandwidth-manager',
    name: 'Bandwidth manager (EDT)',
    minimums: [[5, 1, 0]],
    effect: 'disabled',
    owner: 'bandwidth-manager-unsupported',
    enabledBy: (c) => (isTrue(c, 'enable-bandwidth-manager') ? quoteKey(c, 'enable-bandwidth-manager') : null),
    helmDisable: () => ({ 'bandwidthManager.enabled': false }),
    agentMessage: 'BPF bandwidth manager needs kernel 5.1 or newer. Disabling the feature.',
    source: 'pkg/datapath/linux/bandwidth/bandwidth.go@439e9b25; #18639',
    docs: `${DOCS}/network/kubernetes/bandwidth-manager/`,
  },
  {
    id: 'egress-gateway',
    name: 'Egress gateway',
    minimums: [[5, 2, 0]],
    effect: 'unverified',
    enabledBy: (c) => (isTrue(c, 'enable-ipv4-egress-gateway') ? quoteKey(c, 'enable-ipv4-egress-gateway') : null),
    helmDisable: () => ({ 'egressGateway.enabled': false }),
    source: 'system_requirements.rst@fee7215c5f87',
    docs: `${DOCS}/network/egress-gateway/egress-gateway/`,
  },
  {
    id: 'vtep',
    name: 'VTEP integration',
    minimums: [[5, 2, 0]],
    effect: 'unverified',
    enabledBy: (c) => (isTrue(c, 'enable-vtep') ? quoteKey(c, 'enable-vtep') : null),
    helmDisable: () => ({ 'vtep.enabled': false }),
    source: 'system_requirements.rst@fee7215c5f87',
    docs: `${DOCS}/operations/system_requirements/`,
  },
  {
    id: 'wireguard',
    name: 'WireGuard transparent encryption (in-tree module)',
    minimums: [[5, 6, 0]],
    effect: 'fatal',
    owner: 'wireguard-unsupported',
    enabledBy: (c) => (isTrue(c, 'enable-wireguard') ? quoteKey(c, 'enable-wireguard') : null),
    helmDisable: () => ({ 'encryption.enabled': false }),
    agentMessage: 'wireguard not supported by the Linux kernel (netlink: operation not supported)',
    source: 'PR #15825; v1.10 WireGuard guide (older kernels can load the out-of-tree module)',
    docs: `${DOCS}/security/network/encryption-wireguard/`,
  },
  {
    id: 'session-affinity',
    name: 'Full session affinity',
    minimums: [[5, 7, 0]],
    effect: 'degraded',
    enabledBy: (c) => (isTrue(c, 'enable-session-affinity') ? quoteKey(c, 'enable-session-affinity') : null),
    helmDisable: () => ({ sessionAffinity: false }),
    source: 'system_requirements.rst tables',
    docs: `${DOCS}/network/kubernetes/kubeproxy-free/`,
  },
  {
    id: 'socket-lb-hostns-only',
    name: 'Socket-LB bypass in the pod namespace (netns cookie)',
    minimums: [[5, 7, 0]],
    effect: 'unverified',
    enabledBy: (c) => (isTrue(c, 'bpf-lb-sock-hostns-only') ? quoteKey(c, 'bpf-lb-sock-hostns-only') : null),
    helmDisable: () => ({ 'socketLB.hostNamespaceOnly': false }),
    source: 'PR #13882; system_requirements.rst tables',
    docs: `${DOCS}/network/kubernetes/kubeproxy-free/`,
  },
  {
    id: 'bpf-host-routing',
    name: 'BPF host routing',
    minimums: [[5, 10, 0]],
    effect: 'fallback',
    // Only an explicit "false" asks for it; unset means "use it if the kernel can".
    enabledBy: (c) =>
      c['enable-host-legacy-routing']?.trim().toLowerCase() === 'false' ? quoteKey(c, 'enable-host-legacy-routing') : null,
    helmDisable: () => ({ 'bpf.hostLegacyRouting': true }),
    agentMessage: 'BPF host routing requires kernel 5.10 or newer.',
    source: 'daemon_main.go',
    docs: `${DOCS}/operations/performance/tuning/`,
  },
  {
    id: 'multicast',
    name: 'Multicast',
    minimums: [[5, 10, 0]],
    arm64Minimum: [6, 0, 0],
    effect: 'unverified',
    enabledBy: (c) => (isTrue(c, 'multicast-enabled') ? quoteKey(c, 'multicast-enabled') : null),
    helmDisable: () => ({ 'multicast.enabled': false }),
    source: 'system_requirements.rst@00c88111b78b',
    docs: `${DOCS}/operations/system_requirements/`,
  },
  {
    id: 'bbr',
    name: 'BBR congestion control for pods',
    minimums: [[5, 18, 0]],
    effect: 'fatal',
    owner: 'bandwidth-manager-unsupported',
    enabledBy: (c) => (isTrue(c, 'enable-bbr') ? quoteKey(c, 'enable-bbr') : null),
    helmDisable: () => ({ 'bandwidthManager.bbr': false }),
    agentMessage: 'cannot enable --enable-bbr, needs kernel 5.18 or newer',
    source: 'bandwidth.go; PR #19287',
    docs: `${DOCS}/network/kubernetes/bandwidth-manager/`,
  },
  {
    id: 'ipv6-big-tcp',
    name: 'IPv6 BIG TCP',
    minimums: [[5, 19, 0]],
    effect: 'unverified',
    enabledBy: (c) => (isTrue(c, 'enable-ipv6-big-tcp') ? quoteKey(c, 'enable-ipv6-big-tcp') : null),
    helmDisable: () => ({ enableIPv6BIGTCP: false }),
    source: 'system_requirements.rst tables',
    docs: `${DOCS}/operations/performance/tuning/`,
  },
  {
    id: 'ipv4-big-tcp',
    name: 'IPv4 BIG TCP',
    minimums: [[6, 3, 0]],
    effect: 'unverified',
    enabledBy: (c) => (isTrue(c, 'enable-ipv4-big-tcp') ? quoteKey(c, 'enable-ipv4-big-tcp') : null),
    helmDisable: () => ({ enableIPv4BIGTCP: false }),
    source: 'system_requirements.rst@00c88111b78b',
    docs: `${DOCS}/operations/performance/tuning/`,
  },
  {
    id: 'netkit',
    name: 'netkit devices',
    minimums: [[6, 7, 0]],
    effect: 'fatal',
    enabledBy: (c) => (c['datapath-mode']?.trim().startsWith('netkit') === true ? quoteKey(c, 'datapath-mode') : null),
    helmDisable: () => ({ 'bpf.datapathMode': 'veth' }),
    agentMessage: 'netkit devices need kernel 6.7.0 or newer and CONFIG_NETKIT',
    source: 'user notes on v1.18.1; system_requirements.rst (CONFIG_NETKIT=y)',
    docs: `${DOCS}/operations/performance/tuning/`,
  },
];

/** The minimum that applies to this kernel (per-branch logic), for the message "needs X". */
export function requiredFor(req: FeatureRequirement, kernel: KernelTriple, arch?: string): KernelTriple {
  if (arch === 'arm64' && req.arm64Minimum !== undefined) return req.arm64Minimum;
  const sameBranch = req.minimums.find((m) => m[0] === kernel[0] && m[1] === kernel[1]);
  return sameBranch ?? req.minimums[req.minimums.length - 1] ?? [0, 0, 0];
}

export function satisfies(req: FeatureRequirement, kernel: KernelTriple, arch?: string): boolean {
  return compareTriples(kernel, requiredFor(req, kernel, arch)) >= 0;
}

export interface UnmetFeature {
  feature: FeatureRequirement;
  enabledBy: string;
  required: KernelTriple;
}

/** Features enabled in cilium-config that this kernel cannot support. */
export function unmetFeatures(config: Record<string, string>, kernel: KernelTriple, arch?: string): UnmetFeature[] {
  const out: UnmetFeature[] = [];
  for (const feature of FEATURE_REQUIREMENTS) {
    const enabledBy = feature.enabledBy(config);
    if (enabledBy === null || satisfies(feature, kernel, arch)) continue;
    out.push({ feature, enabledBy, required: requiredFor(feature, kernel, arch) });
  }
  return out;
}

/**
 * What kernel-too-old reports: floor violations aside, only features whose absence stops the agent (fatal) or is
 * undocumented (unverified, may stop it), and only those no feature runbook owns. Fallbacks (BPF host routing,
 * session affinity) are degradations, not failures.
 */
export function fatalUnmetFeatures(config: Record<string, string>, kernel: KernelTriple, arch?: string): UnmetFeature[] {
  return unmetFeatures(config, kernel, arch)
    .filter((u) => u.feature.owner === undefined && (u.feature.effect === 'fatal' || u.feature.effect === 'unverified'));
}

/** Agent lines about features a feature runbook owns (bandwidth manager, BBR, WireGuard; fact sheet §2.6, §2.7). */
export function isFeatureOwnedMessage(text: string): boolean {
  return /bandwidth manager|enable-bbr|\bBBR\b|wireguard/i.test(text);
}

/** "Require support for X (Linux 5.10 or newer)" / "needs kernel 4.17.0 or newer" → the version named; null if none. */
export function kernelNamedInMessage(text: string): KernelTriple | null {
  for (const re of KERNEL_NAMED_PATTERNS) {
    const m = re.exec(text);
    if (m !== null) return m[1] === undefined ? null : parseTriple(m[1]);
  }
  return null;
}

/** The ways the agent names a kernel version, in the order kernelNamedInMessage tries them. */
export const KERNEL_NAMED_PATTERNS: readonly RegExp[] = [
  /\(Linux (\d+\.\d+(?:\.\d+)?) or newer\)/,
  /needs? kernel (\d+\.\d+(?:\.\d+)?) or newer/i,
  /requires? kernel (\d+\.\d+(?:\.\d+)?) or newer/i,
  /minimal supported kernel version is >= ?(\d+\.\d+(?:\.\d+)?)/,
];

/** The newest Cilium release range whose floor this kernel meets (e.g. kernel 5.4 → "1.16–1.17"); null if none. */
export function newestReleaseFor(kernel: KernelTriple): CiliumKernelFloor | null {
  const floor = FLOORS.find((f) => compareTriples(kernel, f.minimum) >= 0);
  return floor === undefined ? null : { releases: floor.releases, minimum: floor.minimum, source: floor.source };
}
