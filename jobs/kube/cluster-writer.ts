// The writes remediation actions make, and nothing else. Every write takes `dryRun`, so the worker can run the
// same call server-side first (dryRun=All) and show what would change before changing it.
import type { V1ConfigMap, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';

export interface ClusterWriter {
  /** JSON merge patch (application/merge-patch+json): the only patch type that behaves the same on every kind. */
  mergePatchNode(name: string, patch: object, dryRun: boolean): Promise<V1Node>;
  mergePatchConfigMap(namespace: string, name: string, patch: object, dryRun: boolean): Promise<V1ConfigMap>;
  mergePatchDaemonSet(namespace: string, name: string, patch: object, dryRun: boolean): Promise<V1DaemonSet>;
  /** With `uid`, the apiserver refuses (409 Conflict) to delete anything but that very object. */
  deletePod(namespace: string, name: string, dryRun: boolean, uid?: string): Promise<V1Pod>;
  deleteDaemonSet(namespace: string, name: string, dryRun: boolean, uid?: string): Promise<void>;
}
