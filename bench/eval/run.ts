// `npm run eval`: evaluates the corpus, prints the Markdown and writes bench/results/eval.md.
// `--write-baseline` also records the figures in bench/eval/baseline.json (do it only when a change is meant to move them).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_FILE, baselineOf } from './baseline.ts';
import { evaluate } from './evaluate.ts';
import { loadCorpus } from './load-corpus.ts';
import { renderEvaluation } from './render.ts';

const RESULTS_FILE = join(import.meta.dirname, '..', 'results', 'eval.md');

const { scores } = evaluate(loadCorpus());
const markdown = renderEvaluation(scores);
process.stdout.write(markdown);
writeFileSync(RESULTS_FILE, markdown);
process.stdout.write(`\nwrote ${RESULTS_FILE}\n`);
if (process.argv.includes('--write-baseline')) {
  writeFileSync(BASELINE_FILE, `${JSON.stringify(baselineOf(scores), null, 2)}\n`);
  process.stdout.write(`wrote ${BASELINE_FILE}\n`);
}
