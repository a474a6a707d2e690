// Crafted agent logs and their ordinary counterpart, 2 MiB each: crafted lines of ~65 KB (the parser's cap) made
// of one runbook phrase repeated (after another phrase of the same pattern, so a line holds every literal the
// pattern needs and is parsed and tested), and realistic agent lines from the log-match corpus.
import { requiredLiterals } from '../../runbooks/engine/log-literals.ts';
import { logLine, rng } from './corpus.ts';

export const LOG_BYTES = 2 * 1024 * 1024;
const LINE_CHARS = 65_000;

/** Realistic agent lines (the log-match corpus), to 2 MiB. */
export function ordinaryLog(): string {
  const r = rng(17);
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < LOG_BYTES; i++) {
    const line = logLine(r, i);
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return `${lines.join('\n')}\n`;
}

export interface CraftedLog {
  /** What the lines are made of, for the table. */
  label: string;
  text: string;
}

/** The issue's own example: `Unable to create map.` repeated, 32 lines of ~65 KB. */
const ISSUE_EXAMPLE = { unit: 'Unable to create map.', head: '' };

/**
 * For each pattern: each literal (runbooks/engine/log-literals.ts) and each plain run of its source (`Garbage collection on
 * `, spaces kept) repeated, after the pattern's other literals once; 2 MiB of such lines.
 */
export function craftedLogs(patterns: readonly RegExp[]): CraftedLog[] {
  const units = new Map<string, string>([[ISSUE_EXAMPLE.unit, ISSUE_EXAMPLE.head]]);
  for (const re of patterns) {
    for (const alt of requiredLiterals(re) ?? []) {
      for (const lit of alt) if (!units.has(`${lit} `)) units.set(`${lit} `, alt.filter((l) => l !== lit).join(' '));
      for (const run of plainRuns(re.source)) if (!units.has(run)) units.set(run, alt.join(' '));
    }
  }
  return [...units].map(([unit, head]) => {
    const times = Math.floor(LINE_CHARS / unit.length);
    const line = `level=error msg="${head === '' ? '' : `${head} `}${unit.repeat(times)}" subsys=daemon`;
    const label = `${JSON.stringify(unit)} × ${times}${head === '' ? '' : ` after ${JSON.stringify(head)}`}`;
    return { label, text: `${Array.from({ length: Math.ceil(LOG_BYTES / line.length) }, () => line).join('\n')}\n` };
  });
}

/** Runs of plain characters (spaces included) of a regex source, 4 or more long: the phrases a line may repeat. */
function plainRuns(source: string): string[] {
  return source.replace(/\\[dDsSwWbB]/g, '`').replace(/\\(.)/g, '$1').split(/[`[\]().*+?{}|^$]+/).filter((r) => r.trim().length >= 4);
}
