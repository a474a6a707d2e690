// Prevention steps of a fleet report (runbooks/engine/prevention.ts) as text for the terminal and as Slack blocks:
// each step's detail, its commands (the node-image script whole, in a code block) and its Helm values.
import type { KnownBlock } from '@slack/types';
import type { FixStep } from '../../runbooks/engine/contract.ts';
import { clip, codeBlock, escapeMrkdwn, mrkdwn } from './mrkdwn.ts';
import { MAX_SECTION_TEXT } from './report-blocks.ts';

export interface FleetPreventionView {
  causes: string[];
  pools: string[];
  steps: FixStep[];
}

const heading = (p: FleetPreventionView): string =>
  `Prevention (${p.causes.join(', ')}${p.pools.length > 0 ? ` in pool${p.pools.length === 1 ? '' : 's'} ${p.pools.join(', ')}` : ''}): keep the next node or upgrade from breaking the same way`;

export function preventionText(p: FleetPreventionView): string[] {
  const lines = [heading(p)];
  p.steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.title}`, `     ${s.detail}`);
    for (const c of s.commands ?? []) lines.push(...c.split('\n').map((l) => `       ${l}`));
    if (s.helmValues !== undefined) lines.push('     Helm values:', ...s.helmValues.split('\n').map((l) => `       ${l}`));
  });
  return lines;
}

export function preventionBlocks(p: FleetPreventionView): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'section', text: mrkdwn(clip(`:shield: *${escapeMrkdwn(heading(p))}*`, MAX_SECTION_TEXT)) }];
  p.steps.forEach((s, i) => {
    const parts = [`*${i + 1}. ${escapeMrkdwn(s.title)}*`, escapeMrkdwn(s.detail)];
    if (s.commands !== undefined && s.commands.length > 0) parts.push(codeBlock(s.commands.join('\n')));
    if (s.helmValues !== undefined) parts.push(codeBlock(s.helmValues));
    blocks.push({ type: 'section', text: mrkdwn(clip(parts.join('\n'), MAX_SECTION_TEXT)) });
  });
  return blocks;
}
