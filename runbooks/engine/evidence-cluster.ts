// Cluster-level facts (policies, services, Hubble), split from evidence.ts to keep files readable; re-exported there.
// Policy semantics: fact sheet §6. Hubble names: §3.2.
import { z } from 'zod';

export const PolicySummarySchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  /** The spec's endpointSelector (or nodeSelector for host policies) as written. */
  endpointSelector: z.unknown().optional(),
  nodeSelector: z.unknown().optional(),
  hasIngress: z.boolean(),
  hasEgress: z.boolean(),
  hasIngressDeny: z.boolean(),
  hasEgressDeny: z.boolean(),
  hasToFQDNs: z.boolean(),
  /** An L7 DNS rule (`toPorts[].rules.dns`) somewhere in the egress rules. */
  hasDnsRule: z.boolean().optional(),
  enableDefaultDeny: z.object({ ingress: z.boolean().optional(), egress: z.boolean().optional() }).optional(),
  spec: z.unknown(),
});
export type PolicySummary = z.infer<typeof PolicySummarySchema>;

export const PoliciesSchema = z.object({
  cnp: z.array(PolicySummarySchema),
  ccnp: z.array(PolicySummarySchema),
});
export type Policies = z.infer<typeof PoliciesSchema>;

export const ServiceSummarySchema = z.object({
  namespace: z.string(),
  name: z.string(),
  type: z.string(),
  clusterIP: z.string().nullable(),
  /** From EndpointSlices: one entry per endpoint. */
  endpoints: z.array(
    z.object({ podName: z.string().nullable(), nodeName: z.string().nullable(), ready: z.boolean() }),
  ),
});
export type ServiceSummary = z.infer<typeof ServiceSummarySchema>;

export const HubbleInfoSchema = z.object({
  /** `enable-hubble` in cilium-config; null when not read (a pasted cilium-cli status only speaks of the relay). */
  enabled: z.boolean().nullable(),
  relayPresent: z.boolean(),
  relayReady: z.boolean().optional(),
  /** 'pasted': read from a pasted `cilium status` box, not from the cluster. */
  source: z.literal('pasted').optional(),
});
export type HubbleInfo = z.infer<typeof HubbleInfoSchema>;
