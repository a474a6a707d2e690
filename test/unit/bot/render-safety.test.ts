// Issue 17 items 3 and 5 at the renderers: redaction before escaping and clipping, on every string (root summary,
// top-level `text`, entries), and no mention, link, fence or invisible character from data.
import { describe, expect, it } from 'vitest';
import type { KnownBlock } from '@slack/types';
import type { Incident, TimelineEntry } from '../../../jobs/incidents/incident.ts';
import { renderIncidentSummary } from '../../../bot/render/incident-summary.ts';
import { codeBlock, escapeMrkdwn, slackLink } from '../../../bot/render/mrkdwn.ts';
import { renderReport } from '../../../bot/render/report-blocks.ts';
import { renderEntryMessage } from '../../../bot/render/timeline.ts';
import { QueueUnavailableError, toUserMessage } from '../../../bot/errors.ts';
import { withQueue } from '../../../bot/slack-app.ts';
import { finding, report } from './report-fixture.ts';

const incident: Incident = {
  id: 'INC-7',
  cluster: 'prod',
  node: 'node-7',
  channelId: 'C0INCIDENT',
  threadTs: '1700000000.000100',
  status: 'investigating',
  openedBy: 'U0ONCALL',
  openedAt: '2026-11-23T03:00:00.000Z',
  updatedAt: '2026-11-23T03:05:00.000Z',
  topFinding: 'agent-crashloop: agent exits',
  severity: 'critical',
  runs: 1,
};

const entry = (text: string): TimelineEntry => ({ seq: 3, at: '2026-11-23T03:06:00.000Z', actor: 'U0ONCALL', kind: 'note', text, links: [] });

/** Every string a message carries (top-level `text` and every block), as one haystack. */
const everything = (m: { text: string; blocks: KnownBlock[] }): string => JSON.stringify(m);

/** What Slack parses for mentions and links: `text` and mrkdwn (a plain_text header is shown as sent). */
const parsed = (m: { text: string; blocks: KnownBlock[] }): string => JSON.stringify({ ...m, blocks: m.blocks.filter((b) => b.type !== 'header') });

/** Mention and link syntax that must never come from data. */
const INJECTED = ['<!channel>', '<!here>', '<@U0ATTACKER>', '<https://evil.example', 'Re-authenticate here>'];
const ATTACK = `<!channel> <!here> <@U0ATTACKER> <https://evil.example|Re-authenticate here>`;

describe('redaction comes first, on every string', () => {
  it('the root summary masks a token in the top finding, in blocks and in `text`', () => {
    const token = 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
    const out = renderIncidentSummary({ ...incident, topFinding: `kernel-too-old: node label ${token}` }, { entries: 2 });
    expect(everything(out)).not.toContain('AbCdEfGhIjKlMnOpQrStUvWx');
    expect(out.text).toContain('[redacted:slack-token]');
  });

  it('the root summary masks a token in a failure message, even where the 400-character cut falls inside it', () => {
    const failure = `${'x'.repeat(385)} ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5`;
    const out = renderIncidentSummary(incident, { entries: 2 }, 'idle', failure);
    expect(everything(out)).not.toMatch(/ghp_aB3d/);
  });

  it('a cut through a token in a report leaves no prefix of it (redacted before the 300-character clip)', () => {
    const r = { ...report([finding('agent-crashloop')]), unavailable: [{ fact: 'iptables', reason: 'forbidden' as const, detail: `${'a'.repeat(290)} xoxb-1234567890-abcdefghijkl`, fix: 'grant exec' }] };
    const out = renderReport(r).messages.map(everything).join('');
    expect(out).not.toContain('xoxb-123');
  });

  it('`password=p&ssw0rd1` in evidence is masked whole: escaping no longer splits the value', () => {
    const r = renderReport(report([finding('agent-crashloop', { evidence: [{ kind: 'log', text: 'level=error msg="auth failed" password=p&ssw0rd1 subsys=k8s', source: 'current' }] })]));
    const out = r.messages.map(everything).join('');
    expect(out).not.toContain('ssw0rd1');
    expect(out).toContain('[redacted:password]');
  });

  it('the fallback `text` of a report and its files are redacted too', () => {
    const evidence = Array.from({ length: 300 }, (_, i) => ({ kind: 'log' as const, text: `line ${i} PGPASSWORD=Zq8vR2mXk4Lp${i}`, source: 'current' }));
    const r = renderReport(report([finding('agent-crashloop', { title: 'token=kubeT0kenAbCdEf0123456789xyz', evidence })]));
    expect(r.attachments.length).toBeGreaterThan(0);
    const out = [...r.messages.map(everything), ...r.attachments.map((a) => a.content), r.headline].join('\n');
    expect(out).not.toContain('Zq8vR2mXk4Lp');
    expect(out).not.toContain('kubeT0kenAbCdEf0123456789xyz');
  });
});

describe('no mention, link or formatting from data', () => {
  it('a report whose title and evidence carry mentions and a disguised link: escaped in `text` and blocks', () => {
    const r = renderReport(report([finding('agent-crashloop', { title: ATTACK, summary: ATTACK, evidence: [{ kind: 'log', text: ATTACK, source: 'current' }] })]));
    for (const m of r.messages) for (const bad of INJECTED) expect(parsed(m)).not.toContain(bad);
    expect(r.messages[0]?.text).toContain('&lt;!channel&gt;');
  });

  it('the root summary `text` (notifications) carries no mention from the top finding', () => {
    const out = renderIncidentSummary({ ...incident, topFinding: ATTACK }, { entries: 1 });
    for (const bad of INJECTED) expect(everything(out)).not.toContain(bad);
  });

  it('`/cilium note` text: no mention or link in the entry `text` or blocks; the actor mention stays', () => {
    const out = renderEntryMessage(incident, entry(ATTACK));
    for (const bad of INJECTED) expect(everything(out)).not.toContain(bad);
    expect(out.text.startsWith('<@U0ONCALL>')).toBe(true);
  });

  it('an actor that is not a Slack user id is not turned into a mention', () => {
    const out = renderEntryMessage(incident, { ...entry('hi'), actor: '!channel' });
    expect(everything(out)).not.toMatch(/<@?!channel>/);
  });

  it('four backticks cannot close a code block: the only fences are the block’s own', () => {
    for (const data of ['a````b', '```', 'x`', '`y', '``````']) {
      const block = codeBlock(data);
      expect(block.slice(3, -3)).not.toContain('`');
      expect(block.startsWith('```') && block.endsWith('```')).toBe(true);
    }
    const r = renderReport(report([finding('agent-crashloop', { evidence: [{ kind: 'log', text: 'x ```` *bold* <!channel>', source: 'current' }] })]));
    const evidence = JSON.stringify(r.messages[0]?.blocks).match(/\*Evidence\*\\n```(.*?)```/)?.[1] ?? '';
    expect(evidence).not.toContain('`');
  });

  it('right-to-left override and zero-width characters are shown, not applied', () => {
    const out = escapeMrkdwn('invoice\u202Etxt.exe a\u200Bb\u2066c\u2069 \uFEFF');
    expect(out).not.toMatch(/[\u202E\u200B\u2066\u2069\uFEFF]/);
    expect(out).toContain('[U+202E]');
    const r = renderReport(report([finding('agent-crashloop', { title: 'kernel\u202E71.4', evidence: [{ kind: 'log', text: 'x\u200By', source: 'current' }] })]));
    expect(JSON.stringify(r.messages)).not.toMatch(/[\u202E\u200B]/);
  });

  it('`*bold*` and `_italic_` in a title stay as written; every mrkdwn text is verbatim (no auto-linked bare URL)', () => {
    const r = renderReport(report([finding('agent-crashloop', { title: '*URGENT* _now_ see https://evil.example', summary: 'visit https://evil.example' })]));
    const texts = r.messages.flatMap((m) => m.blocks).flatMap((b) => (b.type === 'section' && b.text !== undefined ? [b.text] : b.type === 'context' ? b.elements : []));
    expect(texts.length).toBeGreaterThan(3);
    for (const t of texts) if (t.type === 'mrkdwn') expect(t.verbatim).toBe(true);
    // mrkdwn is where `*` formats (the header is plain_text, shown as typed).
    const formatted = JSON.stringify([...texts, ...r.messages.map((m) => m.text)]);
    expect(formatted).not.toContain('*URGENT*');
    expect(formatted).not.toContain('_now_');
  });

  it('a link from data is a link only when it is a plain https URL', () => {
    expect(slackLink('https://docs.cilium.io/en/stable/', 'Docs')).toBe('<https://docs.cilium.io/en/stable/|Docs>');
    expect(slackLink('javascript:alert(1)', 'x')).not.toContain('<');
    expect(slackLink('https://a.example|Re-authenticate>', 'x')).not.toMatch(/<https/);
    expect(slackLink('https://a.example', '*Click*')).not.toContain('*Click*');
  });
});

describe('ephemeral error text', () => {
  it('a Redis error naming its URL and password reaches the user redacted and escaped', async () => {
    const failing = () => Promise.reject(new Error('connect ECONNREFUSED redis://:R3disPw77@redis:6379 <!channel>'));
    const err = await withQueue(failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueUnavailableError);
    const text = toUserMessage(err).text;
    expect(text).not.toContain('R3disPw77');
    expect(text).not.toContain('<!channel>');
  });
});

describe('remediation buttons', () => {
  it('labels and changes are redacted; the proposal id a click sends back is kept as issued', () => {
    const id = 'p-0123456789abcdef01234567';
    const r = renderReport(report([finding('agent-crashloop')]), { incidentId: 'INC-7', run: 1, buttons: [{ proposalId: id, finding: 0, label: 'Set key', change: 'sets apiToken=t0k3nValue9931XY in cilium-config', risk: 'low' }] });
    const json = JSON.stringify(r.messages);
    expect(json).not.toContain('t0k3nValue9931XY');
    expect(json).toContain(`"value":"${id}"`);
    expect(json).toContain(`"action_id":"remediate:${id}"`);
  });
});
