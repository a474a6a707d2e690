// `/cilium diagnose pod <ns>/<pod>` over Slack: resolve the pod (an ephemeral error with the closest names when it
// does not exist), one job per pod at a time, a root message in the channel, the report in its thread; the root then
// carries the headline.
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { PodDiagnosisJob, PodDiagnosisQueue } from '../jobs/pod/pod-diagnosis-job.ts';
import type { PodDiagnosisSink } from '../jobs/pod/pod-diagnosis-worker.ts';
import type { PodDiagnosis } from '../runbooks/engine/pod-diagnosis.ts';
import type { PodArg } from './command-grammar.ts';
import { resolvePod, type PodLister } from './diagnose-pod-lookup.ts';
import { QueueUnavailableError } from './errors.ts';
import { renderPodDiagnosis } from './diagnose-pod-render.ts';
import { clip, escapeMrkdwn, inlineCode, slackChannel, slackLink } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';

export interface PodDiagnosisDeps {
  queue: Pick<PodDiagnosisQueue, 'enqueue' | 'activeJobFor'> | undefined;
  pods: PodLister | undefined;
}

/** A queue (Redis) call whose failure is said as such, with the driver's text redacted (it can name the Redis URL). */
async function queued<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new QueueUnavailableError(escapeMrkdwn(redactSecrets(e instanceof Error ? e.message : String(e))));
  }
}

const EMOJI = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:', healthy: ':large_green_circle:' } as const;

export async function startPodDiagnosis(deps: PodDiagnosisDeps, client: WebClient, command: Pick<SlashCommand, 'channel_id' | 'user_id'>, respond: RespondFn, cluster: string, arg: PodArg): Promise<void> {
  if (deps.queue === undefined || deps.pods === undefined) {
    await respond({ response_type: 'ephemeral', text: 'Pod diagnoses are not enabled in this deployment.' });
    return;
  }
  const pod = await resolvePod(deps.pods, cluster, arg);
  const ref = `${pod.namespace}/${pod.name}`;
  const queue = deps.queue;
  const active = await queued(() => queue.activeJobFor(cluster, pod.namespace, pod.name));
  if (active !== null) {
    const where = await client.chat.getPermalink({ channel: active.data.channelId, message_ts: active.data.threadTs })
      .then((l) => slackLink(l.permalink ?? '', 'this thread'), () => `its thread in ${slackChannel(active.data.channelId)}`);
    await respond({ response_type: 'ephemeral', text: `${inlineCode(ref)} is already being diagnosed; the report will be in ${where}.` });
    return;
  }
  const root = await client.chat.postMessage({ channel: command.channel_id, text: `:mag: Diagnosing pod ${inlineCode(ref)} on ${inlineCode(pod.node)} (cluster ${inlineCode(cluster)}): its Hubble flows, its endpoint and its node…` });
  if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
  const threadTs = root.ts;
  const result = await queued(() => queue.enqueue({
    cluster, namespace: pod.namespace, pod: pod.name, channelId: command.channel_id, threadTs, requestedBy: command.user_id, requestedAt: new Date().toISOString(),
  }));
  if (!result.queued) {
    // Lost a race with another request: that job answers in its own thread; this root says so.
    await client.chat.update({ channel: command.channel_id, ts: root.ts, text: `${inlineCode(ref)} is already being diagnosed; its report goes into that request's thread.` });
  }
}

export class SlackPodDiagnosisSink implements PodDiagnosisSink {
  constructor(private readonly client: WebClient) {}

  async report(job: PodDiagnosisJob, d: PodDiagnosis): Promise<void> {
    const rendered = renderPodDiagnosis(d);
    for (const m of rendered.messages) await this.client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: m.text, blocks: m.blocks });
    for (const a of rendered.attachments) {
      await this.client.files.uploadV2({ channel_id: job.channelId, thread_ts: job.threadTs, filename: a.filename, title: a.title, content: a.content });
    }
    const ref = `${d.pod.namespace}/${d.pod.name}`;
    await this.client.chat.update({ channel: job.channelId, ts: job.threadTs, text: clip(`${EMOJI[rendered.severity]} Pod ${inlineCode(ref)} on ${inlineCode(d.pod.node)}: ${escapeMrkdwn(rendered.headline)} (report in the thread)`, 2900) });
  }

  async failed(job: PodDiagnosisJob, message: string): Promise<void> {
    await this.client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: `The pod diagnosis failed: ${escapeMrkdwn(redactSecrets(clip(message, 500)))}` });
    await this.client.chat.update({ channel: job.channelId, ts: job.threadTs, text: `:x: Pod ${inlineCode(`${job.namespace}/${job.pod}`)}: the diagnosis failed (why in the thread)` });
  }
}
