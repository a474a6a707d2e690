// `npm run bench [-- name…]`: runs the benchmarks (all, or those named), prints one table and writes it to
// bench/results/latest.md and latest.json. Figures come from this one run; nothing here is asserted in tests.
import { cpus, totalmem } from 'node:os';
import { benchAck } from './ack.ts';
import { benchOneNode } from './one-node.ts';
import { benchLogMatch } from './log-match.ts';
import { benchLogAdversarial } from './log-adversarial.ts';
import { benchQueue } from './queue.ts';
import { benchFleet } from './fleet.ts';
import { benchWatch } from './watch.ts';
import { renderTable, writeResults, type BenchOutcome, type BenchRow } from './lib/result.ts';

const BENCHES: Record<string, () => Promise<BenchOutcome>> = {
  ack: benchAck,
  'one-node': benchOneNode,
  'log-match': benchLogMatch,
  'log-adversarial': benchLogAdversarial,
  queue: benchQueue,
  fleet: benchFleet,
  watch: benchWatch,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !(w in BENCHES));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
  const started = Date.now();
  const rows: BenchRow[] = [];
  const outcomes: Record<string, BenchOutcome | { error: string }> = {};
  for (const name of names) {
    const run = BENCHES[name];
    if (run === undefined) continue;
    const t0 = performance.now();
    console.log(`\n▶ ${name}`);
    try {
      const outcome = await run();
      outcomes[name] = outcome;
      rows.push(...outcome.rows);
      for (const r of outcome.rows) console.log(`  ${r.what}: ${r.figure} (target ${r.target}; ${r.reference}; ratio ${r.ratio})`);
      for (const n of outcome.notes) console.log(`  · ${n}`);
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      outcomes[name] = { error };
      rows.push({ bench: name, what: 'benchmark failed', figure: 'error', target: '', reference: '', ratio: '', pass: false });
      console.error(`  ${name} failed: ${error}`);
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const durationMs = Date.now() - started;
  const command = `npm run bench${wanted.length > 0 ? ` -- ${wanted.join(' ')}` : ''}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}`;
  console.log(`\n${renderTable(rows)}\n`);
  // Benchmarks named on the command line replace only their own rows; the others stay as last written.
  const path = writeResults(rows, { command, startedAt: new Date(started).toISOString(), durationMs, machine, outcomes }, wanted.length > 0 ? Object.keys(BENCHES) : undefined);
  console.log(`written to ${path} (${(durationMs / 1000).toFixed(0)} s in all)`);
  if (rows.some((r) => r.pass === false)) process.exitCode = 1;
}

await main();
