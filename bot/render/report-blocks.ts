// Renders a diagnosis Report as thread replies within Slack's Block Kit limits: ≤ 45 blocks per message, sections
// ≤ 2,900 characters. Evidence that does not fit is attached as a file, never silently cut.
// Order: the report is redacted first (raw text), then escaped, then cut; fitMessage checks the limits last.
import type { KnownBlock } from '@slack/types';
import type { Finding, Report } from '../../runbooks/engine/contract.ts';
import type { RemediationButton } from '../../jobs/incident-sink.ts';
import { clip, codeBlock, escapeMrkdwn, inlineCode, mrkdwn, neutraliseInvisible, slackLink } from './mrkdwn.ts';
import { redactDeep, redactSecrets } from './redact.ts';
import { fitMessage, type Attachment, type SlackMessage } from './slack-limits.ts';
import { confidenceNote } from './confidence.ts';

export type { Attachment, SlackMessage } from './slack-limits.ts';

export const MAX_BLOCKS_PER_MESSAGE = 45;
export const MAX_SECTION_TEXT = 2900;

export interface RenderedReport {
  messages: SlackMessage[];
  attachments: Attachment[];
  /** One line for the root message, e.g. "kernel-too-old: kernel 4.14.336 is below Cilium 1.15's minimum". */
  headline: string;
  severity: 'critical' | 'warning' | 'info' | 'healthy';
}

const EMOJI = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' } as const;

function section(text: string): KnownBlock {
  return { type: 'section', text: mrkdwn(clip(text, MAX_SECTION_TEXT)) };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [mrkdwn(clip(text, MAX_SECTION_TEXT))] };
}

function findingBlocks(f: Finding, attachments: Attachment[], buttons: RemediationButton[] | undefined): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'divider' },
    section(`${EMOJI[f.severity]} *${escapeMrkdwn(f.title, { literal: true })}* ${inlineCode(f.runbookId)} (${f.severity}, ${escapeMrkdwn(confidenceNote(f))})\n${escapeMrkdwn(f.summary)}`),
  ];
  if (f.evidence.length > 0) {
    const lines = f.evidence.map((q) => `${q.source}: ${q.text}`);
    const full = lines.join('\n');
    const fenced = codeBlock(full);
    if (fenced.length + 20 <= MAX_SECTION_TEXT) blocks.push(section(`*Evidence*\n${fenced}`));
    else {
      const filename = `evidence-${f.runbookId}.txt`;
      attachments.push({ filename, title: `Evidence for ${f.runbookId}`, content: full });
      let shown = '';
      for (const line of lines) {
        if (codeBlock(shown + line + '\n').length > MAX_SECTION_TEXT - 120) break;
        shown += line + '\n';
      }
      blocks.push(section(`*Evidence* (first lines; all ${lines.length} in \`${filename}\` below)\n${codeBlock(shown.trimEnd())}`));
    }
  }
  if (f.blastRadius.sentences.length > 0) {
    blocks.push(section(`*Blast radius*\n${f.blastRadius.sentences.map((s) => `• ${escapeMrkdwn(s)}`).join('\n')}`));
  }
  f.fixSteps.forEach((step, i) => {
    let text = `*Fix ${i + 1}. ${escapeMrkdwn(step.title, { literal: true })}*\n${escapeMrkdwn(step.detail)}`;
    if (step.commands !== undefined && step.commands.length > 0) text += `\n${codeBlock(step.commands.join('\n'))}`;
    if (step.helmValues !== undefined) text += `\nHelm values:\n${codeBlock(step.helmValues)}`;
    if (text.length > MAX_SECTION_TEXT) {
      const filename = `fix-${f.runbookId}-${i + 1}.txt`;
      attachments.push({ filename, title: `Fix step ${i + 1} for ${f.runbookId}`, content: [step.title, step.detail, ...(step.commands ?? []), step.helmValues ?? ''].join('\n\n') });
      text = `*Fix ${i + 1}. ${escapeMrkdwn(step.title, { literal: true })}*\n${clip(escapeMrkdwn(step.detail), 2000)}\n(full step in \`${filename}\`)`;
    }
    blocks.push(section(text));
  });
  if (buttons !== undefined && buttons.length > 0) {
    blocks.push(context(buttons.map((b) => `*${escapeMrkdwn(b.label, { literal: true })}* (${b.risk} risk${b.risk === 'high' ? ', two approvers' : ''}): ${escapeMrkdwn(b.change)}`).join('\n')));
    blocks.push({ type: 'actions', elements: buttons.slice(0, 25).map(remediationButton) });
  } else if (f.proposals.length > 0) {
    const items = f.proposals.map((p) => `${inlineCode(p.action)} ${escapeMrkdwn(Object.entries(p.params).map(([k, v]) => `${k}=${v}`).join(' '))} (${p.risk} risk): ${escapeMrkdwn(p.reason)}`);
    blocks.push(context(`Possible remediations (remediation buttons are not enabled in this deployment): ${items.join(' · ')}`));
  }
  if (f.docs.length > 0) blocks.push(context(f.docs.map((d) => slackLink(d.url, d.title)).join(' · ')));
  return blocks;
}

function remediationButton(b: RemediationButton) {
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text: clip(b.label, 75) },
    action_id: `remediate:${b.proposalId}`,
    value: b.proposalId,
    ...(b.risk === 'high' && { style: 'danger' as const }),
    confirm: {
      title: { type: 'plain_text' as const, text: clip(`${b.label}?`, 100) },
      text: { type: 'plain_text' as const, text: clip(`${b.change}${b.risk === 'high' ? ' High risk: a second approver is needed.' : ''}`, 300) },
      confirm: { type: 'plain_text' as const, text: b.risk === 'high' ? 'Approve' : 'Apply' },
      deny: { type: 'plain_text' as const, text: 'Cancel' },
      ...(b.risk === 'high' && { style: 'danger' as const }),
    },
  };
}

/** Facts every diagnosis leans on: always worth a line when missing. */
const CORE_FACTS = new Set(['node', 'cilium', 'ciliumConfig', 'agentPod', 'agentLogs', 'kubeProxy', 'iptables', 'workloads', 'policies']);

/** What a human must act on (refused, timed out, core, or what an inconclusive check needs) vs. what is only noted. */
export function splitUnavailable(report: Report): { important: Report['unavailable']; minor: Report['unavailable'] } {
  const needed = new Set(report.inconclusive.flatMap((i) => i.missing));
  const important = report.unavailable.filter((u) => u.reason === 'forbidden' || u.reason === 'timeout' || CORE_FACTS.has(u.fact) || needed.has(u.fact));
  return { important, minor: report.unavailable.filter((u) => !important.includes(u)) };
}

/** Splits blocks into messages of at most MAX_BLOCKS_PER_MESSAGE, never splitting inside a finding when it fits. */
function paginate(groups: KnownBlock[][], fallback: string): SlackMessage[] {
  const messages: SlackMessage[] = [];
  let current: KnownBlock[] = [];
  for (const group of groups) {
    if (current.length + group.length > MAX_BLOCKS_PER_MESSAGE && current.length > 0) {
      messages.push({ text: fallback, blocks: current });
      current = [];
    }
    for (const block of group) {
      if (current.length === MAX_BLOCKS_PER_MESSAGE) {
        messages.push({ text: fallback, blocks: current });
        current = [];
      }
      current.push(block);
    }
  }
  if (current.length > 0) messages.push({ text: fallback, blocks: current });
  return messages.map((m, i) => (messages.length > 1 ? { ...m, text: `${fallback} (part ${i + 1}/${messages.length})` } : m));
}

export function renderReport(rawReport: Report, rawWhere?: { incidentId: string; run: number; buttons?: RemediationButton[] }): RenderedReport {
  // One redaction pass over everything from the cluster, on raw text: escaping and clipping come after.
  const report = redactDeep(rawReport);
  // Button labels and changes name cluster data; their ids (the proposal ids the click sends back) stay as issued.
  const where = rawWhere === undefined ? undefined : { ...rawWhere, ...(rawWhere.buttons !== undefined && { buttons: rawWhere.buttons.map((b) => ({ ...b, label: redactSecrets(b.label), change: redactSecrets(b.change) })) }) };
  const attachments: Attachment[] = [];
  const top = report.findings[0];
  const severity = top?.severity ?? 'healthy';
  const headline =
    top === undefined
      ? report.inconclusive.length > 0
        ? `no finding, but ${report.inconclusive.length} check(s) were inconclusive`
        : 'healthy: no runbook matched'
      : `${top.runbookId}: ${top.title}`;
  const header: KnownBlock[] = [
    // plain_text shows text as sent (no mentions, links or entities are parsed): only invisible characters matter.
    { type: 'header', text: { type: 'plain_text', text: clip(neutraliseInvisible(`Diagnosis of ${report.node}: ${headline}`), 150) } },
    context(
      `${where === undefined ? '' : `${escapeMrkdwn(where.incidentId)} · run ${where.run} · `}cluster ${inlineCode(report.cluster)} · Cilium ${escapeMrkdwn(report.ciliumVersion ?? 'version unknown')} · ${report.findings.length} finding(s) · collected ${escapeMrkdwn(report.collectedAt)}`,
    ),
  ];
  if (top === undefined) {
    header.push(section(escapeMrkdwn(report.healthySummary ?? 'No runbook matched the evidence.')));
  }
  const groups: KnownBlock[][] = [header, ...report.findings.map((f, i) => findingBlocks(f, attachments, where?.buttons?.filter((b) => b.finding === i)))];
  if (report.inconclusive.length > 0) {
    groups.push([
      { type: 'divider' },
      section(`*Inconclusive* (could not read what these checks need)\n${report.inconclusive.map((i) => `• ${inlineCode(i.runbookId)} ${escapeMrkdwn(i.title)}: missing ${escapeMrkdwn(i.missing.join(', '))}`).join('\n')}`),
    ]);
  }
  const { important, minor } = splitUnavailable(report);
  if (important.length > 0) {
    const lines = important.map((u) => `• *${escapeMrkdwn(u.fact, { literal: true })}* (${u.reason}): ${clip(escapeMrkdwn(u.detail), 300)}${u.fix !== undefined ? `\n    _Fix:_ ${escapeMrkdwn(u.fix)}` : ''}`);
    groups.push([{ type: 'divider' }, section(`*Could not collect*\n${lines.join('\n')}`)]);
  }
  if (minor.length > 0) groups.push([context(`Not read: ${minor.map((u) => `${escapeMrkdwn(u.fact)} (${clip(escapeMrkdwn(u.detail), 120)})`).join(' · ')}`)]);
  if (report.readByProbe !== undefined) groups.push([context(`Read by the node probe: ${report.readByProbe.map(inlineCode).join(' ')} (a short-lived pod on the node, since the agent could not read them)`)]);
  groups.push([context(`Checked: ${report.checked.map(inlineCode).join(' ')}`)]);

  // The notification text is mrkdwn too: escaped like the blocks, so it cannot carry `<!channel>` or a link.
  const fallback = clip(escapeMrkdwn(`Diagnosis of ${report.node}: ${headline}`, { literal: true }), 2900);
  const name = `report-${where === undefined ? report.node : `${where.incidentId}-run${where.run}`}`;
  const messages = paginate(groups, fallback).map((m, i) => {
    const fitted = fitMessage(m, `${name}-part${i + 1}`);
    attachments.push(...fitted.overflow);
    return fitted.message;
  });
  return { messages, attachments, headline, severity };
}
