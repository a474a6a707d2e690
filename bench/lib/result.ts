// One row of the benchmark table, and how the table is printed and saved (bench/results/latest.md + .json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  bench: string;
  what: string;
  figure: string;
  target: string;
  reference: string;
  ratio: string;
  /** null: informational, no target to pass or fail. */
  pass: boolean | null;
}

export interface BenchOutcome {
  rows: BenchRow[];
  /** Extra lines for the report (what was measured, caveats). */
  notes: string[];
  /** Raw numbers for the JSON file. */
  data: Record<string, unknown>;
}

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

function verdict(pass: boolean | null): string {
  return pass === null ? 'info' : pass ? 'PASS' : 'FAIL';
}

export function renderTable(rows: readonly BenchRow[]): string {
  const head = ['bench', 'what', 'figure', 'target', 'reference (same run)', 'ratio', 'result'];
  const body = rows.map((r) => [r.bench, r.what, r.figure, r.target, r.reference, r.ratio, verdict(r.pass)]);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((c) => `| ${c.map(esc).join(' | ')} |`)].join('\n');
}

export interface RunSummary {
  command: string;
  startedAt: string;
  durationMs: number;
  machine: string;
  outcomes: Record<string, BenchOutcome | { error: string }>;
}

export function writeResults(rows: readonly BenchRow[], summary: RunSummary): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const notes = Object.entries(summary.outcomes).flatMap(([name, o]) =>
    'error' in o ? [`- **${name}** failed: ${o.error}`] : o.notes.map((n) => `- **${name}**: ${n}`),
  );
  const md = [
    '# cilium-runbook benchmarks',
    '',
    `Command: \`${summary.command}\` — started ${summary.startedAt}, took ${(summary.durationMs / 1000).toFixed(0)} s on ${summary.machine}.`,
    '',
    renderTable(rows),
    '',
    '## Notes',
    '',
    ...notes,
    '',
  ].join('\n');
  const mdPath = join(RESULTS_DIR, 'latest.md');
  writeFileSync(mdPath, md);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify({ ...summary, rows }, null, 2)}\n`);
  return mdPath;
}
