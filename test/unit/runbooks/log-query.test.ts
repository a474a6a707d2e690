import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_OR_WORSE, findAgentLines, isErrorOrWorse, lastAgentLines, agentLogSources } from '../../../runbooks/engine/agent-logs.ts';
import { isMapCreateFailure, MAP_CREATE_FAILURES } from '../../../runbooks/catalogue/bpf-map-create-failed.ts';
import { isProgramLoadFailure, PROGRAM_LOAD_FAILURES } from '../../../runbooks/catalogue/bpf-program-load-denied.ts';
import { parseLog, parseLogLine } from '../../../runbooks/engine/log-parser.ts';
import { compileLogQuery } from '../../../runbooks/engine/log-query.ts';
import { LogText } from '../../../runbooks/engine/log-text.ts';
import { agentLogs, exampleEvidence, LINES } from './fixtures.ts';
import { logLine, logText } from './log-arbitraries.ts';

describe('runbook queries keep the predicates they replace', () => {
  const cases = [
    ['MAP_CREATE_FAILURES', MAP_CREATE_FAILURES, isMapCreateFailure],
    ['PROGRAM_LOAD_FAILURES', PROGRAM_LOAD_FAILURES, isProgramLoadFailure],
    ['ERROR_OR_WORSE', ERROR_OR_WORSE, isErrorOrWorse],
  ] as const;
  for (const [name, query, predicate] of cases) {
    it(`${name}: same lines as the predicate, parsed or scanned`, () => {
      const test = compileLogQuery(query).test;
      fc.assert(fc.property(logLine, (raw) => {
        const l = parseLogLine(raw, 1);
        expect(test(l)).toBe(predicate(l));
      }), { numRuns: 2000 });
      fc.assert(fc.property(logText, (text) => {
        expect(new LogText(text).find(query, Infinity)).toEqual([...parseLog(text)].filter(predicate));
      }), { numRuns: 300 });
    });
  }

  it('refuses stateful regexes', () => {
    expect(() => compileLogQuery({ text: [/map/g] })).toThrow(/g or y flag/);
    expect(() => compileLogQuery({ text: [/map/y] })).toThrow(/g or y flag/);
  });
});

describe('findAgentLines', () => {
  it('reads previous then current, up to the limit, and parses each chunk line once per diagnosis', () => {
    const e = exampleEvidence(agentLogs([LINES.apiserverInfo, LINES.mapEperm, LINES.daemonFatal], [LINES.mapEnomem]));
    const first = findAgentLines(e, MAP_CREATE_FAILURES, 20);
    expect(first.map((s) => `${s.source.container}:${s.line.lineNumber}`)).toEqual(['previous:2', 'previous:3', 'current:1']);
    expect(findAgentLines(e, MAP_CREATE_FAILURES, 2)).toHaveLength(2);
    // The same parsed objects come back, whichever query finds them.
    const errors = lastAgentLines(agentLogSources(e)[0] ?? { container: 'previous', chunk: { text: '', truncated: false, lines: 0 } }, ERROR_OR_WORSE, 5);
    expect(errors.map((s) => s.line)).toEqual([first[0]?.line, first[1]?.line]);
    expect(errors[0]?.line).toBe(first[0]?.line);
  });
});
