// The `flows` fact: Hubble flows the engineer pasted (`hubble observe` compact text), kept small — verdict, drop
// reason, direction, the two ends and the L4/L7 summary. Policy runbooks read drops whose reason is a policy denial.
import { z } from 'zod';

export const FlowSchema = z.object({
  /** FORWARDED, DROPPED, DENIED (policy-verdict), AUDIT, REDIRECTED, TRANSLATED, TRACED, ERROR. */
  verdict: z.string(),
  /** What hubble prints before the verdict: a drop reason ("Policy denied") or an event type ("to-endpoint", "policy-verdict:none"). */
  reason: z.string(),
  /** From a policy-verdict's INGRESS/EGRESS; null when the line does not say. */
  direction: z.enum(['ingress', 'egress']).nullable(),
  source: z.string(),
  destination: z.string(),
  /** The parenthesised summary, e.g. "TCP Flags: SYN", "UDP", "dns-request proxy …". */
  summary: z.string(),
  raw: z.string(),
});
export type Flow = z.infer<typeof FlowSchema>;

export const FlowsSchema = z.object({
  flows: z.array(FlowSchema),
  /** True when flows were dropped to stay within the bound. */
  truncated: z.boolean().default(false),
  source: z.enum(['pasted', 'hubble-relay']),
});
export type Flows = z.infer<typeof FlowsSchema>;

/** A drop caused by network policy: `Policy denied DROPPED`, or a `policy-verdict:… DENIED` line. */
export function isPolicyDrop(f: Flow): boolean {
  return (f.verdict === 'DROPPED' && /policy denied|denied by policy|policy deny/i.test(f.reason)) ||
    (f.verdict === 'DENIED' && f.reason.startsWith('policy-verdict'));
}
