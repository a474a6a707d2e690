// toFQDNs without DNS visibility: a pod selected by a policy with `toFQDNs` whose port-53 egress has no DNS rule
// (`toPorts … rules.dns`). Cilium learns the IPs behind a name only from DNS answers its proxy intercepts, and the
// interception is itself a policy rule. Docs security/policy/language, "DNS Proxy" (cilium/cilium
// Documentation/security/policy/language.rst): "A DNS Proxy intercepts egress DNS traffic and records IPs seen in the
// responses. This interception is, itself, a separate policy rule governing the DNS requests, and must be specified
// separately." and "Only IPs in intercepted DNS responses to an application will be allowed in the Cilium policy
// rules." Without it the FQDN selector holds no IP and connections to the name are dropped as POLICY_DENIED to
// `reserved:world` (identity 2): cilium/cilium#13144 ("the destination identity is `2` … `reserved:world` rather than
// some CIDR identity … the FQDN policy is not properly matching"); a bare port-53 allow lets the lookups through but
// "the `rules.dns` section is required to tell Cilium that it should apply DNS proxy on that traffic" (#11767).
// Pure: policies, pods and flows in; gaps, confirming drops and the rule to add out.
import { stringify } from 'yaml';
import type { Flow, Policies, PolicySummary } from './evidence.ts';
import { endpoint } from './policy-drops.ts';
import { allPolicies, policyRef, policySelects } from './policy-selector.ts';
import { dnsAllowOf, egressRules, specsOf } from './dns-allow.ts';

export interface FqdnPod { namespace: string; name: string; labels: Record<string, string> }

export interface FqdnVisibilityGap {
  policy: PolicySummary;
  kind: 'cnp' | 'ccnp';
  ref: string;
  /** The names its toFQDNs allow (matchName / matchPattern), as written. */
  names: string[];
  /** How the pods' lookups leave: allowed without a DNS rule (port 53 at L4, #11767, or every port to kube-dns at L3:
   * engine/dns-allow.ts), not allowed at all (egress default deny drops them first), or unknown (specs not read). */
  dns: 'l4-only' | 'not-allowed' | 'unknown';
  /** `ns/name` of the affected pods; empty when the pods were not read. */
  pods: string[];
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const isPort53 = (port: unknown): boolean => isRecord(port) && String(port['port']) === '53';

function fqdnNames(p: PolicySummary): string[] {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return egressRules(p).flatMap((r) => arr(r['toFQDNs']).filter(isRecord).map((f) => text(f['matchName']) || text(f['matchPattern'])).filter((n) => n !== ''));
}

/** An L7 DNS rule on port 53 (the summary's flag when the spec was not kept). */
function hasDnsRule(p: PolicySummary): boolean {
  const rules = egressRules(p);
  if (rules.length === 0) return p.hasDnsRule === true;
  return rules.some((r) => arr(r['toPorts']).some((tp) => isRecord(tp) && isRecord(tp['rules']) && tp['rules']['dns'] !== undefined));
}

/**
 * The toFQDNs policies whose pods' lookups the DNS proxy never sees. With the pods, a pod is covered when a policy
 * that may select it (selector not ruled out) has a DNS rule; without them, any DNS rule in the policy's scope counts
 * (a namespace's CNPs, or any CCNP), so the check errs towards silence rather than a false finding.
 */
export function fqdnVisibilityGaps(policies: Policies, pods: FqdnPod[] | null): FqdnVisibilityGap[] {
  const all = allPolicies(policies);
  const gaps: FqdnVisibilityGap[] = [];
  for (const { policy, kind } of all.filter(({ policy }) => policy.hasToFQDNs)) {
    if (hasDnsRule(policy)) continue;
    const inScope = (o: PolicySummary, ok: 'cnp' | 'ccnp'): boolean => ok === 'ccnp' || o.namespace === policy.namespace;
    let affected: FqdnPod[] = [];
    if (pods === null) {
      if (all.some(({ policy: o, kind: ok }) => inScope(o, ok) && hasDnsRule(o))) continue;
    } else {
      affected = pods.filter((p) => policySelects(policy, kind, p) === true)
        .filter((p) => !all.some(({ policy: o, kind: ok }) => hasDnsRule(o) && policySelects(o, ok, p) !== false));
      if (affected.length === 0) continue;
    }
    const selecting = pods === null
      ? all.filter(({ policy: o, kind: ok }) => inScope(o, ok))
      : all.filter(({ policy: o, kind: ok }) => affected.some((p) => policySelects(o, ok, p) !== false));
    const specsRead = selecting.some(({ policy: o }) => specsOf(o).length > 0);
    gaps.push({
      policy,
      kind,
      ref: policyRef(policy, kind),
      names: fqdnNames(policy),
      // Lookups that leave without a DNS rule (port 53 at L4, or every port to kube-dns at L3) pass unseen.
      dns: !specsRead ? 'unknown' : selecting.some(({ policy: o, kind: ok }) => dnsAllowOf(o, ok) !== 'none') ? 'l4-only' : 'not-allowed',
      pods: affected.map((p) => `${p.namespace}/${p.name}`),
    });
  }
  return gaps;
}

const WORLD = /^reserved:world/;

/** The destination is outside the cluster's identities: reserved:world (identity 2), as an FQDN without IPs leaves it. */
export function toWorld(f: Flow): boolean {
  return (f.destinationLabels ?? []).some((l) => WORLD.test(l)) || /\(ID:2\)$/.test(f.destination) || /\(world\)/.test(f.destination);
}

const podOf = (s: string): string => endpoint(s).replace(/:\d+$/, '');
const isPolicyDenied = (f: Flow): boolean => f.dropReason === 'POLICY_DENIED' || (f.verdict === 'DROPPED' && /policy denied$/i.test(f.reason)) ||
  (f.verdict === 'DENIED' && f.reason.startsWith('policy-verdict'));

/** Egress policy drops from the gaps' pods to world: the connections the FQDN allow should have let out. */
export function fqdnConfirmingDrops(flows: Flow[], gaps: FqdnVisibilityGap[]): Flow[] {
  const pods = new Set(gaps.flatMap((g) => g.pods));
  const anyPod = gaps.some((g) => g.pods.length === 0);
  const denied = flows.filter((f) => f.direction !== 'ingress' && isPolicyDenied(f) && toWorld(f) && (anyPod || pods.has(podOf(f.source))));
  // A policy-verdict event and the drop it causes are one packet (cilium/hubble#745): count drops when there are some.
  const drops = denied.filter((f) => !f.reason.startsWith('policy-verdict'));
  return drops.length > 0 ? drops : denied;
}

/** DNS lookups the proxy saw from a pod (L7 DNS flows): proof that its lookups are intercepted after all. */
export function proxiedLookupsOf(flows: Flow[], pod: string): number {
  return flows.filter((f) => f.l7?.kind === 'dns' && (podOf(f.source) === pod || podOf(f.destination) === pod)).length;
}

const KUBE_DNS = { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' };
const DNS_RULES = { dns: [{ matchPattern: '*' }] };

/** The egress rule that lets the DNS proxy see every lookup (docs: examples/policies/l7/dns/dns-visibility.yaml). */
export const DNS_VISIBILITY_RULE = { toEndpoints: [{ matchLabels: KUBE_DNS }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: DNS_RULES }] };

/**
 * The policy with DNS visibility added, as YAML to apply: a bare port-53 rule gets `rules.dns` (#11767's fix);
 * otherwise the kube-dns rule is appended to the egress section of the spec holding the toFQDNs. `added` is what
 * changed alone (the `rules` of the port-53 entry, or the egress rule), for a short answer.
 */
export function dnsVisibilityPatch(gap: FqdnVisibilityGap): { policyYaml: string; added: string; change: 'dns-rules-on-port-53' | 'kube-dns-rule-appended' } {
  const specs = specsOf(gap.policy).map((s) => structuredClone(s));
  const target = specs.find((s) => arr(s['egress']).some((r) => isRecord(r) && arr(r['toFQDNs']).length > 0)) ?? specs[0];
  let added: unknown = DNS_VISIBILITY_RULE;
  let change: 'dns-rules-on-port-53' | 'kube-dns-rule-appended' = 'kube-dns-rule-appended';
  if (target !== undefined) {
    const egress = arr(target['egress']).filter(isRecord);
    const bare = egress.flatMap((r) => arr(r['toPorts']).filter(isRecord)).find((tp) => arr(tp['ports']).some(isPort53) && !isRecord(tp['rules']));
    if (bare !== undefined) {
      bare['rules'] = DNS_RULES;
      added = { rules: DNS_RULES };
      change = 'dns-rules-on-port-53';
    } else {
      target['egress'] = [...egress, DNS_VISIBILITY_RULE];
    }
  }
  const kind = gap.kind === 'cnp' ? 'CiliumNetworkPolicy' : 'CiliumClusterwideNetworkPolicy';
  const metadata = { name: gap.policy.name, ...(gap.policy.namespace !== undefined && { namespace: gap.policy.namespace }) };
  const body = Array.isArray(gap.policy.spec) ? { specs } : { spec: specs[0] ?? { egress: [DNS_VISIBILITY_RULE] } };
  return {
    policyYaml: stringify({ apiVersion: 'cilium.io/v2', kind, metadata, ...body }, { lineWidth: 0 }).trimEnd(),
    added: stringify(change === 'kube-dns-rule-appended' ? [added] : added, { lineWidth: 0 }).trimEnd(),
    change,
  };
}
