// IncidentSink over Slack: the report goes into the incident thread (starting with what changed since the last
// run, several replies when long, files for evidence that does not fit) and the root summary is edited to match
// the incident store. Also posts timeline entries made by people (notes, resolve) into the thread.
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { DiagnosisTarget, IncidentSink, ReportContext } from '../jobs/incident-sink.ts';
import type { Incident, TimelineEntry } from '../jobs/incidents/incident.ts';
import type { IncidentStore } from '../jobs/incidents/incident-store.ts';
import type { Report } from '../runbooks/contract.ts';
import { renderReport, type Attachment } from './render/report-blocks.ts';
import { renderIncidentSummary, type Activity } from './render/incident-summary.ts';
import { renderDiffBlocks, renderEntryMessage } from './render/timeline.ts';
import { escapeMrkdwn } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';
import { inThreadOrder } from './thread-order.ts';
import type { PostLedger } from './post-ledger.ts';
import type { SweepSink, SweepTarget } from '../jobs/fleet/sweep-sink.ts';
import type { FleetReport, SweepProgress } from '../jobs/fleet/sweep.ts';
import { renderFleetReport, sweepOutcomeMessage, sweepProgressMessage } from './render/fleet-report.ts';

/** Uploads a thread's files once: through the ledger, when there is one, a retried step finds its earlier upload. */
async function uploadOnce(client: WebClient, ledger: PostLedger | undefined, key: string, t: { channelId: string; threadTs: string }, comment: string, attachments: Attachment[]): Promise<void> {
  const upload = () =>
    client.filesUploadV2({
      channel_id: t.channelId,
      thread_ts: t.threadTs,
      initial_comment: comment,
      file_uploads: attachments.map((a) => ({ content: a.content, filename: a.filename, title: a.title })),
    });
  if (ledger === undefined) await upload();
  else await ledger.upload(client, key, { channel: t.channelId, threadTs: t.threadTs, filenames: attachments.map((a) => a.filename) }, upload);
}

export class SlackIncidentSink implements IncidentSink {
  constructor(
    private readonly client: WebClient,
    private readonly store: IncidentStore,
    /** Makes posts idempotent across job retries; without it every call posts. */
    private readonly ledger?: PostLedger,
  ) {}

  private async post(key: string, message: { channel: string; thread_ts: string; text: string; blocks?: KnownBlock[] }): Promise<void> {
    if (this.ledger === undefined) await this.client.chat.postMessage(message);
    else await this.ledger.post(this.client, key, message);
  }

  async collecting(t: DiagnosisTarget): Promise<void> {
    await this.refreshSummary(await this.store.get(t.incidentId), 'collecting');
  }

  async report(t: DiagnosisTarget, report: Report, context: ReportContext): Promise<void> {
    await inThreadOrder(t.channelId, t.threadTs, () => this.postReport(t, report, context));
    await this.refreshSummary(await this.store.get(t.incidentId));
  }

  private async postReport(t: DiagnosisTarget, report: Report, context: ReportContext): Promise<void> {
    const rendered = renderReport(report, { incidentId: t.incidentId, run: context.run, ...(context.buttons !== undefined && { buttons: context.buttons }) });
    const [first, ...rest] = rendered.messages;
    if (first !== undefined) {
      const blocks = context.diff === null ? first.blocks : [...renderDiffBlocks(context.diff, context.run), { type: 'divider' as const }, ...first.blocks];
      // The diff adds 2 blocks; the renderer keeps 5 blocks of room under Slack's 50.
      await this.post(`report:${t.incidentId}:run${context.run}:part0`, { channel: t.channelId, thread_ts: t.threadTs, text: first.text, blocks });
    }
    for (const [i, message] of rest.entries()) {
      await this.post(`report:${t.incidentId}:run${context.run}:part${i + 1}`, { channel: t.channelId, thread_ts: t.threadTs, text: message.text, blocks: message.blocks });
    }
    if (rendered.attachments.length > 0) {
      await uploadOnce(this.client, this.ledger, `files:${t.incidentId}:run${context.run}`, t, 'Evidence that did not fit in the messages above:', rendered.attachments);
    }
  }

  async failed(t: DiagnosisTarget, message: string): Promise<void> {
    const text = redactSecrets(`:x: The diagnosis of \`${t.node}\` (cluster \`${t.cluster}\`) failed: ${escapeMrkdwn(message)}\nRun \`/cilium diagnose ${t.node}\` again once the cause is fixed.`);
    await inThreadOrder(t.channelId, t.threadTs, () => this.post(`failed:${t.incidentId}:${t.jobId ?? t.threadTs}`, { channel: t.channelId, thread_ts: t.threadTs, text }));
    await this.refreshSummary(await this.store.get(t.incidentId), 'idle', redactSecrets(message));
  }

  /** Posts a timeline entry into the incident's thread. */
  async postEntry(incident: Incident, entry: TimelineEntry): Promise<void> {
    await inThreadOrder(incident.channelId, incident.threadTs, () =>
      this.post(`entry:${incident.id}:${entry.seq}`, { channel: incident.channelId, thread_ts: incident.threadTs, ...renderEntryMessage(incident, entry) }),
    );
  }

  async refreshSummary(incident: Incident, activity: Activity = 'idle', failure?: string): Promise<void> {
    if (incident.threadTs === '') return;
    const entries = (await this.store.timeline(incident.id)).length;
    await this.client.chat.update({ channel: incident.channelId, ts: incident.threadTs, ...renderIncidentSummary(incident, { entries }, activity, failure) });
  }
}

/** SweepSink over Slack: progress and outcome on the root message, the grouped report (and node-list files) in its thread. */
export class SlackSweepSink implements SweepSink {
  constructor(
    private readonly client: WebClient,
    /** Makes posts idempotent across job retries; without it every call posts. */
    private readonly ledger?: PostLedger,
  ) {}

  async progress(t: SweepTarget, p: SweepProgress): Promise<void> {
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, ...sweepProgressMessage(t.cluster, p) });
  }

  private async post(key: string, message: { channel: string; thread_ts: string; text: string; blocks?: KnownBlock[] }): Promise<void> {
    if (this.ledger === undefined) await this.client.chat.postMessage(message);
    else await this.ledger.post(this.client, key, message);
  }

  async report(t: SweepTarget, report: FleetReport): Promise<void> {
    const rendered = renderFleetReport(report);
    const run = t.jobId ?? t.threadTs;
    await inThreadOrder(t.channelId, t.threadTs, async () => {
      for (const [i, m] of rendered.messages.entries()) await this.post(`sweep:${run}:part${i}`, { channel: t.channelId, thread_ts: t.threadTs, text: m.text, blocks: m.blocks });
      if (rendered.attachments.length === 0) return;
      await uploadOnce(this.client, this.ledger, `sweep-files:${run}`, t, 'Every node of the groups above:', rendered.attachments);
    });
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, ...sweepOutcomeMessage(report) });
  }

  async failed(t: SweepTarget, message: string): Promise<void> {
    const text = redactSecrets(`:x: The fleet sweep of \`${t.cluster}\` failed: ${escapeMrkdwn(message)}\nRun \`/cilium diagnose --all\` again once the cause is fixed.`);
    await inThreadOrder(t.channelId, t.threadTs, () => this.post(`sweep-failed:${t.jobId ?? t.threadTs}`, { channel: t.channelId, thread_ts: t.threadTs, text }));
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, text: redactSecrets(`Fleet sweep of ${t.cluster} failed: ${message}`).slice(0, 3000) });
  }
}
