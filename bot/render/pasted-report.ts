// Replies of the "Diagnose this message" shortcut: the usual report (report-blocks.ts: redacted, escaped, within
// Block Kit's limits) headed by a line saying what was recognised and where; and the reply when nothing was.
// Everything from the message (file names, parse errors) is redacted, then escaped, like cluster data.
import type { KnownBlock } from '@slack/types';
import type { Report } from '../../runbooks/engine/contract.ts';
import { renderReport, type Attachment, type SlackMessage } from './report-blocks.ts';
import { clip, escapeMrkdwn, inlineCode } from './mrkdwn.ts';
import { redactSecrets } from './redact.ts';

export interface PastedSource {
  /** "the message text" or the shared file's name. */
  label: string;
  /** `label` ("cilium-dbg status", "dmesg (3 lines)") when the analysis names the part for people. */
  parts: { kind: string; lines: number; label?: string }[];
}

/** Words for the part kinds; an unknown kind shows as it is. */
const KIND_NAMES: Record<string, string> = {
  'agent-log': 'cilium-agent log',
  'evidence-document': 'evidence document',
};

const safe = (s: string): string => escapeMrkdwn(redactSecrets(s));

function partsText(parts: PastedSource['parts']): string {
  return parts.map((p) => p.label !== undefined ? safe(p.label) : `${KIND_NAMES[p.kind] ?? safe(p.kind)} (${p.lines} line${p.lines === 1 ? '' : 's'})`).join(', ');
}

/** "Recognised in the message text: cilium-agent log (2 lines)". */
export function recognisedLine(source: PastedSource): string {
  return `Recognised in ${safe(source.label)}: ${partsText(source.parts)}`;
}

/** The report of one pasted source, as thread replies, with the recognised line on top of the first. */
export function renderPastedReport(report: Report, source: PastedSource): { messages: SlackMessage[]; attachments: Attachment[] } {
  const rendered = renderReport(report);
  const line: KnownBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`:mag: ${recognisedLine(source)}`, 2900) }] };
  const [first, ...rest] = rendered.messages;
  const messages = first === undefined ? [{ text: recognisedLine(source), blocks: [line] }] : [{ ...first, blocks: [line, ...first.blocks] }, ...rest];
  return { messages, attachments: rendered.attachments };
}

/** The reply when nothing in the message (or its files) was recognised: what was read, and what the bot understands. */
export function renderNothingRecognised(read: string[], refusals: string[], understood: readonly string[]): SlackMessage {
  const lines = [
    read.length > 0
      ? `:grey_question: I read ${read.map(safe).join(' and ')} but recognised nothing I can diagnose.`
      : ':grey_question: This message has nothing I can read: no text and no text file.',
    ...refusals,
    'I understand:',
    ...understood.map((u) => `• ${u}`),
    `Paste one of those into a message (a code block keeps it intact) or share it as a .log, .txt, .json or .yaml file, then use the shortcut on it. For a live node: ${inlineCode('/cilium diagnose <node>')}.`,
  ];
  const text = clip(lines.join('\n'), 2900);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** One line per refused file: "`dump.bin` was not read: a Binary file, not text: …". */
export function refusalLine(fileName: string, why: string): string {
  return `• ${inlineCode(redactSecrets(fileName))} was not read: ${safe(why)}`;
}

/** A failure of the analysis itself (a malformed evidence document, an analysis over its budget). */
export function renderPastedFailure(label: string, message: string): SlackMessage {
  const text = clip(`:x: Could not analyse ${safe(label)}: ${safe(message)}`, 2900);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
