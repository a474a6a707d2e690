// Streams a log file through the runbooks' matching and prints one JSON line of figures. Run as its own process so
// its peak RSS is its own. The runbooks only work on in-memory strings (findAgentLines over a collected chunk), so
// this applies the same thing line by line: parseLogLine → lineText → every runbook pattern (`runbook` mode); or a
// single combined regex on the raw line first and the parser only for candidates (`prefilter` mode, informative).
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parseLogLine } from '../../runbooks/log-parser.ts';
import { lineText } from '../../runbooks/agent-logs.ts';

export interface MatchFigures {
  mode: string;
  bytes: number;
  lines: number;
  matched: number;
  ms: number;
  maxRssKB: number;
  /** RSS sampled every 250 ms: [ms since start, KB]. */
  rssSamples: [number, number][];
}

const [path, mode = 'runbook'] = process.argv.slice(2);
if (path === undefined) throw new Error('usage: matcher-child.ts <file> [runbook|prefilter]');
// The patterns come from the parent (patterns.ts reads them from the runbooks' source with the TypeScript compiler,
// which this process need not load).
const given = JSON.parse(process.env.BENCH_PATTERNS ?? '[]') as { source: string; flags: string }[];
if (given.length === 0) throw new Error('BENCH_PATTERNS is empty');
const patterns = given.map((p) => new RegExp(p.source, p.flags));
const combined = new RegExp(given.map((p) => `(?:${p.source})`).join('|'), 'i');

let lines = 0;
let matched = 0;
const matchLine = (raw: string): void => {
  lines++;
  if (mode === 'prefilter' && !combined.test(raw)) return;
  const text = lineText(parseLogLine(raw, lines));
  for (const re of patterns) {
    if (re.test(text)) {
      matched++;
      return;
    }
  }
};

const t0 = performance.now();
const rssSamples: [number, number][] = [];
const sampler = setInterval(() => rssSamples.push([Math.round(performance.now() - t0), Math.round(process.memoryUsage.rss() / 1024)]), 250);
const decoder = new StringDecoder('utf8');
let rest = '';
let bytes = 0;
for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
  const buf = chunk as Buffer;
  bytes += buf.length;
  const text = rest + decoder.write(buf);
  let start = 0;
  for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
    matchLine(text.slice(start, nl));
    start = nl + 1;
  }
  rest = text.slice(start);
}
rest += decoder.end();
if (rest !== '') matchLine(rest);
clearInterval(sampler);
const figures: MatchFigures = { mode, bytes, lines, matched, ms: performance.now() - t0, maxRssKB: process.resourceUsage().maxRSS, rssSamples };
process.stdout.write(`${JSON.stringify(figures)}\n`);
