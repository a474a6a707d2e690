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
    const head = `*${i + 1}. ${escapeMrkdwn(s.title)}*\n${escapeMrkdwn(s.detail)}`;
    const code: string[] = [];
    if (s.commands !== undefined && s.commands.length > 0) code.push(codeBlock(s.commands.join('\n')));
    if (s.helmValues !== undefined) code.push(codeBlock(s.helmValues));
    const whole = [head, ...code].join('\n');
    // A long step (the admission policy's YAML) gets its code in sections of its own rather than cut.
    const sections = whole.length <= MAX_SECTION_TEXT ? [whole] : [head, ...code];
    for (const text of sections) blocks.push({ type: 'section', text: mrkdwn(clip(text, MAX_SECTION_TEXT)) });
  });
  return blocks;
}
