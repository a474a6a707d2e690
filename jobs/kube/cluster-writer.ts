// The writes remediation actions make, and nothing else. Every write takes `dryRun`, so the worker can run the
// same call server-side first (dryRun=All) and show what would change before changing it.
import type { V1ConfigMap, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';

export interface ClusterWriter {
  /** JSON merge patch (application/merge-patch+json): the only patch type that behaves the same on every kind. */
  mergePatchNode(name: string, patch: object, dryRun: boolean): Promise<V1Node>;
  mergePatchConfigMap(namespace: string, name: string, patch: object, dryRun: boolean): Promise<V1ConfigMap>;
  mergePatchDaemonSet(namespace: string, name: string, patch: object, dryRun: boolean): Promise<V1DaemonSet>;
  deletePod(namespace: string, name: string, dryRun: boolean): Promise<V1Pod>;
  deleteDaemonSet(namespace: string, name: string, dryRun: boolean): Promise<void>;
}
