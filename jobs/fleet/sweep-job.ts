// The payload of a `sweep` job (whole cluster), validated when enqueued and when a worker picks it up.
import { randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const SWEEP_QUEUE = 'sweep';

export const SweepJobSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    /** The root message the progress is edited into; the report goes into its thread. */
    channelId: z.string().regex(/^[CDG][A-Z0-9]{2,}$/),
    threadTs: z.string().regex(/^\d+\.\d+$/),
    requestedBy: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
    requestedAt: z.iso.datetime(),
  })
  .strict();
export type SweepJob = z.infer<typeof SweepJobSchema>;

/** One sweep per cluster at a time. */
export function sweepDedupId(cluster: string): string {
  return `sweep:${cluster}`;
}

export type SweepEnqueueResult = { queued: true; jobId: string } | { queued: false; existingJobId: string };

export class SweepQueue {
  readonly queue: Queue;

  constructor(opts: { connection: ConnectionOptions; prefix: string; attempts?: number; backoffMs?: number }) {
    this.queue = new Queue(SWEEP_QUEUE, {
      connection: opts.connection,
      prefix: opts.prefix,
      defaultJobOptions: {
        attempts: opts.attempts ?? 3,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 2_000, jitter: 0.5 },
        removeOnComplete: { age: 24 * 3600, count: 100 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  }

  async enqueue(job: SweepJob): Promise<SweepEnqueueResult> {
    const data = SweepJobSchema.parse(job);
    const jobId = randomUUID();
    const added = await this.queue.add('sweep', data, { jobId, deduplication: { id: sweepDedupId(data.cluster) } });
    if (added.id === undefined) throw new Error('BullMQ returned a job without an id');
    return added.id === jobId ? { queued: true, jobId } : { queued: false, existingJobId: added.id };
  }

  /** The sweep already waiting or running for this cluster, if any. */
  async activeJobFor(cluster: string): Promise<{ jobId: string; data: SweepJob } | null> {
    const jobId = await this.queue.getDeduplicationJobId(sweepDedupId(cluster));
    if (jobId === null) return null;
    const job = await this.queue.getJob(jobId);
    if (job === undefined) return null;
    const data = SweepJobSchema.safeParse(job.data);
    return data.success ? { jobId, data: data.data } : null;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
