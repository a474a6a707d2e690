// Facts added for the rest of the runbook catalogue (operator, CRDs, CiliumNode IPAM, cluster pods, kernel config,
// memlock). All optional in documents: a missing one parses as "not collected" via fact() in evidence.ts.
// Kubernetes sources are named on each field so the collector (jobs/collect) reads exactly these.
import { z } from 'zod';

/** Deployment kube-system/cilium-operator (fact sheet §3.2: labels io.cilium/app=operator, name=cilium-operator). */
export const OperatorInfoSchema = z.object({
  /** spec.template.spec.containers[name=cilium-operator].image, e.g. "quay.io/cilium/operator-generic:v1.16.3@sha256:…". */
  image: z.string(),
  /** Version from that image tag without the "v" (ciliumVersionFromImage); null when the tag is not a version. */
  version: z.string().nullable(),
  /** spec.replicas. */
  replicas: z.number().int().nonnegative().optional(),
  /** status.readyReplicas (absent in the API when 0). */
  readyReplicas: z.number().int().nonnegative().optional(),
});
export type OperatorInfo = z.infer<typeof OperatorInfoSchema>;

/** One apiextensions.k8s.io/v1 CustomResourceDefinition whose spec.group is cilium.io. */
export const CiliumCrdSchema = z.object({
  /** metadata.name, e.g. "ciliumnetworkpolicies.cilium.io". */
  name: z.string(),
  /** spec.versions[].name where served=true. */
  servedVersions: z.array(z.string()),
  /** spec.versions[].name where storage=true; null if none. */
  storageVersion: z.string().nullable(),
  /** status.storedVersions. */
  storedVersions: z.array(z.string()),
  /** status.conditions[type=Established].status === "True". */
  established: z.boolean(),
  /** metadata.labels["io.cilium.k8s.crd.schema.version"] (the operator's CRD schema version, PR #2614). */
  schemaVersion: z.string().optional(),
});
export type CiliumCrd = z.infer<typeof CiliumCrdSchema>;

/** The CiliumNode (cilium.io/v2, cluster-scoped, named like the node): its IPAM spec and status. */
export const CiliumNodeIpamSchema = z.object({
  /** spec.ipam.podCIDRs (cluster-pool / kubernetes modes). */
  podCIDRs: z.array(z.string()),
  /** Number of keys in spec.ipam.pool (ENI / Azure / CRD modes: IPs the operator handed this node). */
  poolSize: z.number().int().nonnegative().optional(),
  /** Number of keys in status.ipam.used (IPs allocated on the node). */
  used: z.number().int().nonnegative().optional(),
  /** status.ipam.operator-status.error: set by cilium-operator when allocation for this node failed. */
  operatorError: z.string().nullable(),
  /** spec.ipam.pre-allocate / min-allocate / max-above-watermark (ENI, Azure). */
  preAllocate: z.number().int().optional(),
  minAllocate: z.number().int().optional(),
  maxAboveWatermark: z.number().int().optional(),
});
export type CiliumNodeIpam = z.infer<typeof CiliumNodeIpamSchema>;

/** Pods cluster-wide (or in the namespaces that have CiliumNetworkPolicies): GET /api/v1/pods, metadata + phase. */
export const ClusterPodSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  /** status.phase. */
  phase: z.string(),
  /** metadata.labels. */
  labels: z.record(z.string(), z.string()),
});
export type ClusterPod = z.infer<typeof ClusterPodSchema>;

/**
 * The node kernel's build config, read inside the cilium-agent container (exec): `zcat /proc/config.gz` or
 * `cat /boot/config-$(uname -r)`. Not readable from the Kubernetes API.
 */
export const KernelConfigSchema = z.object({
  /** Where it was read, e.g. "/proc/config.gz". */
  source: z.string(),
  /** CONFIG_* → "y" | "m" | a value; "# CONFIG_X is not set" lines as "n". Keys absent = not in the config. */
  options: z.record(z.string(), z.string()),
});
export type KernelConfig = z.infer<typeof KernelConfigSchema>;

/** "Max locked memory" of the agent process: `cat /proc/1/limits` in the cilium-agent container (exec). */
export const MemlockSchema = z.object({
  /** Soft limit column: bytes as a decimal string, or "unlimited". */
  soft: z.string(),
  /** Hard limit column, same form. */
  hard: z.string(),
  /** Where it was read when not the agent's own /proc/1/limits, e.g. "probe-pod: container default". */
  source: z.string().optional(),
});
export type Memlock = z.infer<typeof MemlockSchema>;
