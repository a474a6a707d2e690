// The shape of one corpus case (test/corpus/cases/<id>.yaml): a public thread, its verbatim evidence and the label
// the thread itself concluded. zod is the one source of both the check and the type (style: schemas at boundaries).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { RUNBOOKS } from '../../runbooks/catalogue/registry.ts';

export const CASES_DIR = join(import.meta.dirname, 'cases');

/** A case's label: a runbook id, or `other` for noise (the tool must not claim a specific critical cause). */
export const LABELS: readonly string[] = [...RUNBOOKS.map((r) => r.id), 'other'];

export const EVIDENCE_KINDS = [
  'agent-log', 'init-log', 'operator-log', 'cilium-status', 'hubble-observe', 'iptables-save', 'events',
  'describe-pod', 'describe-node', 'dmesg', 'kubectl-get', 'other',
] as const;

/** Public places a thread may come from; a case from elsewhere is a typo or an unreviewed source. */
const SOURCE_HOSTS = /^https:\/\/(github\.com|stackoverflow\.com|serverfault\.com|superuser\.com|unix\.stackexchange\.com|discuss\.kubernetes\.io|cilium\.slack\.com|[a-z0-9.-]+\.[a-z]{2,})\//;

const evidenceBlock = z.object({
  kind: z.enum(EVIDENCE_KINDS),
  text: z.string().refine((t) => t.trim().length > 0, 'evidence text is empty: quote the thread verbatim'),
}).strict();

export const corpusCase = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'id is kebab-case: <source>-<repo?>-<number>'),
  source: z.string().regex(SOURCE_HOSTS, 'source is the https URL of the public thread'),
  comment: z.string().url().optional(),
  title: z.string().min(1),
  split: z.enum(['tune', 'held-out']),
  label: z.string().refine((l) => LABELS.includes(l), 'label is a runbook id (runbooks/catalogue/registry.ts) or other'),
  why: z.string().min(10),
  otherCause: z.string().min(3).optional(),
  proposedLabel: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).optional(),
  // fixedIn only when the thread or the fix names the release: an unread release is unknown, never guessed.
  knownIssue: z.object({ fixedIn: z.string().regex(/^\d+\.\d+\.\d+$/).optional(), link: z.string().url() }).strict().optional(),
  stated: z.object({
    ciliumVersion: z.string().optional(),
    kernel: z.string().optional(),
    osImage: z.string().optional(),
    platform: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    config: z.record(z.string(), z.string()).optional(),
  }).strict().optional(),
  evidence: z.array(evidenceBlock).min(1),
}).strict()
  .refine((c) => c.label !== 'other' || c.otherCause !== undefined, 'an `other` case says its otherCause')
  .refine((c) => c.label === 'other' || c.otherCause === undefined, 'otherCause belongs to `other` cases only')
  .refine((c) => c.label !== 'version-advisory' || c.knownIssue !== undefined, 'a version-advisory case names knownIssue');

export type CorpusCase = z.infer<typeof corpusCase>;

/** The thread's number (issue, PR, question id): the last run of digits in the id. */
export function threadNumber(id: string): string {
  const m = /(\d+)$/.exec(id);
  if (!m?.[1]) throw new Error(`case id "${id}" does not end in the thread's number; name it <source>-<number>`);
  return m[1];
}

/** The split rule, fixed before any tuning: last digit 0-3 is held out (~40 %), the rest is for tuning. */
export function splitFor(id: string): 'tune' | 'held-out' {
  return /[0-3]$/.test(threadNumber(id)) ? 'held-out' : 'tune';
}

export interface LoadedCase { file: string; raw: unknown }

export function loadCaseFiles(dir: string = CASES_DIR): LoadedCase[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .map((file) => ({ file, raw: parse(readFileSync(join(dir, file), 'utf8')) as unknown }));
}
