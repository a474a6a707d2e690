// The message shortcut "Diagnose this message": Slack sends a `message_action` (callback_id diagnose_message) when
// someone picks it in a message's "More actions" menu. Acknowledged at once (Slack's 3 s), then: the message's text
// and the text files shared in it are read, each analysed off the event loop (bot/pasted-analysis.ts), and the
// answer goes into that message's thread (thread_ts = the message's thread_ts, else its ts): the report of each
// source something was recognised in, with a line saying what; or, when nothing was, what the bot understands.
// Authorised like the slash command: only in ALLOWED_CHANNELS when that is set.
import type { App, MessageShortcut, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AckFirstGate } from '../ack-first.ts';
import { ChannelNotAllowedError, toUserMessage } from '../errors.ts';
import { analyzeMessageText, UNDERSTOOD_INPUTS, type MessageTextAnalysis } from '../pasted-analysis.ts';
import { refusalLine, renderNothingRecognised, renderPastedFailure, renderPastedReport } from '../render/pasted-report.ts';
import type { Attachment, SlackMessage } from '../render/report-blocks.ts';
import { clip } from '../render/mrkdwn.ts';
import { EvidenceParseError } from '../../runbooks/index.ts';
import { EvidenceTooLargeError } from '../../jobs/analysis-thread.ts';
import { pastedText } from './message-text.ts';
import { readSharedTextFile, SharedFileRefusedError } from './message-files.ts';
import { queueSharedSysdumps, sharedSysdumps, type SysdumpShareDeps } from '../sysdump/sysdump-share.ts';

/** The shortcut's callback_id, as deploy/slack/manifest.yaml declares it. */
export const MESSAGE_SHORTCUT_CALLBACK_ID = 'diagnose_message';
/** Files read from one message at most; Slack allows 10 per message. */
export const MAX_FILES_PER_MESSAGE = 5;

export interface MessageShortcutDeps {
  /** Channels the bot answers in; empty = all (ALLOWED_CHANNELS). */
  allowedChannels: string[];
  logger: Logger;
  /** The analysis of one text; the adapter by default. */
  analyze?: (text: string) => Promise<MessageTextAnalysis>;
  /** HTTP mode: the work after the ack waits while other requests still wait for theirs (ack-first.ts). */
  acks?: Pick<AckFirstGate, 'quiet'>;
  /** Shared cilium-sysdump-*.zip files go to the sysdump queue (bot/sysdump); without it they are refused as binary. */
  sysdumps?: SysdumpShareDeps;
}

interface Source {
  label: string;
  text: string;
}

type Outcome = { kind: 'report'; label: string; analysis: MessageTextAnalysis } | { kind: 'failed'; label: string; message: string } | { kind: 'nothing'; label: string };

/** Errors whose message is safe and useful to show: they name what to fix in the input. */
function inputError(e: unknown): string | null {
  return e instanceof EvidenceParseError || e instanceof EvidenceTooLargeError ? e.message : null;
}

async function analyseSource(analyze: (text: string) => Promise<MessageTextAnalysis>, s: Source): Promise<Outcome> {
  try {
    const analysis = await analyze(s.text);
    return analysis.parts.length > 0 ? { kind: 'report', label: s.label, analysis } : { kind: 'nothing', label: s.label };
  } catch (e) {
    const shown = inputError(e);
    if (shown === null) throw e;
    return { kind: 'failed', label: s.label, message: shown };
  }
}

type FileRef = { id?: string; name?: string };

function sharedFiles(message: Partial<MessageShortcut['message']>): FileRef[] {
  const files: unknown = message['files'];
  return Array.isArray(files) ? (files as FileRef[]).filter((f) => typeof f.id === 'string') : [];
}

export function registerMessageShortcut(app: App, deps: MessageShortcutDeps): void {
  const analyze = deps.analyze ?? analyzeMessageText;
  app.shortcut<MessageShortcut>({ callback_id: MESSAGE_SHORTCUT_CALLBACK_ID, type: 'message_action' }, async ({ shortcut, ack, client, respond, context }) => {
    await ack();
    try {
      await deps.acks?.quiet();
      let target = messageOf(shortcut);
      if (deps.allowedChannels.length > 0 && !deps.allowedChannels.includes(target.channel)) throw new ChannelNotAllowedError(target.channel);
      const dumps = deps.sysdumps === undefined ? [] : sharedSysdumps(target.files);
      if (deps.sysdumps !== undefined && dumps.length > 0) {
        // The archive is analysed by a job; the message's text is its caption. Other text files are still read.
        await queueSharedSysdumps(deps.sysdumps, client, { channelId: target.channel, threadTs: target.threadTs, sharedBy: shortcut.user.id }, dumps);
        target = { ...target, text: '', files: target.files.filter((f) => !dumps.some((d) => d.id === f.id)) };
        if (target.files.length === 0) return;
      }
      await diagnoseMessage({ client, botToken: context.botToken ?? '', analyze, logger: deps.logger }, target);
    } catch (e) {
      const { text, errorId } = toUserMessage(e);
      if (errorId !== undefined) deps.logger.error({ err: e, errorId, callbackId: shortcut.callback_id }, 'message shortcut failed');
      await tellUser(respond, notInChannel(e) ? 'I am not in this channel, so I cannot answer in its threads: invite me (`/invite @cilium-runbook`) and use the shortcut again.' : text);
    }
  });
}

async function tellUser(respond: RespondFn, text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

function notInChannel(e: unknown): boolean {
  const error = (e as { data?: { error?: unknown } } | null)?.data?.error;
  return error === 'not_in_channel' || error === 'channel_not_found';
}

interface RunDeps {
  client: WebClient;
  botToken: string;
  analyze: (text: string) => Promise<MessageTextAnalysis>;
  logger: Logger;
}

interface TargetMessage {
  channel: string;
  /** Where the answer goes: the message's thread, or the thread it starts. */
  threadTs: string;
  text: string;
  files: FileRef[];
}

/** The fields of the payload the answer depends on, checked: a payload without them is an error, not a guess. */
function messageOf(shortcut: MessageShortcut): TargetMessage {
  const channel: unknown = (shortcut as { channel?: { id?: unknown } }).channel?.id;
  const message = (shortcut as { message?: Partial<MessageShortcut['message']> }).message;
  const ts: unknown = message?.ts;
  if (typeof channel !== 'string' || message === undefined || typeof ts !== 'string') throw new Error('message_action payload without channel.id or message.ts');
  const threadTs: unknown = message['thread_ts'];
  return {
    channel,
    threadTs: typeof threadTs === 'string' ? threadTs : ts,
    text: typeof message.text === 'string' ? message.text : '',
    files: sharedFiles(message),
  };
}

async function diagnoseMessage(d: RunDeps, target: TargetMessage): Promise<void> {
  const { channel, threadTs, files } = target;
  const sources: Source[] = [];
  const refusals: string[] = [];
  const text = pastedText(target.text);
  if (text !== '') sources.push({ label: 'the message text', text });
  for (const f of files.slice(0, MAX_FILES_PER_MESSAGE)) {
    try {
      const file = await readSharedTextFile(d.client, d.botToken, f.id ?? '', f.name === undefined ? {} : { name: f.name });
      if (file.text.trim() !== '') sources.push({ label: `the file ${file.name}`, text: file.text });
    } catch (e) {
      if (!(e instanceof SharedFileRefusedError)) throw e;
      refusals.push(refusalLine(e.fileName, e.message));
    }
  }
  if (files.length > MAX_FILES_PER_MESSAGE) refusals.push(`• ${files.length - MAX_FILES_PER_MESSAGE} more file(s) were not read: at most ${MAX_FILES_PER_MESSAGE} per message.`);

  // One at a time: the analysis thread takes one text at a time anyway, and replies stay in source order.
  const outcomes: Outcome[] = [];
  for (const s of sources) outcomes.push(await analyseSource(d.analyze, s));
  const post = (m: SlackMessage) => d.client.chat.postMessage({ channel, thread_ts: threadTs, text: m.text, blocks: m.blocks });

  const answered = outcomes.filter((o) => o.kind !== 'nothing');
  if (answered.length === 0) {
    await post(renderNothingRecognised(sources.map((s) => s.label), refusals, UNDERSTOOD_INPUTS));
    return;
  }
  const attachments: Attachment[] = [];
  for (const o of answered) {
    if (o.kind === 'failed') {
      await post(renderPastedFailure(o.label, o.message));
      continue;
    }
    if (o.kind !== 'report') continue;
    const rendered = renderPastedReport(o.analysis.report, { label: o.label, parts: o.analysis.parts });
    for (const m of rendered.messages) await post(m);
    attachments.push(...rendered.attachments);
  }
  if (refusals.length > 0) {
    const refused = clip(refusals.join('\n'), 2900);
    await post({ text: refused, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: refused } }] });
  }
  if (attachments.length > 0) {
    await d.client.filesUploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      initial_comment: 'Evidence that did not fit in the messages above:',
      file_uploads: attachments.map((a) => ({ content: a.content, filename: a.filename, title: a.title })),
    });
  }
  d.logger.info({ channel, threadTs, sources: sources.length, reports: answered.length, refused: refusals.length }, 'message shortcut answered');
}
