// Which label names a node's pool: the collectors read the pool from it, and per-pool fixes (a CiliumNodeConfig's
// nodeSelector) select the pool's nodes by it. Pure.

/** Well-known node-pool labels, most specific first (GKE, EKS, AKS, Karpenter, kOps, generic). */
export const POOL_LABELS = [
  'cloud.google.com/gke-nodepool',
  'eks.amazonaws.com/nodegroup',
  'alpha.eksctl.io/nodegroup-name',
  'kubernetes.azure.com/agentpool',
  'karpenter.sh/nodepool',
  'kops.k8s.io/instancegroup',
  'node.kubernetes.io/pool',
  'node-pool',
] as const;

/** A pool as a label selector: `eks.amazonaws.com/nodegroup=workers-legacy`. */
export interface PoolLabel {
  key: string;
  value: string;
}

/** The label that names the node's pool (the first well-known one set), or null. */
export function poolLabel(labels: Readonly<Record<string, string>>): PoolLabel | null {
  for (const key of POOL_LABELS) {
    const value = labels[key];
    if (value !== undefined && value !== '') return { key, value };
  }
  return null;
}

export function nodePool(labels: Readonly<Record<string, string>>): string | null {
  return poolLabel(labels)?.value ?? null;
}
