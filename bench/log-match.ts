// `log-match`: the runbooks' log matching streamed over ~1 GB of realistic agent logs, against
// `grep -E -i -c -f patterns` with the same patterns on the same file. Throughput (MB/s), ratio, peak RSS.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLogFile } from './log-match/generate.ts';
import { runbookLogPatterns, toEre } from './log-match/patterns.ts';
import type { MatchFigures, MatcherMode } from './log-match/matcher-child.ts';
import { fmtMB, fmtMs } from './lib/stats.ts';
import type { BenchOutcome } from './lib/result.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = join(HERE, '.data');
const LOG = join(DATA, 'agent-logs-1g.log');
const CHILD = join(HERE, 'log-match', 'matcher-child.ts');
const TARGET_RATIO = 0.5;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      // grep -c exits 1 when nothing matched; that is still a count.
      if (err !== null && !(cmd.endsWith('time') && err.code === 1)) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

async function grep(patternsFile: string, locale: string): Promise<{ ms: number; matched: number; maxRssKB: number; warnings: string }> {
  // /usr/bin/time -f: elapsed seconds and max RSS (KB) on the last stderr line.
  const r = await run('/usr/bin/time', ['-f', '%e %M', 'grep', '-E', '-i', '-c', '-f', patternsFile, LOG], { ...process.env, LC_ALL: locale });
  const lines = r.stderr.trim().split('\n');
  const [secs, rss] = (lines.pop() ?? '').split(' ');
  return { ms: Number(secs) * 1000, matched: Number(r.stdout.trim()), maxRssKB: Number(rss), warnings: lines.join(' ') };
}

async function matcher(mode: MatcherMode, patterns: string): Promise<MatchFigures> {
  const r = await run(process.execPath, ['--import', 'tsx', CHILD, LOG, mode], { ...process.env, BENCH_PATTERNS: patterns });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as MatchFigures;
}

const mbps = (bytes: number, ms: number) => bytes / (1024 * 1024) / (ms / 1000);

export async function benchLogMatch(): Promise<BenchOutcome> {
  const file = await ensureLogFile(LOG, 1024 ** 3);
  const patterns = runbookLogPatterns();
  const patternsFile = join(DATA, 'runbook-patterns.ere');
  writeFileSync(patternsFile, `${patterns.map((p) => toEre(p.source)).join('\n')}\n`);
  const json = JSON.stringify(patterns.map((p) => ({ source: p.source, flags: p.flags })));

  await run('sh', ['-c', `cat '${LOG}' > /dev/null`], process.env); // page cache warm for every reader
  // grep: best of 3 (the reference gets every benefit of the doubt); the runbook matcher runs once.
  const best = async (locale: string) => {
    const runs = [await grep(patternsFile, locale), await grep(patternsFile, locale), await grep(patternsFile, locale)];
    return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  };
  const grepC = await best('C');
  const grepUtf8 = await grep(patternsFile, 'C.UTF-8');
  const runbook = await matcher('runbook', json);
  const everyLine = await matcher('every-line', json);

  const grepMBs = mbps(file.bytes, grepC.ms);
  const rbMBs = mbps(runbook.bytes, runbook.ms);
  const elMBs = mbps(everyLine.bytes, everyLine.ms);
  const sameMatches = runbook.matched === grepC.matched && runbook.matched === everyLine.matched;
  const rss = (f: MatchFigures) => {
    const s = f.rssSamples.map(([, kb]) => kb);
    const late = s.slice(Math.floor(s.length / 2));
    return `peak RSS ${fmtMB(f.maxRssKB * 1024)}, RSS ${fmtMB(Math.min(...s) * 1024)}–${fmtMB(Math.max(...s) * 1024)} over the run (2nd half ${fmtMB(Math.min(...late) * 1024)}–${fmtMB(Math.max(...late) * 1024)})`;
  };
  return {
    rows: [
      {
        bench: 'log-match', what: `runbook log matching (runbooks/engine/log-scan.ts LogStream), streamed, ${fmtMB(file.bytes)} of agent logs, ${patterns.length} patterns`,
        figure: `${rbMBs.toFixed(0)} MB/s (${fmtMs(runbook.ms)}), ${runbook.matched} lines matched, ${rss(runbook)}`, target: `≥ ${TARGET_RATIO * 100} % of grep, same matches, memory flat`,
        reference: `grep -E -i -c -f: ${grepMBs.toFixed(0)} MB/s (LC_ALL=C, best of 3), ${grepC.matched} lines, peak RSS ${fmtMB(grepC.maxRssKB * 1024)}`,
        ratio: `${((rbMBs / grepMBs) * 100).toFixed(0)} % of grep`, pass: rbMBs / grepMBs >= TARGET_RATIO && sameMatches,
      },
      {
        bench: 'log-match', what: 'same query, every line decoded and parsed (the path before issue 9; reference for the matches)',
        figure: `${elMBs.toFixed(0)} MB/s (${fmtMs(everyLine.ms)}), ${everyLine.matched} lines matched, peak RSS ${fmtMB(everyLine.maxRssKB * 1024)}`, target: '—',
        reference: `grep ${grepMBs.toFixed(0)} MB/s`, ratio: `${((elMBs / grepMBs) * 100).toFixed(0)} % of grep`, pass: null,
      },
    ],
    notes: [
      `File ${LOG.replace(/.*\/bench\//, 'bench/')} (${fmtMB(file.bytes)}, ${runbook.lines} lines; ${file.generatedMs === null ? 'reused' : `generated in ${fmtMs(file.generatedMs)}`}): ~45 % logrus, ~15 % logrus with time="…", ~40 % slog; routine info/debug/warn lines plus 0.05 % real lines from cilium-facts §2. Page cache warm for every reader.`,
      `What is measured is the product's matcher: bench/log-match/matcher-child.ts feeds 1 MiB reads to runbooks/engine/log-scan.ts LogStream with one LogQuery holding every runbook pattern (a line matches when one of them matches its msg + error), the same scan LogText runs for findAgentLines on a collected chunk. The ${patterns.length} patterns are read from the runbooks' source with the TypeScript parser (top-level regex constants and pattern tables of the runbooks that import agent-logs.ts, plus KERNEL_NAMED_PATTERNS), so they cannot drift.`,
      `How it goes fast without changing a match: each pattern's required literals are derived from its source (runbooks/engine/log-literals.ts); one pass over the raw bytes looks up the byte pair ending at every 3rd byte (fewer when a pattern has no literal of 4 characters) in a table of the anchors' pairs, then a hashed 4-byte check, and only a line holding an anchor and its alternative's other literals is decoded, parsed and tested with the real regexes. JSON lines and lines with backslash escapes (their msg/error are not plain substrings) are found with indexOf and handled apart. No whole-file decoding, no per-line split or object for lines that cannot match.`,
      `Where the time goes (node --cpu-prof of the runbook row on this file, when written): ~40 % the pass itself; ~20 % checking anchors and looking for their alternative's other literals on the line (routine lines hold words the patterns need, such as "unable", "program", "failed"); ~10 % lines with backslash escapes, passed over byte by byte; reading ~3 %, line numbers ~2 %, decoding and parsing the candidates < 2 %. The every-line row spends most of its time in parseLogfmt (every field of every line tokenised into an object).`,
      `Matches: runbook matcher ${runbook.matched} lines, every-line reference ${everyLine.matched}, grep ${grepC.matched}${sameMatches ? ' (all equal)' : ' (DIFFERENT: the row fails)'}. grep sees the raw line and the runbooks only msg + error, and grep -i makes the two case-sensitive kernel-version patterns insensitive, so equality is a property of this corpus, checked here. grep in C.UTF-8 (this machine's locale): ${mbps(file.bytes, grepUtf8.ms).toFixed(0)} MB/s${grepC.warnings !== '' ? `; grep said: ${grepC.warnings}` : ''}. Ratio is against the faster LC_ALL=C grep.`,
    ],
    data: { file, grepC, grepUtf8, runbook: { ...runbook, rssSamples: undefined }, everyLine: { ...everyLine, rssSamples: undefined }, grepMBs, rbMBs, elMBs },
  };
}
