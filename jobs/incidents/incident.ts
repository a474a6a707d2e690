// The incident: a durable record of one node's trouble, keyed INC-<n>, whose Slack thread is its timeline.
import { z } from 'zod';

export const IncidentIdSchema = z.string().regex(/^INC-[1-9][0-9]{0,9}$/, 'an incident id looks like INC-12');

// recovered: the watch saw every node of the incident healthy again; a person still resolves it.
export const IncidentStatusSchema = z.enum(['investigating', 'mitigating', 'recovered', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatusSchema>;

export const TimelineKindSchema = z.enum([
  'opened',
  'diagnosis-requested',
  'diagnosis-posted',
  'diagnosis-failed',
  'note',
  'status-changed',
  'remediation',
]);
export type TimelineKind = z.infer<typeof TimelineKindSchema>;

export const TimelineEntrySchema = z.object({
  /** Position in the timeline, from 1; assigned by the store atomically. */
  seq: z.number().int().positive(),
  /** ISO 8601 with zone (UTC), e.g. 2026-11-23T03:12:45.120Z. */
  at: z.iso.datetime(),
  /** A Slack user id, or "bot". */
  actor: z.string().min(1),
  kind: TimelineKindSchema,
  text: z.string(),
  links: z.array(z.object({ title: z.string(), url: z.string() })).default([]),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;
export type NewTimelineEntry = Omit<TimelineEntry, 'seq' | 'at' | 'links'> & { at?: string; links?: TimelineEntry['links'] };

/** What one diagnosis found, kept per run so the next run can say what changed. */
export const RunSummarySchema = z.object({
  run: z.number().int().positive(),
  at: z.iso.datetime(),
  findings: z.array(z.object({ runbookId: z.string(), severity: z.string(), title: z.string() })),
  /** Numbers and short facts worth comparing between runs (restarts, stuck pods, rule counts, versions). */
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const IncidentSchema = z.object({
  id: IncidentIdSchema,
  cluster: z.string(),
  node: z.string(),
  channelId: z.string(),
  /** The root message; empty until it is posted. */
  threadTs: z.string(),
  status: IncidentStatusSchema,
  openedBy: z.string(),
  openedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** e.g. "kernel-too-old: Kernel 4.14 is below …"; empty before the first report. */
  topFinding: z.string(),
  severity: z.enum(['critical', 'warning', 'info', 'healthy', 'unknown']),
  runs: z.number().int().nonnegative(),
});
export type Incident = z.infer<typeof IncidentSchema>;
