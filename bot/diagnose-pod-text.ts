// A pod diagnosis as plain text (the CLI), and the wording the Slack renderer shares with it: the headline, the
// endpoint line, the direction titles.
import type { PodDiagnosis } from '../runbooks/engine/pod-diagnosis.ts';
import { renderReportText } from './render/report-text.ts';
import { redactSecrets } from './render/redact.ts';

export const DIRECTION_TITLE = { egress: 'Egress (traffic the pod sent)', ingress: 'Ingress (traffic sent to the pod)' } as const;

export const UNAVAILABLE_NOTE = 'Without Hubble the bot cannot say which of this pod\'s packets were dropped or why; the findings below come from the policies and the node only.';

export function podRef(d: Pick<PodDiagnosis, 'pod'>): string {
  return `${d.pod.namespace}/${d.pod.name}`;
}

/** The most telling line: the top finding, else the drops, else healthy (never "healthy" when flows were not read). */
export function podHeadline(d: PodDiagnosis): string {
  const top = d.report.findings[0];
  if (top !== undefined) return `${top.runbookId}: ${top.title}`;
  if (d.flows.status === 'read') {
    const n = d.flows.summary.groups.reduce((sum, g) => sum + g.count, 0);
    return n > 0 ? `${n} dropped flow${n === 1 ? '' : 's'}, no runbook explains them` : 'no drops and no finding';
  }
  return 'no finding (Hubble flows unavailable)';
}

export function endpointLine(d: PodDiagnosis): string {
  if (!d.endpoint.ok) return `endpoint: unknown (${d.endpoint.detail})`;
  const e = d.endpoint.value;
  const enforce = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'enforcing' : 'not enforcing');
  return `endpoint ${e.state ?? 'state unknown'}, identity ${e.identity ?? 'unknown'}, ingress ${enforce(e.ingressEnforcing)}, egress ${enforce(e.egressEnforcing)}`;
}

export function renderPodDiagnosisText(d: PodDiagnosis): string {
  const out: string[] = [`Pod ${podRef(d)} on ${d.pod.node} (cluster ${d.cluster}, ${d.pod.phase}): ${podHeadline(d)}`, `  ${endpointLine(d)}`, ''];
  if (d.flows.status === 'unavailable') {
    out.push(`Hubble flows unavailable: ${d.flows.detail}`, ...(d.flows.fix === undefined ? [] : [`  Fix: ${d.flows.fix}`]), `  ${UNAVAILABLE_NOTE}`);
  } else {
    const s = d.flows.summary;
    out.push(`Hubble flows: ${s.flowsRead} of this pod read from Hubble Relay${s.windowMinutes === undefined ? '' : ` in the last ${s.windowMinutes} minutes`}${s.truncated ? ' (bounded: more exist)' : ''}; DNS seen by the DNS proxy: ${s.dnsFlows}, HTTP seen by the proxy: ${s.httpFlows}`);
    if (s.unavailableNodes.length > 0) out.push(`  Not covered: Relay could not reach ${s.unavailableNodes.join(', ')}`);
    for (const dir of ['egress', 'ingress'] as const) {
      const groups = s.groups.filter((g) => g.direction === dir);
      out.push(`${DIRECTION_TITLE[dir]}:${groups.length === 0 ? ' no drops' : ''}`);
      for (const g of groups) {
        out.push(`  ${g.count} × ${g.reason} ${dir === 'egress' ? 'to' : 'from'} ${g.peers.join(', ')}: ${g.responsible}`);
        for (const line of g.samples) out.push(`    ${line}`);
      }
    }
  }
  for (const f of d.fqdn) {
    out.push('', `toFQDNs without DNS visibility: ${f.gap.ref}${f.gap.names.length > 0 ? ` allows ${f.gap.names.join(', ')}` : ''}, but no DNS rule lets the DNS proxy see this pod's lookups.`, f.change === 'dns-rules-on-port-53' ? 'Fix: give its port-53 rule a DNS rule:' : 'Fix: add to its egress:', f.added, '', 'The policy with the rule added (kubectl apply -f it):', f.policyYaml);
  }
  out.push('', renderReportText({ ...d.report, node: `${podRef(d)} on ${d.pod.node}` }));
  return redactSecrets(out.join('\n'));
}
