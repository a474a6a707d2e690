// The evaluation as Markdown: per split the top-1, false criticals, the confusion table and each miss.
import { NO_FINDING, OTHER_RULE, SPLITS, type Evaluation, type SplitScore } from './evaluate.ts';

const SUMMARY_CHARS = 100;

export function shorten(text: string, max = SUMMARY_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const percent = (n: number) => `${(n * 100).toFixed(1)} %`;

function splitSection(name: string, s: SplitScore): string[] {
  const lines = [
    `## ${name}`, '',
    `- top-1: ${s.correct}/${s.cases} = ${percent(s.top1)}`,
    `- false criticals on \`other\` cases: ${s.falseCriticals}/${s.otherCases}`,
    `- cases where the paste recogniser found no part it reads: ${s.onlyUnreadEvidence}`,
    '', '| label | analyzer said first (count) |', '|---|---|',
  ];
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
    'Top-1 = the first finding\'s runbook id equals the label.', OTHER_RULE, '',
    ...SPLITS.flatMap((name) => splitSection(name, scores[name])),
  ].join('\n');
}
