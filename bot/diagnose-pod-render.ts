// A pod diagnosis as thread replies: first the pod's own part (its drops per direction with the policy responsible,
// the FQDN rule to add, its endpoint), then the findings as the node report renders them (report-blocks.ts), headed
// with the pod. Redacted, escaped, and fitted to Block Kit's limits like every report (what does not fit is a file).
import type { KnownBlock } from '@slack/types';
import type { PodDiagnosis } from '../runbooks/engine/pod-diagnosis.ts';
import type { PodDropGroup } from '../runbooks/engine/pod-drops.ts';
import { clip, codeBlock, escapeMrkdwn, inlineCode, mrkdwn, neutraliseInvisible } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';
import { renderReport, type Attachment, type SlackMessage } from './render/report-blocks.ts';
import { fitMessage } from './render/slack-limits.ts';
import { DIRECTION_TITLE, endpointLine, podHeadline, podRef, UNAVAILABLE_NOTE } from './diagnose-pod-text.ts';

export interface RenderedPodDiagnosis {
  messages: SlackMessage[];
  attachments: Attachment[];
  /** One line for the root message. */
  headline: string;
  severity: 'critical' | 'warning' | 'info' | 'healthy';
}

const section = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(text) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });

function groupText(g: PodDropGroup): string {
  const peers = g.peers.map((p) => inlineCode(p)).join(', ');
  // Flow lines are data (an HTTP URL may carry a token): redacted like everything the bot posts.
  return `• *${g.count} × ${escapeMrkdwn(g.reason, { literal: true })}* ${g.direction === 'egress' ? 'to' : 'from'} ${peers}: ${escapeMrkdwn(g.responsible)}\n${codeBlock(redactSecrets(g.samples.slice(0, 2).join('\n')))}`;
}

function flowBlocks(d: PodDiagnosis): KnownBlock[] {
  if (d.flows.status === 'unavailable') {
    return [section(`*Hubble flows unavailable:* ${escapeMrkdwn(redactSecrets(d.flows.detail))}${d.flows.fix === undefined ? '' : `\n*Fix:* ${escapeMrkdwn(d.flows.fix)}`}\n${UNAVAILABLE_NOTE}`)];
  }
  const s = d.flows.summary;
  const window = s.windowMinutes === undefined ? '' : ` in the last ${s.windowMinutes} minutes`;
  const blocks: KnownBlock[] = [section(`*Hubble flows* — ${s.flowsRead} flow${s.flowsRead === 1 ? '' : 's'} of this pod read from Hubble Relay${window}${s.truncated ? ' (bounded: more exist)' : ''}; DNS seen by the DNS proxy: ${s.dnsFlows}, HTTP seen by the proxy: ${s.httpFlows}`)];
  if (s.unavailableNodes.length > 0) blocks.push(context(`Not covered: Relay could not reach ${s.unavailableNodes.map(inlineCode).join(', ')}.`));
  for (const dir of ['egress', 'ingress'] as const) {
    const groups = s.groups.filter((g) => g.direction === dir);
    blocks.push(section(`*${DIRECTION_TITLE[dir]}*\n${groups.length === 0 ? 'No drops.' : groups.slice(0, 4).map(groupText).join('\n')}`));
  }
  return blocks;
}

function fqdnBlocks(d: PodDiagnosis): KnownBlock[] {
  return d.fqdn.slice(0, 2).map(({ gap, added, policyYaml, change }) => section([
    `*toFQDNs without DNS visibility:* ${escapeMrkdwn(gap.ref)}${gap.names.length > 0 ? ` allows ${gap.names.slice(0, 3).map(inlineCode).join(', ')}` : ''}, but no DNS rule lets the DNS proxy see this pod's lookups, so the names never get IPs and connections to them are dropped as ${inlineCode('reserved:world')}.`,
    change === 'dns-rules-on-port-53' ? '*Fix:* give its port-53 rule a DNS rule:' : '*Fix:* add to its egress:',
    codeBlock(redactSecrets(added)),
    'The policy with the rule added (`kubectl apply -f` it):',
    codeBlock(redactSecrets(policyYaml)),
  ].join('\n')));
}

export function renderPodDiagnosis(raw: PodDiagnosis): RenderedPodDiagnosis {
  const d = raw;
  const headline = podHeadline(d);
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(neutraliseInvisible(`Pod ${podRef(d)}: ${headline}`), 150) } },
    context(`cluster ${inlineCode(d.cluster)} · node ${inlineCode(d.pod.node)} · phase ${escapeMrkdwn(d.pod.phase)} · ${escapeMrkdwn(endpointLine(d))}`),
    ...flowBlocks(d),
    ...fqdnBlocks(d),
  ];
  const fitted = fitMessage({ text: clip(escapeMrkdwn(`Pod ${podRef(d)}: ${headline}`, { literal: true }), 2900), blocks: head }, `pod-${d.pod.name}`);
  // The findings as the node report shows them, headed with the pod they were narrowed to.
  const findings = renderReport({ ...d.report, node: `${podRef(d)} on ${d.pod.node}` });
  const top = d.report.findings[0];
  return {
    messages: [fitted.message, ...findings.messages],
    attachments: [...fitted.overflow, ...findings.attachments],
    headline,
    severity: top?.severity ?? 'healthy',
  };
}
