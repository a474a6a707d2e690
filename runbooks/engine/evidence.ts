// Evidence: the contract between collectors (jobs/collect) and runbooks. One versioned zod schema is the single
// source of runtime validation and static types. Every fact is `ok | unavailable{reason}` so a runbook can tell
// "absent" (ok with an empty value) from "unknown" (not read), and the report can say what to grant or fix.
import { z } from 'zod';
import {
  CiliumCrdSchema, CiliumNodeIpamSchema, ClusterPodSchema, KernelConfigSchema, MemlockSchema, OperatorInfoSchema,
} from './evidence-extra.ts';
import { HubbleInfoSchema, PoliciesSchema, ServiceSummarySchema } from './evidence-cluster.ts';
import { FlowsSchema } from './evidence-flows.ts';
import { ClusterMeshSchema } from './evidence-clustermesh.ts';
export * from './evidence-extra.ts';
export * from './evidence-cluster.ts';
export * from './evidence-flows.ts';
export * from './evidence-clustermesh.ts';

export const EVIDENCE_SCHEMA_VERSION = 1;

export const UnavailableReasonSchema = z.enum(['forbidden', 'not-found', 'timeout', 'unavailable']);
export type UnavailableReason = z.infer<typeof UnavailableReasonSchema>;

export const UnavailableSchema = z.object({
  ok: z.literal(false),
  reason: UnavailableReasonSchema,
  detail: z.string(),
  /** What a human can do so the next run can read it, e.g. "grant get on pods/log in kube-system". */
  fix: z.string().optional(),
});
export type Unavailable = z.infer<typeof UnavailableSchema>;

/** `{ok: true, value}` or `{ok: false, reason, detail, fix?}`; a missing fact parses as "not collected". */
export function fact<T extends z.ZodType>(value: T) {
  return z
    .discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), UnavailableSchema])
    .default({ ok: false, reason: 'unavailable', detail: 'not collected (absent from the evidence document)' });
}

export type Fact<T> = { ok: true; value: T } | Unavailable;

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

export const CiliumInfoSchema = z.object({
  /** Version from the agent image tag without the "v", e.g. "1.15.6"; null when the tag is not a version. */
  version: z.string().nullable(),
  /** Absent when only the version is known (offline documents). */
  image: z.string().optional(),
  /** Where the version was read: the image tag, the agent's "Cilium 1.x.y" banner log line, or the operator's image. */
  versionSource: z.enum(['image-tag', 'log-banner', 'operator-image', 'stated']).optional(),
});
export type CiliumInfo = z.infer<typeof CiliumInfoSchema>;

/** The cilium-config ConfigMap's data, verbatim (fact sheet §3.1). */
export const CiliumConfigSchema = z.record(z.string(), z.string());
export type CiliumConfig = z.infer<typeof CiliumConfigSchema>;

export const TerminationSchema = z.object({
  exitCode: z.number().int(),
  reason: z.string(),
  finishedAt: z.string().nullable(),
  message: z.string().optional(),
});
export type Termination = z.infer<typeof TerminationSchema>;

/** One container of the agent pod (init containers included), as the kubelet reports it. */
export const ContainerStateSchema = z.object({
  name: z.string(),
  state: z.enum(['waiting', 'running', 'terminated', 'unknown']),
  /** waiting/terminated reason, e.g. CrashLoopBackOff, PodInitializing, Error, Completed. */
  reason: z.string().optional(),
  message: z.string().optional(),
  /** Of the current state when terminated. */
  exitCode: z.number().int().optional(),
  ready: z.boolean().optional(),
  restartCount: z.number().int().nonnegative().default(0),
  lastTermination: TerminationSchema.optional(),
});
export type ContainerState = z.infer<typeof ContainerStateSchema>;

export const PodConditionSchema = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type PodCondition = z.infer<typeof PodConditionSchema>;

export const AgentPodSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  phase: z.string(),
  /** Ready of the cilium-agent container. */
  ready: z.boolean(),
  restartCount: z.number().int().nonnegative(),
  waitingReason: z.string().optional(),
  waitingMessage: z.string().optional(),
  lastTermination: TerminationSchema.optional(),
  /** Container names, init containers included (plain names: "cilium-agent", "config", …). */
  containers: z.array(z.string()),
  startedAt: z.string().optional(),
  /** Init containers in spec order (config, mount-cgroup, apply-sysctl-overwrites, mount-bpf-fs, …). */
  initContainers: z.array(ContainerStateSchema).default([]),
  /** The agent container itself; absent in offline documents. */
  agentContainer: ContainerStateSchema.optional(),
  /** Pod conditions (PodScheduled, Initialized, ContainersReady, Ready). */
  conditions: z.array(PodConditionSchema).default([]),
});
export type AgentPod = z.infer<typeof AgentPodSchema>;

export const LogChunkSchema = z.object({
  text: z.string(),
  /** True when tailLines/limitBytes cut the log: line numbers then count from the start of the tail. */
  truncated: z.boolean(),
  lines: z.number().int().nonnegative(),
});
export type LogChunk = z.infer<typeof LogChunkSchema>;

export const AgentLogsSchema = z.object({
  current: LogChunkSchema,
  /** Previous container (`kubectl logs -p`); null when there was no previous container. */
  previous: LogChunkSchema.nullable(),
});
export type AgentLogs = z.infer<typeof AgentLogsSchema>;

/** Logs of one init container of the agent pod (current and previous run). */
export const InitContainerLogsSchema = z.object({
  container: z.string(),
  current: LogChunkSchema.nullable(),
  previous: LogChunkSchema.nullable(),
});
export type InitContainerLogs = z.infer<typeof InitContainerLogsSchema>;

/** Where and how Cilium is installed: found by what it is (labels, the container running cilium-agent), not assumed. */
export const PlatformSchema = z.enum(['generic', 'openshift', 'gke-dataplane-v2', 'aks', 'eks', 'rke2', 'k3s', 'talos']);
export type Platform = z.infer<typeof PlatformSchema>;
export const CiliumInstallSchema = z.object({
  namespace: z.string(),
  /** The agent DaemonSet's name ("cilium", "anetd", …); null when only pods were found. */
  daemonSet: z.string().nullable(),
  /** The container that runs cilium-agent ("cilium-agent"; "cilium-agent" in anetd too). */
  agentContainer: z.string(),
  /** The label selector that finds the agent pods, e.g. "k8s-app=cilium". */
  agentSelector: z.string(),
  platform: PlatformSchema,
  /** Helm release from the DaemonSet's meta.helm.sh annotations; null when not installed by Helm (or unknown). */
  helmRelease: z.object({ name: z.string(), namespace: z.string() }).nullable(),
  /** Who manages it when not plain Helm: "rke2 HelmChart rke2-cilium", "GKE", "AKS", "OLM", …; null = unknown. */
  managedBy: z.string().nullable(),
  /** How it was found, for the report: e.g. "DaemonSet cilium/cilium (label k8s-app=cilium)". */
  how: z.string(),
});
export type CiliumInstall = z.infer<typeof CiliumInstallSchema>;

/** A CiliumNodeConfig (cilium.io/v2, v2alpha1 before 1.16) whose nodeSelector selects the node: per-node config overrides. */
export const ConfigOverrideSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  defaults: z.record(z.string(), z.string()),
});
export type ConfigOverride = z.infer<typeof ConfigOverrideSchema>;

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

/** `cilium-dbg status [--verbose]` (`cilium status` before 1.15) as the agent printed it; parsed by engine/agent-status.ts. */
export const AgentStatusSchema = z.object({
  text: z.string(),
  verbose: z.boolean().default(false),
  source: FactSourceSchema,
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

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

export const EventSchema = z.object({
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  involvedObject: z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() }),
  count: z.number().int().nonnegative(),
  lastTimestamp: z.string().nullable(),
});
export type KubeEvent = z.infer<typeof EventSchema>;

export const EvidenceSchema = z.object({
  schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
  cluster: z.string(),
  /** The node asked about; known even when the node fact could not be read. */
  nodeName: z.string(),
  collectedAt: z.string(),
  node: fact(NodeInfoSchema),
  peers: fact(z.array(PeerNodeSchema)),
  cilium: fact(CiliumInfoSchema),
  ciliumConfig: fact(CiliumConfigSchema),
  agentPod: fact(AgentPodSchema),
  agentLogs: fact(AgentLogsSchema),
  kubeProxy: fact(KubeProxyInfoSchema),
  iptables: fact(IptablesInfoSchema),
  workloads: fact(z.array(WorkloadPodSchema)),
  events: fact(z.array(EventSchema)),
  policies: fact(PoliciesSchema),
  services: fact(z.array(ServiceSummarySchema)),
  hubble: fact(HubbleInfoSchema),
  operator: fact(OperatorInfoSchema),
  crds: fact(z.array(CiliumCrdSchema)),
  ciliumNode: fact(CiliumNodeIpamSchema),
  clusterPods: fact(z.array(ClusterPodSchema)),
  kernelConfig: fact(KernelConfigSchema),
  memlock: fact(MemlockSchema),
  install: fact(CiliumInstallSchema),
  initLogs: fact(z.array(InitContainerLogsSchema)),
  configOverrides: fact(z.array(ConfigOverrideSchema)),
  hostKernel: fact(HostKernelSchema),
  kernelLog: fact(KernelLogSchema),
  agentStatus: fact(AgentStatusSchema),
  flows: fact(FlowsSchema),
  clustermesh: fact(ClusterMeshSchema),
});
export type Evidence = z.infer<typeof EvidenceSchema>;
/** What a collector may write: facts may be omitted (they then read as "not collected"). */
export type EvidenceInput = z.input<typeof EvidenceSchema>;

export const FACT_KEYS = ['node', 'peers', 'cilium', 'ciliumConfig', 'agentPod', 'agentLogs', 'kubeProxy', 'iptables',
  'workloads', 'events', 'policies', 'services', 'hubble', 'operator', 'crds', 'ciliumNode', 'clusterPods', 'kernelConfig',
  'memlock', 'install', 'initLogs', 'configOverrides', 'hostKernel', 'kernelLog', 'agentStatus', 'flows', 'clustermesh'] as const satisfies readonly (keyof Evidence)[];
export type FactKey = (typeof FACT_KEYS)[number];

export interface EvidenceIssue {
  /** Dotted path into the document, e.g. "node.value.kernelVersion"; "(root)" for the document itself. */
  path: string;
  message: string;
}

export class EvidenceParseError extends Error {
  readonly issues: EvidenceIssue[];
  constructor(issues: EvidenceIssue[]) {
    super(`invalid evidence: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'EvidenceParseError';
    this.issues = issues;
  }
}

export function safeParseEvidence(
  json: unknown,
): { ok: true; evidence: Evidence } | { ok: false; issues: EvidenceIssue[] } {
  const result = EvidenceSchema.safeParse(json);
  if (result.success) return { ok: true, evidence: result.data };
  const issues = result.error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join('.') : '(root)',
    message: i.message,
  }));
  return { ok: false, issues };
}

/** Validates an evidence document; throws EvidenceParseError naming each path and problem. */
export function parseEvidence(json: unknown): Evidence {
  const result = safeParseEvidence(json);
  if (!result.ok) throw new EvidenceParseError(result.issues);
  return result.evidence;
}

/** The value of a fact, or null when it could not be read. */
export function factValue<T>(f: Fact<T>): T | null {
  return f.ok ? f.value : null;
}
