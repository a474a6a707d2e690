// `cilium-dbg policy get` (`cilium policy get` before 1.15): the agent's policy repository as a JSON array of rules,
// each with its selector, sections and the labels naming the object it came from (cilium/cilium pkg/k8s
// utils: io.cilium.k8s.policy.derived-from / .name / .namespace; printed e.g. in cilium/cilium#30149 "policy from
// daemon"), followed by `Revision: N`. Rules of one object become one policy again, so the policy runbooks read the
// agent's view as they read the objects. The agent has already added the CNP's namespace to its selectors. Pure.
import { toPolicySummary } from '../policy-summary.ts';
import type { PastedPolicies } from './policy-docs.ts';

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

const DERIVED_FROM = 'io.cilium.k8s.policy.derived-from';
const NAME = 'io.cilium.k8s.policy.name';
const NAMESPACE = 'io.cilium.k8s.policy.namespace';

function label(rule: Json, key: string): string | undefined {
  const labels = Array.isArray(rule.labels) ? rule.labels : [];
  for (const l of labels) {
    const r = asRecord(l);
    if (r?.key === key && typeof r.value === 'string') return r.value;
  }
  return undefined;
}

const isRepositoryRule = (v: unknown): boolean => {
  const r = asRecord(v);
  return r !== undefined && (r.endpointSelector !== undefined || r.nodeSelector !== undefined) && Array.isArray(r.labels) && label(r, NAME) !== undefined;
};

/** The policies of a `policy get` rule array, or null when the value is not one. */
export function policiesFromRepository(value: unknown): PastedPolicies | null {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRepositoryRule)) return null;
  const groups = new Map<string, { kind: string; name: string; namespace?: string; specs: Json[] }>();
  for (const rule of value as Json[]) {
    const derived = label(rule, DERIVED_FROM) ?? 'CiliumNetworkPolicy';
    const kind = derived === 'CiliumClusterwideNetworkPolicy' ? derived : 'CiliumNetworkPolicy';
    const name = label(rule, NAME) ?? '';
    const namespace = kind === 'CiliumNetworkPolicy' ? label(rule, NAMESPACE) : undefined;
    const key = `${kind}/${namespace ?? ''}/${name}`;
    const { labels: _labels, ...spec } = rule;
    const g = groups.get(key) ?? { kind, name: derived === 'NetworkPolicy' ? `${name} (Kubernetes NetworkPolicy)` : name, ...(namespace !== undefined && { namespace }), specs: [] };
    g.specs.push(spec);
    groups.set(key, g);
  }
  const out: PastedPolicies = { cnp: [], ccnp: [], knp: 0 };
  for (const g of groups.values()) {
    const s = toPolicySummary({ kind: g.kind, metadata: { name: g.name, ...(g.namespace !== undefined && { namespace: g.namespace }) }, ...(g.specs.length === 1 ? { spec: g.specs[0] } : { specs: g.specs }) });
    if (s === null) continue;
    if (g.kind === 'CiliumClusterwideNetworkPolicy') out.ccnp.push(s);
    else out.cnp.push(s);
  }
  return out;
}
