// `/cilium preflight` over Slack: the root message in the channel, the job, and the sink posting the report into
// the root's thread (the root then carries the verdict).
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { PreflightQueue, PreflightJob } from '../jobs/preflight/preflight-job.ts';
import type { PreflightSink } from '../jobs/preflight/preflight-worker.ts';
import type { PreflightReport } from '../runbooks/engine/preflight/index.ts';
import { escapeMrkdwn, inlineCode } from './render/mrkdwn.ts';
import { renderPreflightBlocks } from './render/preflight-blocks.ts';
import type { PreflightCommand } from './preflight-command.ts';

export async function startPreflight(
  preflights: Pick<PreflightQueue, 'enqueue' | 'activeJobFor'> | undefined,
  client: WebClient,
  command: Pick<SlashCommand, 'channel_id' | 'user_id'>,
  respond: RespondFn,
  cluster: string,
  parsed: PreflightCommand,
): Promise<void> {
  if (preflights === undefined) {
    await respond({ response_type: 'ephemeral', text: 'Upgrade preflights are not enabled in this deployment.' });
    return;
  }
  if ((await preflights.activeJobFor(cluster)) !== null) {
    await respond({ response_type: 'ephemeral', text: `A preflight of ${inlineCode(cluster)} is already running; try again when its report is posted.` });
    return;
  }
  const text = `:mag: Upgrade preflight of ${inlineCode(cluster)} for Cilium ${inlineCode(parsed.target)}: reading the nodes…`;
  const root = await client.chat.postMessage({ channel: command.channel_id, text });
  if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
  await preflights.enqueue({
    cluster, target: parsed.target, ...(parsed.values !== undefined && { values: parsed.values }),
    channelId: command.channel_id, threadTs: root.ts, requestedBy: command.user_id, requestedAt: new Date().toISOString(),
  });
}

export class SlackPreflightSink implements PreflightSink {
  constructor(private readonly client: WebClient) {}

  async report(job: PreflightJob, report: PreflightReport): Promise<void> {
    const rendered = renderPreflightBlocks(report);
    for (const m of rendered.messages) await this.client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: m.text, blocks: m.blocks });
    for (const a of rendered.attachments) {
      await this.client.files.uploadV2({ channel_id: job.channelId, thread_ts: job.threadTs, filename: a.filename, title: a.title, content: a.content });
    }
    await this.client.chat.update({ channel: job.channelId, ts: job.threadTs, text: `${report.verdict === 'fail' ? ':red_circle:' : ':large_green_circle:'} ${escapeMrkdwn(rendered.headline)}` });
  }

  async failed(job: PreflightJob, message: string): Promise<void> {
    await this.client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: `The preflight failed: ${escapeMrkdwn(message.slice(0, 500))}` });
  }
}
