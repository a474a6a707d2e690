// Regression gate for the corpus evaluation (issue 16): the analyzer must not lose held-out cases or claim critical
// causes on noise compared with bench/eval/baseline.json. Plus the pieces the figures depend on.
import { describe, expect, it } from 'vitest';
import { baselineOf, readBaseline, regressions } from '../../bench/eval/baseline.ts';
import { casePaste, statedRelease } from '../../bench/eval/case-document.ts';
import { evaluate, evaluateCase, scoreOutcomes } from '../../bench/eval/evaluate.ts';
import { loadCorpus } from '../../bench/eval/load-corpus.ts';
import { renderEvaluation } from '../../bench/eval/render.ts';
import type { CorpusCase } from './corpus-case.ts';

// A synthetic case: it only exercises the plumbing; the corpus itself (real threads) exercises the matchers.
const base: CorpusCase = {
  id: 'gh-example-14', source: 'https://github.com/example/example/issues/14', title: 't', split: 'tune',
  label: 'other', why: 'fixture for the plumbing', otherCause: 'fixture',
  evidence: [{ kind: 'dmesg', text: 'some kernel line\n' }],
};

describe('corpus evaluation gate', () => {
  it('does not fall below bench/eval/baseline.json', () => {
    const now = baselineOf(evaluate(loadCorpus()).scores);
    expect(regressions(now, readBaseline())).toEqual([]);
  });
});

describe('case → document', () => {
  it('keeps the leading release of a stated version and drops non-releases', () => {
    expect(statedRelease('v1.16.4 (upgraded from v1.16.1)')).toBe('1.16.4');
    expect(statedRelease('1.20.0-pre.3')).toBe('1.20.0-pre.3');
    expect(statedRelease('master (v1.6 dev cycle)')).toBeNull();
    expect(statedRelease(undefined)).toBeNull();
  });

  it('pastes every evidence block as one text and passes the stated facts as flags', () => {
    const c: CorpusCase = { ...base, evidence: [
      { kind: 'agent-log', text: 'a' }, { kind: 'dmesg', text: 'd' }, { kind: 'operator-log', text: 'o\n' },
    ], stated: { kernel: '4.9.0', osImage: 'Debian 9', ciliumVersion: 'v1.9', config: { 'enable-bpf-masquerade': 'true' } } };
    expect(casePaste(c)).toEqual({
      text: 'a\n\nd\n\no\n',
      facts: { kernel: '4.9.0', osImage: 'Debian 9', ciliumVersion: '1.9', config: { 'enable-bpf-masquerade': 'true' } },
    });
  });

  it('recognises the blocks by their text, not by the case\'s kind: a status block labelled "other" is still read', () => {
    const status: CorpusCase = { ...base, label: 'ipam-exhausted', otherCause: undefined, evidence: [
      { kind: 'other', text: 'IPAM:                   IPv4: 510/511 allocated from 10.128.68.0/23,\n' },
    ] };
    expect(evaluateCase(status)).toMatchObject({ got: 'ipam-exhausted', correct: true, nothingRecognised: false, recognised: ['cilium-dbg status'], recognisedKinds: ['agent-status'] });
  });

  it('counts a case in which nothing was recognised', () => {
    expect(evaluateCase(base)).toMatchObject({ nothingRecognised: true, recognised: [], recognisedKinds: [] });
  });
});

describe('scoring', () => {
  it('scores `other` right when nothing is critical, and a labelled case on its first finding', () => {
    const quiet = evaluateCase(base);
    expect(quiet).toMatchObject({ got: '(none)', correct: true, falseCritical: false });
    const labelled = evaluateCase({ ...base, label: 'memlock-rlimit', otherCause: undefined });
    expect(labelled.correct).toBe(false);
    const score = scoreOutcomes([quiet, labelled]);
    expect(score).toMatchObject({ cases: 2, correct: 1, top1: 0.5, otherCases: 1, nothingRecognised: 2 });
    expect(score.recall).toEqual({ other: { correct: 1, cases: 1 }, 'memlock-rlimit': { correct: 0, cases: 1 } });
    expect(score.partKinds).toEqual({});
    expect(score.confusion).toEqual({ other: { '(none)': 1 }, 'memlock-rlimit': { '(none)': 1 } });
    expect(score.misses.map((m) => m.id)).toEqual([base.id]);
  });

  it('reports a drop in held-out top-1 and a rise in false criticals, not a drop in overall alone', () => {
    const b = { heldOutTop1: 0.6, overallTop1: 0.7, falseCriticals: 2 };
    expect(regressions({ ...b, heldOutTop1: 0.59 }, b)).toHaveLength(1);
    expect(regressions({ ...b, falseCriticals: 3 }, b)).toHaveLength(1);
    expect(regressions({ ...b, overallTop1: 0.1, heldOutTop1: 0.7, falseCriticals: 0 }, b)).toEqual([]);
  });
});

describe('eval.md: per-case rows for the tune split only', () => {
  const tuneMiss: CorpusCase = { ...base, id: 'gh-example-15', label: 'memlock-rlimit', otherCause: undefined };
  const heldOutMiss: CorpusCase = { ...base, id: 'gh-example-10', split: 'held-out', label: 'map-full', otherCause: undefined };
  const status: CorpusCase = { ...base, id: 'gh-example-16', label: 'ipam-exhausted', otherCause: undefined, evidence: [{ kind: 'other', text: 'IPAM:                   IPv4: 510/511 allocated from 10.128.68.0/23,\n' }] };
  const md = renderEvaluation(evaluate([tuneMiss, heldOutMiss, status]).scores);
  const section = (name: string) => md.split(/^## /m).find((s) => s.startsWith(`${name}\n`)) ?? '';

  it('lists the tune misses and confusion rows, and no held-out case id anywhere', () => {
    expect(section('tune')).toContain('| gh-example-15 | memlock-rlimit | (none) |');
    expect(section('tune')).toContain('| memlock-rlimit | (none) (1) |');
    expect(md).not.toContain('gh-example-10');
    expect(section('held-out')).not.toContain('| map-full |');
    expect(section('overall')).not.toContain('Misses');
  });

  it('every split gets recall per label, the count of cases with nothing recognised and the part kinds recognised', () => {
    expect(section('held-out')).toContain('- recall per label (right/cases): map-full 0/1');
    expect(section('held-out')).toContain('- cases in which the recogniser recognised nothing: 1');
    expect(section('tune')).toContain('- part kinds recognised (cases): cilium-dbg status 1');
    expect(section('tune')).toContain('- recall per label (right/cases): ipam-exhausted 1/1, memlock-rlimit 0/1');
    expect(md).not.toContain('analyzer does not read');
  });
});
