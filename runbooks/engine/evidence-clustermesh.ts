// ClusterMesh facts read from the local cluster, split from evidence.ts; re-exported there. What is read: the
// clustermesh-apiserver Deployment in Cilium's namespace (its pods, their container states, the tail of the
// apiserver and etcd containers' logs) and its Service, plus `cilium-dbg node list` inside the node's agent (local
// and remote nodes with their pod CIDRs, cilium/cilium PR #29196 added the Source column). The ClusterMesh section
// of `cilium-dbg status --verbose` is in the agentStatus fact, cilium-config keys in ciliumConfig. Secrets (the
// cilium-clustermesh, clustermesh-apiserver-*-cert and cilium-ca Secrets) are never read: TLS problems are read from
// log lines and status text only.
import { z } from 'zod';
import { FactSourceSchema } from './evidence-node.ts';

export const MeshContainerSchema = z.object({
  name: z.string(),
  state: z.enum(['waiting', 'running', 'terminated', 'unknown']),
  /** waiting/terminated reason: CrashLoopBackOff, Error, … */
  reason: z.string().optional(),
  ready: z.boolean(),
  restartCount: z.number().int().nonnegative(),
});
export type MeshContainer = z.infer<typeof MeshContainerSchema>;

export const MeshPodSchema = z.object({
  name: z.string(),
  phase: z.string(),
  nodeName: z.string().nullable(),
  containers: z.array(MeshContainerSchema),
});
export type MeshPod = z.infer<typeof MeshPodSchema>;

/** The tail of one container's log (`tailLines`, `limitBytes` bounded), current container only. */
export const MeshLogSchema = z.object({
  pod: z.string(),
  container: z.string(),
  text: z.string(),
  truncated: z.boolean(),
});
export type MeshLog = z.infer<typeof MeshLogSchema>;

export const MeshServiceSchema = z.object({
  name: z.string(),
  /** ClusterIP, NodePort or LoadBalancer (what remote agents must reach, cilium docs clustermesh setup). */
  type: z.string(),
  ports: z.array(z.object({ port: z.number().int(), nodePort: z.number().int().optional() })),
  /** LoadBalancer ingress IPs or hostnames; empty while the cloud has not assigned one. */
  ingress: z.array(z.string()),
});
export type MeshService = z.infer<typeof MeshServiceSchema>;

export const ClusterMeshApiserverSchema = z.object({
  namespace: z.string(),
  deployment: z.string(),
  /** The apiserver container's image, e.g. quay.io/cilium/clustermesh-apiserver:v1.16.3. */
  image: z.string().nullable(),
  /** Release from the image tag; null when the tag is not a version. */
  version: z.string().nullable(),
  replicas: z.number().int().nonnegative(),
  readyReplicas: z.number().int().nonnegative(),
  pods: z.array(MeshPodSchema),
  /** null = no clustermesh-apiserver Service in the namespace. */
  service: MeshServiceSchema.nullable(),
  /** Logs of the apiserver, etcd and kvstoremesh containers (those that exist), first pod only. */
  logs: z.array(MeshLogSchema),
});
export type ClusterMeshApiserver = z.infer<typeof ClusterMeshApiserverSchema>;

/** `cilium-dbg node list` as printed, read through the agent (or pasted). */
export const NodeListSchema = z.object({ text: z.string(), source: FactSourceSchema });
export type NodeList = z.infer<typeof NodeListSchema>;

export const ClusterMeshSchema = z.object({
  /** null = no clustermesh-apiserver Deployment in Cilium's namespace, or (with `apiserverUnread`) it could not be read. */
  apiserver: ClusterMeshApiserverSchema.nullable(),
  /** Why the clustermesh-apiserver is unknown (forbidden, timed out, not in a sysdump); absent when it was read. */
  apiserverUnread: z.string().optional(),
  /** null = not read; `nodeListNote` says why (the agent reported no remote cluster, exec not granted…). */
  nodeList: NodeListSchema.nullable(),
  nodeListNote: z.string().optional(),
});
export type ClusterMesh = z.infer<typeof ClusterMeshSchema>;
