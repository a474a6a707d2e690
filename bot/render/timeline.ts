// Timeline entries as Slack thread messages, as text for `/cilium timeline`, and the Markdown postmortem draft.
import type { KnownBlock } from '@slack/types';
import type { Incident, RunSummary, TimelineEntry } from '../../jobs/incidents/incident.ts';
import type { RunDiff } from '../../jobs/incidents/run-diff.ts';
import { formatTime } from './incident-summary.ts';
import { clip, escapeMrkdwn, inlineCode, mrkdwn, slackUser } from './mrkdwn.ts';
import { redactSecrets } from './redact.ts';

/** The only mention in an entry is its actor, from our template; the entry's text (a note: anything) is data. */
function actorText(actor: string): string {
  return actor === 'bot' ? 'cilium-runbook' : slackUser(actor);
}

export function renderEntryMessage(incident: Incident, entry: TimelineEntry): { text: string; blocks: KnownBlock[] } {
  // Redacted raw, then escaped, then cut: `/cilium note INC-1 <!channel> …` notifies nobody, in `text` or blocks.
  const body = escapeMrkdwn(redactSecrets(entry.text));
  return {
    text: clip(`${actorText(entry.actor)}: ${body}`, 3000),
    blocks: [
      { type: 'section', text: mrkdwn(clip(`${actorText(entry.actor)} ${body}`, 2900)) },
      { type: 'context', elements: [mrkdwn(`${escapeMrkdwn(incident.id)} · #${entry.seq} · ${entry.kind} · ${formatTime(entry.at)} · cluster ${inlineCode(redactSecrets(incident.cluster))}`)] },
    ],
  };
}

export function renderTimelineText(incident: Incident, entries: TimelineEntry[]): string {
  const head = `${incident.id} (${incident.status}) — node ${incident.node}, cluster ${incident.cluster}, opened ${formatTime(incident.openedAt)}`;
  const lines = entries.map((e) => `#${e.seq} ${e.at} ${e.actor === 'bot' ? 'cilium-runbook' : e.actor} [${e.kind}] ${e.text}`);
  return redactSecrets([head, ...lines].join('\n'));
}

export function renderDiffBlocks(diff: RunDiff, run: number): KnownBlock[] {
  const list = (fs: RunDiff['newFindings']) => (fs.length === 0 ? 'none' : fs.map((f) => inlineCode(f.runbookId)).join(', '));
  const lines = [
    `*What changed since run ${diff.previousRun}* (${formatTime(diff.previousAt)}) — this is run ${run}`,
    `• New: ${list(diff.newFindings)}`,
    `• Resolved: ${list(diff.resolvedFindings)}`,
    `• Unchanged: ${list(diff.unchangedFindings)}`,
    ...diff.moved.map((m) => `• ${escapeMrkdwn(m.label)}: ${escapeMrkdwn(redactSecrets(String(m.from ?? 'unknown')))} → ${escapeMrkdwn(redactSecrets(String(m.to ?? 'unknown')))}`),
  ];
  if (diff.moved.length === 0) lines.push('• No evidence moved.');
  return [{ type: 'section', text: mrkdwn(clip(lines.join('\n'), 2900)) }];
}

/** A Markdown postmortem draft: summary, timeline, evidence by run, actions taken. */
export function renderPostmortem(incident: Incident, entries: TimelineEntry[], runs: RunSummary[]): string {
  const md: string[] = [];
  md.push(`# Postmortem draft: ${incident.id} — ${incident.node}`);
  md.push('');
  md.push('## Summary');
  md.push(`- Cluster: ${incident.cluster}`);
  md.push(`- Node: ${incident.node}`);
  md.push(`- Status: ${incident.status}`);
  md.push(`- Opened: ${incident.openedAt} by ${incident.openedBy}`);
  md.push(`- Last update: ${incident.updatedAt}`);
  md.push(`- Top finding: ${incident.topFinding || 'none'}`);
  md.push('');
  md.push('## Timeline');
  md.push('| # | time (UTC) | actor | kind | entry |');
  md.push('| --- | --- | --- | --- | --- |');
  for (const e of entries) md.push(`| ${e.seq} | ${e.at} | ${e.actor} | ${e.kind} | ${e.text.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  md.push('');
  md.push('## Evidence by diagnosis run');
  for (const r of runs) {
    md.push(`### Run ${r.run} (${r.at})`);
    md.push(r.findings.length === 0 ? '- No finding.' : r.findings.map((f) => `- **${f.runbookId}** (${f.severity}): ${f.title}`).join('\n'));
    const metrics = Object.entries(r.metrics).filter(([, v]) => v !== null);
    if (metrics.length > 0) md.push(`- Facts: ${metrics.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    md.push('');
  }
  md.push('## Actions taken');
  const actions = entries.filter((e) => e.kind === 'remediation' || e.kind === 'status-changed');
  md.push(actions.length === 0 ? '- None recorded.' : actions.map((e) => `- ${e.at} ${e.actor}: ${e.text}`).join('\n'));
  md.push('');
  md.push('## Follow-ups');
  md.push('- _to be written by the incident owner_');
  return redactSecrets(md.join('\n'));
}
