// The payload of a `preflight` job (`/cilium preflight <version>`), validated when enqueued and when picked up.
import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { DedupQueue } from '../dedup-queue.ts';

export const PREFLIGHT_QUEUE = 'preflight';

export const PreflightJobSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    target: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
    /** Helm values given inline (`--values a.b=true`), already parsed into a mapping. */
    values: z.record(z.string(), z.unknown()).optional(),
    channelId: z.string().regex(/^[CDG][A-Z0-9]{2,}$/),
    /** The root message; the report goes into its thread. */
    threadTs: z.string().regex(/^\d+\.\d+$/),
    requestedBy: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
    requestedAt: z.iso.datetime(),
  })
  .strict();
export type PreflightJob = z.infer<typeof PreflightJobSchema>;

/** One preflight per cluster at a time: it lists every node, as a sweep does. */
export function preflightDedupId(cluster: string): string {
  return `preflight:${cluster}`;
}

export class PreflightQueue extends DedupQueue<PreflightJob> {
  constructor(opts: { connection: ConnectionOptions; prefix: string; backoffMs?: number }) {
    super(PREFLIGHT_QUEUE, 'preflight', PreflightJobSchema, (j) => preflightDedupId(j.cluster), {
      connection: opts.connection, prefix: opts.prefix, attempts: 3, backoffMs: opts.backoffMs ?? 2_000, keepCompleted: 100,
    });
  }

  activeJobFor(cluster: string): Promise<{ jobId: string; data: PreflightJob } | null> {
    return this.activeFor(preflightDedupId(cluster));
  }
}
