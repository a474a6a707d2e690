import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLog, type LogLine } from '../../../runbooks/engine/log-parser.ts';
import { compileLogQuery, type LogQuery } from '../../../runbooks/engine/log-query.ts';
import { LogStream } from '../../../runbooks/engine/log-scan.ts';
import { LogText } from '../../../runbooks/engine/log-text.ts';
import { LINES } from './fixtures.ts';
import { logQuery, logText, RUNBOOK_PATTERNS } from './log-arbitraries.ts';

/** What the matcher must give: parse every line, test every line. */
function reference(text: string, query: LogQuery): LogLine[] {
  return [...parseLog(text)].filter(compileLogQuery(query).test);
}

function streamed(text: string, query: LogQuery, cuts: number[]): { lines: LogLine[]; count: number } {
  const bytes = Buffer.from(text, 'utf8');
  const lines: LogLine[] = [];
  const stream = new LogStream(query, (l) => {
    lines.push(l);
  });
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
    stream.write(bytes.subarray(at, Math.max(at, cut)));
    at = Math.max(at, cut);
  }
  stream.write(bytes.subarray(at));
  stream.end();
  return { lines, count: stream.lines };
}

describe('LogText: exactly what parsing and testing every line gives', () => {
  it('on generated logs and runbook queries', () => {
    fc.assert(fc.property(logText, logQuery, (text, query) => {
      expect(new LogText(text).find(query, Infinity)).toEqual(reference(text, query));
    }), { numRuns: 1500 });
  });

  it('the first n and the last n', () => {
    fc.assert(fc.property(logText, logQuery, fc.nat(4), (text, query, n) => {
      const all = reference(text, query);
      const t = new LogText(text);
      expect(t.find(query, n)).toEqual(all.slice(0, n));
      expect(t.last(query, n)).toEqual(n === 0 ? [] : all.slice(-n));
    }), { numRuns: 300 });
  });

  it('over a text with lone surrogates (matched line by line)', () => {
    fc.assert(fc.property(logText, logQuery, (text, query) => {
      const odd = `${text}\n\ud800 level=error msg="the map is full"`;
      expect(new LogText(odd).find(query, Infinity)).toEqual(reference(odd, query));
    }), { numRuns: 100 });
  });

  it('parses a line once, however many queries ask', () => {
    const text = [LINES.apiserverInfo, LINES.mapMemlock, LINES.slogDce].join('\n');
    const t = new LogText(text);
    const memlock = t.find({ text: [/MEMLOCK may be too low/i] }, 5);
    const maps = t.find({ text: [/opening\/creating BPF maps/i] }, 5);
    expect(memlock).toHaveLength(1);
    expect(maps[0]).toBe(memlock[0]);
  });

  it('finds lines by a literal cut by escapes, by JSON \\u escapes, and across msg and error', () => {
    const text = [
      'level=info msg="routine"',
      'level=error msg="Un\\able to contact k8s apiserver"',
      '{"level":"error","msg":"the m\\u0061p is full"}',
      'level=warning msg="the map is" error="full"',
      '2026-03-23T22:11:06Z {"msg":"BPF program is too large"}',
    ].join('\r\n');
    const query = { text: RUNBOOK_PATTERNS };
    expect(new LogText(text).find(query, 10).map((l) => l.lineNumber)).toEqual([2, 3, 4, 5]);
    expect(reference(text, query).map((l) => l.lineNumber)).toEqual([2, 3, 4, 5]);
  });
});

describe('long lines (verifier dumps)', () => {
  it('match only where the parser reads (the first 65,536 UTF-16 units), however many bytes that is', () => {
    const query = { text: RUNBOOK_PATTERNS };
    const lines = [
      `level=error msg="${'€'.repeat(60_000)} the map is full"`, // within the parsed part, ~180 KB in
      `level=error msg="${'x'.repeat(70_000)} the map is full"`, // past it
      `level=error msg="${'😀'.repeat(33_000)} the map is full"`, // 2 units, 4 bytes each: past it
      `level=error msg="r1 = r2;${' r1 = r2;'.repeat(150_000)}" error="BPF program is too large"`,
    ];
    const text = lines.join('\n');
    const want = reference(text, query).map((l) => l.lineNumber);
    expect(want).toEqual([1]);
    expect(new LogText(text).find(query, 10).map((l) => l.lineNumber)).toEqual(want);
    expect(streamed(text, query, [100_000, 700_000]).lines.map((l) => l.lineNumber)).toEqual(want);
  });
});

describe('LogStream: the same over bytes cut anywhere', () => {
  it('matches and counts lines as LogText does', () => {
    fc.assert(fc.property(logText, logQuery, fc.array(fc.nat(), { maxLength: 6 }), (text, query, cuts) => {
      const { lines, count } = streamed(text, query, cuts);
      expect(lines).toEqual(reference(text, query));
      expect(count).toBe([...parseLog(text)].length);
    }), { numRuns: 800 });
  });

  it('stops when asked', () => {
    const text = `${LINES.mapEperm}\n${LINES.mapEperm}\n${LINES.mapEperm}\n`;
    const seen: number[] = [];
    const stream = new LogStream({ text: [/opening\/creating/i] }, (l) => (seen.push(l.lineNumber), seen.length < 2));
    expect(stream.write(Buffer.from(text))).toBe(false);
    expect(stream.write(Buffer.from(text))).toBe(false);
    expect(seen).toEqual([1, 2]);
  });
});
