// Pasted network policies → the `policies` fact, the same summary the cluster collector builds
// (jobs/collect/cluster-facts.ts toPolicySummary), so fqdn-dns-proxy, policy-default-deny and policy-selector-drift
// read a paste as they read a cluster. Accepted: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes
// NetworkPolicy objects, alone, as `kind: List` / `*List` (`kubectl get cnp -o yaml|json`), or as several YAML
// documents. A Kubernetes NetworkPolicy is summarised the way Cilium enforces it (it turns each one into a rule on
// the pods its podSelector selects in its namespace, cilium/cilium pkg/k8s/network_policy.go): `policyTypes` absent
// means Ingress, plus Egress when the spec has egress rules (NetworkPolicySpec API doc); its egress `ports` become
// `toPorts` so a port-53 allow counts as a DNS allow. Pure.
import { toPolicySummary } from '../policy-summary.ts';
import type { Policies, PolicySummary, WorkloadPod } from '../evidence.ts';

export const CNP_KIND = 'CiliumNetworkPolicy';
export const CCNP_KIND = 'CiliumClusterwideNetworkPolicy';
export const KNP_KIND = 'NetworkPolicy';
const POLICY_KINDS: ReadonlySet<string> = new Set([CNP_KIND, CCNP_KIND, KNP_KIND]);
/** Items read from one List: a bound on what one paste puts in the fact. */
const MAX_POLICIES = 500;

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface PastedPolicies extends Policies {
  /** Kubernetes NetworkPolicies among `cnp` (their names carry the marker below). */
  knp: number;
  /** Pods of the Pod/Deployment manifests pasted in the same block (manifest-pods.ts). */
  pods?: WorkloadPod[];
}

/** Appended to a Kubernetes NetworkPolicy's name so findings do not call it a CiliumNetworkPolicy unmarked. */
export const KNP_MARKER = ' (Kubernetes NetworkPolicy)';

/** Policy objects in parsed documents: the objects themselves, or the items of a List. */
export function policyObjects(docs: readonly unknown[]): Json[] {
  const out: Json[] = [];
  for (const doc of docs) {
    const o = asRecord(doc);
    if (o === undefined) {
      for (const item of asArray(doc)) if (isPolicyObject(item)) out.push(item as Json);
      continue;
    }
    if (isPolicyObject(o)) out.push(o);
    else if (typeof o.kind === 'string' && o.kind.endsWith('List')) for (const item of asArray(o.items)) if (isPolicyObject(item)) out.push(item as Json);
    if (out.length >= MAX_POLICIES) break;
  }
  return out.slice(0, MAX_POLICIES);
}

export function isPolicyObject(v: unknown): boolean {
  const o = asRecord(v);
  // Without a spec there is nothing to read (YAML that lost its indentation in chat parses into empty keys).
  return o !== undefined && typeof o.kind === 'string' && POLICY_KINDS.has(o.kind) && typeof asRecord(o.metadata)?.name === 'string'
    && (asRecord(o.spec) !== undefined || (o.kind !== KNP_KIND && Array.isArray(o.specs)))
    // A NetworkPolicy from another API group (e.g. Calico's projectcalico.org) is not the Kubernetes one.
    && (o.kind !== KNP_KIND || o.apiVersion === undefined || (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('networking.k8s.io/')));
}

/** The `policies` fact of the pasted policy objects. */
export function policiesFromObjects(objects: readonly Json[]): PastedPolicies {
  const out: PastedPolicies = { cnp: [], ccnp: [], knp: 0 };
  for (const o of objects) {
    if (o.kind === KNP_KIND) {
      const s = knpSummary(o);
      if (s !== null) { out.cnp.push(s); out.knp++; }
      continue;
    }
    const s = toPolicySummary(o);
    if (s === null) continue;
    if (o.kind === CCNP_KIND) out.ccnp.push(s);
    else out.cnp.push(s);
  }
  return out;
}

function knpSummary(o: Json): PolicySummary | null {
  const meta = asRecord(o.metadata);
  const spec = asRecord(o.spec) ?? {};
  if (typeof meta?.name !== 'string') return null;
  const types = asArray(spec.policyTypes).map(String);
  const egress = asArray(spec.egress).map(asRecord).filter((r): r is Json => r !== undefined);
  const hasIngress = types.length === 0 ? true : types.includes('Ingress');
  const hasEgress = types.length === 0 ? spec.egress !== undefined : types.includes('Egress');
  return {
    name: `${meta.name}${KNP_MARKER}`,
    ...(typeof meta.namespace === 'string' && { namespace: meta.namespace }),
    endpointSelector: spec.podSelector ?? {},
    hasIngress,
    hasEgress,
    hasIngressDeny: false,
    hasEgressDeny: false,
    hasToFQDNs: false,
    hasDnsRule: false,
    spec: {
      ...(hasIngress && { ingress: asArray(spec.ingress) }),
      ...(hasEgress && { egress: egress.map(knpEgressRule) }),
    },
  };
}

/**
 * A NetworkPolicy egress rule in Cilium's terms, as far as the DNS check needs it (engine/dns-allow.ts): `ports` become
 * `toPorts` (absent: every port); no `to` means every destination (NetworkPolicy API doc), read as the `all` entity;
 * pod or namespace selectors are kept as an entity that may include kube-dns (`cluster`), so a rule that could reach
 * it is never called a missing DNS allow; ipBlock alone stays a CIDR rule (it does not reach pods Cilium manages).
 */
function knpEgressRule(r: Json): Json {
  const to = asArray(r.to).map(asRecord).filter((p): p is Json => p !== undefined);
  const peers = to.length === 0 ? { toEntities: ['all'] }
    : to.some((p) => p.podSelector !== undefined || p.namespaceSelector !== undefined) ? { toEntities: ['cluster'] }
      : { toCIDR: to.map((p) => asRecord(p.ipBlock)?.cidr).filter((c) => typeof c === 'string') };
  const ports = asArray(r.ports);
  return { ...r, ...peers, ...(ports.length > 0 && { toPorts: [{ ports }] }) };
}

/** "2 CiliumNetworkPolicy, 1 NetworkPolicy" for the recognised line. */
export function describePolicies(p: PastedPolicies): string {
  const parts: string[] = [];
  const cnp = p.cnp.length - p.knp;
  if (cnp > 0) parts.push(`${cnp} ${CNP_KIND}`);
  if (p.ccnp.length > 0) parts.push(`${p.ccnp.length} ${CCNP_KIND}`);
  if (p.knp > 0) parts.push(`${p.knp} ${KNP_KIND}`);
  return parts.join(', ');
}
