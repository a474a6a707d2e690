// The known-issue table: every area's entries, validated once when the module loads (a bad range, link or a
// duplicate id throws here, naming the entry), so the runbook only ever sees well-formed data.
import { AGENT_REGRESSIONS } from './agent-regressions.ts';
import { KERNEL_COMBINATIONS } from './kernel-combinations.ts';
import { PANICS } from './panics.ts';
import { PROBE_REGRESSIONS } from './probe-regressions.ts';
import { SILENT_REGRESSIONS } from './silent-regressions.ts';
import { validateKnownIssues, type KnownIssue } from './schema.ts';

export const KNOWN_ISSUES: readonly KnownIssue[] = validateKnownIssues([...AGENT_REGRESSIONS, ...PANICS, ...PROBE_REGRESSIONS, ...KERNEL_COMBINATIONS, ...SILENT_REGRESSIONS]);

export { matchKnownIssues, affects, isFixed, findSignature, type KnownIssueMatch } from './match.ts';
export type { KnownIssue, Signature, SignatureSource } from './schema.ts';
