import { describe, expect, it } from 'vitest';
import { corpusCase, loadCaseFiles, splitFor, threadNumber, type CorpusCase } from './corpus-case.ts';

const files = loadCaseFiles();
const cases: CorpusCase[] = files.map(({ file, raw }) => {
  const parsed = corpusCase.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
});

describe('public real-incident corpus (test/corpus/cases)', () => {
  it('every case file parses and has the required fields (the loader above throws naming the file otherwise)', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it('each file is named after its id, and no thread appears twice', () => {
    for (const [i, c] of cases.entries()) expect(files[i]?.file).toBe(`${c.id}.yaml`);
    const sources = cases.map((c) => c.source.replace(/#.*$/, ''));
    expect(new Set(sources).size).toBe(sources.length);
  });

  it('the id ends in the number of the thread its source points at', () => {
    for (const c of cases) expect(c.source, c.id).toContain(threadNumber(c.id));
  });

  it('each case sits in the split the rule gives (last digit 0-3 held out), decided by the number alone', () => {
    for (const c of cases) expect(c.split, c.id).toBe(splitFor(c.id));
  });

  it('the split rule itself: 0-3 held out, 4-9 tune', () => {
    expect(['gh-cilium-23430', 'gh-cilium-23433', 'so-78123451'].map(splitFor)).toEqual(['held-out', 'held-out', 'held-out']);
    expect(['gh-cilium-23434', 'gh-cilium-23439'].map(splitFor)).toEqual(['tune', 'tune']);
    expect(() => splitFor('gh-cilium')).toThrow(/number/);
  });

  it('evidence is quoted, not summarised: no block is a placeholder or an ellipsis alone', () => {
    for (const c of cases) for (const e of c.evidence) expect(e.text.trim(), c.id).not.toMatch(/^(\.\.\.|…|TODO|<.*>)$/);
  });

  it('at least 25 % noise (`other`), and both splits hold cases of several labels', () => {
    const other = cases.filter((c) => c.label === 'other').length;
    expect(other / cases.length).toBeGreaterThanOrEqual(0.25);
    for (const split of ['tune', 'held-out'] as const) {
      const labels = new Set(cases.filter((c) => c.split === split).map((c) => c.label));
      expect(labels.size, split).toBeGreaterThanOrEqual(5);
    }
  });

  it('reports the counts per split and label (read them in the test output)', () => {
    const counts = new Map<string, { tune: number; 'held-out': number }>();
    for (const c of cases) {
      const row = counts.get(c.label) ?? { tune: 0, 'held-out': 0 };
      row[c.split] += 1;
      counts.set(c.label, row);
    }
    console.log(`corpus: ${cases.length} cases\n${[...counts].sort().map(([l, r]) => `  ${l}: tune ${r.tune}, held-out ${r['held-out']}`).join('\n')}`);
    expect([...counts.values()].reduce((n, r) => n + r.tune + r['held-out'], 0)).toBe(cases.length);
  });
});

describe('the case schema rejects what a corpus case must not be', () => {
  const valid = {
    id: 'gh-cilium-15510', source: 'https://github.com/cilium/cilium/issues/15510', title: 't', split: 'held-out',
    label: 'bpf-map-create-failed', why: 'a maintainer said so', evidence: [{ kind: 'agent-log', text: 'level=fatal msg="x"' }],
  };

  it('accepts a complete case', () => {
    expect(corpusCase.safeParse(valid).success).toBe(true);
  });

  it.each([
    ['an unknown label', { ...valid, label: 'cosmic-rays' }],
    ['a non-https source', { ...valid, source: 'http://github.com/cilium/cilium/issues/15510' }],
    ['no evidence', { ...valid, evidence: [] }],
    ['blank evidence', { ...valid, evidence: [{ kind: 'agent-log', text: '  \n' }] }],
    ['an unknown evidence kind', { ...valid, evidence: [{ kind: 'screenshot', text: 'x' }] }],
    ['`other` without its cause', { ...valid, label: 'other' }],
    ['a version advisory without the known issue', { ...valid, label: 'version-advisory' }],
    ['a misspelt field', { ...valid, evidnce: [] }],
  ])('rejects %s', (_what, bad) => {
    expect(corpusCase.safeParse(bad).success).toBe(false);
  });
});
