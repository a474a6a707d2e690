// One pod's Hubble flows, from the pod's side: its drops per direction (egress = traffic it sent, ingress = traffic
// sent to it), grouped by drop reason and by the policy (or missing allow) responsible, plus the DNS and L7 flows
// seen for it. Pure. Policy semantics: docs security/policy/intro (default deny per direction, entered when a policy
// with a section for that direction selects the endpoint); POLICY_DENIED = no allow matched, POLICY_DENY = a deny
// rule (flow.proto DropReason 133 / 181); a policy-verdict event and its drop are the same packet (cilium/hubble#745).
import type { Flow, Flows, Policies, PolicySummary } from './evidence.ts';
import { endpoint } from './policy-drops.ts';
import { allPolicies, policyRef, policySelects, type PodLabels } from './policy-selector.ts';
import { toWorld, type FqdnVisibilityGap } from './fqdn-visibility.ts';

export interface PodIdentity { namespace: string; name: string; labels: Record<string, string> }

export interface PodDropGroup {
  /** From the pod's side: egress = traffic the pod sent, ingress = traffic sent to the pod. */
  direction: 'ingress' | 'egress';
  reason: string;
  /** Which policy (or missing allow) is responsible, in words. */
  responsible: string;
  /** Dropped packets (drop events; policy-verdict events only when no drop event came). */
  count: number;
  /** The other ends, as Hubble names them (pod, IP or world). */
  peers: string[];
  samples: string[];
}

export interface PodFlowSummary {
  flowsRead: number;
  windowMinutes?: number;
  truncated: boolean;
  unavailableNodes: string[];
  groups: PodDropGroup[];
  /** DNS flows (L7, seen by the DNS proxy) to or from the pod. */
  dnsFlows: number;
  /** HTTP flows (L7, seen by Envoy) to or from the pod. */
  httpFlows: number;
}

const podOf = (s: string): string => endpoint(s).replace(/:\d+$/, '');
const isDropped = (f: Flow): boolean => f.verdict === 'DROPPED' || f.verdict === 'DENIED' || f.verdict === 'ERROR';
const isVerdictEvent = (f: Flow): boolean => f.reason.startsWith('policy-verdict');

/** Whether a flow's end is this pod (exactly: the name was resolved before the flows were read). */
export function isPod(text: string, pod: Pick<PodIdentity, 'namespace' | 'name'>): boolean {
  return podOf(text) === `${pod.namespace}/${pod.name}`;
}

/** The flows with the pod at either end (Relay's pod filter is a name prefix, and pasted flows are unfiltered). */
export function flowsOfPod(flows: Flows, pod: Pick<PodIdentity, 'namespace' | 'name'>): Flows {
  return { ...flows, flows: flows.flows.filter((f) => isPod(f.source, pod) || isPod(f.destination, pod)) };
}

function reasonKey(f: Flow): string {
  if (f.dropReason !== undefined && f.dropReason !== '') return f.dropReason;
  if (/policy denied$/i.test(f.reason) || (f.verdict === 'DENIED' && isVerdictEvent(f))) return 'POLICY_DENIED';
  if (/denied by denylist|policy deny/i.test(f.reason)) return 'POLICY_DENY';
  return f.reason;
}

/** `k8s:app=web` labels of the other end, for matching the policies that select it. */
function peerLabels(labels: string[] | undefined, text: string): PodLabels | null {
  const ns = /^([a-z0-9-]+)\//.exec(podOf(text))?.[1];
  if (labels === undefined || ns === undefined) return null;
  const out: Record<string, string> = {};
  for (const l of labels) {
    const m = /^k8s:([^=]+)=(.*)$/.exec(l);
    if (m?.[1] !== undefined) out[m[1]] = m[2] ?? '';
  }
  return { namespace: ns, labels: out };
}

type Dir = 'ingress' | 'egress';
const sectionOf = (p: PolicySummary, d: Dir, deny: boolean): boolean =>
  deny ? (d === 'ingress' ? p.hasIngressDeny : p.hasEgressDeny) : (d === 'ingress' ? p.hasIngress || p.hasIngressDeny : p.hasEgress || p.hasEgressDeny) && p.enableDefaultDeny?.[d] !== false;

/** The policies with a section for `dir` that select `who`: the ones that put it into default deny (or deny). */
function policiesFor(policies: Policies | null, who: PodLabels | null, dir: Dir, deny: boolean): string[] | null {
  if (policies === null || who === null) return null;
  return allPolicies(policies).filter(({ policy, kind }) => sectionOf(policy, dir, deny) && policySelects(policy, kind, who) === true).map(({ policy, kind }) => policyRef(policy, kind));
}

interface Ctx { pod: PodIdentity; policies: Policies | null; gaps: FqdnVisibilityGap[] }

function responsibleFor(f: Flow, reason: string, podSide: Dir, ctx: Ctx): string {
  const me = `${ctx.pod.namespace}/${ctx.pod.name}`;
  const peer = podOf(podSide === 'egress' ? f.destination : f.source) || 'the peer';
  // Where the verdict was taken: the pod's own policy, or the peer's (a pod's egress dropped at the peer's ingress).
  const enforcedAt: Dir = f.direction ?? podSide;
  const atPod = enforcedAt === podSide;
  const subject = atPod ? me : peer;
  const subjectLabels = atPod ? { namespace: ctx.pod.namespace, labels: ctx.pod.labels } : peerLabels(podSide === 'egress' ? f.destinationLabels : f.sourceLabels, podSide === 'egress' ? f.destination : f.source);
  const other = atPod ? peer : me;
  const named = (refs: string[] | null, fallback: string): string => (refs === null || refs.length === 0 ? fallback : refs.slice(0, 3).join(', '));
  if (reason === 'POLICY_DENIED') {
    if (podSide === 'egress' && atPod && toWorld(f)) {
      const gap = ctx.gaps.find((g) => g.pods.length === 0 || g.pods.includes(me));
      if (gap !== undefined) return `toFQDNs in ${gap.ref} matches no IP: no DNS rule lets the DNS proxy see ${me}'s lookups, so the name's IPs stay reserved:world and are denied.`;
    }
    const refs = policiesFor(ctx.policies, subjectLabels, enforcedAt, false);
    return `Missing ${enforcedAt} allow: ${named(refs, `a policy with an ${enforcedAt} section`)} ${refs !== null && refs.length > 1 ? 'select' : 'selects'} ${subject}, putting it in ${enforcedAt} default deny, and no rule allows ${other}${f.port === undefined ? '' : ` on port ${f.port}`}.`;
  }
  if (reason === 'POLICY_DENY') {
    const refs = policiesFor(ctx.policies, subjectLabels, enforcedAt, true);
    return `An explicit ${enforcedAt === 'ingress' ? 'ingressDeny' : 'egressDeny'} rule${refs === null || refs.length === 0 ? '' : ` in ${refs.slice(0, 3).join(', ')}`} matches ${podSide === 'egress' ? `${me} → ${peer}` : `${peer} → ${me}`}; deny rules win over any allow.`;
  }
  if (reason === 'AUTH_REQUIRED') return 'The matching rule requires mutual authentication (authentication.mode) and no authenticated session exists between the identities.';
  return `Not a policy decision: the datapath dropped it as ${reason}; see the drop reason in the Cilium troubleshooting docs.`;
}

export function podFlowSummary(flows: Flows, pod: PodIdentity, policies: Policies | null, gaps: FqdnVisibilityGap[]): PodFlowSummary {
  const mine = flowsOfPod(flows, pod).flows;
  const dropped = mine.filter(isDropped);
  const ctx: Ctx = { pod, policies, gaps };
  const groups = new Map<string, PodDropGroup>();
  const verdictOnly = new Map<string, number>();
  // Drop events first, so a policy-verdict event of the same packet only counts where no drop event came.
  for (const f of [...dropped.filter((x) => !isVerdictEvent(x)), ...dropped.filter(isVerdictEvent)]) {
    const side: Dir = isPod(f.source, pod) ? 'egress' : 'ingress';
    const reason = reasonKey(f);
    const responsible = responsibleFor(f, reason, side, ctx);
    const key = `${side}|${reason}|${responsible}`;
    const g = groups.get(key) ?? { direction: side, reason, responsible, count: 0, peers: [], samples: [] };
    if (!isVerdictEvent(f)) g.count += 1;
    else verdictOnly.set(key, (verdictOnly.get(key) ?? 0) + 1);
    const peer = endpoint(side === 'egress' ? f.destination : f.source);
    if (!g.peers.includes(peer) && g.peers.length < 5) g.peers.push(peer);
    if (g.samples.length < 3) g.samples.push(f.raw);
    groups.set(key, g);
  }
  for (const [key, n] of verdictOnly) {
    const g = groups.get(key);
    if (g !== undefined && g.count === 0) g.count = n;
  }
  return {
    flowsRead: mine.length,
    ...(flows.windowMinutes !== undefined && { windowMinutes: flows.windowMinutes }),
    truncated: flows.truncated,
    unavailableNodes: flows.coverage?.unavailableNodes ?? [],
    // Egress before ingress, then the most drops first.
    groups: [...groups.values()].sort((a, b) => (a.direction === b.direction ? b.count - a.count : a.direction === 'egress' ? -1 : 1)),
    dnsFlows: mine.filter((f) => f.l7?.kind === 'dns').length,
    httpFlows: mine.filter((f) => f.l7?.kind === 'http').length,
  };
}
