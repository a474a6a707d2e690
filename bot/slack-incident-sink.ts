// IncidentSink over Slack: the report goes into the incident thread (starting with what changed since the last
// run, several replies when long, files for evidence that does not fit) and the root summary is edited to match
// the incident store. Also posts timeline entries made by people (notes, resolve) into the thread.
// Every message is fitted to Slack's limits last (fitMessage); one Slack still rejects is posted as text with its
// blocks as a file (postSafely), so a crafted line can cost the formatting, never the report.
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { DiagnosisTarget, IncidentSink, IncidentTarget, ReportContext } from '../jobs/incident-sink.ts';
import { failedRootText, healthyRootText, pendingRootText } from './render/no-incident.ts';
import type { Incident, TimelineEntry } from '../jobs/incidents/incident.ts';
import type { IncidentStore } from '../jobs/incidents/incident-store.ts';
import type { Report } from '../runbooks/engine/contract.ts';
import { renderReport } from './render/report-blocks.ts';
import { blocksAsText, fitMessage, type Attachment } from './render/slack-limits.ts';
import { renderIncidentSummary, type Activity } from './render/incident-summary.ts';
import { renderDiffBlocks, renderEntryMessage } from './render/timeline.ts';
import { clip, escapeMrkdwn, inlineCode } from './render/mrkdwn.ts';
import { redactSecrets } from './render/redact.ts';
import { inThreadOrder } from './thread-order.ts';
import type { PostLedger } from './post-ledger.ts';
import type { SweepSink, SweepTarget } from '../jobs/fleet/sweep-sink.ts';
import type { FleetReport, SweepProgress } from '../jobs/fleet/sweep.ts';
import { postChart, type ChartLogger } from './chart-upload.ts';
import { renderPoolHealthChart } from './render/charts/pool-health.ts';
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

type ThreadMessage = { channel: string; thread_ts: string; text: string; blocks?: KnownBlock[] };

/** Slack's answers for a message it will never take as sent (retrying the same blocks cannot help). */
const REJECTED = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'msg_blocks_too_long', 'invalid_arguments']);

function rejection(e: unknown): string | null {
  const error = (e as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof error === 'string' && REJECTED.has(error) ? error : null;
}

/**
 * Posts `message` fitted to Slack's limits; if Slack still rejects its blocks, posts the text alone saying so and
 * uploads the blocks as a file. `send` posts once per key (the ledger), so a retried job finds either post.
 */
async function postSafely(
  client: WebClient,
  ledger: PostLedger | undefined,
  send: (key: string, m: ThreadMessage) => Promise<void>,
  key: string,
  message: ThreadMessage,
): Promise<Attachment[]> {
  const fitted = message.blocks === undefined ? { message: { text: message.text, blocks: [] }, overflow: [] } : fitMessage({ text: message.text, blocks: message.blocks }, key.replace(/[^A-Za-z0-9-]+/g, '-'));
  const fittedMessage: ThreadMessage = { ...message, text: fitted.message.text, ...(message.blocks !== undefined && { blocks: fitted.message.blocks }) };
  try {
    await send(key, fittedMessage);
    return fitted.overflow;
  } catch (e) {
    const error = rejection(e);
    if (error === null || message.blocks === undefined) throw e;
    const filename = `${key.replace(/[^A-Za-z0-9-]+/g, '-')}.txt`;
    const text = clip(`${fittedMessage.text}\n(Slack refused this message's layout (${error}); its full text is in \`${filename}\` below.)`, 3000);
    await send(`${key}:as-text`, { channel: message.channel, thread_ts: message.thread_ts, text });
    const file: Attachment = { filename, title: 'Message Slack refused to lay out', content: blocksAsText(fittedMessage.blocks ?? []) };
    await uploadOnce(client, ledger, `${key}:as-text-file`, { channelId: message.channel, threadTs: message.thread_ts }, 'The message above, as text:', [file]);
    return fitted.overflow;
  }
}

export class SlackIncidentSink implements IncidentSink {
  constructor(
    private readonly client: WebClient,
    private readonly store: IncidentStore,
    /** Makes posts idempotent across job retries; without it every call posts. */
    private readonly ledger?: PostLedger,
  ) {}

  private async send(key: string, message: ThreadMessage): Promise<void> {
    if (this.ledger === undefined) await this.client.chat.postMessage(message);
    else await this.ledger.post(this.client, key, message);
  }

  /** Posts within Slack's limits; returns what did not fit (to be uploaded with the step's files). */
  private post(key: string, message: ThreadMessage): Promise<Attachment[]> {
    return postSafely(this.client, this.ledger, (k, m) => this.send(k, m), key, message);
  }

  async collecting(t: DiagnosisTarget): Promise<void> {
    if (t.incidentId === undefined) await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, text: pendingRootText(t.node, t.cluster, 'collecting') });
    else await this.refreshSummary(await this.store.get(t.incidentId), 'collecting');
  }

  /** No finding and no incident: the report goes under the request's root, which says no incident was opened. */
  async healthy(t: DiagnosisTarget, report: Report): Promise<void> {
    await inThreadOrder(t.channelId, t.threadTs, async () => {
      const rendered = renderReport(report);
      const attachments = [...rendered.attachments];
      const run = t.jobId ?? t.threadTs;
      for (const [i, m] of rendered.messages.entries()) {
        attachments.push(...(await this.post(`healthy:${run}:part${i}`, { channel: t.channelId, thread_ts: t.threadTs, text: m.text, blocks: m.blocks })));
      }
      if (attachments.length > 0) await uploadOnce(this.client, this.ledger, `healthy-files:${run}`, t, 'Evidence that did not fit in the messages above:', attachments);
    });
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, text: healthyRootText(report) });
  }

  async report(t: IncidentTarget, report: Report, context: ReportContext): Promise<void> {
    await inThreadOrder(t.channelId, t.threadTs, () => this.postReport(t, report, context));
    await this.refreshSummary(await this.store.get(t.incidentId));
  }

  private async postReport(t: IncidentTarget, report: Report, context: ReportContext): Promise<void> {
    const rendered = renderReport(report, { incidentId: t.incidentId, run: context.run, ...(context.buttons !== undefined && { buttons: context.buttons }) });
    const attachments = [...rendered.attachments];
    const [first, ...rest] = rendered.messages;
    if (first !== undefined) {
      const blocks = context.diff === null ? first.blocks : [...renderDiffBlocks(context.diff, context.run), { type: 'divider' as const }, ...first.blocks];
      // The diff adds 2 blocks; the renderer keeps 5 blocks of room under Slack's 50 (and post() checks again).
      attachments.push(...(await this.post(`report:${t.incidentId}:run${context.run}:part0`, { channel: t.channelId, thread_ts: t.threadTs, text: first.text, blocks })));
    }
    for (const [i, message] of rest.entries()) {
      attachments.push(...(await this.post(`report:${t.incidentId}:run${context.run}:part${i + 1}`, { channel: t.channelId, thread_ts: t.threadTs, text: message.text, blocks: message.blocks })));
    }
    if (attachments.length > 0) {
      await uploadOnce(this.client, this.ledger, `files:${t.incidentId}:run${context.run}`, t, 'Evidence that did not fit in the messages above:', attachments);
    }
  }

  async failed(t: DiagnosisTarget, message: string): Promise<void> {
    const text = `:x: The diagnosis of ${inlineCode(t.node)} (cluster ${inlineCode(t.cluster)}) failed: ${escapeMrkdwn(redactSecrets(message))}\nRun ${inlineCode(`/cilium diagnose ${t.node}`)} again once the cause is fixed.`;
    await inThreadOrder(t.channelId, t.threadTs, () => this.post(`failed:${t.incidentId ?? 'no-incident'}:${t.jobId ?? t.threadTs}`, { channel: t.channelId, thread_ts: t.threadTs, text }));
    if (t.incidentId === undefined) await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, text: failedRootText(t.node, t.cluster, message) });
    else await this.refreshSummary(await this.store.get(t.incidentId), 'idle', message);
  }

  /** Posts a timeline entry into the incident's thread. */
  async postEntry(incident: Incident, entry: TimelineEntry): Promise<void> {
    await inThreadOrder(incident.channelId, incident.threadTs, async () => {
      const key = `entry:${incident.id}:${entry.seq}`;
      const overflow = await this.post(key, { channel: incident.channelId, thread_ts: incident.threadTs, ...renderEntryMessage(incident, entry) });
      // A note longer than a section: the whole of it as a file.
      if (overflow.length > 0) await uploadOnce(this.client, this.ledger, `${key}:files`, { channelId: incident.channelId, threadTs: incident.threadTs }, 'The entry above in full:', overflow);
    });
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
    /** Where a chart that could not be drawn or posted is reported (the text report is posted regardless). */
    private readonly logger?: ChartLogger,
  ) {}

  async progress(t: SweepTarget, p: SweepProgress): Promise<void> {
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, ...sweepProgressMessage(t.cluster, p) });
  }

  private async send(key: string, message: ThreadMessage): Promise<void> {
    if (this.ledger === undefined) await this.client.chat.postMessage(message);
    else await this.ledger.post(this.client, key, message);
  }

  private post(key: string, message: ThreadMessage): Promise<Attachment[]> {
    return postSafely(this.client, this.ledger, (k, m) => this.send(k, m), key, message);
  }

  async report(t: SweepTarget, report: FleetReport): Promise<void> {
    const rendered = renderFleetReport(report);
    const run = t.jobId ?? t.threadTs;
    await inThreadOrder(t.channelId, t.threadTs, async () => {
      const attachments = [...rendered.attachments];
      for (const [i, m] of rendered.messages.entries()) attachments.push(...(await this.post(`sweep:${run}:part${i}`, { channel: t.channelId, thread_ts: t.threadTs, text: m.text, blocks: m.blocks })));
      if (attachments.length > 0) await uploadOnce(this.client, this.ledger, `sweep-files:${run}`, t, 'Every node of the groups above:', attachments);
      const pools = report.pools;
      if (pools !== undefined && pools.length > 0) {
        await postChart(this.client, this.ledger, this.logger, { channelId: t.channelId, threadTs: t.threadTs, key: `sweep-chart:${run}`, filename: 'fleet-sweep-pools.png', title: 'Broken vs healthy nodes per pool', comment: 'Broken vs healthy nodes per pool:' }, () => renderPoolHealthChart(report.cluster, pools));
      }
    });
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, ...sweepOutcomeMessage(report) });
  }

  async failed(t: SweepTarget, message: string): Promise<void> {
    const reason = escapeMrkdwn(redactSecrets(message));
    const text = `:x: The fleet sweep of ${inlineCode(t.cluster)} failed: ${reason}\nRun \`/cilium diagnose --all\` again once the cause is fixed.`;
    await inThreadOrder(t.channelId, t.threadTs, () => this.post(`sweep-failed:${t.jobId ?? t.threadTs}`, { channel: t.channelId, thread_ts: t.threadTs, text }));
    await this.client.chat.update({ channel: t.channelId, ts: t.threadTs, text: clip(`Fleet sweep of ${escapeMrkdwn(t.cluster)} failed: ${reason}`, 3000) });
  }
}
