// The Slack side of a shared sysdump (jobs/sysdump-share): the download with the bot token, the incident's root
// message, and the answer in the thread the archive was shared in: a line saying what was read and which incident
// the critical node went to, then the grouped fleet report (the sweep's renderer), evidence that does not fit as a
// file. Everything posted is redacted and escaped by the renderers, as every other bot post.
import type { ChatPostMessageArguments, WebClient } from '@slack/web-api';
import type { SysdumpAnalysis } from '../../jobs/sysdump-share/sysdump-analysis.ts';
import type { SysdumpJob } from '../../jobs/sysdump-share/sysdump-share-job.ts';
import type { JoinedIncident, SysdumpSink } from '../../jobs/sysdump-share/sysdump-share-worker.ts';
import type { PostLedger } from '../post-ledger.ts';
import { renderFleetReport } from '../render/fleet-report.ts';
import { clip, escapeMrkdwn, inlineCode, slackLink } from '../render/mrkdwn.ts';
import { redactSecrets } from '../render/redact.ts';
import { inThreadOrder } from '../thread-order.ts';
import { downloadSharedSysdump } from './sysdump-download.ts';

type ThreadPost = Extract<ChatPostMessageArguments, { channel: string }> & { thread_ts: string; text: string };

export class SlackSysdumpSink implements SysdumpSink {
  constructor(
    private readonly client: WebClient,
    private readonly botToken: string,
    /** Makes posts idempotent across job retries. */
    private readonly ledger?: PostLedger,
  ) {}

  download(job: SysdumpJob): Promise<{ name: string; bytes: Uint8Array }> {
    return downloadSharedSysdump(this.client, this.botToken, job.fileId, { name: job.fileName });
  }

  async incidentRoot(channelId: string, text: string): Promise<string> {
    const root = await this.client.chat.postMessage({ channel: channelId, text: escapeMrkdwn(redactSecrets(text)) });
    if (root.ts === undefined) throw new Error('chat.postMessage returned no ts');
    return root.ts;
  }

  private async post(key: string, message: ThreadPost): Promise<void> {
    if (this.ledger === undefined) await this.client.chat.postMessage(message);
    else await this.ledger.post(this.client, key, message);
  }

  private async incidentLine(incident: JoinedIncident): Promise<string> {
    let where = incident.id;
    try {
      const link = await this.client.chat.getPermalink({ channel: incident.channelId, message_ts: incident.threadTs });
      if (link.permalink !== undefined) where = slackLink(link.permalink, incident.id);
    } catch {
      // The id alone still finds it (`/cilium timeline <id>`).
    }
    return `:rotating_light: ${inlineCode(incident.node)} is the one node with a critical finding: ${incident.created ? 'opened' : 'its report joins'} ${where}${incident.created ? ', with its report in that thread' : ''}.`;
  }

  async summary(job: SysdumpJob, analysis: SysdumpAnalysis, incident: JoinedIncident | null): Promise<void> {
    const file = redactSecrets(job.fileName);
    const critical = analysis.critical.map((c) => inlineCode(c.node));
    const lines = [
      `:package: Read ${inlineCode(file)} (cilium-cli layout ${escapeMrkdwn(analysis.layout)}): ${analysis.fleet.totals.nodes} node(s) analysed offline, as \`cilium-runbook analyze\` does.`,
      incident !== null
        ? await this.incidentLine(incident)
        : critical.length > 1
          ? `:rotating_light: ${critical.length} nodes have a critical finding (${clip(critical.join(', '), 1500)}): no incident opened; \`/cilium diagnose <node>\` opens one per node.`
          : 'No node has a critical finding.',
    ];
    const intro = clip(lines.join('\n'), 2900);
    const rendered = renderFleetReport({ ...analysis.fleet, cluster: `sysdump ${job.fileName}` });
    const key = `sysdump:${job.fileId}`;
    await inThreadOrder(job.channelId, job.threadTs, async () => {
      await this.post(`${key}:intro`, { channel: job.channelId, thread_ts: job.threadTs, text: intro, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: intro } }] });
      for (const [i, m] of rendered.messages.entries()) await this.post(`${key}:part${i}`, { channel: job.channelId, thread_ts: job.threadTs, text: m.text, blocks: m.blocks });
      if (rendered.attachments.length > 0) {
        await this.client.filesUploadV2({
          channel_id: job.channelId,
          thread_ts: job.threadTs,
          initial_comment: 'Every node of the groups above:',
          file_uploads: rendered.attachments.map((a) => ({ content: a.content, filename: a.filename, title: a.title })),
        });
      }
    });
  }

  async failed(job: SysdumpJob, message: string): Promise<void> {
    const text = clip(`:x: Could not analyse ${inlineCode(redactSecrets(job.fileName))}: ${escapeMrkdwn(redactSecrets(message))}`, 2900);
    await inThreadOrder(job.channelId, job.threadTs, () => this.post(`sysdump:${job.fileId}:failed`, { channel: job.channelId, thread_ts: job.threadTs, text }));
  }
}
