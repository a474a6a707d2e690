// Does a policy's egress let a pod's DNS lookups out? Read rule by rule, the way Cilium reads an egress rule: its L3
// part (toEndpoints, toEntities, toServices, toCIDR…) and its L4 part (toPorts) must both admit a packet to the
// cluster's DNS (docs security/policy/language, "Layer 3" and "Layer 4"). Pure.
//   - A rule with a port-53 entry in toPorts is a DNS allow whatever its L3 part names (kube-dns, node-local DNS at
//     a CIDR, an upstream resolver): it says where the engineer sends lookups. With `rules.dns` it is an L7 DNS rule,
//     the one that lets the DNS proxy see the lookups (#11767).
//   - A rule without toPorts allows every port to its L3 peers, so it admits DNS when those peers include kube-dns:
//     a toEndpoints selector that may match the kube-dns pods (in a CiliumNetworkPolicy a selector without a
//     namespace key is limited to the policy's namespace, cilium/cilium PR #14580), the `cluster` or `all` entity, or
//     a toServices naming kube-dns. A toCIDR rule does not reach pods Cilium manages (docs "IP/CIDR based").
//   - An empty rule (`egress: [{}]`) allows nothing: it is how the docs write egress default deny.
import type { PolicySummary } from './evidence.ts';
import { selectorMatches } from './policy-selector.ts';

export type DnsAllow = 'l7' | 'l4' | 'l3' | 'none';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The kube-dns pods as selectors see them: the k8s-app=kube-dns label the docs' DNS rules select (kubeadm's CoreDNS). */
const KUBE_DNS_POD = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const NAMESPACE_KEY = /^(?:k8s:|any:)?io\.kubernetes\.pod\.namespace$/;
const DNS_SERVICE = /^(?:kube-dns|coredns)$/;

/** The spec(s) of a policy: `spec`, or each of `specs`. */
export function specsOf(p: PolicySummary): Json[] {
  return Array.isArray(p.spec) ? p.spec.filter(isRecord) : isRecord(p.spec) ? [p.spec] : [];
}

export function egressRules(p: PolicySummary): Json[] {
  return specsOf(p).flatMap((s) => arr(s['egress']).filter(isRecord));
}

function admitsPort53(port: unknown): boolean {
  if (!isRecord(port)) return false;
  const raw = port['port'];
  const p = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  if (p === '53' || p === '0' || p === '' || /^dns(?:-tcp)?$/i.test(p)) return true;
  const end = Number(port['endPort']);
  return /^\d+$/.test(p) && Number.isFinite(end) && Number(p) <= 53 && end >= 53;
}

/** A toEndpoints selector that may select the kube-dns pods, with a CNP's implicit namespace. */
function selectsKubeDns(sel: unknown, policyNamespace: string | undefined): boolean {
  if (!isRecord(sel)) return false;
  const ml = isRecord(sel['matchLabels']) ? sel['matchLabels'] : {};
  const me = arr(sel['matchExpressions']);
  const namesNamespace = Object.keys(ml).some((k) => NAMESPACE_KEY.test(k)) || me.some((e) => isRecord(e) && NAMESPACE_KEY.test(String(e['key'])));
  if (policyNamespace !== undefined && !namesNamespace && policyNamespace !== KUBE_DNS_POD.namespace) return false;
  return selectorMatches(sel, KUBE_DNS_POD) !== false;
}

function l3AdmitsKubeDns(rule: Json, namespace: string | undefined): boolean {
  if (arr(rule['toEndpoints']).some((s) => selectsKubeDns(s, namespace))) return true;
  if (arr(rule['toEntities']).some((e) => e === 'cluster' || e === 'all')) return true;
  return arr(rule['toServices']).some((s) => isRecord(s) && isRecord(s['k8sService']) && DNS_SERVICE.test(String(s['k8sService']['serviceName'])));
}

const hasDnsRules = (tp: Json): boolean => isRecord(tp['rules']) && tp['rules']['dns'] !== undefined;

/** How one egress rule admits DNS. */
function ruleDnsAllow(rule: Json, namespace: string | undefined): DnsAllow {
  const toPorts = arr(rule['toPorts']).filter(isRecord);
  const port53 = toPorts.filter((tp) => arr(tp['ports']).some(admitsPort53));
  if (port53.some(hasDnsRules)) return 'l7';
  if (port53.length > 0) return 'l4';
  if (toPorts.length === 0 && l3AdmitsKubeDns(rule, namespace)) return 'l3';
  return 'none';
}

const ORDER: readonly DnsAllow[] = ['l7', 'l4', 'l3', 'none'];

/** The strongest DNS allow among the policy's egress rules ('none' when the specs were not kept and no flag says so). */
export function dnsAllowOf(p: PolicySummary, kind: 'cnp' | 'ccnp'): DnsAllow {
  const rules = egressRules(p);
  if (rules.length === 0) return p.hasDnsRule === true ? 'l7' : 'none';
  const namespace = kind === 'cnp' ? p.namespace : undefined;
  const found = new Set(rules.map((r) => ruleDnsAllow(r, namespace)));
  return ORDER.find((a) => found.has(a)) ?? 'none';
}
