// A BullMQ queue whose jobs are validated payloads, deduplicated by a key while one is waiting or running, and
// retried with jittered exponential backoff. The diagnose and sweep queues are this with their own schema and key.
import { randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { z } from 'zod';

export type EnqueueResult = { queued: true; jobId: string } | { queued: false; existingJobId: string };

export interface DedupQueueOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Attempts in all. */
  attempts: number;
  /** First retry delay in ms; doubles each time, with jitter. */
  backoffMs: number;
  /** Completed jobs kept (for dedup of re-adds and for inspection). */
  keepCompleted: number;
}

export class DedupQueue<T> {
  readonly queue: Queue;

  constructor(
    name: string,
    private readonly jobName: string,
    private readonly schema: z.ZodType<T>,
    private readonly dedupId: (job: T) => string,
    opts: DedupQueueOptions,
  ) {
    this.queue = new Queue(name, {
      connection: opts.connection,
      prefix: opts.prefix,
      defaultJobOptions: {
        attempts: opts.attempts,
        backoff: { type: 'exponential', delay: opts.backoffMs, jitter: 0.5 },
        removeOnComplete: { age: 24 * 3600, count: opts.keepCompleted },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
  }

  /** Enqueues unless a job with the same key is waiting or running (then says which one). */
  async enqueue(job: T): Promise<EnqueueResult> {
    const data = this.schema.parse(job);
    // Our own id: when BullMQ answers with another one, the job was deduplicated.
    const jobId = randomUUID();
    const added = await this.queue.add(this.jobName, data, { jobId, deduplication: { id: this.dedupId(data) } });
    if (added.id === undefined) throw new Error('BullMQ returned a job without an id');
    return added.id === jobId ? { queued: true, jobId } : { queued: false, existingJobId: added.id };
  }

  /** The job waiting or running under this key, if any. */
  protected async activeFor(key: string): Promise<{ jobId: string; data: T } | null> {
    const jobId = await this.queue.getDeduplicationJobId(key);
    if (jobId === null) return null;
    const job = await this.queue.getJob(jobId);
    if (job === undefined) return null;
    const data = this.schema.safeParse(job.data);
    return data.success ? { jobId, data: data.data } : null;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
