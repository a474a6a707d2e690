// The evaluation as Markdown. Every split: top-1, false criticals, cases in which the recogniser recognised nothing,
// the part kinds it recognised and the recall per label. The tune split alone also gets its confusion table and each
// miss: held-out and overall (which contains held-out) show aggregates only, so nobody tunes on held-out by accident.
import { PART_NAMES, type PartKind } from '../../runbooks/engine/pasted/analyze-pasted.ts';
import { NO_FINDING, OTHER_RULE, SPLITS, type Evaluation, type SplitName, type SplitScore } from './evaluate.ts';

const SUMMARY_CHARS = 100;

export function shorten(text: string, max = SUMMARY_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const percent = (n: number) => `${(n * 100).toFixed(1)} %`;

/** The only split whose per-case rows and confusion table are printed. */
export const DETAILED_SPLIT: SplitName = 'tune';

function partKindsLine(s: SplitScore): string {
  const kinds = (Object.entries(s.partKinds) as [PartKind, number][]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return `- part kinds recognised (cases): ${kinds.length === 0 ? 'none' : kinds.map(([k, n]) => `${PART_NAMES[k]} ${n}`).join(', ')}`;
}

function recallLine(s: SplitScore): string {
  const labels = Object.keys(s.recall).sort();
  return `- recall per label (right/cases): ${labels.map((l) => `${l} ${s.recall[l]?.correct ?? 0}/${s.recall[l]?.cases ?? 0}`).join(', ')}`;
}

function splitSection(name: SplitName, s: SplitScore): string[] {
  const lines = [
    `## ${name}`, '',
    `- top-1: ${s.correct}/${s.cases} = ${percent(s.top1)}`,
    `- false criticals on \`other\` cases: ${s.falseCriticals}/${s.otherCases}`,
    `- cases in which the recogniser recognised nothing: ${s.nothingRecognised}`,
    partKindsLine(s),
    recallLine(s),
  ];
  if (name !== DETAILED_SPLIT) {
    return [...lines, '', `Per-case rows are printed for the ${DETAILED_SPLIT} split only.`, ''];
  }
  lines.push('', '| label | analyzer said first (count) |', '|---|---|');
  for (const label of Object.keys(s.confusion).sort()) {
    const row = Object.entries(s.confusion[label] ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    lines.push(`| ${label} | ${row.map(([got, n]) => `${got} (${n})`).join(', ')} |`);
  }
  lines.push('', `Misses (${s.misses.length}):`, '', '| id | label | got | first finding |', '|---|---|---|---|');
  for (const m of s.misses) {
    const said = m.documentError === null ? m.summary : `analysis failed: ${m.documentError}`;
    const got = m.got === NO_FINDING ? m.got : `${m.got} (${m.gotSeverity ?? '?'})`;
    lines.push(`| ${m.id} | ${m.label} | ${got} | ${cell(shorten(said))} |`);
  }
  return [...lines, ''];
}

export function renderEvaluation(scores: Evaluation): string {
  return [
    '# Corpus evaluation (`npm run eval`)', '',
    'Each case in test/corpus/cases is pasted as one text (its evidence blocks, recognised by runbooks/engine/pasted',
    'without the cases\' kind hints) with its stated version, kernel, OS image and config as the flags, and analysed.',
    'Top-1 = the first finding\'s runbook id equals the label; recall per label = the cases of that label that were right.',
    OTHER_RULE,
    `The confusion table and the misses are printed for the ${DETAILED_SPLIT} split only; held-out stays aggregate so that`,
    'no matcher is tuned on it (test/corpus/README.md).', '',
    ...SPLITS.flatMap((name) => splitSection(name, scores[name])),
  ].join('\n');
}
