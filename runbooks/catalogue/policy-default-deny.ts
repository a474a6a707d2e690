// policy-default-deny: pods on the node are in default deny for a direction because of the policies selecting them,
// in the ways that cut traffic nobody meant to cut. Fact sheet §6 (docs security/policy/intro): default-deny is per
// direction — a policy with an egress section puts only egress into default deny (the blog's "egress-only denies all
// ingress" is wrong for CNPs, §0.9); `enableDefaultDeny` per direction overrides it (CRD field doc; #37729); deny-only
// policies put endpoints into default deny too (docs security/policy/deny; #14992, #28136); an egress default deny
// without a DNS allow blocks lookups (onzack/hubble-observer PR #9); `enable-policy: always` enforces with no rule.
// Without the node's pods (a pasted policy) each policy is judged on its own against the others that could select the
// same pods; an empty selector in a clusterwide policy default-denies the whole cluster (#41894).
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { ciliumDoc, configValue } from '../engine/runbook-kit.ts';
import { agentCli } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';
import { dropQuotes, findingFromDrops, policyDrops } from '../engine/policy-drops.ts';
import { podProblems, policyOnlyProblems, type DenyProblem } from '../engine/default-deny-problems.ts';

const ID = 'policy-default-deny';

export const policyDefaultDeny: Runbook = {
  id: ID,
  title: 'Network policy default deny cuts traffic',
  severity: 'warning',
  rank: 55,
  needs: ['policies', 'workloads', 'ciliumConfig'],
  match(e) {
    // Hubble's policy drops (pasted `hubble observe`) are the symptom itself, with or without the policies read.
    const drops = policyDrops(e);
    if (!e.policies.ok) return drops.length > 0 ? findingFromDrops(e, drops, ID) : null;
    const mode = (configValue(e, 'enable-policy') ?? 'default').toLowerCase();
    if (mode === 'never') return null;
    // With the node's pods, per pod; without them (a pasted policy), per policy (engine/default-deny-problems.ts).
    const byPod = e.workloads.ok;
    const list = byPod ? podProblems(e.policies.value, e.workloads.value, mode) : policyOnlyProblems(e.policies.value);
    if (list.length === 0) return drops.length > 0 ? findingFromDrops(e, drops, ID) : null;

    const evidence: EvidenceQuote[] = [{ kind: 'fact', text: `enable-policy: ${mode}`, source: configSource(e, 'enable-policy') }];
    for (const p of list.slice(0, 8)) evidence.push({ kind: 'comparison', text: describe(p), source: byPod ? 'policies × pods on the node (fact sheet §6)' : 'the policies, without the pods (fact sheet §6)' });
    evidence.push(...dropQuotes(e, drops));
    const pods = new Set(list.flatMap((p) => p.pods));
    const first = list[0];
    const whom = byPod ? `${pods.size} pod${pods.size === 1 ? '' : 's'} on ${e.nodeName}` : `the pods ${first?.policies[0] ?? 'the policy'} selects`;

    return {
      runbookId: ID,
      title: `Default deny drops ${first?.kind === 'no-dns' ? 'DNS' : 'traffic'} for ${whom}`,
      severity: 'warning',
      summary: byPod
        ? `${whom} ${pods.size === 1 ? 'is' : 'are'} in default deny in a way that drops traffic no rule allows: ${[...new Set(list.map((p) => short(p)))].join('; ')}.`
        : `Judged from the policies alone (the pods were not read): ${[...new Set(list.map((p) => describe(p)))].slice(0, 3).join('; ')}.`,
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
      // Without the pods nobody saw a pod selected, unless the selector selects every endpoint in its scope.
      confidence: byPod || drops.length > 0 ? 'certain' : list.every((p) => p.selectsAll === true) ? 'high' : 'medium',
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

function describe(p: DenyProblem): string {
  const pods = p.pods.length > 0 ? `${p.pods.slice(0, 5).join(', ')}${p.pods.length > 5 ? ', …' : ''}` : (p.scope ?? 'the pods it selects');
  if (p.kind === 'always-no-policy') return `enable-policy=always and no policy selects ${pods}: all traffic is dropped`;
  if (p.kind === 'deny-only') return `${p.policies.join(', ')} has only ${p.dir}Deny rules and no policy allows ${p.dir} for ${pods}: every other ${p.dir} flow is dropped`;
  const fqdn = p.fqdnNames !== undefined && p.fqdnNames.length > 0
    ? `; its toFQDNs names (${p.fqdnNames.slice(0, 3).join(', ')}) get no IPs either, since no lookup reaches the DNS proxy` : '';
  return `${p.policies.join(', ')} puts ${pods} into egress default deny and no policy that could select them allows DNS (port 53)${fqdn}`;
}

function short(p: DenyProblem): string {
  if (p.kind === 'always-no-policy') return 'no policy selects them under enable-policy=always';
  if (p.kind === 'deny-only') return `deny-only ${p.dir} policy (${p.policies.join(', ')}) with no ${p.dir} allow`;
  return `egress default deny without a DNS allow (${p.policies.join(', ')})`;
}
