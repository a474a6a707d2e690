// The `rules.http` lists of CiliumNetworkPolicies and how a request fares against them. Semantics:
// - docs security/policy/language (HTTP): path, method and host are "extended POSIX regex" matched against the
//   request's path, method and Host header; "If omitted or empty, all paths are all allowed" (same for method, host);
//   entries of the list are alternatives (OR); the fields of one entry all have to match (AND).
// - cilium/cilium pkg/envoy/server.go getHTTPRule: path → Envoy HeaderMatcher on `:path`, method on `:method`, host
//   on `:authority`, each a `safe_regex_match` (RE2), which Envoy applies to the whole header value (Envoy
//   route_components.proto HeaderMatcher.safe_regex_match: "the entire request header value must match the regex").
//   So `/v1/request-landing` does not match `/v1/request-landing/x`, nor `/v1/request-landing?a=1` (`:path` carries
//   the query).
// - `headers` ("must be present") cannot be checked from a flow: Hubble does not record request headers by default.
import type { PolicySummary } from './evidence.ts';
import type { Tri } from './policy-selector.ts';
import { allPolicies, policyRef, policySelects, selectorMatches } from './policy-selector.ts';

export interface HttpRuleEntry { method?: string; path?: string; host?: string; headers?: string[] }

/** One `toPorts` entry with HTTP rules: where it sits in the policy, and what it lists. */
export interface HttpRuleSite {
  policy: PolicySummary;
  kind: 'cnp' | 'ccnp';
  /** "CiliumNetworkPolicy default/rule1". */
  ref: string;
  direction: 'ingress' | 'egress';
  ruleIndex: number;
  toPortsIndex: number;
  ports: { port: string; protocol?: string }[];
  /** fromEndpoints (ingress) or toEndpoints (egress) selectors; undefined when the rule names no endpoint peer. */
  peers: unknown[] | undefined;
  /** The rule also names peers by other means (fromEntities, fromCIDR, toFQDNs, toServices, …) we cannot match to a pod. */
  otherPeers: boolean;
  http: HttpRuleEntry[];
  /** The entry sets TLS interception (terminatingTLS / originatingTLS, docs security/tls-visibility). */
  tlsInterception: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function entryOf(v: unknown): HttpRuleEntry {
  if (!isRecord(v)) return {};
  const headers = Array.isArray(v['headers']) ? (v['headers'] as unknown[]).map(String) : undefined;
  const method = str(v['method']);
  const path = str(v['path']);
  const host = str(v['host']);
  return { ...(method !== undefined && { method }), ...(path !== undefined && { path }), ...(host !== undefined && { host }), ...(headers !== undefined && headers.length > 0 && { headers }) };
}

/** Every toPorts entry with `rules.http` in the policies, in spec order. */
export function httpRuleSites(policies: { cnp: PolicySummary[]; ccnp: PolicySummary[] }): HttpRuleSite[] {
  const out: HttpRuleSite[] = [];
  for (const { policy, kind } of allPolicies(policies)) {
    const spec = policy.spec;
    if (!isRecord(spec)) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = Array.isArray(spec[direction]) ? (spec[direction] as unknown[]) : [];
      rules.forEach((rule, ruleIndex) => {
        if (!isRecord(rule) || !Array.isArray(rule['toPorts'])) return;
        const peerKey = direction === 'ingress' ? 'fromEndpoints' : 'toEndpoints';
        const peers = Array.isArray(rule[peerKey]) ? (rule[peerKey] as unknown[]) : undefined;
        const otherPeers = Object.keys(rule).some((k) => /^(from|to)[A-Z]/.test(k) && k !== peerKey && k !== 'toPorts');
        (rule['toPorts'] as unknown[]).forEach((tp, toPortsIndex) => {
          if (!isRecord(tp) || !isRecord(tp['rules']) || !Array.isArray(tp['rules']['http'])) return;
          const ports = (Array.isArray(tp['ports']) ? (tp['ports'] as unknown[]) : []).filter(isRecord).map((p) => ({
            port: typeof p['port'] === 'string' || typeof p['port'] === 'number' ? String(p['port']) : '', ...(typeof p['protocol'] === 'string' && { protocol: p['protocol'] }),
          }));
          out.push({
            policy, kind, ref: policyRef(policy, kind), direction, ruleIndex, toPortsIndex, ports, peers, otherPeers,
            http: (tp['rules']['http'] as unknown[]).map(entryOf),
            tlsInterception: tp['terminatingTLS'] !== undefined || tp['originatingTLS'] !== undefined,
          });
        });
      });
    }
  }
  return out;
}

/** Whether the site's ports cover the port (no ports listed = every port; protocol TCP or ANY). */
export function coversPort(site: HttpRuleSite, port: number | undefined): Tri {
  if (site.ports.length === 0) return true;
  if (port === undefined) return null;
  return site.ports.some((p) => p.port === String(port) && (p.protocol === undefined || /^(TCP|ANY)$/i.test(p.protocol)));
}

export interface PodSide { namespace: string; labels: Record<string, string> | null }

/** Whether the site applies to a request from client to server: the policy selects the server (ingress) or the
 * client (egress), and the rule's endpoint peers include the other side. Null when labels are unknown. */
export function siteApplies(site: HttpRuleSite, client: PodSide, server: PodSide): Tri {
  const [subject, peer] = site.direction === 'ingress' ? [server, client] : [client, server];
  const selects: Tri = subject.labels === null
    ? (site.kind === 'cnp' && site.policy.namespace !== subject.namespace ? false : null)
    : policySelects(site.policy, site.kind, { namespace: subject.namespace, labels: subject.labels });
  if (selects === false) return false;
  // No peer at all: the rule applies to every peer. Peers named otherwise (entities, CIDRs, FQDNs): not provable here.
  if (site.peers === undefined) return site.otherPeers ? (selects === true ? null : selects) : selects;
  if (peer.labels === null) return selects === true ? null : selects;
  // A CNP's endpoint peers without a namespace label mean the policy's own namespace (docs security/policy/language).
  const peerNs = { namespace: peer.namespace, labels: peer.labels };
  const results = site.peers.map((sel) => peerSelects(sel, peerNs, site.kind === 'cnp' ? site.policy.namespace : undefined));
  const peerMatch: Tri = results.includes(true) ? true : results.includes(null) || site.otherPeers ? null : false;
  if (peerMatch === false) return false;
  return selects === true && peerMatch === true ? true : null;
}

function peerSelects(selector: unknown, pod: { namespace: string; labels: Record<string, string> }, policyNs: string | undefined): Tri {
  const ml = isRecord(selector) && isRecord(selector['matchLabels']) ? selector['matchLabels'] : {};
  const namesNamespace = Object.keys(ml).some((k) => k.replace(/^(k8s|any):/, '') === 'io.kubernetes.pod.namespace');
  if (!namesNamespace && policyNs !== undefined && pod.namespace !== policyNs) return false;
  return selectorMatches(selector, pod);
}

/** Whole-value regex match, as Envoy's safe_regex_match; null when the pattern is not a valid JS regex. */
export function fullMatch(pattern: string, value: string): boolean | null {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return null;
  }
}

export interface FieldMismatch { field: 'method' | 'path' | 'host'; rule: string; request: string; note?: string }

export interface EntryVerdict { entry: HttpRuleEntry; index: number; mismatches: FieldMismatch[]; unknown: string[] }

/** How each entry fares against the request: which of method, path and host did not match. */
export function judgeEntries(http: HttpRuleEntry[], req: { method: string; path: string; host: string }): EntryVerdict[] {
  return http.map((entry, index) => {
    const mismatches: FieldMismatch[] = [];
    const unknown: string[] = [];
    const check = (field: FieldMismatch['field'], rule: string | undefined, value: string): void => {
      if (rule === undefined) return;
      const ok = fullMatch(rule, value);
      if (ok === null) unknown.push(`${field} regex ${JSON.stringify(rule)} could not be evaluated here`);
      else if (!ok) {
        const partial = field === 'path' && fullMatch(`.*(?:${rule}).*`, value) === true;
        const query = field === 'path' && value.includes('?') && fullMatch(rule, value.slice(0, value.indexOf('?'))) === true;
        mismatches.push({
          field, rule, request: value,
          ...(query ? { note: 'the rule matches the path without its query string, but `:path` carries the query' }
            : partial ? { note: 'the regex matches only part of the path; it must match all of it' } : {}),
        });
      }
    };
    check('method', entry.method, req.method);
    check('path', entry.path, req.path);
    check('host', entry.host, req.host);
    if (entry.headers !== undefined) unknown.push(`headers ${entry.headers.join(', ')} (not visible in flows)`);
    return { entry, index, mismatches, unknown };
  });
}

/** The entry closest to allowing the request: fewest mismatches, a method or host mismatch before a path one. */
export function closestEntry(verdicts: EntryVerdict[]): EntryVerdict | undefined {
  const weight = (v: EntryVerdict): number => v.mismatches.length * 10 + (v.mismatches.some((m) => m.field === 'path') ? 1 : 0);
  return [...verdicts].sort((a, b) => weight(a) - weight(b) || a.index - b.index)[0];
}
