// What a known Cilium bug is, as data: where its signature shows, which releases it affects and which fix it, what
// to do about it, and where upstream says so. The arrays in this folder are checked against KnownIssueSchema when
// the module loads (index.ts), so a malformed range, link or duplicate id fails at startup and in the schema test,
// not in the middle of a diagnosis.
import semver from 'semver';
import { z } from 'zod';
import type { Evidence } from '../../engine/evidence.ts';
import type { KernelTriple } from '../../engine/kernel-version.ts';

/**
 * Where a signature shows:
 * - `agent-log`: msg + error of the agent's (and its failing init containers') log lines, every format the parser
 *   reads; plain lines (panics, stack frames) are matched as a whole. Operator log text pasted with the agent's is
 *   searched the same way.
 * - `kernel-log`: whole lines of the node's kernel log (`dmesg`, Talos `kern:` lines).
 * - `agent-status`: lines of `cilium-dbg status` as the agent printed it.
 * - `events`: Kubernetes event messages about the node's pods (kubelet's CNI errors).
 */
export const SignatureSourceSchema = z.enum(['agent-log', 'kernel-log', 'agent-status', 'events']);
export type SignatureSource = z.infer<typeof SignatureSourceSchema>;

const httpsUrl = z.string().url().refine((u) => u.startsWith('https://'), 'links are https URLs');
const regex = z.custom<RegExp>((v) => v instanceof RegExp && !v.global && !v.sticky, 'a RegExp without the g or y flag');
const validRange = z.string().refine((r) => semver.validRange(r, { includePrerelease: true }) !== null, 'a valid semver range');
const validVersion = z.string().refine((v) => semver.valid(v) !== null, 'a full semver version, e.g. 1.15.5');

export const SignatureSchema = z.object({
  source: SignatureSourceSchema,
  pattern: regex,
  /**
   * agent-log only: test `pattern` on the whole raw line instead of msg + error, for signatures that live in another
   * field (an iptables `cmd=`). Such a query cannot be pre-filtered by literals, so use it sparingly.
   */
  wholeLine: z.boolean().optional(),
  /** The line as the thread prints it, verbatim (the schema test runs `pattern` on it through the log parser). */
  quote: z.string().min(1),
  /** The thread, comment or PR the quote is copied from. */
  quotedAt: httpsUrl,
});
export type Signature = z.infer<typeof SignatureSchema>;

/** A kernel constraint: what it says in words (for the report) and the test on `uname -r` and the upstream triple. */
export interface KernelConstraint {
  describe: string;
  test: (raw: string, effective: KernelTriple) => boolean;
}

/** A configuration or platform constraint; null = cannot tell from the evidence (the entry is then not reported). */
export interface EvidenceConstraint {
  describe: string;
  test: (e: Evidence) => boolean | null;
}

export const KnownIssueSchema = z.object({
  /** Stable, kebab-case; reports and tests key on it. */
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  /** What goes wrong, in a few words a human recognises. */
  title: z.string().min(8),
  /** Affected Cilium releases (semver range, pre-releases included when named). */
  cilium: validRange,
  /** Releases that carry the fix, one per branch — only where upstream says so; otherwise absent and `fix` gives the workaround. */
  fixedIn: z.array(validVersion).min(1).optional(),
  kernel: z.custom<KernelConstraint>((v) => typeof v === 'object' && v !== null && typeof (v as KernelConstraint).test === 'function').optional(),
  when: z.custom<EvidenceConstraint>((v) => typeof v === 'object' && v !== null && typeof (v as EvidenceConstraint).test === 'function').optional(),
  /** The line that tells this bug apart; absent for pure version × kernel × config advisories. */
  signature: SignatureSchema.optional(),
  /**
   * Reported on version (× kernel × config) alone, at this severity, when the signature is absent or did not match.
   * Absent: reported only when the signature matched. Never critical: arithmetic alone must not outrank an explicit
   * fatal error another runbook quotes.
   */
  versionOnly: z.enum(['warning', 'info']).optional(),
  /**
   * The thread says the agent dies of it and no other runbook reads the line as its own failure: a signature match on
   * an affected version is then critical and explains the agent's crash. Otherwise a match is a warning that names the
   * bug beside whatever the specific runbook reports.
   */
  explainsCrash: z.boolean(),
  /** Runbook ids whose reading of the same line this bug corrects (the thread showed it was this bug, not that cause). */
  supersedes: z.array(z.string()).optional(),
  links: z.object({ issue: httpsUrl, fix: z.array(httpsUrl).optional() }),
  /** What to do: the fixed release, or the thread's workaround. */
  fix: z.string().min(8),
}).refine((k) => k.signature !== undefined || k.versionOnly !== undefined, 'an issue without a signature must be reported on version alone (versionOnly)')
  .refine((k) => !(k.fixedIn ?? []).some((f) => semver.satisfies(f, k.cilium, { includePrerelease: true })), 'a fixedIn release must lie outside the affected range');

export type KnownIssue = z.infer<typeof KnownIssueSchema>;

/** Validates the whole table: every entry, and ids unique across it. Throws with every problem listed. */
export function validateKnownIssues(entries: readonly KnownIssue[]): readonly KnownIssue[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const r = KnownIssueSchema.safeParse(entry);
    if (!r.success) problems.push(`${entry.id ?? `#${i}`}: ${r.error.issues.map((x) => `${x.path.join('.') || '(entry)'} ${x.message}`).join('; ')}`);
    if (seen.has(entry.id)) problems.push(`${entry.id}: duplicate id`);
    seen.add(entry.id);
  }
  if (problems.length > 0) throw new Error(`known-issues table is invalid — fix these entries: ${problems.join(' | ')}`);
  return entries;
}
