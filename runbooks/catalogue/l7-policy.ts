// l7-policy: HTTP rules of a CiliumNetworkPolicy that do not fit the traffic. From Hubble's L7 flows (Relay or a
// pasted `hubble observe`) and the policies in evidence: requests the proxy answered 403 "Access denied" and the rule
// field that did not match (method, path regex, host), with the exact rule to add as a diff; HTTPS sent to a port
// where an HTTP rule waits; the proxy unable to take the traffic. Analysis: engine/l7-diagnosis.ts.
import type { EvidenceQuote, Finding, FixStep, Runbook } from '../engine/contract.ts';
import type { Evidence, Flow } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { agentCli } from '../engine/install-commands.ts';
import { ciliumDoc } from '../engine/runbook-kit.ts';
import { diagnoseL7, mismatchText, type DenialDiagnosis, type TlsOnHttpRule } from '../engine/l7-diagnosis.ts';
import type { HttpRuleSite } from '../engine/l7-http-rules.ts';

const ID = 'l7-policy';

type Part = Pick<Finding, 'title' | 'summary' | 'evidence' | 'fixSteps' | 'confidence' | 'basis'>;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const flowSource = (e: Evidence): string => `hubble observe (${e.flows.ok ? e.flows.value.source : 'flows'})`;
const quotes = (e: Evidence, flows: string[]): EvidenceQuote[] => flows.slice(0, 4).map((text) => ({ kind: 'log', text: text.slice(0, 400), source: flowSource(e) }));

function request(d: DenialDiagnosis): string {
  return `${d.denial.method} ${d.denial.path}`;
}

function denialPart(e: Evidence, ds: DenialDiagnosis[]): Part {
  const first = ds[0] as DenialDiagnosis;
  const d = first.denial;
  const total = ds.reduce((n, x) => n + x.denial.count, 0);
  const evidence: EvidenceQuote[] = [];
  const fixSteps: FixStep[] = [];
  const why: string[] = [];
  for (const x of ds.slice(0, 3)) {
    evidence.push(...quotes(e, x.denial.samples));
    for (const p of x.denial.deniedBy) {
      evidence.push({ kind: 'fact', text: `${p.direction}_denied_by: ${p.namespace === undefined ? '' : `${p.namespace}/`}${p.name}${p.revision === undefined ? '' : ` (revision ${p.revision})`}`, source: 'Hubble policy correlation' });
    }
    const c = x.closest;
    if (c !== null) {
      const at = `${c.site.ref} spec.${c.site.direction}[${c.site.ruleIndex}].toPorts[${c.site.toPortsIndex}].rules.http[${c.verdict.index}]`;
      const text = x.matchedAnEntry
        ? `an entry matches ${request(x)} on method, path and host; the denial is about what the flow does not show (${c.verdict.unknown.join('; ') || 'headers'})`
        : `${request(x)} vs the closest entry: ${c.verdict.mismatches.map(mismatchText).join('; ')}`;
      evidence.push({ kind: 'comparison', text, source: at });
      why.push(x.matchedAnEntry ? `${request(x)}: matched by an entry except for what flows do not show` : `${request(x)}: ${c.verdict.mismatches.map((m) => m.field).join(' and ')} did not match`);
    } else {
      why.push(`${request(x)}: ${x.policiesRead ? 'no rules.http entry of the policies read applies to this port and these pods' : 'the policies were not read'}`);
    }
    if (x.diff !== null) {
      fixSteps.push({
        title: `Allow exactly ${request(x)} in ${x.diff.policy}`,
        detail: `Add one entry to ${x.diff.location}; it allows ${x.diff.allows} from the same peers on the same port, nothing more (widening a method or path regex is a separate decision). If the request should stay denied, the policy works as written: change the client instead.\n\n${x.diff.diff}`,
        commands: [x.diff.editCommand],
      });
    }
  }
  if (fixSteps.length === 0) {
    fixSteps.push({
      title: `Find the HTTP rule for ${d.server} port ${d.port ?? '?'}`,
      detail: `Look for the rules.http of the policies selecting ${d.direction === 'egress' ? d.client : d.server}; add an entry for ${request(first)} only (method and path as exact regexes), not a wider pattern.`,
      commands: ['kubectl get cnp,ccnp -A', agentCli(e, 'policy get')],
    });
  }
  fixSteps.push({
    title: 'Watch the request pass',
    detail: 'After the change the same request shows http-request FORWARDED and the response its real status instead of 403.',
    commands: [`hubble observe --pod ${d.server} --protocol http --last 20`],
  });
  const certain = ds.some((x) => x.diff !== null && x.sites.some((s) => s.applies === true));
  const answered = ds.reduce((n, x) => n + x.denial.answered403, 0);
  return {
    title: `L7 policy denies HTTP ${request(first)} to ${d.server}${ds.length > 1 ? ` (and ${plural(ds.length - 1, 'other request')})` : ''}`,
    summary: `The L7 proxy denied ${plural(total, 'HTTP request')} (http-request DROPPED${answered > 0 ? `, answered 403 ${answered}×` : ''}; the client gets 403 "Access denied"): ${why.join('; ')}.`,
    evidence,
    fixSteps,
    confidence: certain ? 'certain' : 'high',
    basis: 'observed',
  };
}

function proxyPart(e: Evidence, drops: Flow[], disabled: HttpRuleSite[]): Part {
  const refs = [...new Set(disabled.map((s) => s.ref))];
  const evidence: EvidenceQuote[] = [
    ...quotes(e, drops.map((f) => f.raw)),
    ...(refs.length > 0 ? [{ kind: 'fact' as const, text: `enable-l7-proxy: false; HTTP rules in ${refs.join(', ')}`, source: 'cilium-config × policies' }] : []),
  ];
  return {
    title: drops.length > 0 ? `The L7 proxy could not take the traffic (${plural(drops.length, 'drop')})` : 'HTTP rules while the L7 proxy is off',
    summary: drops.length > 0
      ? `Hubble shows drops because the traffic could not be redirected to the L7 proxy (${[...new Set(drops.map((f) => f.dropReason ?? f.reason))].join(', ')}): the HTTP rules on those ports are not enforced and the connections fail.`
      : `enable-l7-proxy is false while ${refs.join(', ')} ${refs.length === 1 ? 'has' : 'have'} HTTP rules: such a policy is rejected ("L7 policy is not supported since L7 proxy is not enabled").`,
    evidence,
    fixSteps: [
      {
        title: 'Check the proxy on the node',
        detail: 'The agent reports the proxy under "Proxy Status"; with the standalone Envoy DaemonSet (cilium-envoy) check its pod on the node too. Agent lines such as "Unable to create http proxy, will retry … Envoy proxy process failed to start, cannot add redirect" name the cause.',
        commands: [agentCli(e, 'status --verbose'), 'kubectl -n kube-system get pods -l k8s-app=cilium-envoy -o wide'],
      },
      ...(refs.length > 0 ? [{ title: 'Turn the L7 proxy on, or drop the HTTP rules', detail: 'HTTP (and DNS/FQDN) rules need the L7 proxy.', helmValues: 'l7Proxy: true' }] : []),
    ],
    confidence: drops.length > 0 ? 'certain' : 'high',
    basis: 'observed',
  };
}

function tlsPart(e: Evidence, t: TlsOnHttpRule[]): Part {
  const first = t[0] as TlsOnHttpRule;
  const seen = t.flatMap((x) => x.flows);
  const at = (x: TlsOnHttpRule): string => `${x.site.ref} spec.${x.site.direction}[${x.site.ruleIndex}].toPorts[${x.site.toPortsIndex}] (port ${x.port})`;
  return {
    title: `HTTP rules on port ${first.port}, where clients speak TLS`,
    summary: `${at(first)} has rules.http but no TLS interception: the proxy expects plain HTTP there, so HTTPS clients fail the handshake (curl: "wrong version number") instead of reaching the server${seen.length > 0 ? '; Hubble shows traffic to that port reaching the proxy with no HTTP record' : ''}.`,
    evidence: [...t.map((x) => ({ kind: 'fact' as const, text: `rules.http on port ${x.port} without terminatingTLS/originatingTLS`, source: at(x) })), ...quotes(e, seen.map((f) => f.raw))],
    fixSteps: [{
      title: 'Give the port TLS interception, or stop parsing it as HTTP',
      detail: `Either keep the HTTP rules and add terminatingTLS/originatingTLS to that toPorts entry (docs security/tls-visibility; the clients must trust the interception CA), or restrict the port at L3/L4 (or by serverNames) without rules.http. Removing rules.http alone allows every request on that port: decide that explicitly.`,
      commands: ['kubectl get cnp,ccnp -A -o yaml'],
    }],
    confidence: seen.length > 0 ? 'high' : 'medium',
    basis: seen.length > 0 ? 'observed' : 'inferred',
  };
}

export const l7Policy: Runbook = {
  id: ID,
  title: 'L7 (HTTP) policy denies or breaks requests',
  severity: 'warning',
  rank: 57,
  // Flows only count when they were read (Relay configured, or pasted); the policies alone still show HTTPS on an
  // HTTP rule and HTTP rules with the proxy off.
  needs: (e) => (!e.flows.ok && e.flows.detail.startsWith('not collected') ? ['policies'] : ['flows', 'policies']),
  match(e) {
    const dx = diagnoseL7(e);
    const parts: Part[] = [];
    if (dx.denials.length > 0) parts.push(denialPart(e, dx.denials));
    if (dx.proxyDrops.length > 0 || dx.l7ProxyDisabled.length > 0) parts.push(proxyPart(e, dx.proxyDrops, dx.l7ProxyDisabled));
    if (dx.tlsOnHttpRules.length > 0) parts.push(tlsPart(e, dx.tlsOnHttpRules));
    const [main, ...more] = parts;
    if (main === undefined) return null;
    return {
      runbookId: ID,
      ...main,
      severity: 'warning',
      summary: [main.summary, ...more.map((p) => p.summary)].join(' Also: '),
      evidence: [...main.evidence, ...more.flatMap((p) => p.evidence)],
      fixSteps: [...main.fixSteps, ...more.flatMap((p) => p.fixSteps)],
      blastRadius: computeBlastRadius(e),
      docs: [
        ciliumDoc(e, 'Layer 7 policy (HTTP)', 'security/policy/language/#layer-7-examples'),
        ciliumDoc(e, 'Inspecting flows with the Hubble CLI', 'observability/hubble/hubble-cli/'),
        ...(dx.tlsOnHttpRules.length > 0 ? [ciliumDoc(e, 'TLS interception', 'security/tls-visibility/')] : []),
      ],
      proposals: [],
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};
