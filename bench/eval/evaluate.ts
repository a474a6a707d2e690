// The corpus evaluation, pure: cases in, scores out. Shared by `npm run eval` and the regression gate.
import type { Report } from '../../runbooks/engine/contract.ts';
import { analyzePastedText, type PartKind } from '../../runbooks/engine/pasted/analyze-pasted.ts';
import type { CorpusCase } from '../../test/corpus/corpus-case.ts';
import { casePaste } from './case-document.ts';

export const SPLITS = ['tune', 'held-out', 'overall'] as const;
export type SplitName = (typeof SPLITS)[number];

/** What the analyzer said first when it found nothing. */
export const NO_FINDING = '(none)';

/** The scoring rule for noise, printed with every result so the number is read the way it was computed. */
export const OTHER_RULE =
  'For `other` cases, top-1 is right when no finding is critical: the tool must not claim a specific critical cause.';

export interface CaseOutcome {
  id: string;
  split: 'tune' | 'held-out';
  label: string;
  /** The first finding's runbook id, or NO_FINDING. */
  got: string;
  gotSeverity: string | null;
  summary: string;
  correct: boolean;
  /** An `other` case on which some finding was critical. */
  falseCritical: boolean;
  /** The recogniser recognised no part of the pasted evidence. */
  nothingRecognised: boolean;
  /** The analysis threw (its message), scored as NO_FINDING. */
  documentError: string | null;
  /** Labels of the parts the recogniser found, e.g. "cilium-dbg status". */
  recognised: string[];
  /** The kinds of those parts, each once. */
  recognisedKinds: PartKind[];
}

export interface SplitScore {
  cases: number;
  correct: number;
  top1: number;
  otherCases: number;
  falseCriticals: number;
  nothingRecognised: number;
  /** part kind → cases in which the recogniser found a part of that kind. */
  partKinds: Partial<Record<PartKind, number>>;
  /** label → cases with that label and how many of them were right. */
  recall: Record<string, { correct: number; cases: number }>;
  /** label → what the analyzer said first → count. */
  confusion: Record<string, Record<string, number>>;
  misses: CaseOutcome[];
}

export type Evaluation = Record<SplitName, SplitScore>;

export function evaluateCase(c: CorpusCase): CaseOutcome {
  const { text, facts } = casePaste(c);
  let findings: Report['findings'] = [];
  let recognised: string[] = [];
  let recognisedKinds: PartKind[] = [];
  let documentError: string | null = null;
  try {
    const r = analyzePastedText(text, facts);
    findings = r.report.findings;
    recognised = r.parts.map((p) => p.label);
    recognisedKinds = [...new Set(r.parts.map((p) => p.kind))];
  } catch (err) {
    documentError = err instanceof Error ? err.message : String(err);
  }
  const first = findings[0];
  const anyCritical = findings.some((f) => f.severity === 'critical');
  const got = first?.runbookId ?? NO_FINDING;
  const correct = c.label === 'other' ? !anyCritical : got === c.label;
  return {
    id: c.id, split: c.split, label: c.label, got, gotSeverity: first?.severity ?? null,
    summary: first?.summary ?? '', correct, falseCritical: c.label === 'other' && anyCritical,
    nothingRecognised: recognised.length === 0, documentError, recognised, recognisedKinds,
  };
}

export function scoreOutcomes(outcomes: readonly CaseOutcome[]): SplitScore {
  const confusion: Record<string, Record<string, number>> = {};
  const recall: Record<string, { correct: number; cases: number }> = {};
  const partKinds: Partial<Record<PartKind, number>> = {};
  for (const o of outcomes) {
    const row = (confusion[o.label] ??= {});
    row[o.got] = (row[o.got] ?? 0) + 1;
    const r = (recall[o.label] ??= { correct: 0, cases: 0 });
    r.cases++;
    if (o.correct) r.correct++;
    for (const k of o.recognisedKinds) partKinds[k] = (partKinds[k] ?? 0) + 1;
  }
  const correct = outcomes.filter((o) => o.correct).length;
  return {
    cases: outcomes.length,
    correct,
    top1: outcomes.length === 0 ? 0 : correct / outcomes.length,
    otherCases: outcomes.filter((o) => o.label === 'other').length,
    falseCriticals: outcomes.filter((o) => o.falseCritical).length,
    nothingRecognised: outcomes.filter((o) => o.nothingRecognised).length,
    partKinds,
    recall,
    confusion,
    misses: outcomes.filter((o) => !o.correct),
  };
}

export function evaluate(cases: readonly CorpusCase[]): { outcomes: CaseOutcome[]; scores: Evaluation } {
  const outcomes = cases.map(evaluateCase);
  return {
    outcomes,
    scores: {
      tune: scoreOutcomes(outcomes.filter((o) => o.split === 'tune')),
      'held-out': scoreOutcomes(outcomes.filter((o) => o.split === 'held-out')),
      overall: scoreOutcomes(outcomes),
    },
  };
}
