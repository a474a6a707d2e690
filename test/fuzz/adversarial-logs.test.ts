// Issue 17: crafted agent logs must not freeze the process. Lines of up to 64 KB (the parser's cap) made of one
// runbook phrase repeated, in every line shape the parser reads, after another phrase of the same pattern or not:
// the matcher gives exactly what parsing and testing every line gives, in time linear in the bytes; and the
// issue's reproduction (32 such lines, 2 MB, one diagnosis) takes well under a second or two instead of minutes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { parseLog, type LogLine } from '../../runbooks/engine/log-parser.ts';
import { compileLogQuery, type LogQuery } from '../../runbooks/engine/log-query.ts';
import { LogText } from '../../runbooks/engine/log-text.ts';
import { exampleEvidence, logChunk, ok } from '../unit/runbooks/fixtures.ts';
import { RUNBOOK_PATTERNS } from '../unit/runbooks/log-arbitraries.ts';
import { cpuMs, fragmentsOf, repeatTo } from './runbook-regexes.ts';

/** Every runbook pattern at once (what the log-match benchmark asks). */
const ALL: LogQuery = { text: RUNBOOK_PATTERNS };
/** The phrases runbooks look for, as their patterns spell them. */
const PHRASES = [...new Set(RUNBOOK_PATTERNS.flatMap(fragmentsOf))].filter((f) => f.trim().length >= 4);

function reference(text: string, query: LogQuery): LogLine[] {
  return [...parseLog(text)].filter(compileLogQuery(query).test);
}

/** One crafted line: `head` once, then `phrase` + `sep` repeated to `size` characters, in a parser's line shape. */
const adversarialLine = (sizes: fc.Arbitrary<number>) => fc.tuple(
  fc.constantFrom('logfmt', 'slog-error', 'json', 'escaped', 'plain', 'bare'),
  fc.constantFrom(...PHRASES), fc.option(fc.constantFrom(...PHRASES), { nil: '' }), fc.constantFrom('', ' ', '.', ': ', ' x '), sizes,
).map(([shape, phrase, head, sep, size]) => {
  const body = head + repeatTo(phrase + sep, size);
  const quoted = body.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  switch (shape) {
    case 'logfmt': return `level=error msg="${quoted}" subsys=daemon`;
    case 'slog-error': return `time=2026-03-23T22:11:06Z level=error msg="Start hook failed" error="${quoted}"`;
    case 'json': return JSON.stringify({ level: 'error', msg: body });
    case 'escaped': return `level=fatal msg="${quoted.replace(/[a-z]/gi, (c, i: number) => (i % 7 === 0 ? `\\${c}` : c))}"`;
    case 'plain': return `ERROR: ${body}`;
    default: return body;
  }
});

describe('crafted agent logs (issue 17)', () => {
  it('the matcher answers exactly as parse-then-test on every line', () => {
    const log = fc.array(adversarialLine(fc.integer({ min: 200, max: 6_000 })), { minLength: 1, maxLength: 4 }).map((ls) => ls.join('\n'));
    fc.assert(fc.property(log, fc.subarray([...RUNBOOK_PATTERNS], { minLength: 1, maxLength: 8 }), (text, patterns) => {
      const query = { text: patterns };
      expect(new LogText(text).find(query, Infinity)).toEqual(reference(text, query));
    }), { numRuns: 150 });
  });

  it('4 lines of 64 KB: under 1.5 s CPU with every runbook pattern (was ~9 s per line)', () => {
    const log = fc.array(adversarialLine(fc.constant(65_000)), { minLength: 4, maxLength: 4 }).map((ls) => ls.join('\n'));
    fc.assert(fc.property(log, (text) => {
      const ms = cpuMs(() => new LogText(text).find(ALL, Infinity));
      expect(ms).toBeLessThan(1_500);
    }), { numRuns: 12 });
  });

  it.each([
    ['Unable to create map.', ''],
    ['Unable to create map', 'operation not permitted '],
    ['map create: ', ''],
    ['Garbage collection on ', ''],
    ['Failed to load prog ', 'permission denied '],
  ])('the reproduction: 32 lines of ~65 KB of %j (after %j), 2 MB, one diagnosis under 10 s CPU (was 227 s)', (phrase, head) => {
    const lines = Array.from({ length: 32 }, () => `level=error msg="${head}${repeatTo(phrase, 65_000)}" subsys=daemon`);
    const evidence = exampleEvidence({ cilium: ok({ version: '1.6.0', image: 'quay.io/cilium/cilium:v1.6.0' }), agentLogs: ok({ current: logChunk(lines), previous: logChunk(lines) }) });
    let findings: string[] = [];
    const ms = cpuMs(() => {
      findings = analyze(evidence).findings.map((f) => f.runbookId);
    });
    expect(findings.length).toBeGreaterThan(0); // the crafted lines are still read: a crash-looping agent's fallback at least
    expect(ms).toBeLessThan(10_000);
  });
});
