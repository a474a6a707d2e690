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
import {
  FactSourceSchema, HostKernelSchema, IptablesInfoSchema, KernelLogSchema, KubeProxyInfoSchema, NodeInfoSchema,
  PeerNodeSchema, WorkloadPodSchema,
} from './evidence-node.ts';
export * from './evidence-node.ts';
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

/** `cilium-dbg status [--verbose]` (`cilium status` before 1.15) as the agent printed it; parsed by engine/agent-status.ts. */
export const AgentStatusSchema = z.object({
  text: z.string(),
  verbose: z.boolean().default(false),
  source: FactSourceSchema,
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

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
