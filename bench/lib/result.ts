// One row of the benchmark table, and how the table is printed and saved (bench/results/latest.md + .json).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** Later runs of some benchmarks only, whose rows replaced those benchmarks' rows. */
  reruns?: Array<Omit<RunSummary, 'outcomes' | 'reruns'> & { benches: string[] }>;
}

function rowsOf(name: string, o: BenchOutcome | { error: string }): BenchRow[] {
  return 'error' in o ? [{ bench: name, what: 'benchmark failed', figure: 'error', target: '', reference: '', ratio: '', pass: false }] : o.rows;
}

/**
 * The saved run with this run's benchmarks replaced (in `order`): the rows of benchmarks not run this time stay as
 * they were measured, and the header says which rows come from which run.
 */
function mergeWithSaved(summary: RunSummary, order: readonly string[]): { summary: RunSummary; rows: BenchRow[] } | null {
  const path = join(RESULTS_DIR, 'latest.json');
  if (!existsSync(path)) return null;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as RunSummary;
  const ran = Object.keys(summary.outcomes);
  const outcomes: RunSummary['outcomes'] = {};
  for (const name of order) {
    const o = summary.outcomes[name] ?? saved.outcomes[name];
    if (o !== undefined) outcomes[name] = o;
  }
  const { outcomes: _ours, reruns: _none, ...run } = summary;
  const merged: RunSummary = {
    ...saved,
    outcomes,
    reruns: [...(saved.reruns ?? []).filter((r) => r.benches.some((b) => !ran.includes(b))), { ...run, benches: ran }],
  };
  return { summary: merged, rows: Object.entries(outcomes).flatMap(([name, o]) => rowsOf(name, o)) };
}

export function writeResults(rows: readonly BenchRow[], run: RunSummary, mergeOrder?: readonly string[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const merged = mergeOrder === undefined ? null : mergeWithSaved(run, mergeOrder);
  const summary = merged?.summary ?? run;
  if (merged !== null) rows = merged.rows;
  const reruns = (summary.reruns ?? []).map((r) => `Rows of ${r.benches.join(', ')}: \`${r.command}\` — started ${r.startedAt}, took ${(r.durationMs / 1000).toFixed(0)} s on ${r.machine}.`);
  const notes = Object.entries(summary.outcomes).flatMap(([name, o]) =>
    'error' in o ? [`- **${name}** failed: ${o.error}`] : o.notes.map((n) => `- **${name}**: ${n}`),
  );
  const md = [
    '# cilium-runbook benchmarks',
    '',
    `Command: \`${summary.command}\` — started ${summary.startedAt}, took ${(summary.durationMs / 1000).toFixed(0)} s on ${summary.machine}.`,
    ...(reruns.length > 0 ? ['', ...reruns] : []),
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
