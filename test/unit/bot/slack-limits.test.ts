// Issue 17 item 6: whatever the steps before did to its strings, a message leaves within Slack's Block Kit limits,
// and what does not fit goes to a file. The validator below is Slack's, as recorded in @slack/types' limits.
import { describe, expect, it } from 'vitest';
import type { KnownBlock } from '@slack/types';
import { renderReport } from '../../../bot/render/report-blocks.ts';
import { fitMessage, SLACK_LIMITS, type SlackMessage } from '../../../bot/render/slack-limits.ts';
import { finding, report } from './report-fixture.ts';

/** What Slack would answer `invalid_blocks` for (section/context 3,000, header 150, 10 context elements, 50 blocks). */
export function slackViolations(m: SlackMessage): string[] {
  const v: string[] = [];
  if (m.blocks.length > 50) v.push(`${m.blocks.length} blocks`);
  m.blocks.forEach((b: KnownBlock, i) => {
    if (b.type === 'section' && b.text !== undefined && (b.text.text.length > 3000 || b.text.text.length < 1)) v.push(`section ${i}: ${b.text.text.length}`);
    if (b.type === 'header' && b.text.text.length > 150) v.push(`header ${i}: ${b.text.text.length}`);
    if (b.type === 'context') {
      if (b.elements.length > 10) v.push(`context ${i}: ${b.elements.length} elements`);
      for (const e of b.elements) if ('text' in e && typeof e.text === 'string' && e.text.length > 3000) v.push(`context ${i}: ${e.text.length}`);
    }
  });
  return v;
}

describe('fitMessage', () => {
  it('cuts a section over 3,000 characters and puts the whole text in a file, unescaped', () => {
    const long = `${'a &amp; b '.repeat(600)}END`;
    const { message, overflow } = fitMessage({ text: 't', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: long } }] }, 'part1');
    expect(slackViolations(message)).toEqual([]);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]?.content.endsWith('END')).toBe(true);
    expect(overflow[0]?.content).toContain('a & b');
    expect(JSON.stringify(message)).toContain(overflow[0]?.filename ?? '?');
  });

  it('keeps 50 blocks and moves the rest into a file', () => {
    const blocks: KnownBlock[] = Array.from({ length: 70 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `block ${i}` } }));
    const { message, overflow } = fitMessage({ text: 't', blocks }, 'many');
    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(overflow[0]?.content).toContain('block 69');
  });

  it('cuts headers, context texts, empty texts and the notification text', () => {
    const { message } = fitMessage(
      { text: 'x'.repeat(50_000), blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(400) } }, { type: 'section', text: { type: 'mrkdwn', text: '' } }, { type: 'context', elements: Array.from({ length: 12 }, () => ({ type: 'mrkdwn' as const, text: 'c'.repeat(4000) })) }] },
      'cut',
    );
    expect(slackViolations(message)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  });

  it('never cuts inside an escape', () => {
    const { message } = fitMessage({ text: 't', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '&lt;'.repeat(1000) } }] }, 'esc');
    const text = message.blocks[0]?.type === 'section' ? (message.blocks[0].text?.text ?? '') : '';
    expect(text.replace(/&lt;/g, '')).not.toContain('&');
  });
});

describe('a crafted line cannot push a report over the limits', () => {
  it('evidence that grows when redacted (many short secrets) still fits: the sections stay under 3,000 and the rest is a file', () => {
    // 2,750 characters before redaction: fits a section; each `token=abcd` becomes `token=[redacted:token]` after.
    const line = 'token=abcd1 '.repeat(229);
    const r = renderReport(report([finding('agent-crashloop', { evidence: [{ kind: 'log', text: line, source: 'current' }] })]));
    for (const m of r.messages) expect(slackViolations(m)).toEqual([]);
    expect(r.attachments.map((a) => a.content).join('')).toContain('[redacted:token]');
  });

  it('evidence that grows when escaped (`&`, `<`) still fits', () => {
    const r = renderReport(report([finding('agent-crashloop', { title: '<'.repeat(5000), summary: '&'.repeat(5000), evidence: [{ kind: 'log', text: '<>&'.repeat(900), source: 'current' }] })]));
    for (const m of r.messages) expect(slackViolations(m)).toEqual([]);
    expect(r.attachments.length).toBeGreaterThan(0);
  });
});
