// Plain text of a why-dropped answer, for the terminal (the CLI) — what was dropped, why, and the change to make.
import type { WhyDroppedAnswer, WhyDroppedQuery } from '../../runbooks/engine/why-dropped.ts';

export function renderWhyDroppedText(q: WhyDroppedQuery, a: WhyDroppedAnswer): string {
  const pair = `${q.source.namespace}/${q.source.pod} → ${q.destination.namespace}/${q.destination.pod}${q.port === undefined ? '' : `:${q.port}`}`;
  if (a.status === 'unavailable') {
    return [`Why dropped: ${pair}`, '', `Hubble flows unavailable: ${a.detail}`, ...(a.fix === undefined ? [] : [`Fix: ${a.fix}`]),
      'Without Hubble the bot cannot say which packets were dropped or why; only the policy objects can be read.'].join('\n');
  }
  const window = a.windowMinutes === undefined ? '' : ` in the last ${a.windowMinutes} minutes`;
  const lines = [`Why dropped: ${pair}`, `Read ${a.flowsRead} flow${a.flowsRead === 1 ? '' : 's'} from Hubble Relay${window}${a.truncated ? ' (bounded: more exist)' : ''}.`];
  if (a.unavailableNodes.length > 0) lines.push(`Not covered: Relay could not reach ${a.unavailableNodes.join(', ')}; drops there are not in this answer.`);
  if (a.groups.length === 0) {
    lines.push('', 'No drops between these pods (nor of the source\'s DNS lookups) in the flows read.');
    return lines.join('\n');
  }
  for (const g of a.groups) {
    const what = g.towards === 'dns' ? 'DNS lookups (port 53)' : 'traffic to the destination';
    lines.push('', `${g.count} × ${g.reason} at ${g.direction ?? 'unknown direction'}: ${what}`, `  ${g.responsible}`, ...g.samples.map((s) => `    ${s}`));
  }
  if (a.groups.every((g) => g.towards === 'dns')) {
    lines.push('', `No drops to ${q.destination.namespace}/${q.destination.pod} itself were seen: the connection never starts while the name does not resolve.`);
  }
  if (a.dnsAllowYaml !== null) {
    lines.push('', 'The source cannot resolve names: allow DNS to kube-dns in its egress policy, e.g. apply this CiliumNetworkPolicy:', '', a.dnsAllowYaml);
  }
  return lines.join('\n');
}
