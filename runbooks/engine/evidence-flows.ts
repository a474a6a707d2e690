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
  /** The two ends as `hubble observe` prints them: a reply's ends swapped back, so `source` is the side that initiated. */
  source: z.string(),
  destination: z.string(),
  /** The parenthesised summary, e.g. "TCP Flags: SYN", "UDP", "dns-request proxy …". */
  summary: z.string(),
  raw: z.string(),
  // Structured fields, present when the flow was read from Hubble Relay (flow.proto), absent for pasted text.
  /** drop_reason_desc, e.g. POLICY_DENIED (flow.proto DropReason). */
  dropReason: z.string().optional(),
  /** L4 protocol and the server side's port (a request's destination port, a reply's source port). */
  protocol: z.string().optional(),
  port: z.number().int().optional(),
  /** Endpoint labels as Hubble prints them (`k8s:app=web`), for the policy snippet's selector. */
  sourceLabels: z.array(z.string()).optional(),
  destinationLabels: z.array(z.string()).optional(),
  /** flow.proto policy_match_type (pkg/monitor/api/datapath_policy.go), on policy-verdict events. */
  policyMatchType: z.number().int().optional(),
  l7: z.object({
    kind: z.enum(['dns', 'http']),
    type: z.string(),
    /** DNS query name, or HTTP method + URL. */
    what: z.string(),
    /** DNS rcode or HTTP status (0 on a request). */
    code: z.number().int(),
    /** flow.proto HTTP method, url (the proxy's view: scheme, Host header, :path) and protocol, when read from Relay. */
    method: z.string().optional(),
    url: z.string().optional(),
    protocol: z.string().optional(),
  }).optional(),
  /** flow.proto is_reply (absent: unknown). */
  isReply: z.boolean().optional(),
  /** flow.proto ingress_denied_by / egress_denied_by: the policies Hubble correlated a denial with. */
  deniedBy: z.array(z.object({
    direction: z.enum(['ingress', 'egress']),
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.array(z.string()),
    revision: z.string().optional(),
  })).optional(),
  node: z.string().optional(),
  time: z.string().optional(),
});
export type Flow = z.infer<typeof FlowSchema>;

export const FlowsSchema = z.object({
  flows: z.array(FlowSchema),
  /** True when flows were dropped to stay within the bound. */
  truncated: z.boolean().default(false),
  source: z.enum(['pasted', 'hubble-relay']),
  /** From Relay's ServerStatus: nodes whose flows were (not) read. Absent for pasted flows. */
  coverage: z.object({
    connectedNodes: z.number().int().nullable(),
    unavailableNodes: z.array(z.string()),
  }).optional(),
  /** The time window read, in minutes, when flows were read from Relay with `since`. */
  windowMinutes: z.number().optional(),
});
export type Flows = z.infer<typeof FlowsSchema>;

/** An HTTP request the L7 proxy (Envoy) denied: `http-request DROPPED`, answered 403 "Access denied" (docs
 * observability/hubble/hubble-cli and security/policy/language: L7 violations are answered, not dropped). */
export function isL7Denial(f: Flow): boolean {
  return f.verdict === 'DROPPED' && (f.reason === 'http-request' || (f.l7?.kind === 'http' && f.l7.type === 'request'));
}

/** A drop caused by network policy: `Policy denied DROPPED`, or a `policy-verdict:… DENIED` line. */
export function isPolicyDrop(f: Flow): boolean {
  return (f.verdict === 'DROPPED' && /policy denied|denied by policy|policy deny/i.test(f.reason)) ||
    (f.verdict === 'DENIED' && f.reason.startsWith('policy-verdict'));
}
