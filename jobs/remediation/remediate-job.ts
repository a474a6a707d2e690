// The `remediate` queue: one job per approved proposal, whose job id is the proposal id, so a double click, a
// retried enqueue or two bot replicas run the change once.
import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { ProposalIdSchema } from './proposal.ts';

export const REMEDIATE_QUEUE = 'remediate';

// Only the proposal id: who approved, and whether that still counts, the worker reads from the proposal itself
// (execution-check.ts). Anything else in a job's data (a job written straight into Redis, or by an older version
// that sent `approvedBy`) is dropped unread.
export const RemediateJobSchema = z.object({ proposalId: ProposalIdSchema });
export type RemediateJob = z.infer<typeof RemediateJobSchema>;

export class RemediateQueue {
  readonly queue: Queue;
  constructor(opts: { connection: ConnectionOptions; prefix: string }) {
    this.queue = new Queue(REMEDIATE_QUEUE, {
      connection: opts.connection,
      prefix: opts.prefix,
      // A change to the cluster is never retried blindly: the worker decides what is safe to repeat.
      defaultJobOptions: { attempts: 1, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
    });
  }

  /** Returns false when a job for this proposal already exists (it runs once). */
  async enqueue(job: RemediateJob): Promise<boolean> {
    const data = RemediateJobSchema.parse(job);
    const existing = await this.queue.getJob(data.proposalId);
    if (existing !== undefined) return false;
    const added = await this.queue.add('remediate', data, { jobId: data.proposalId });
    return added.id === data.proposalId;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
