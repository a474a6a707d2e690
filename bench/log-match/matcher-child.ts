// Streams a log file through the runbooks' log matching and prints one JSON line of figures. Run as its own process
// so its peak RSS is its own. `runbook` mode is the product's matcher itself: runbooks/engine/log-scan.ts LogStream (the
// scan LogText runs for findAgentLines) over 1 MiB reads, with a LogQuery of every runbook pattern. `every-line`
// mode is the reference it must agree with: decode and parseLogLine every line, then the same query's test.
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseLogLine } from '../../runbooks/engine/log-parser.ts';
import { compileLogQuery, type LogQuery } from '../../runbooks/engine/log-query.ts';
import { LogStream } from '../../runbooks/engine/log-scan.ts';

export type MatcherMode = 'runbook' | 'every-line';

export interface MatchFigures {
  mode: MatcherMode;
  bytes: number;
  lines: number;
  matched: number;
  ms: number;
  maxRssKB: number;
  /** RSS sampled every 250 ms: [ms since start, KB]. */
  rssSamples: [number, number][];
}

const [path, mode = 'runbook'] = process.argv.slice(2);
if (path === undefined || (mode !== 'runbook' && mode !== 'every-line')) throw new Error('usage: matcher-child.ts <file> [runbook|every-line]');
// The patterns come from the parent (patterns.ts reads them from the runbooks' source with the TypeScript compiler,
// which this process need not load).
const given = JSON.parse(process.env.BENCH_PATTERNS ?? '[]') as { source: string; flags: string }[];
if (given.length === 0) throw new Error('BENCH_PATTERNS is empty');
const query: LogQuery = { text: given.map((p) => new RegExp(p.source, p.flags)) };

const t0 = performance.now();
const rssSamples: [number, number][] = [];
const sampler = setInterval(() => rssSamples.push([Math.round(performance.now() - t0), Math.round(process.memoryUsage.rss() / 1024)]), 250);
let bytes = 0;
let lines = 0;
let matched = 0;
const input = createReadStream(path, { highWaterMark: 1 << 20 });
if (mode === 'runbook') {
  const stream = new LogStream(query, () => {
    matched++;
  });
  for await (const chunk of input) {
    bytes += (chunk as Buffer).length;
    stream.write(chunk as Buffer);
  }
  stream.end();
  lines = stream.lines;
} else {
  const test = compileLogQuery(query).test;
  const matchLine = (raw: string) => {
    if (test(parseLogLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw, ++lines))) matched++;
  };
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of input) {
    bytes += (chunk as Buffer).length;
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      matchLine(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') matchLine(rest);
}
clearInterval(sampler);
const figures: MatchFigures = { mode, bytes, lines, matched, ms: performance.now() - t0, maxRssKB: process.resourceUsage().maxRSS, rssSamples };
process.stdout.write(`${JSON.stringify(figures)}\n`);
