// A policy pasted in part: its rules without the object around them. Threads quote `spec:` or `egress:` blocks from
// a manifest, `kubectl get cnp x -o jsonpath='{.spec.egress}'` (JSON), or a list printed by a templating tool in
// Python's literal syntax (`[{'toEndpoints': [...], 'toPorts': [...]}]`, onzack/hubble-observer#8). Read as one
// CiliumNetworkPolicy whose selector is unknown: the policy runbooks then judge the rules alone ("the pods it
// selects"), and nothing claims which pods those are. Only values whose every key is a Cilium rule key are taken,
// so a YAML or JSON value of another shape stays unrecognised. Pure.
import { toPolicySummary } from '../policy-summary.ts';
import type { PastedPolicies } from './policy-docs.ts';

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

/** Peer and port keys of egress and ingress rules (cilium/cilium pkg/policy/api EgressRule, IngressRule). */
const EGRESS_KEYS = new Set(['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toServices', 'toFQDNs', 'toGroups', 'toNodes', 'toRequires', 'toPorts', 'icmps', 'authentication']);
const INGRESS_KEYS = new Set(['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromGroups', 'fromNodes', 'fromRequires', 'toPorts', 'icmps', 'authentication']);
const SECTION_KEYS = ['egress', 'ingress', 'egressDeny', 'ingressDeny'] as const;
const SPEC_KEYS = new Set([...SECTION_KEYS, 'endpointSelector', 'nodeSelector', 'description', 'enableDefaultDeny', 'labels']);

/** The name the fragment's policy carries in findings. */
export const FRAGMENT_NAME = 'pasted policy rules';

function isRuleList(v: unknown, keys: ReadonlySet<string>): v is Json[] {
  if (!Array.isArray(v) || v.length === 0) return false;
  const rules = v.map(asRecord);
  if (rules.some((r) => r === undefined)) return false;
  const named = rules.filter((r): r is Json => r !== undefined && Object.keys(r).length > 0);
  // At least one rule names a peer or port; an all-empty list (`- {}`) is read only inside a section.
  return named.length > 0 && named.every((r) => Object.keys(r).every((k) => keys.has(k)));
}

/** The spec a fragment stands for: a bare rule list, `{egress: [...]}`-like sections, or `{spec: {...}}`. */
function specOf(value: unknown): Json | null {
  if (isRuleList(value, EGRESS_KEYS)) return { egress: value };
  if (isRuleList(value, INGRESS_KEYS)) return { ingress: value };
  const o = asRecord(value);
  if (o === undefined) return null;
  const inner = Object.keys(o).length === 1 && asRecord(o.spec) !== undefined ? (o.spec as Json) : o;
  const keys = Object.keys(inner);
  if (keys.length === 0 || !keys.every((k) => SPEC_KEYS.has(k))) return null;
  const sections = SECTION_KEYS.filter((k) => inner[k] !== undefined);
  if (sections.length === 0) return null;
  const ok = sections.every((k) => Array.isArray(inner[k]) && (inner[k] as unknown[]).every((r) => asRecord(r) !== undefined)
    && (isRuleList(inner[k], k.startsWith('egress') ? EGRESS_KEYS : INGRESS_KEYS) || (inner[k] as unknown[]).every((r) => Object.keys(r as Json).length === 0)));
  return ok ? inner : null;
}

/** The fragment as the `policies` fact, or null when the value is not a policy fragment. */
export function policiesFromFragment(value: unknown): PastedPolicies | null {
  const spec = specOf(value);
  if (spec === null) return null;
  const summary = toPolicySummary({ kind: 'CiliumNetworkPolicy', metadata: { name: FRAGMENT_NAME }, spec });
  return summary === null ? null : { cnp: [summary], ccnp: [], knp: 0 };
}

/**
 * Python's literal syntax for a JSON-like value → JSON text, or null when the text is not plainly that: single-quoted
 * strings with no double quote or escaped quote anywhere, and True/False/None as bare words.
 */
export function pythonLiteralToJson(text: string): string | null {
  if (text.includes('"') || text.includes("\\'") || !/[[{]\s*'/.test(text)) return null;
  return text.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null');
}
