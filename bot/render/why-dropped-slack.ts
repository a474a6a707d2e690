// A why-dropped answer as Slack mrkdwn: data escaped, flow lines and the policy in code blocks nothing can close.
import type { WhyDroppedAnswer, WhyDroppedQuery } from '../../runbooks/engine/why-dropped.ts';
import { clip, codeBlock, escapeMrkdwn, inlineCode } from './mrkdwn.ts';
import { redactSecrets } from './redact.ts';

/** Slack's limit for a message's text is 40,000 characters; an ephemeral answer stays well inside it. */
const MAX = 3800;

export function renderWhyDroppedSlack(q: WhyDroppedQuery, a: WhyDroppedAnswer): string {
  const pair = inlineCode(`${q.source.namespace}/${q.source.pod} → ${q.destination.namespace}/${q.destination.pod}${q.port === undefined ? '' : `:${q.port}`}`);
  if (a.status === 'unavailable') {
    return clip([`*Why dropped* ${pair}`, `Hubble flows unavailable: ${escapeMrkdwn(redactSecrets(a.detail))}`, ...(a.fix === undefined ? [] : [`*Fix:* ${escapeMrkdwn(a.fix)}`]),
      'Without Hubble the bot cannot say which packets were dropped or why.'].join('\n'), MAX);
  }
  const window = a.windowMinutes === undefined ? '' : ` in the last ${a.windowMinutes} minutes`;
  const lines = [`*Why dropped* ${pair} — ${a.flowsRead} flow${a.flowsRead === 1 ? '' : 's'} read from Hubble Relay${window}${a.truncated ? ' (bounded: more exist)' : ''}`];
  if (a.unavailableNodes.length > 0) lines.push(`Not covered: Relay could not reach ${a.unavailableNodes.map(inlineCode).join(', ')}.`);
  if (a.groups.length === 0) {
    lines.push('No drops between these pods (nor of the source\'s DNS lookups) in the flows read.');
    return clip(lines.join('\n'), MAX);
  }
  for (const g of a.groups.slice(0, 5)) {
    const what = g.towards === 'dns' ? 'DNS lookups (port 53)' : 'traffic to the destination';
    lines.push(`• *${g.count} × ${escapeMrkdwn(g.reason, { literal: true })}* at ${g.direction ?? 'unknown direction'}: ${what}. ${escapeMrkdwn(g.responsible)}`);
    // Flow lines are data (an HTTP URL may carry a token): redacted like everything the bot posts.
    lines.push(codeBlock(redactSecrets(g.samples.slice(0, 2).join('\n'))));
  }
  if (a.groups.every((g) => g.towards === 'dns')) lines.push(`No drops to ${inlineCode(`${q.destination.namespace}/${q.destination.pod}`)} itself: the connection never starts while the name does not resolve.`);
  if (a.dnsAllowYaml !== null) lines.push('*Allow DNS to kube-dns* in the source\'s egress policy, e.g. apply:', codeBlock(a.dnsAllowYaml));
  return clip(lines.join('\n'), MAX);
}
