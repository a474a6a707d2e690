// The preflight report for Slack (`/cilium preflight`): the verdict, one section per pool and problem with its
// fix, the Helm values diff, what was not read. Redacted, escaped and fitted to Block Kit limits like the fleet report.
import type { KnownBlock } from '@slack/types';
import type { PreflightReport } from '../../runbooks/engine/preflight/index.ts';
import { clip, codeBlock, escapeMrkdwn, inlineCode, mrkdwn } from './mrkdwn.ts';
import { redactDeep } from './redact.ts';
import { MAX_BLOCKS_PER_MESSAGE, MAX_SECTION_TEXT } from './report-blocks.ts';
import { fitMessage, type Attachment, type SlackMessage } from './slack-limits.ts';
import { preflightHeadline } from './preflight-text.ts';

const INLINE_NODES = 20;
const section = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(clip(text, MAX_SECTION_TEXT)) });

export function renderPreflightBlocks(raw: PreflightReport): { messages: SlackMessage[]; attachments: Attachment[]; headline: string } {
  const r = redactDeep(raw);
  const headline = preflightHeadline(r);
  const blocks: KnownBlock[] = [section(`${r.verdict === 'fail' ? ':red_circle:' : ':large_green_circle:'} *${escapeMrkdwn(headline)}*`)];
  for (const g of r.groups) {
    const shown = g.nodes.slice(0, INLINE_NODES).map(inlineCode).join(', ');
    const more = g.nodes.length > INLINE_NODES ? ` …and ${g.nodes.length - INLINE_NODES} more (\`cilium-runbook preflight --target ${r.target} --json\` lists all)` : '';
    blocks.push(
      { type: 'divider' },
      section([
        `${g.severity === 'breaks' ? ':red_circle: *breaks*' : ':large_orange_circle: *warning*'} ${escapeMrkdwn(g.sentence)}`,
        ...(g.nodes.length > 0 ? [`Nodes: ${shown}${more}`] : []),
        `Fix: ${escapeMrkdwn(g.fix)}`,
      ].join('\n')),
      { type: 'context', elements: [mrkdwn(clip(`source: ${escapeMrkdwn(g.source)}`, 300))] },
    );
  }
  if (r.valuesDiff !== null) blocks.push({ type: 'divider' }, section(`*Helm values that clear what a values change can clear*\n${codeBlock(r.valuesDiff)}`));
  if (r.notFixableByValues.length > 0) blocks.push(section(`*No values change clears:*\n${r.notFixableByValues.map((t) => `• ${escapeMrkdwn(t)}`).join('\n')}`));
  if (r.unavailable.length > 0) blocks.push(section(`*Not read (those checks are incomplete):*\n${r.unavailable.map((u) => `• ${clip(escapeMrkdwn(u), 300)}`).join('\n')}`));
  const fallback = clip(escapeMrkdwn(headline), 2900);
  const attachments: Attachment[] = [];
  const messages: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += MAX_BLOCKS_PER_MESSAGE) {
    const fitted = fitMessage({ text: fallback, blocks: blocks.slice(i, i + MAX_BLOCKS_PER_MESSAGE) }, `preflight-${messages.length + 1}`);
    attachments.push(...fitted.overflow);
    messages.push(fitted.message);
  }
  return { messages, attachments, headline };
}
