// The policy-default-deny finding from Hubble flows: drops whose reason is a policy denial (`Policy denied DROPPED`,
// `policy-verdict:none INGRESS DENIED`; hubble printer, docs gettingstarted/hubble) prove an endpoint is in default
// deny for that direction and no rule allows the flow (docs security/policy/intro). UDP/53 drops on egress are the
// missing DNS allow of onzack/hubble-observer PR #9.
import type { EvidenceQuote, Finding } from './contract.ts';
import type { Evidence, Flow } from './evidence.ts';
import { isPolicyDrop } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import { agentCli } from './install-commands.ts';
import { ciliumDoc } from './runbook-kit.ts';

export function policyDrops(e: Evidence): Flow[] {
  return e.flows.ok ? e.flows.value.flows.filter(isPolicyDrop) : [];
}

/** "ns/pod (ID:1234)" → "ns/pod": cut at the first " (" when the text ends in ")", as / \(.*\)$/ would, without its quadratic retries. */
export const endpoint = (s: string): string => {
  const open = s.indexOf(' (');
  return open >= 0 && s.endsWith(')') ? s.slice(0, open) : s;
};
const isDns = (f: Flow): boolean => /:53$/.test(endpoint(f.destination)) && /UDP|dns/i.test(f.summary + f.raw);

/** The evidence quotes of policy drops, for the finding built from policies too. */
export function dropQuotes(e: Evidence, drops: Flow[]): EvidenceQuote[] {
  const source = `hubble observe (${e.flows.ok ? e.flows.value.source : 'flows'})`;
  return drops.slice(0, 5).map((f) => ({ kind: 'log', text: f.raw.slice(0, 400), source }));
}

export function findingFromDrops(e: Evidence, drops: Flow[], id: string): Finding {
  const targets = [...new Set(drops.map((f) => `${endpoint(f.source)} → ${endpoint(f.destination)}`))];
  const dirs = [...new Set(drops.map((f) => f.direction).filter((d) => d !== null))];
  const dns = drops.some(isDns);
  return {
    runbookId: id,
    title: `Network policy drops ${dns ? 'DNS ' : ''}traffic (${drops.length} flow${drops.length === 1 ? '' : 's'})`,
    severity: 'warning',
    summary: `Hubble shows ${drops.length} flow${drops.length === 1 ? '' : 's'} dropped by network policy${dirs.length === 1 ? ` at ${dirs[0]}` : ''} (${targets.slice(0, 3).join('; ')}${targets.length > 3 ? '; …' : ''}): the endpoint is in default deny for that direction and no rule allows ${dns ? 'DNS (port 53)' : 'these flows'}.`,
    evidence: dropQuotes(e, drops),
    blastRadius: computeBlastRadius(e),
    fixSteps: [
      {
        title: 'Find the policies that select the endpoint',
        detail: 'An ingress section selecting the destination (or an egress section selecting the source) puts it into default deny for that direction; the dropped flow needs a rule there.',
        commands: ['kubectl get cnp,ccnp,networkpolicy -A', agentCli(e, 'endpoint list'), agentCli(e, 'policy get')],
      },
      ...(dns ? [{
        title: 'Allow DNS in the egress policy',
        detail: 'Egress default deny also blocks lookups to kube-dns; add an egress rule to k8s-app=kube-dns on port 53 (UDP and TCP).',
      }] : []),
      { title: 'Watch the drops stop', detail: 'After the policy change the same flows show FORWARDED.', commands: [`hubble observe --node ${e.nodeName} --verdict DROPPED --last 100`] },
    ],
    docs: [ciliumDoc(e, 'Policy enforcement modes', 'security/policy/intro/')],
    proposals: [],
    confidence: 'certain',
    basis: 'observed',
    explainsAgentCrash: false,
  };
}
