// Which policies put pods into a default deny that cuts traffic nobody meant to cut (policy-default-deny's reading).
// Default deny is per direction (docs security/policy/intro): a policy with an egress section puts the endpoints it
// selects into egress default deny, unless `enableDefaultDeny.egress` is false (#37729); deny-only policies do it too
// (docs security/policy/language "Deny policies"; #14992, #28136). Two readings:
//   - with the node's pods: per pod, the policies that select it (policySelects);
//   - without them (a pasted policy, a sysdump's policy list): per policy, judged against the other policies that could
//     select the same pods (a CNP's namespace and every clusterwide policy; for a clusterwide policy, all of them). Any
//     of those that allows DNS or that direction silences it: a false "DNS is blocked" costs more than silence.
// A policy whose selector is empty selects every endpoint in its scope (a CCNP: the whole cluster, kube-system and
// CoreDNS included), which is how a toFQDNs-only clusterwide policy took a cluster's DNS down (cilium/cilium#41894).
// Pure.
import type { Policies, PolicySummary, WorkloadPod } from './evidence.ts';
import { dnsAllowOf } from './dns-allow.ts';
import { allPolicies, policyRef, policySelects } from './policy-selector.ts';

export type Dir = 'ingress' | 'egress';
export type PolicyKind = 'cnp' | 'ccnp';

export interface DenyProblem {
  kind: 'deny-only' | 'no-dns' | 'always-no-policy';
  dir: Dir;
  policies: string[];
  /** `ns/pod` of the affected pods; empty when judged without pods (then `scope` says whom the policy selects). */
  pods: string[];
  scope?: string;
  /** The toFQDNs names of the policy, which get no IPs either while no lookup gets out. */
  fqdnNames?: string[];
  /** Judged without pods: the policy selects every endpoint in its scope. */
  selectsAll?: boolean;
}

interface Ref { policy: PolicySummary; kind: PolicyKind }

const hasAllow = (p: PolicySummary, d: Dir): boolean => (d === 'ingress' ? p.hasIngress : p.hasEgress);
const hasDeny = (p: PolicySummary, d: Dir): boolean => (d === 'ingress' ? p.hasIngressDeny : p.hasEgressDeny);
const putsIntoDefaultDeny = (p: PolicySummary, d: Dir): boolean => (hasAllow(p, d) || hasDeny(p, d)) && p.enableDefaultDeny?.[d] !== false;
const allowsDns = (r: Ref): boolean => dnsAllowOf(r.policy, r.kind) !== 'none';

function selectable(p: WorkloadPod): boolean {
  return !p.hostNetwork && (p.phase === 'Running' || p.phase === 'Pending');
}

/** Per pod on the node: the problems of the policies selecting it. */
export function podProblems(policiesFact: Policies, workloads: WorkloadPod[], mode: string): DenyProblem[] {
  const policies = allPolicies(policiesFact);
  const problems = new Map<string, DenyProblem>();
  const add = (kind: DenyProblem['kind'], dir: Dir, policy: string, pod: string): void => {
    const key = `${kind}/${dir}/${policy}`;
    const p = problems.get(key) ?? { kind, dir, policies: [policy], pods: [] };
    if (!p.pods.includes(pod)) p.pods.push(pod);
    problems.set(key, p);
  };
  for (const pod of workloads.filter(selectable)) {
    const ref = `${pod.namespace}/${pod.name}`;
    const selecting = policies.filter(({ policy, kind }) => policySelects(policy, kind, { namespace: pod.namespace, labels: pod.labels ?? {} }) === true);
    if (selecting.length === 0) {
      if (mode === 'always') add('always-no-policy', 'ingress', '(no policy)', ref);
      continue;
    }
    for (const dir of ['ingress', 'egress'] as const) {
      const denying = selecting.filter(({ policy }) => putsIntoDefaultDeny(policy, dir));
      if (denying.length === 0 && mode !== 'always') continue;
      // Deny-only: nothing allows this direction, so everything not denied is dropped anyway.
      if (!selecting.some(({ policy }) => hasAllow(policy, dir))) {
        for (const d of denying.filter(({ policy }) => hasDeny(policy, dir))) add('deny-only', dir, policyRef(d.policy, d.kind), ref);
      }
      if (dir === 'egress' && selecting.some(({ policy }) => hasAllow(policy, 'egress')) && !selecting.some(allowsDns)) {
        for (const d of denying) add('no-dns', dir, policyRef(d.policy, d.kind), ref);
      }
    }
  }
  return [...problems.values()];
}

/** Without the pods: each policy against the others that could select the same pods. */
export function policyOnlyProblems(policiesFact: Policies): DenyProblem[] {
  const all = allPolicies(policiesFact);
  const out: DenyProblem[] = [];
  for (const self of all) {
    const { policy, kind } = self;
    if (policy.endpointSelector === undefined && policy.nodeSelector !== undefined) continue; // host policy: nodes, not pods
    const peers = all.filter((o) => o === self || kind === 'ccnp' || o.kind === 'ccnp' || o.policy.namespace === policy.namespace);
    const base = { policies: [policyRef(policy, kind)], pods: [], scope: scopeOf(policy, kind), selectsAll: isEmptySelector(policy.endpointSelector) };
    for (const dir of ['ingress', 'egress'] as const) {
      if (!putsIntoDefaultDeny(policy, dir)) continue;
      if (hasDeny(policy, dir) && !peers.some((o) => hasAllow(o.policy, dir))) out.push({ ...base, kind: 'deny-only', dir });
      if (dir === 'egress' && hasAllow(policy, 'egress') && !peers.some(allowsDns)) {
        const names = fqdnNamesOf(policy);
        out.push({ ...base, kind: 'no-dns', dir, ...(names.length > 0 && { fqdnNames: names }) });
      }
    }
  }
  return out;
}

export function isEmptySelector(sel: unknown): boolean {
  if (typeof sel !== 'object' || sel === null || Array.isArray(sel)) return false;
  const s = sel as { matchLabels?: unknown; matchExpressions?: unknown };
  const labels = typeof s.matchLabels === 'object' && s.matchLabels !== null ? Object.keys(s.matchLabels).length : 0;
  return labels === 0 && (Array.isArray(s.matchExpressions) ? s.matchExpressions.length : 0) === 0;
}

/** Whom a policy selects, in words, when the pods were not read. */
function scopeOf(policy: PolicySummary, kind: PolicyKind): string {
  const sel = policy.endpointSelector;
  if (sel === undefined) return 'the pods it selects';
  if (isEmptySelector(sel)) return kind === 'ccnp' ? 'every endpoint in the cluster (kube-system and CoreDNS included)' : `every pod in namespace ${policy.namespace ?? 'default'}`;
  const ml = (sel as { matchLabels?: Record<string, unknown> }).matchLabels ?? {};
  const labels = Object.entries(ml).map(([k, v]) => `${k}=${String(v)}`);
  return `the pods matching ${labels.length > 0 ? labels.slice(0, 3).join(', ') : 'its endpointSelector'}${kind === 'cnp' ? ` in ${policy.namespace ?? 'its namespace'}` : ''}`;
}

function fqdnNamesOf(policy: PolicySummary): string[] {
  if (!policy.hasToFQDNs) return [];
  const specs = Array.isArray(policy.spec) ? policy.spec : [policy.spec];
  const names: string[] = [];
  for (const s of specs) {
    const egress = (s as { egress?: unknown } | null)?.egress;
    for (const r of Array.isArray(egress) ? egress : []) {
      for (const f of Array.isArray((r as { toFQDNs?: unknown }).toFQDNs) ? (r as { toFQDNs: unknown[] }).toFQDNs : []) {
        const name = (f as { matchName?: unknown; matchPattern?: unknown }).matchName ?? (f as { matchPattern?: unknown }).matchPattern;
        if (typeof name === 'string') names.push(name);
      }
    }
  }
  return names;
}
