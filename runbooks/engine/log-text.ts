// A collected log chunk as the runbooks match it (agent-logs.ts keeps one per chunk for a whole diagnosis): the text
// is encoded once and every line parsed is kept, so no line is parsed twice whatever the runbooks ask. The scan
// itself is log-scan.ts. Chunks are small (a tail of 2000 lines by default) and asked the same queries, so a query's
// plan is made once, from the first chunk that asks it, and reused for every chunk after (plans hold 192 KB of
// tables: one per chunk and query would weigh megabytes per diagnosis). A query whose prefilter would miss lines
// the parser gives a level (levelPrefilterSound) is answered by parsing every line instead (still once per line).
import { Buffer } from 'node:buffer';
import { buildPlan, LogSample, type Plan } from './log-plan.ts';
import { iterateLines, LEVEL_LITERALS, parseLogLine, type LogLine } from './log-parser.ts';
import { compileLogQuery, type CompiledLogQuery, type LogQuery } from './log-query.ts';
import { Scan, type OnLogLine } from './log-scan.ts';

/** Plans by query, whichever chunk they were made from (they only affect speed). */
const plans = new WeakMap<CompiledLogQuery, Plan>();

/**
 * Whether a line the parser gives one of a level-only query's levels always passes the query's literal prefilter:
 * each spelling of those levels (LEVEL_LITERALS, e.g. klog's `E1`, logrus' `FATA`) holds every literal of one of
 * the query's alternatives. Queries with text are prefiltered on their text's literals, which msg and error hold.
 */
export function levelPrefilterSound(q: CompiledLogQuery): boolean {
  const { text, level } = q.query;
  const required = q.required;
  if (text !== undefined || level === undefined || required === null) return true;
  return level.every((l) => LEVEL_LITERALS[l].every((spelling) => required.some((alt) => alt.every((lit) => spelling.includes(lit)))));
}

/** A collected log, matched many times (a diagnosis asks ~20 queries of each chunk). */
export class LogText {
  private readonly bytes: Buffer | null;
  private readonly parsed = new Map<number, LogLine>();
  private sample: LogSample | null = null;

  constructor(private readonly text: string) {
    // Bytes decode back to the same lines unless the text has a lone surrogate (never so for decoded UTF-8).
    this.bytes = /[\uD800-\uDFFF]/.test(text) && /\p{Cs}/u.test(text) ? null : Buffer.from(text, 'utf8');
  }

  /** Calls onLine with each matching line, first to last, until it returns false. */
  scan(query: LogQuery, onLine: OnLogLine): void {
    const q = compileLogQuery(query);
    if (this.bytes !== null) {
      let plan = plans.get(q);
      if (plan === undefined) {
        this.sample ??= new LogSample(this.bytes, 0, this.bytes.length);
        plan = buildPlan(q, this.sample);
        if (!levelPrefilterSound(q)) plan = { ...plan, everyLine: true };
        plans.set(q, plan);
      }
      new Scan(this.bytes, 0, this.bytes.length, 1, plan, onLine, this.parsed).run();
      return;
    }
    for (const { lineNumber, raw } of iterateLines(this.text)) {
      let line = this.parsed.get(lineNumber);
      if (line === undefined) {
        line = parseLogLine(raw, lineNumber);
        this.parsed.set(lineNumber, line);
      }
      if (q.test(line) && onLine(line) === false) return;
    }
  }

  /** The first `limit` matching lines. */
  find(query: LogQuery, limit: number): LogLine[] {
    const out: LogLine[] = [];
    if (limit > 0) this.scan(query, (l) => out.push(l) < limit);
    return out;
  }

  /** The last `n` matching lines. */
  last(query: LogQuery, n: number): LogLine[] {
    const ring: LogLine[] = [];
    if (n > 0) {
      this.scan(query, (l) => {
        ring.push(l);
        if (ring.length > n) ring.shift();
      });
    }
    return ring;
  }
}
