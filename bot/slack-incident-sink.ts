// IncidentSink over Slack: the report goes into the incident thread (several replies when long, files for
// evidence that does not fit) and the root message is edited to show the outcome.
import type { WebClient } from '@slack/web-api';
import type { DiagnosisTarget, IncidentSink } from '../jobs/incident-sink.ts';
import type { Report } from '../runbooks/contract.ts';
import { renderReport } from './render/report-blocks.ts';
import { renderRootMessage } from './render/root-message.ts';
import { escapeMrkdwn } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';

export class SlackIncidentSink implements IncidentSink {
  constructor(private readonly client: WebClient) {}

  async collecting(t: DiagnosisTarget): Promise<void> {
    await this.updateRoot(t, { state: 'collecting' });
  }

  async report(t: DiagnosisTarget, report: Report): Promise<void> {
    const rendered = renderReport(report);
    for (const message of rendered.messages) {
      await this.client.chat.postMessage({ channel: t.channelId, thread_ts: t.threadTs, text: message.text, blocks: message.blocks });
    }
    if (rendered.attachments.length > 0) {
      await this.client.filesUploadV2({
        channel_id: t.channelId,
        thread_ts: t.threadTs,
        initial_comment: 'Evidence that did not fit in the messages above:',
        file_uploads: rendered.attachments.map((a) => ({ content: a.content, filename: a.filename, title: a.title })),
      });
    }
    await this.updateRoot(t, { state: 'done', detail: rendered.headline, severity: rendered.severity });
  }

  async failed(t: DiagnosisTarget, message: string): Promise<void> {
    const text = redactSecrets(`:x: The diagnosis of \`${t.node}\` failed: ${escapeMrkdwn(message)}\nRun \`/cilium diagnose ${t.node}\` again once the cause is fixed.`);
    await this.client.chat.postMessage({ channel: t.channelId, thread_ts: t.threadTs, text });
    await this.updateRoot(t, { state: 'failed', detail: redactSecrets(escapeMrkdwn(message)).slice(0, 300) });
  }

  private async updateRoot(t: DiagnosisTarget, change: Pick<Parameters<typeof renderRootMessage>[0], 'state' | 'detail' | 'severity'>): Promise<void> {
    await this.client.chat.update({
      channel: t.channelId,
      ts: t.threadTs,
      ...renderRootMessage({ node: t.node, cluster: t.cluster, requestedBy: t.requestedBy, ...change }),
    });
  }
}
