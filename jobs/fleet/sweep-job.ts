// The payload of a `sweep` job (whole cluster), validated when enqueued and when a worker picks it up.
import type { ConnectionOptions } from 'bullmq';
import { DedupQueue, type EnqueueResult } from '../dedup-queue.ts';
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

export type SweepEnqueueResult = EnqueueResult;

export class SweepQueue extends DedupQueue<SweepJob> {
  constructor(opts: { connection: ConnectionOptions; prefix: string; attempts?: number; backoffMs?: number }) {
    super(SWEEP_QUEUE, 'sweep', SweepJobSchema, (j) => sweepDedupId(j.cluster), {
      connection: opts.connection,
      prefix: opts.prefix,
      attempts: opts.attempts ?? 3,
      backoffMs: opts.backoffMs ?? 2_000,
      keepCompleted: 100,
    });
  }

  /** The sweep already waiting or running for this cluster, if any. */
  activeJobFor(cluster: string): Promise<{ jobId: string; data: SweepJob } | null> {
    return this.activeFor(sweepDedupId(cluster));
  }
}
