// A pure matcher for Cilium endpoint selectors against a pod's labels and namespace, tri-state: true, false, or
// null when it depends on labels the evidence lacks (service account, namespace labels) or the selector is malformed.
// Semantics (fact sheet §6; Cilium docs security/policy/language "Endpoints based"): matchLabels and
// matchExpressions (In, NotIn, Exists, DoesNotExist) are ANDed; keys may carry a source prefix (`k8s:`, `any:`);
// `io.kubernetes.pod.namespace` is the pod's namespace; `reserved:*` labels never belong to a pod; an empty selector
// selects every endpoint; a CiliumNetworkPolicy only selects pods in its own namespace, a clusterwide one any pod.
import type { PolicySummary } from './evidence.ts';

export type Tri = boolean | null;

export interface PodLabels {
  namespace: string;
  labels: Record<string, string>;
}

const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** Identity labels Cilium derives from things we do not collect. */
const UNKNOWN_KEYS = /^io\.cilium\.k8s\.(policy\.serviceaccount|policy\.cluster|namespace\.labels\.)/;

type Lookup = { value: string | undefined } | 'unknown';

function lookup(key: string, pod: PodLabels): Lookup {
  if (key.startsWith('reserved:')) return { value: undefined };
  const bare = key.replace(/^(k8s|any|container|unspec):/, '');
  if (bare === NAMESPACE_KEY) return { value: pod.namespace };
  if (UNKNOWN_KEYS.test(bare)) return 'unknown';
  return { value: pod.labels[bare] };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function and(results: Tri[]): Tri {
  if (results.includes(false)) return false;
  return results.includes(null) ? null : true;
}

export function selectorMatches(selector: unknown, pod: PodLabels): Tri {
  if (!isRecord(selector)) return null;
  const results: Tri[] = [];
  const ml = selector['matchLabels'];
  if (ml !== undefined) {
    if (!isRecord(ml)) return null;
    for (const [k, v] of Object.entries(ml)) {
      const got = lookup(k, pod);
      results.push(got === 'unknown' ? null : got.value === String(v));
    }
  }
  const me = selector['matchExpressions'];
  if (me !== undefined) {
    if (!Array.isArray(me)) return null;
    for (const expr of me as unknown[]) results.push(expression(expr, pod));
  }
  return and(results);
}

function expression(expr: unknown, pod: PodLabels): Tri {
  if (!isRecord(expr) || typeof expr['key'] !== 'string' || typeof expr['operator'] !== 'string') return null;
  const got = lookup(expr['key'], pod);
  if (got === 'unknown') return null;
  const values = Array.isArray(expr['values']) ? (expr['values'] as unknown[]).map(String) : [];
  switch (expr['operator']) {
    case 'In': return got.value !== undefined && values.includes(got.value);
    case 'NotIn': return got.value === undefined || !values.includes(got.value);
    case 'Exists': return got.value !== undefined;
    case 'DoesNotExist': return got.value === undefined;
    default: return null;
  }
}

/** Whether a policy selects a pod: namespace scope for CNPs, no pods for host policies (nodeSelector only). */
export function policySelects(policy: PolicySummary, kind: 'cnp' | 'ccnp', pod: PodLabels): Tri {
  if (kind === 'cnp' && policy.namespace !== undefined && policy.namespace !== pod.namespace) return false;
  if (policy.endpointSelector === undefined) return false;
  return selectorMatches(policy.endpointSelector, pod);
}

/** Every policy with its kind, CNPs first. */
export function allPolicies(p: { cnp: PolicySummary[]; ccnp: PolicySummary[] }): { policy: PolicySummary; kind: 'cnp' | 'ccnp' }[] {
  return [...p.cnp.map((policy) => ({ policy, kind: 'cnp' as const })), ...p.ccnp.map((policy) => ({ policy, kind: 'ccnp' as const }))];
}

export function policyRef(policy: PolicySummary, kind: 'cnp' | 'ccnp'): string {
  // A pasted policy without metadata.namespace goes to the namespace it is applied in: unknown here, so none is named.
  if (kind === 'cnp') return `CiliumNetworkPolicy ${policy.namespace === undefined ? '' : `${policy.namespace}/`}${policy.name}`;
  return `CiliumClusterwideNetworkPolicy ${policy.name}`;
}
