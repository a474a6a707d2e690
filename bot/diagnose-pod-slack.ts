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
import { renderPodDiagnosis } from './diagnose-pod-render.ts';
import { clip, escapeMrkdwn, inlineCode } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';
import { alreadyRunningText, postInThread, startThreadJob, withQueue } from './thread-job-slack.ts';

export interface PodDiagnosisDeps {
  queue: Pick<PodDiagnosisQueue, 'enqueue' | 'activeJobFor'> | undefined;
  pods: PodLister | undefined;
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
  await startThreadJob(client, command, respond, {
    busy: async () => {
      const active = await withQueue(() => queue.activeJobFor(cluster, pod.namespace, pod.name));
      return active === null ? null : alreadyRunningText(client, ref, active.data);
    },
    rootText: `:mag: Diagnosing pod ${inlineCode(ref)} on ${inlineCode(pod.node)} (cluster ${inlineCode(cluster)}): its Hubble flows, its endpoint and its node…`,
    enqueue: (thread) => withQueue(() => queue.enqueue({ cluster, namespace: pod.namespace, pod: pod.name, ...thread })),
    lostRaceText: `${inlineCode(ref)} is already being diagnosed; its report goes into that request's thread.`,
  });
}

export class SlackPodDiagnosisSink implements PodDiagnosisSink {
  constructor(private readonly client: WebClient) {}

  async report(job: PodDiagnosisJob, d: PodDiagnosis): Promise<void> {
    const rendered = renderPodDiagnosis(d);
    await postInThread(this.client, job, rendered);
    const ref = `${d.pod.namespace}/${d.pod.name}`;
    await this.client.chat.update({ channel: job.channelId, ts: job.threadTs, text: clip(`${EMOJI[rendered.severity]} Pod ${inlineCode(ref)} on ${inlineCode(d.pod.node)}: ${escapeMrkdwn(rendered.headline)} (report in the thread)`, 2900) });
  }

  async failed(job: PodDiagnosisJob, message: string): Promise<void> {
    await this.client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, text: `The pod diagnosis failed: ${escapeMrkdwn(redactSecrets(clip(message, 500)))}` });
    await this.client.chat.update({ channel: job.channelId, ts: job.threadTs, text: `:x: Pod ${inlineCode(`${job.namespace}/${job.pod}`)}: the diagnosis failed (why in the thread)` });
  }
}
