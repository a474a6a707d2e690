// A command answered in a thread by a queued job (`diagnose pod`, `preflight`; node diagnoses and sweeps use the
// same pieces in slack-app.ts): refuse at once, privately, when a job for the same target is running; otherwise
// post the root message the job's thread hangs from and queue the job with that thread; later the job's sink posts
// the rendered report into the thread. The command was acknowledged before any of this runs (slack-app.ts).
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { QueueUnavailableError } from './errors.ts';
import { escapeMrkdwn, inlineCode, slackChannel, slackLink } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';
import type { Attachment, SlackMessage } from './render/slack-limits.ts';

/** Where a job answers: the channel and the root message's ts. */
export interface JobThread {
  channelId: string;
  threadTs: string;
}

/** Runs a queue (Redis) call; its failure becomes a QueueUnavailableError whose text is safe to show. */
export async function withQueue<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    // The driver's message can name the Redis URL (with its password): redacted, then escaped, like any data.
    throw new QueueUnavailableError(escapeMrkdwn(redactSecrets(e instanceof Error ? e.message : String(e))));
  }
}

/** "`<what>` is already being diagnosed" with a link to the running job's thread (its channel when no permalink). */
export async function alreadyRunningText(client: WebClient, what: string, job: JobThread): Promise<string> {
  try {
    const link = await client.chat.getPermalink({ channel: job.channelId, message_ts: job.threadTs });
    return `${inlineCode(what)} is already being diagnosed; the report will be in ${slackLink(link.permalink ?? '', 'this thread')}.`;
  } catch {
    return `${inlineCode(what)} is already being diagnosed; the report will be in its thread in ${slackChannel(job.channelId)}.`;
  }
}

export interface ThreadJobRequest {
  /** The private reply when a job for the same target is already running; null when none is. */
  busy: () => Promise<string | null>;
  /** The root message's text: what is being done, for whom to see in the channel. */
  rootText: string;
  /** Queues the job with its thread and requester; `queued: false` when the queue already held one for the target. */
  enqueue: (thread: JobThread & { requestedBy: string; requestedAt: string }) => Promise<{ queued: boolean }>;
  /** The root's new text when the enqueue lost that race (the running job answers in its own thread); absent: left as is. */
  lostRaceText?: string;
}

/** The busy check, the root message and the enqueue, in that order (see the file comment). */
export async function startThreadJob(
  client: WebClient,
  command: Pick<SlashCommand, 'channel_id' | 'user_id'>,
  respond: RespondFn,
  request: ThreadJobRequest,
): Promise<void> {
  const busy = await request.busy();
  if (busy !== null) {
    await respond({ response_type: 'ephemeral', text: busy });
    return;
  }
  const root = await client.chat.postMessage({ channel: command.channel_id, text: request.rootText });
  if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
  const result = await request.enqueue({ channelId: command.channel_id, threadTs: root.ts, requestedBy: command.user_id, requestedAt: new Date().toISOString() });
  if (!result.queued && request.lostRaceText !== undefined) {
    await client.chat.update({ channel: command.channel_id, ts: root.ts, text: request.lostRaceText });
  }
}

/** A rendered report into the job's thread: its messages in order, then what did not fit as files. */
export async function postInThread(client: WebClient, job: JobThread, rendered: { messages: SlackMessage[]; attachments: Attachment[] }): Promise<void> {
  for (const m of rendered.messages) await client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: m.text, blocks: m.blocks });
  for (const a of rendered.attachments) {
    await client.files.uploadV2({ channel_id: job.channelId, thread_ts: job.threadTs, filename: a.filename, title: a.title, content: a.content });
  }
}
