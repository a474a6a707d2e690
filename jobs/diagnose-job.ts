// The payload of a `diagnose` job. Validated when enqueued and again when a worker picks it up (Redis is a
// boundary: anything could have written there).
import { z } from 'zod';
import { IncidentIdSchema } from './incidents/incident.ts';

const nodeName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/);

export const DiagnoseJobSchema = z
  .object({
    /** The node's open incident; absent when it had none: the worker opens one only if the diagnosis finds something. */
    incidentId: IncidentIdSchema.optional(),
    cluster: z.string().min(1).max(63),
    node: nodeName,
    /** Where the report goes: the incident thread, or the root message posted for this request. */
    channelId: z.string().regex(/^[CDG][A-Z0-9]{2,}$/),
    threadTs: z.string().regex(/^\d+\.\d+$/),
    requestedBy: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
    requestedAt: z.iso.datetime(),
  })
  .strict();
export type DiagnoseJob = z.infer<typeof DiagnoseJobSchema>;

export const DIAGNOSE_QUEUE = 'diagnose';

/** One diagnosis per cluster+node at a time: the BullMQ deduplication id. */
export function diagnoseDedupId(cluster: string, node: string): string {
  return `diagnose:${cluster}:${node}`;
}
