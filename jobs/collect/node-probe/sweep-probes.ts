// Probe pods a worker left behind (killed mid-probe, before its finally ran): removed at worker start and then
// periodically, once older than their own deadline plus a grace, so a live worker's probe is never swept.
import type { V1Pod } from '@kubernetes/client-node';
import { PROBE_SELECTOR } from './probe-pod.ts';
import type { ProbePodsApi } from './probe-pods-api.ts';

/** Past its deadline by this much, nobody is waiting for a probe pod any more. */
export const SWEEP_GRACE_SECONDS = 60;

/** True when the pod has outlived activeDeadlineSeconds + grace (a pod without either counts from its creation). */
export function probeExpired(pod: V1Pod, now: Date, fallbackDeadlineSeconds: number): boolean {
  const created = pod.metadata?.creationTimestamp;
  if (created === undefined) return false;
  const deadline = pod.spec?.activeDeadlineSeconds ?? fallbackDeadlineSeconds;
  return now.getTime() - new Date(created).getTime() > (deadline + SWEEP_GRACE_SECONDS) * 1000;
}

export interface SweepResult {
  deleted: string[];
  failed: Array<{ pod: string; error: string }>;
}

export async function sweepProbePods(api: ProbePodsApi, namespace: string, fallbackDeadlineSeconds: number, now = new Date()): Promise<SweepResult> {
  const pods = await api.list(namespace, PROBE_SELECTOR);
  const result: SweepResult = { deleted: [], failed: [] };
  for (const pod of pods.filter((p) => probeExpired(p, now, fallbackDeadlineSeconds))) {
    const name = pod.metadata?.name ?? '';
    try {
      await api.delete(namespace, name);
      result.deleted.push(name);
    } catch (e) {
      result.failed.push({ pod: name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return result;
}

/** Sweeps now and every intervalMs; stop() ends it. Failures go to onError (the worker logs them) and never throw. */
export function startProbeSweeper(api: ProbePodsApi, namespace: string, deadlineSeconds: number, intervalMs: number, onResult: (r: SweepResult | Error) => void): { stop(): void } {
  const sweep = () => sweepProbePods(api, namespace, deadlineSeconds).then(onResult, (e: unknown) => onResult(e instanceof Error ? e : new Error(String(e))));
  void sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
