// Renders a fleet sweep for Slack within Block Kit limits: the root message while it runs ("412/5,000 nodes
// checked…") and when done, and the report in the thread: root-cause groups, most severe first, each with its
// nodes (the first ones inline, every one in an uploaded file when the list is long) and how to drill down.
import type { KnownBlock } from '@slack/types';
import type { FleetGroup } from '../../runbooks/engine/fleet/group.ts';
import type { FleetReport, SweepProgress } from '../../jobs/fleet/sweep.ts';
// Like the node report: redacted first (raw), escaped, cut, then fitted to Slack's limits.
import { clip, escapeMrkdwn, inlineCode, mrkdwn, neutraliseInvisible } from './mrkdwn.ts';
import { redactDeep, redactSecrets } from './redact.ts';
import { MAX_BLOCKS_PER_MESSAGE, MAX_SECTION_TEXT } from './report-blocks.ts';
import { fitMessage, type Attachment, type SlackMessage } from './slack-limits.ts';
import { fleetPrevention } from '../../runbooks/engine/prevention.ts';
import { preventionBlocks } from './prevention-text.ts';

/** Node names shown inline per group; the rest go to the group's file. */
export const INLINE_NODES = 20;

const EMOJI = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' } as const;
const n = (x: number): string => x.toLocaleString('en-US');

const section = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(clip(text, MAX_SECTION_TEXT)) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(clip(text, MAX_SECTION_TEXT))] });

export function sweepProgressMessage(rawCluster: string, p: SweepProgress | null): { text: string; blocks: KnownBlock[] } {
  const cluster = redactSecrets(rawCluster);
  const line =
    p === null
      ? 'fleet sweep queued…'
      : p.phase === 'listing'
        ? `${n(p.checked)}/${p.total === 0 ? '?' : n(p.total)} nodes checked…`
        : `${n(p.checked)}/${n(p.total)} nodes checked; ${n(p.deepDone)}/${n(p.deepTotal)} flagged nodes collected in depth…`;
  const text = `Fleet sweep of ${inlineCode(cluster)}: ${line}`;
  return { text, blocks: [section(`:mag: *Fleet sweep* of ${inlineCode(cluster)}\n:hourglass_flowing_sand: ${line}`)] };
}

function headline(r: FleetReport): string {
  const top = r.groups[0];
  if (top === undefined) return `${n(r.totals.nodes)} nodes checked: no problem found`;
  const affected = r.groups.reduce((sum, g) => sum + g.nodes.length, 0);
  return `${n(r.totals.nodes)} nodes checked: ${n(affected)} with a problem in ${n(r.groups.length)} group${r.groups.length === 1 ? '' : 's'}; top: ${top.sentence}`;
}

export function sweepOutcomeMessage(raw: FleetReport): { text: string; blocks: KnownBlock[] } {
  const r = redactDeep(raw);
  const top = r.groups[0];
  const emoji = top === undefined ? ':large_green_circle:' : EMOJI[top.severity];
  const line = headline(r);
  return {
    text: clip(escapeMrkdwn(`Fleet sweep of ${r.cluster}: ${line}`), 3000),
    blocks: [
      section(`:mag: *Fleet sweep* of ${inlineCode(r.cluster)}\n${emoji} ${escapeMrkdwn(line)}`),
      context(`${(r.durationMs / 1000).toFixed(1)} s · ${n(r.apiCalls)} API calls · ${n(r.totals.deepCollected)} node(s) collected in depth · report in the thread`),
    ],
  };
}

function groupBlocks(g: FleetGroup, attachments: Attachment[]): KnownBlock[] {
  const shown = g.nodes.slice(0, INLINE_NODES);
  let list = shown.map(inlineCode).join(', ');
  if (g.nodes.length > shown.length) {
    const filename = `fleet-${g.runbookId}-${attachments.length + 1}.txt`;
    attachments.push({ filename, title: `${g.sentence} — all nodes`, content: `${g.sentence}\n\n${g.nodes.join('\n')}\n` });
    list += ` …and ${n(g.nodes.length - shown.length)} more (all in \`${filename}\` below)`;
  }
  return [
    section(`${EMOJI[g.severity]} *${escapeMrkdwn(g.sentence)}*\n${escapeMrkdwn(g.title)}\nNodes: ${list}`),
    context(`${inlineCode(`/cilium diagnose ${shown[0] ?? '<node>'}`)} for details of one node (runbook ${inlineCode(g.runbookId)}, ${g.severity}${g.confirmed ? '' : ', from fleet facts only'})`),
  ];
}

export function renderFleetReport(raw: FleetReport): { messages: SlackMessage[]; attachments: Attachment[]; headline: string } {
  const r = redactDeep(raw);
  const attachments: Attachment[] = [];
  const head: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(neutraliseInvisible(`Fleet sweep of ${r.cluster}`), 150) } },
    context(
      `${n(r.totals.nodes)} nodes · ${n(r.totals.agentsUnhealthy)} agent(s) unhealthy · ${n(r.totals.agentsMissing)} without an agent · ${n(r.totals.notReady)} not Ready · ${n(r.totals.flagged)} flagged, ${n(r.totals.deepCollected)} collected in depth · ${n(r.apiCalls)} API calls in ${(r.durationMs / 1000).toFixed(1)} s`,
    ),
    section(r.groups.length === 0 ? ':large_green_circle: No problem found on any node.' : `*${escapeMrkdwn(headline(r))}*`),
  ];
  const blocks: KnownBlock[] = [...head];
  for (const g of r.groups) blocks.push({ type: 'divider' }, ...groupBlocks(g, attachments));
  const prevention = fleetPrevention(r.groups);
  if (prevention !== null) blocks.push({ type: 'divider' }, ...preventionBlocks(prevention));
  const notes: string[] = r.drift.sentences.map((s) => escapeMrkdwn(s));
  if (r.notCollected > 0) notes.push(`${n(r.notCollected)} more flagged node(s) were not collected in depth (cap); their groups come from fleet facts.`);
  for (const f of r.failures.slice(0, 10)) notes.push(`Deep collection of ${inlineCode(f.node)} failed: ${clip(escapeMrkdwn(f.error), 200)}`);
  for (const u of r.unavailable) notes.push(`Could not read ${clip(escapeMrkdwn(u), 300)}`);
  if (notes.length > 0) blocks.push({ type: 'divider' }, section(`*Drift and notes*\n${notes.map((s) => `• ${s}`).join('\n')}`));

  const fallback = clip(escapeMrkdwn(`Fleet sweep of ${r.cluster}: ${headline(r)}`), 2900);
  const parts: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += MAX_BLOCKS_PER_MESSAGE) parts.push({ text: fallback, blocks: blocks.slice(i, i + MAX_BLOCKS_PER_MESSAGE) });
  const messages = parts.map((m, i) => {
    const fitted = fitMessage(parts.length > 1 ? { ...m, text: `${fallback} (part ${i + 1}/${parts.length})` } : m, `fleet-${i + 1}`);
    attachments.push(...fitted.overflow);
    return fitted.message;
  });
  return { messages, attachments, headline: headline(r) };
}
