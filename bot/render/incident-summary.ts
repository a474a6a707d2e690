// The incident's root message, a live summary edited on every change: status, node, top finding, last update,
// counts. The thread below it holds the dated entries.
import type { KnownBlock } from '@slack/types';
import type { Incident } from '../../jobs/incidents/incident.ts';
import { clip, escapeMrkdwn, inlineCode, mrkdwn, slackUser } from './mrkdwn.ts';
import { redactDeep, redactSecrets } from './redact.ts';

export type Activity = 'queued' | 'collecting' | 'idle';

const STATUS_EMOJI: Record<Incident['status'], string> = {
  investigating: ':mag:',
  mitigating: ':construction:',
  recovered: ':large_green_circle:',
  resolved: ':white_check_mark:',
};

const SEVERITY_EMOJI: Record<Incident['severity'], string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  healthy: ':large_green_circle:',
  unknown: ':white_circle:',
};

/** "2026-11-23 03:12 UTC": dated, with the zone, as a timeline needs. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * The root message. Like every thread reply, redacted on raw text first (a token in the top finding or a failure
 * message), then escaped, then cut: the root is what the channel sees, and its `text` is what notifications show.
 */
export function renderIncidentSummary(
  rawIncident: Incident,
  counts: { entries: number },
  activity: Activity = 'idle',
  rawFailure?: string,
): { text: string; blocks: KnownBlock[] } {
  const incident = redactDeep(rawIncident);
  const failure = rawFailure === undefined ? undefined : redactSecrets(rawFailure);
  const head = `${STATUS_EMOJI[incident.status]} *${escapeMrkdwn(incident.id, { literal: true })} · ${incident.status}* — ${inlineCode(incident.node)}`;
  const doing =
    activity === 'queued' ? ':hourglass_flowing_sand: diagnosis queued…' : activity === 'collecting' ? ':hourglass_flowing_sand: collecting evidence…' : '';
  const finding =
    failure !== undefined
      ? `:x: Last diagnosis failed: ${clip(escapeMrkdwn(failure), 400)}`
      : incident.topFinding === ''
        ? 'No report yet.'
        : `${SEVERITY_EMOJI[incident.severity]} ${clip(escapeMrkdwn(incident.topFinding, { literal: true }), 500)}`;
  const lines = [head, finding, doing].filter((l) => l !== '');
  const context = `cluster ${inlineCode(incident.cluster)} · opened by ${slackUser(incident.openedBy)} ${formatTime(incident.openedAt)} · last update ${formatTime(incident.updatedAt)} · ${incident.runs} run(s) · ${counts.entries} timeline entr${counts.entries === 1 ? 'y' : 'ies'}`;
  return {
    text: clip(escapeMrkdwn(`${incident.id} ${incident.status}: ${incident.node} — ${failure !== undefined ? `diagnosis failed: ${failure}` : incident.topFinding || 'diagnosing'}`, { literal: true }), 3000),
    blocks: [
      { type: 'section', text: mrkdwn(clip(lines.join('\n'), 2900)) },
      { type: 'context', elements: [mrkdwn(clip(context, 2900))] },
    ],
  };
}
