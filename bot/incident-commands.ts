// `/cilium incidents | timeline | note | resolve | export`: read and write the incident store, answer the person
// privately, and put every change into the incident's thread.
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Incident, RunSummary, TimelineEntry } from '../jobs/incidents/incident.ts';
import type { IncidentStore } from '../jobs/incidents/incident-store.ts';
import type { CiliumCommand } from './command-grammar.ts';
import { formatTime } from './render/incident-summary.ts';
import { clip, codeBlock, escapeMrkdwn, inlineCode, slackChannel, slackUser } from './render/mrkdwn.ts';
import { redactDeep } from './render/redact.ts';
import { postChart, type ChartLogger } from './chart-upload.ts';
import { renderIncidentTimelineChart } from './render/charts/incident-timeline.ts';
import { renderPostmortem, renderTimelineText } from './render/timeline.ts';
import type { SlackIncidentSink } from './slack-incident-sink.ts';

export interface IncidentCommandContext {
  store: IncidentStore;
  sink: SlackIncidentSink;
  client: WebClient;
  respond: RespondFn;
  userId: string;
  /** Where a timeline chart that could not be drawn or posted is reported (the text answers are unchanged). */
  logger?: ChartLogger;
}

/** The incident's timeline picture, posted into its thread; false (and logged) when it could not be. */
function postTimelineChart(ctx: IncidentCommandContext, incident: Incident, entries: TimelineEntry[], runs: RunSummary[], verb: string): Promise<boolean> {
  if (incident.threadTs === '') return Promise.resolve(false);
  return postChart(ctx.client, undefined, ctx.logger, {
    channelId: incident.channelId,
    threadTs: incident.threadTs,
    key: `timeline-chart:${incident.id}`,
    filename: `${incident.id}-timeline.png`,
    title: `${incident.id} timeline chart`,
    comment: `Timeline chart of ${incident.id}, ${verb} by ${slackUser(ctx.userId)}`,
  }, () => renderIncidentTimelineChart(incident, entries, runs));
}

/** Longer timelines go to a file in the thread instead of an ephemeral message. */
const EPHEMERAL_TIMELINE_MAX = 2800;

export async function runIncidentCommand(
  cmd: Exclude<CiliumCommand, { kind: 'help' } | { kind: 'diagnose' } | { kind: 'mute' } | { kind: 'mutes' }>,
  ctx: IncidentCommandContext,
): Promise<void> {
  const { store, sink, client, respond } = ctx;
  switch (cmd.kind) {
    case 'incidents': {
      // Redacted raw, escaped, then cut (a cut must not split an escape or a channel link).
      const open = redactDeep(await store.listOpen());
      const text =
        open.length === 0
          ? 'No open incidents.'
          : ['*Open incidents*', ...open.map((i) => `• *${escapeMrkdwn(i.id, { literal: true })}* ${i.status} — ${inlineCode(i.node)} (${escapeMrkdwn(i.cluster)}): ${escapeMrkdwn(i.topFinding || 'no report yet')} · updated ${formatTime(i.updatedAt)} · ${slackChannel(i.channelId)}`)].join('\n');
      await respond({ response_type: 'ephemeral', text: clip(text, 3900) });
      return;
    }
    case 'timeline': {
      const incident = await store.get(cmd.incidentId);
      const entries = await store.timeline(incident.id);
      const text = renderTimelineText(incident, entries);
      const charted = await postTimelineChart(ctx, incident, entries, await store.runs(incident.id), 'requested');
      if (text.length <= EPHEMERAL_TIMELINE_MAX) {
        await respond({ response_type: 'ephemeral', text: charted ? `${codeBlock(text)}\nA timeline chart is in the incident's thread.` : codeBlock(text) });
        return;
      }
      await client.filesUploadV2({
        channel_id: incident.channelId,
        thread_ts: incident.threadTs,
        initial_comment: `Timeline of ${incident.id}, as requested by ${slackUser(ctx.userId)}`,
        file_uploads: [{ content: text, filename: `${incident.id}-timeline.txt`, title: `${incident.id} timeline` }],
      });
      await respond({ response_type: 'ephemeral', text: `The ${incident.id} timeline is long; it was uploaded as a file to its thread.` });
      return;
    }
    case 'note': {
      const incident = await store.get(cmd.incidentId);
      const entry = await store.append(incident.id, { actor: ctx.userId, kind: 'note', text: cmd.text });
      await sink.postEntry(incident, entry);
      await sink.refreshSummary(await store.get(incident.id));
      await respond({ response_type: 'ephemeral', text: `Added to the ${incident.id} timeline (#${entry.seq}).` });
      return;
    }
    case 'resolve': {
      const before = await store.get(cmd.incidentId);
      if (before.status === 'resolved') {
        await respond({ response_type: 'ephemeral', text: `${before.id} is already resolved.` });
        return;
      }
      const entry = await store.append(before.id, { actor: ctx.userId, kind: 'status-changed', text: `resolved ${before.id}${cmd.note === undefined ? '' : `: ${cmd.note}`}` });
      const incident = await store.setStatus(before.id, 'resolved');
      await sink.postEntry(incident, entry);
      await sink.refreshSummary(incident);
      await respond({ response_type: 'ephemeral', text: `${incident.id} is resolved. A new \`/cilium diagnose ${incident.node}\` opens a new incident.` });
      return;
    }
    case 'export': {
      const incident = await store.get(cmd.incidentId);
      const entries = await store.timeline(incident.id);
      const runs = await store.runs(incident.id);
      const markdown = renderPostmortem(incident, entries, runs);
      await client.filesUploadV2({
        channel_id: incident.channelId,
        thread_ts: incident.threadTs,
        initial_comment: `Postmortem draft for ${incident.id}, exported by ${slackUser(ctx.userId)}`,
        file_uploads: [{ content: markdown, filename: `${incident.id}-postmortem.md`, title: `${incident.id} postmortem draft` }],
      });
      await postTimelineChart(ctx, incident, entries, runs, 'exported with the postmortem');
      await respond({ response_type: 'ephemeral', text: `The ${incident.id} postmortem draft is in its thread.` });
      return;
    }
  }
}
