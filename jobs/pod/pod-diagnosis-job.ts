// The payload of a `diagnose-pod` job (`/cilium diagnose pod <ns>/<pod>`), validated when enqueued and when picked up,
// and its queue: one job per cluster and pod at a time (asking again while it runs says so), retried with backoff.
import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { DedupQueue } from '../dedup-queue.ts';

export const POD_DIAGNOSIS_QUEUE = 'diagnose-pod';

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const podName = z.string().max(253).regex(/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/);

export const PodDiagnosisJobSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    namespace: dnsLabel,
    /** The pod's full name, as resolved when the command was typed. */
    pod: podName,
    channelId: z.string().regex(/^[CDG][A-Z0-9]{2,}$/),
    /** The root message; the report goes into its thread. */
    threadTs: z.string().regex(/^\d+\.\d+$/),
    requestedBy: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
    requestedAt: z.iso.datetime(),
  })
  .strict();
export type PodDiagnosisJob = z.infer<typeof PodDiagnosisJobSchema>;

export function podDiagnosisDedupId(cluster: string, namespace: string, pod: string): string {
  return `diagnose-pod:${cluster}:${namespace}/${pod}`;
}

export class PodDiagnosisQueue extends DedupQueue<PodDiagnosisJob> {
  constructor(opts: { connection: ConnectionOptions; prefix: string; attempts?: number; backoffMs?: number }) {
    super(POD_DIAGNOSIS_QUEUE, 'diagnose-pod', PodDiagnosisJobSchema, (j) => podDiagnosisDedupId(j.cluster, j.namespace, j.pod), {
      connection: opts.connection, prefix: opts.prefix, attempts: opts.attempts ?? 3, backoffMs: opts.backoffMs ?? 2_000, keepCompleted: 500,
    });
  }

  /** The job already waiting or running for this pod, if any. */
  activeJobFor(cluster: string, namespace: string, pod: string): Promise<{ jobId: string; data: PodDiagnosisJob } | null> {
    return this.activeFor(podDiagnosisDedupId(cluster, namespace, pod));
  }
}
