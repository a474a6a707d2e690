// Producer side of the `diagnose` queue: validated payloads, deduplicated per cluster+node, retried with backoff.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import { DIAGNOSE_QUEUE, DiagnoseJobSchema, diagnoseDedupId, type DiagnoseJob } from './diagnose-job.ts';

export type EnqueueResult = { queued: true; jobId: string } | { queued: false; existingJobId: string };

export interface DiagnoseQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Attempts in all for a job whose cluster was unreachable (default 4). */
  attempts?: number;
  /** First retry delay in ms; doubles each time, with jitter (default 2000). */
  backoffMs?: number;
}

export class DiagnoseQueue {
  readonly queue: Queue;

  constructor(opts: DiagnoseQueueOptions) {
    this.queue = new Queue(DIAGNOSE_QUEUE, {
      connection: opts.connection,
      prefix: opts.prefix,
      defaultJobOptions: {
        attempts: opts.attempts ?? 4,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 2_000, jitter: 0.5 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  }

  /** Enqueues unless a job for the same cluster+node is waiting or running (then says which one). */
  async enqueue(job: DiagnoseJob): Promise<EnqueueResult> {
    const data = DiagnoseJobSchema.parse(job);
    const jobId = randomUUID();
    const added = await this.queue.add('diagnose', data, {
      jobId,
      deduplication: { id: diagnoseDedupId(data.cluster, data.node) },
    });
    if (added.id === undefined) throw new Error('BullMQ returned a job without an id');
    return added.id === jobId ? { queued: true, jobId } : { queued: false, existingJobId: added.id };
  }

  /** The job already waiting or running for this cluster+node, if any. */
  async activeJobFor(cluster: string, node: string): Promise<{ jobId: string; data: DiagnoseJob } | null> {
    const jobId = await this.queue.getDeduplicationJobId(diagnoseDedupId(cluster, node));
    if (jobId === null) return null;
    const job = await this.queue.getJob(jobId);
    if (job === undefined) return null;
    const data = DiagnoseJobSchema.safeParse(job.data);
    return data.success ? { jobId, data: data.data } : null;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
