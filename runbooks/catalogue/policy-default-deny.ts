// policy-default-deny: pods on the node are in default deny for a direction because of the policies selecting them,
// in the ways that cut traffic nobody meant to cut. Fact sheet §6 (docs security/policy/intro): default-deny is per
// direction — a policy with an egress section puts only egress into default deny (the blog's "egress-only denies all
// ingress" is wrong for CNPs, §0.9); `enableDefaultDeny` per direction overrides it (CRD field doc; #37729); deny-only
// policies put endpoints into default deny too (docs security/policy/deny; #14992, #28136); an egress default deny
// without a DNS allow blocks lookups (onzack/hubble-observer PR #9); `enable-policy: always` enforces with no rule.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { PolicySummary, WorkloadPod } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { allPolicies, allowsDns, policyRef, policySelects } from '../engine/policy-selector.ts';
import { ciliumDoc, configValue } from '../engine/runbook-kit.ts';
import { agentCli } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { dropQuotes, findingFromDrops, policyDrops } from '../engine/policy-drops.ts';

const ID = 'policy-default-deny';
type Dir = 'ingress' | 'egress';

interface Problem { kind: 'deny-only' | 'no-dns' | 'always-no-policy'; dir: Dir; policies: string[]; pods: string[] }

const hasAllow = (p: PolicySummary, d: Dir): boolean => (d === 'ingress' ? p.hasIngress : p.hasEgress);
const hasDeny = (p: PolicySummary, d: Dir): boolean => (d === 'ingress' ? p.hasIngressDeny : p.hasEgressDeny);
const putsIntoDefaultDeny = (p: PolicySummary, d: Dir): boolean => (hasAllow(p, d) || hasDeny(p, d)) && p.enableDefaultDeny?.[d] !== false;

export const policyDefaultDeny: Runbook = {
  id: ID,
  title: 'Network policy default deny cuts traffic',
  severity: 'warning',
  rank: 55,
  needs: ['policies', 'workloads', 'ciliumConfig'],
  match(e) {
    // Hubble's policy drops (pasted `hubble observe`) are the symptom itself, with or without the policies read.
    const drops = policyDrops(e);
    if (!e.policies.ok || !e.workloads.ok) return drops.length > 0 ? findingFromDrops(e, drops, ID) : null;
    const mode = (configValue(e, 'enable-policy') ?? 'default').toLowerCase();
    if (mode === 'never') return null;
    const policies = allPolicies(e.policies.value);
    const problems = new Map<string, Problem>();
    const add = (kind: Problem['kind'], dir: Dir, policy: string, pod: string): void => {
      const key = `${kind}/${dir}/${policy}`;
      const p = problems.get(key) ?? { kind, dir, policies: [policy], pods: [] };
      if (!p.pods.includes(pod)) p.pods.push(pod);
      problems.set(key, p);
    };
    for (const pod of e.workloads.value.filter(selectable)) {
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
        if (dir === 'egress' && selecting.some(({ policy }) => hasAllow(policy, 'egress')) && !selecting.some(({ policy }) => allowsDns(policy))) {
          for (const d of denying) add('no-dns', dir, policyRef(d.policy, d.kind), ref);
        }
      }
    }
    if (problems.size === 0) return drops.length > 0 ? findingFromDrops(e, drops, ID) : null;

    const list = [...problems.values()];
    const evidence: EvidenceQuote[] = [{ kind: 'fact', text: `enable-policy: ${mode}`, source: configSource(e, 'enable-policy') }];
    for (const p of list.slice(0, 8)) evidence.push({ kind: 'comparison', text: describe(p), source: 'policies × pods on the node (fact sheet §6)' });
    evidence.push(...dropQuotes(e, drops));
    const pods = new Set(list.flatMap((p) => p.pods));
    const first = list[0];

    return {
      runbookId: ID,
      title: `Default deny drops ${first?.kind === 'no-dns' ? 'DNS' : 'traffic'} for ${pods.size} pod${pods.size === 1 ? '' : 's'} on ${e.nodeName}`,
      severity: 'warning',
      summary: `${pods.size} pod${pods.size === 1 ? '' : 's'} on ${e.nodeName} ${pods.size === 1 ? 'is' : 'are'} in default deny in a way that drops traffic no rule allows: ${[...new Set(list.map((p) => short(p)))].join('; ')}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: 'Confirm the drops',
          detail: 'Look for "Policy denied" drops from these pods (e.g. UDP to kube-dns:53).',
          commands: [`hubble observe --node ${e.nodeName} --verdict DROPPED --last 100`, agentCli(e, 'monitor --type drop')],
        },
        ...(list.some((p) => p.kind === 'no-dns') ? [{
          title: 'Allow DNS in the egress policy',
          detail: `Egress default deny also blocks DNS; add a rule to kube-dns (an L7 DNS rule also feeds toFQDNs):\n\n${DNS_RULE}`,
          commands: ['kubectl get cnp,ccnp -A'],
        }] : []),
        ...(list.some((p) => p.kind === 'deny-only') ? [{
          title: 'Keep deny-only policies from default-denying everything else',
          detail: 'Set `enableDefaultDeny` for the direction to false on the deny policy, or pair it with an allow policy:\n\nspec:\n  enableDefaultDeny:\n    egress: false\n    ingress: false',
        }] : []),
        ...(list.some((p) => p.kind === 'always-no-policy') ? [{
          title: 'Give every endpoint a policy, or leave "always" mode',
          detail: 'With policyEnforcementMode always, endpoints without a policy drop everything (health traffic too).',
          helmValues: 'policyEnforcementMode: default',
        }] : []),
      ],
      docs: [ciliumDoc(e, 'Policy enforcement modes', 'security/policy/intro/'), ciliumDoc(e, 'Deny policies', 'security/policy/language/#deny-policies')],
      proposals: [],
      confidence: 'certain',
      basis: 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

const DNS_RULE = [
  'egress:',
  '  - toEndpoints:',
  '      - matchLabels:',
  '          k8s:io.kubernetes.pod.namespace: kube-system',
  '          k8s-app: kube-dns',
  '    toPorts:',
  '      - ports: [{port: "53", protocol: ANY}]',
  '        rules:',
  '          dns: [{matchPattern: "*"}]',
].join('\n');

function selectable(p: WorkloadPod): boolean {
  return !p.hostNetwork && (p.phase === 'Running' || p.phase === 'Pending');
}

function describe(p: Problem): string {
  const pods = `${p.pods.slice(0, 5).join(', ')}${p.pods.length > 5 ? ', …' : ''}`;
  if (p.kind === 'always-no-policy') return `enable-policy=always and no policy selects ${pods}: all traffic is dropped`;
  if (p.kind === 'deny-only') return `${p.policies.join(', ')} has only ${p.dir}Deny rules and no policy allows ${p.dir} for ${pods}: every other ${p.dir} flow is dropped`;
  return `${p.policies.join(', ')} puts ${pods} into egress default deny and no selecting policy allows DNS (port 53)`;
}

function short(p: Problem): string {
  if (p.kind === 'always-no-policy') return 'no policy selects them under enable-policy=always';
  if (p.kind === 'deny-only') return `deny-only ${p.dir} policy (${p.policies.join(', ')}) with no ${p.dir} allow`;
  return `egress default deny without a DNS allow (${p.policies.join(', ')})`;
}
