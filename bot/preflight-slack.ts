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
import { postInThread, startThreadJob } from './thread-job-slack.ts';

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
  await startThreadJob(client, command, respond, {
    busy: async () => ((await preflights.activeJobFor(cluster)) === null
      ? null
      : `A preflight of ${inlineCode(cluster)} is already running; try again when its report is posted.`),
    rootText: `:mag: Upgrade preflight of ${inlineCode(cluster)} for Cilium ${inlineCode(parsed.target)}: reading the nodes…`,
    enqueue: (thread) => preflights.enqueue({ cluster, target: parsed.target, ...(parsed.values !== undefined && { values: parsed.values }), ...thread }),
    // Another request queued one between the busy check and this enqueue: that job answers in its own thread, so
    // this root must not stay at "reading the nodes…" for ever.
    lostRaceText: `A preflight of ${inlineCode(cluster)} was already running; its report will be in that preflight's thread.`,
  });
}

export class SlackPreflightSink implements PreflightSink {
  constructor(private readonly client: WebClient) {}

  async report(job: PreflightJob, report: PreflightReport): Promise<void> {
    const rendered = renderPreflightBlocks(report);
    await postInThread(this.client, job, rendered);
    await this.client.chat.update({ channel: job.channelId, ts: job.threadTs, text: `${report.verdict === 'fail' ? ':red_circle:' : ':large_green_circle:'} ${escapeMrkdwn(rendered.headline)}` });
  }

  async failed(job: PreflightJob, message: string): Promise<void> {
    await this.client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: `The preflight failed: ${escapeMrkdwn(message.slice(0, 500))}` });
  }
}
