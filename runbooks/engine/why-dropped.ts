// `why-dropped <ns>/<src> <ns>/<dst>[:port]`: the drops Hubble saw between two pods (and the source's DNS lookups,
// whose loss looks the same from the application), grouped by drop reason and direction, each with the policy side
// responsible. Pure: flows in, answer out. Policy semantics: docs security/policy/intro (default deny is per direction,
// entered when a policy with a section for that direction selects the endpoint); POLICY_DENIED = no allow matched,
// POLICY_DENY = an explicit deny rule (flow.proto DropReason 133 / 181). The DNS allow is the kube-dns rule of docs
// security/policy/language (DNS-based policies).
import type { Fact, Flow, Flows } from './evidence.ts';
import { isL7Denial } from './evidence.ts';
import { endpoint } from './policy-drops.ts';

export interface PodRef { namespace: string; pod: string }
export interface WhyDroppedQuery { source: PodRef; destination: PodRef; port?: number }

export interface DropGroup {
  reason: string;
  direction: 'ingress' | 'egress' | null;
  /** "dns" when the drops are the source's lookups to port 53, else "destination". */
  towards: 'dns' | 'destination';
  /** Dropped packets (drop notifications); policy-verdict events of the same packets only when no drop event came. */
  count: number;
  /** Which policy (or missing allow) is responsible, in words. */
  responsible: string;
  samples: string[];
}

export type WhyDroppedAnswer =
  | { status: 'unavailable'; detail: string; fix?: string }
  | { status: 'answered'; groups: DropGroup[]; flowsRead: number; truncated: boolean; windowMinutes?: number; unavailableNodes: string[]; dnsAllowYaml: string | null };

const endpointOf = endpoint;
const podOf = (s: string): string => endpointOf(s).replace(/:\d+$/, '');

function matchesPod(text: string, ref: PodRef): boolean {
  const p = podOf(text);
  return p === `${ref.namespace}/${ref.pod}` || p.startsWith(`${ref.namespace}/${ref.pod}-`);
}

const isDropped = (f: Flow): boolean => f.verdict === 'DROPPED' || f.verdict === 'DENIED' || f.verdict === 'ERROR';
const isDns = (f: Flow): boolean => f.port === 53 || /:53$/.test(endpointOf(f.destination)) || f.l7?.kind === 'dns';

function reasonKey(f: Flow): string {
  if (f.dropReason !== undefined && f.dropReason !== '') return f.dropReason;
  if (/policy denied/i.test(f.reason) || (f.verdict === 'DENIED' && f.reason.startsWith('policy-verdict'))) return 'POLICY_DENIED';
  return f.reason;
}

function responsibleFor(reason: string, direction: DropGroup['direction'], towards: DropGroup['towards'], q: WhyDroppedQuery, port: string, f?: Flow): string {
  const src = `${q.source.namespace}/${q.source.pod}`;
  // L7 denials are answered, not dropped (docs security/policy/language, Layer 7): the client sees 403 "Access denied".
  if (f !== undefined && isL7Denial(f)) {
    const node = f.node === undefined ? '<node>' : f.node.split('/').pop() ?? f.node;
    const side = direction === null ? 'the' : `the ${direction}`;
    return `The L7 proxy denied these HTTP requests and answered 403 "Access denied": no rules.http entry of ${side} policy on this port allows them. \`/cilium diagnose ${node}\` names the field that did not match (method, path, host) and the one rule entry to add.`;
  }
  const dst = towards === 'dns' ? 'kube-dns (port 53)' : `${q.destination.namespace}/${q.destination.pod}${port}`;
  if (reason === 'POLICY_DENIED') {
    if (direction === 'ingress') return `Missing ingress allow: a policy with an ingress section selects ${dst}, putting it in ingress default deny, and none of its rules allows ${src}.`;
    return `Missing egress allow: a policy with an egress section selects ${src}, putting it in egress default deny, and none of its rules allows ${dst}.`;
  }
  if (reason === 'POLICY_DENY') {
    // Hubble's policy correlation (flow.proto egress_denied_by / ingress_denied_by) names the deny policy when filled.
    const named = [...new Set((f?.deniedBy ?? []).map((p) => (p.namespace === undefined ? p.name : `${p.namespace}/${p.name}`)))];
    return `An explicit ${direction === 'ingress' ? 'ingressDeny' : 'egressDeny'} rule matches ${src} → ${dst}; deny rules win over any allow.${named.length > 0 ? ` Hubble names the policy: ${named.join(', ')}.` : ''}`;
  }
  if (reason === 'AUTH_REQUIRED') return 'The matching rule requires mutual authentication (authentication.mode) and no authenticated session exists between the identities.';
  return `Not a policy decision: the datapath dropped it as ${reason}; see the drop reason in the Cilium troubleshooting docs.`;
}

/** `k8s:app=checkout` → app: checkout, without the labels Cilium derives (namespace, cluster, service account). */
function selectorLabels(labels: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels ?? []) {
    const m = /^k8s:([^=]+)=(.*)$/.exec(l);
    if (m === null || m[1] === undefined || /^io\.(kubernetes|cilium)\./.test(m[1])) continue;
    out[m[1]] = m[2] ?? '';
  }
  return out;
}

/** The egress rule to add so the source may query kube-dns, as a CiliumNetworkPolicy (docs security/policy/language). */
export function dnsAllowPolicy(q: WhyDroppedQuery, sourceLabels: string[] | undefined): string {
  const labels = selectorLabels(sourceLabels);
  const selector = Object.keys(labels).length === 0
    ? '  endpointSelector: {}   # no pod labels seen in the flows: narrow this to the source pods'
    : ['  endpointSelector:', '    matchLabels:', ...Object.entries(labels).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`)].join('\n');
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    `  name: allow-dns-${q.source.pod}`.slice(0, 63 + 8),
    `  namespace: ${q.source.namespace}`,
    'spec:',
    selector,
    '  egress:',
    '    - toEndpoints:',
    '        - matchLabels:',
    '            "k8s:io.kubernetes.pod.namespace": kube-system',
    '            "k8s:k8s-app": kube-dns',
    '      toPorts:',
    '        - ports:',
    '            - port: "53"',
    '              protocol: ANY',
    '          rules:',
    '            dns:',
    '              - matchPattern: "*"',
  ].join('\n');
}

export function whyDropped(flows: Fact<Flows>, q: WhyDroppedQuery): WhyDroppedAnswer {
  if (!flows.ok) return { status: 'unavailable', detail: flows.detail, ...(flows.fix !== undefined && { fix: flows.fix }) };
  const relevant = flows.value.flows.filter((f) => isDropped(f) && matchesPod(f.source, q.source) &&
    (isDns(f) || (matchesPod(f.destination, q.destination) && (q.port === undefined || f.port === undefined || f.port === q.port))));
  const groups = new Map<string, DropGroup>();
  const verdictOnly = new Map<string, number>();
  // Drop notifications first: a policy-verdict event and the drop it causes describe the same packet (cilium/hubble#745).
  const ordered = [...relevant.filter((f) => !f.reason.startsWith('policy-verdict')), ...relevant.filter((f) => f.reason.startsWith('policy-verdict'))];
  for (const f of ordered) {
    const towards = isDns(f) && !matchesPod(f.destination, q.destination) ? 'dns' : 'destination';
    const reason = reasonKey(f);
    const key = `${reason}|${f.direction ?? ''}|${towards}`;
    const port = q.port !== undefined ? `:${q.port}` : f.port !== undefined ? `:${f.port}` : '';
    const g = groups.get(key) ?? { reason, direction: f.direction, towards, count: 0, responsible: responsibleFor(reason, f.direction, towards, q, port, f), samples: [] };
    if (!f.reason.startsWith('policy-verdict')) g.count += 1;
    else verdictOnly.set(key, (verdictOnly.get(key) ?? 0) + 1);
    if (g.samples.length < 3) g.samples.push(f.raw);
    groups.set(key, g);
  }
  for (const [key, n] of verdictOnly) {
    const g = groups.get(key);
    if (g !== undefined && g.count === 0) g.count = n;
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count);
  const dnsPolicyDrop = relevant.find((f) => isDns(f) && f.direction !== 'ingress' && reasonKey(f) === 'POLICY_DENIED');
  return {
    status: 'answered',
    groups: sorted,
    flowsRead: flows.value.flows.length,
    truncated: flows.value.truncated,
    ...(flows.value.windowMinutes !== undefined && { windowMinutes: flows.value.windowMinutes }),
    unavailableNodes: flows.value.coverage?.unavailableNodes ?? [],
    dnsAllowYaml: dnsPolicyDrop === undefined ? null : dnsAllowPolicy(q, dnsPolicyDrop.sourceLabels),
  };
}
