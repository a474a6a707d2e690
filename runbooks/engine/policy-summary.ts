// A CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy object → the `policies` fact's PolicySummary: which
// directions it has sections for, deny sections, toFQDNs and DNS rules, the selector and the whole spec. One
// reading for policies listed from the cluster (jobs/collect) and policies pasted as YAML or JSON (pasted/).
import type { PolicySummary } from './evidence.ts';

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The summary of one policy object, or null when it has no name. */
export function toPolicySummary(obj: unknown): PolicySummary | null {
  const o = asRecord(obj);
  const meta = asRecord(o?.metadata);
  if (o === undefined || typeof meta?.name !== 'string') return null;
  const specs = [asRecord(o.spec), ...asArray(o.specs).map(asRecord)].filter((s): s is Json => s !== undefined);
  const any = (pred: (s: Json) => boolean) => specs.some(pred);
  const egressRules = specs.flatMap((s) => asArray(s.egress).map(asRecord)).filter((r): r is Json => r !== undefined);
  // With `specs`, the first spec that names a selector (a spec without one selects nothing and is rejected).
  const first = specs.find((s) => s.endpointSelector !== undefined || s.nodeSelector !== undefined) ?? specs[0];
  const defaultDeny = asRecord(first?.enableDefaultDeny);
  return {
    name: meta.name,
    ...(typeof meta.namespace === 'string' && { namespace: meta.namespace }),
    ...(first?.endpointSelector !== undefined && { endpointSelector: first.endpointSelector }),
    ...(first?.nodeSelector !== undefined && { nodeSelector: first.nodeSelector }),
    hasIngress: any((s) => s.ingress !== undefined),
    hasEgress: any((s) => s.egress !== undefined),
    hasIngressDeny: any((s) => s.ingressDeny !== undefined),
    hasEgressDeny: any((s) => s.egressDeny !== undefined),
    hasToFQDNs: egressRules.some((r) => asArray(r.toFQDNs).length > 0),
    hasDnsRule: egressRules.some((r) => asArray(r.toPorts).some((p) => asRecord(asRecord(p)?.rules)?.dns !== undefined)),
    ...(defaultDeny !== undefined && {
      enableDefaultDeny: {
        ...(typeof defaultDeny.ingress === 'boolean' && { ingress: defaultDeny.ingress }),
        ...(typeof defaultDeny.egress === 'boolean' && { egress: defaultDeny.egress }),
      },
    }),
    spec: o.spec ?? o.specs,
  };
}
