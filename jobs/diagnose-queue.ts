// Producer side of the `diagnose` queue: validated payloads, deduplicated per cluster+node, retried with backoff.
import type { ConnectionOptions } from 'bullmq';
import { DedupQueue } from './dedup-queue.ts';
import { DIAGNOSE_QUEUE, DiagnoseJobSchema, diagnoseDedupId, type DiagnoseJob } from './diagnose-job.ts';

export type { EnqueueResult } from './dedup-queue.ts';

export interface DiagnoseQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Attempts in all for a job whose cluster was unreachable (default 4). */
  attempts?: number;
  /** First retry delay in ms; doubles each time, with jitter (default 2000). */
  backoffMs?: number;
}

export class DiagnoseQueue extends DedupQueue<DiagnoseJob> {
  constructor(opts: DiagnoseQueueOptions) {
    super(DIAGNOSE_QUEUE, 'diagnose', DiagnoseJobSchema, (j) => diagnoseDedupId(j.cluster, j.node), {
      connection: opts.connection,
      prefix: opts.prefix,
      attempts: opts.attempts ?? 4,
      backoffMs: opts.backoffMs ?? 2_000,
      keepCompleted: 1000,
    });
  }

  /** The job already waiting or running for this cluster+node, if any. */
  activeJobFor(cluster: string, node: string): Promise<{ jobId: string; data: DiagnoseJob } | null> {
    return this.activeFor(diagnoseDedupId(cluster, node));
  }
}
