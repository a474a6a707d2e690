// The order of findings in a report. Severity, then rank (root cause before symptom), with one rule above both: what
// the agent itself said outranks an inference that is not certain. A finding that rests only on version arithmetic,
// an advisory table or config read as implying a failure (basis `inferred`) and is less than certain (a vendor kernel
// without its patch level, an unknown or only stated version) goes below every finding that quotes a line naming its
// cause. Otherwise a known-bad-version warning could head a report whose agent printed the real error. A certain
// inference (a kernel below the floor, read exactly, with the version read from the image) keeps its place.
import type { Finding, Severity } from './contract.ts';

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface RankedFinding {
  finding: Finding;
  /** The runbook's rank: lower = closer to the root cause. */
  rank: number;
}

/** An inference (no line quoted as its basis) that is not certain. */
export function isUncertainInference(f: Finding): boolean {
  return f.basis === 'inferred' && f.confidence !== 'certain';
}

/**
 * A known-bug guess: a version-advisory resting on version arithmetic alone or on a signature seen while the version
 * was not known (confidence below high). It yields to a specific runbook of the same severity, which explains the
 * line or the fact itself (a verifier "program is too large", the agent disabling the bandwidth manager).
 */
export function isTentativeAdvisory(f: Finding): boolean {
  return f.runbookId === 'version-advisory' && (f.confidence === 'medium' || f.confidence === 'low');
}

/**
 * How much a finding guesses, among findings of one tier and severity: a specific finding (0), then a tentative
 * known-bug advisory (1), then the crash-loop fallback (2), which says that nothing recognised the line: a known bug
 * whose panic frame matched did recognise it, even when the version was not read.
 */
function guessOrder(f: Finding): number {
  if (f.runbookId === 'agent-crashloop') return 2;
  return isTentativeAdvisory(f) ? 1 : 0;
}

/**
 * Findings in report order. Tiers rather than a pairwise rule keep the order a total order: when any finding is
 * explicit, uncertain inferences form a second tier; within a tier, severity, then a tentative advisory after the
 * specific findings and the fallback after both, then rank then id.
 */
export function orderFindings(found: readonly RankedFinding[]): Finding[] {
  const agentSaid = found.some((f) => f.finding.basis === 'explicit');
  const tier = (f: Finding): number => (agentSaid && isUncertainInference(f) ? 1 : 0);
  return [...found]
    .sort((a, b) =>
      tier(a.finding) - tier(b.finding) ||
      SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] ||
      guessOrder(a.finding) - guessOrder(b.finding) || a.rank - b.rank ||
      a.finding.runbookId.localeCompare(b.finding.runbookId))
    .map((f) => f.finding);
}

/** A critical finding that explains the agent's crash and may replace the crash-loop fallback: not a mere guess. */
export function explainsCrash(f: Finding): boolean {
  return f.explainsAgentCrash && f.severity === 'critical' && !isUncertainInference(f);
}
