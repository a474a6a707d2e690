// Facts about the node and what runs on it beside the agent (the Node object and its peers, the kernel as the host
// and its own log say it, kube-proxy and the iptables rules it left, the workload pods), split from evidence.ts to
// keep files readable; re-exported there, which is what other modules import.
import { z } from 'zod';

const Labels = z.record(z.string(), z.string());
export const TaintSchema = z.object({
  key: z.string(),
  value: z.string().optional(),
  effect: z.string(),
});
export type Taint = z.infer<typeof TaintSchema>;
export const NodeConditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});
export type NodeCondition = z.infer<typeof NodeConditionSchema>;

// Every field but the name is optional: offline documents may know only the kernel; absent = unknown.
export const NodeInfoSchema = z.object({
  name: z.string(),
  /** `uname -r` as the kubelet reports it (status.nodeInfo.kernelVersion), e.g. "5.15.0-1051-azure". */
  kernelVersion: z.string().optional(),
  osImage: z.string().optional(),
  containerRuntimeVersion: z.string().optional(),
  kubeletVersion: z.string().optional(),
  architecture: z.string().optional(),
  labels: Labels.optional(),
  /** Node pool from well-known labels (eks/aks/gke/karpenter…), null when none is set. */
  pool: z.string().nullable().optional(),
  taints: z.array(TaintSchema).optional(),
  conditions: z.array(NodeConditionSchema).optional(),
  unschedulable: z.boolean().optional(),
  internalIP: z.string().nullable().optional(),
});
export type NodeInfo = z.infer<typeof NodeInfoSchema>;

export const PeerNodeSchema = z.object({
  name: z.string(),
  kernelVersion: z.string(),
  osImage: z.string(),
  pool: z.string().nullable(),
  ready: z.boolean(),
  /** Readiness of the cilium-agent pod on that node, when the collector listed agent pods. */
  ciliumAgentReady: z.boolean().optional(),
});
export type PeerNode = z.infer<typeof PeerNodeSchema>;

/**
 * Where a node-level fact was read: exec in the agent container, the opt-in node probe pod, text the engineer pasted,
 * or a `cilium sysdump` archive. Reports name it next to the fact.
 */
export const FactSourceSchema = z.enum(['agent-exec', 'probe-pod', 'pasted', 'sysdump']);
export type FactSource = z.infer<typeof FactSourceSchema>;

/**
 * The kernel's own log (dmesg / `journalctl -k`), filtered to lines about BPF, the verifier, SELinux/AppArmor
 * denials and lockdown: where refusals the agent only sees as EPERM are explained.
 */
export const KernelLogSchema = z.object({
  /** Verbatim lines, oldest first, at most a few hundred. */
  lines: z.array(z.string()),
  /** True when lines were dropped to stay within the bound. */
  truncated: z.boolean().default(false),
  source: FactSourceSchema,
});
export type KernelLog = z.infer<typeof KernelLogSchema>;

/** The running kernel as the host says it (`/proc/version`): settles vendor numbering that `uname -r` hides. */
export const HostKernelSchema = z.object({
  /** The whole /proc/version line, e.g. "Linux version 4.19.0-21-amd64 (…) #1 SMP Debian 4.19.249-2 (2022-06-30)". */
  procVersion: z.string(),
  /** Ubuntu only: /proc/version_signature, e.g. "Ubuntu 5.15.0-57.63-generic 5.15.74" (the upstream version is last). */
  versionSignature: z.string().optional(),
  source: FactSourceSchema,
  /** Node probe only (runbooks/engine/node-modules.ts): which of `checked` /proc/modules lists; built-in (=y) code never shows there. */
  modules: z.object({ checked: z.array(z.string()), loaded: z.array(z.string()) }).optional(),
  /** Node probe only: the filesystem type at the host's /sys/fs/bpf (`stat -f -c %T`), "bpf_fs" when bpffs is mounted. */
  bpffs: z.string().optional(),
});
export type HostKernel = z.infer<typeof HostKernelSchema>;

export const KubeProxyModeSchema = z.enum(['iptables', 'ipvs', 'nftables']);
export type KubeProxyMode = z.infer<typeof KubeProxyModeSchema>;

export const KubeProxyInfoSchema = z.object({
  daemonSetPresent: z.boolean(),
  daemonSetName: z.string().optional(),
  /** null = no kube-proxy pod on the node; absent = not known (offline documents). */
  podOnNode: z.object({
    name: z.string(),
    phase: z.string(),
    ready: z.boolean(),
    /** How it runs: a DaemonSet pod, or a static (mirror) pod of the kubelet (RKE2, hand-converted kubeadm). */
    kind: z.enum(['daemonset', 'static']).optional(),
  }).nullable().optional(),
  /** kube-proxy runs inside another binary (k3s/RKE2 server/agent) and has no pod: true; false = known not; absent = unknown. */
  embedded: z.boolean().optional(),
  /** Where this was read, for the report. */
  source: z.string().optional(),
  /** From the kube-proxy ConfigMap when present; null when the ConfigMap says nothing ("" = iptables on Linux). */
  mode: KubeProxyModeSchema.nullable().optional(),
});
export type KubeProxyInfo = z.infer<typeof KubeProxyInfoSchema>;

/** Rule counts from `iptables-save` (nat + mangle); see summarizeIptablesSave() and fact sheet §5. */
export const IptablesInfoSchema = z.object({
  natRuleCount: z.number().int().nonnegative(),
  kubeProxyChains: z.object({
    /** `-A KUBE-SVC-…` / `KUBE-SVL-…` rules (per-service chains). */
    svc: z.number().int().nonnegative(),
    /** `-A KUBE-SEP-…` rules (per-endpoint chains). */
    sep: z.number().int().nonnegative(),
    /** `-A KUBE-EXT-…` / `KUBE-FW-…` / `KUBE-XLB-…` rules. */
    ext: z.number().int().nonnegative(),
    /** `-A KUBE-NODEPORTS` (iptables mode) and `-A KUBE-NODE-PORT` (IPVS mode) rules. */
    nodeports: z.number().int().nonnegative(),
    /** `-A KUBE-SERVICES` rules. */
    services: z.number().int().nonnegative(),
    /** IPVS-only chains present (KUBE-LOAD-BALANCER, KUBE-IPVS-FILTER, KUBE-SOURCE-RANGES-FIREWALL, KUBE-NODE-PORT). */
    ipvs: z.boolean(),
    /** `:KUBE-PROXY-CANARY` chain declared. */
    proxyCanary: z.boolean(),
  }),
  /** kubelet's own chains (KUBE-KUBELET-CANARY, KUBE-FIREWALL, …): never evidence of kube-proxy. */
  kubeletChains: z.array(z.string()).default([]),
  /** `-A CILIUM_…` rules plus `:CILIUM_…` chain declarations. */
  ciliumChains: z.number().int().nonnegative(),
  backend: z.enum(['legacy', 'nft', 'unknown']),
  source: FactSourceSchema,
});
export type IptablesInfo = z.infer<typeof IptablesInfoSchema>;

export const WorkloadPodSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  phase: z.string(),
  ready: z.boolean().optional(),
  /** e.g. ContainerCreating, CrashLoopBackOff (first waiting container). */
  waitingReason: z.string().optional(),
  ownerKind: z.string().optional(),
  ownerName: z.string().optional(),
  hostNetwork: z.boolean(),
  labels: Labels.optional(),
});
export type WorkloadPod = z.infer<typeof WorkloadPodSchema>;
