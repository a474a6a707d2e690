// The corpus, parsed with its own schema; a case that does not parse stops the evaluation with the file to fix.
import { corpusCase, loadCaseFiles, type CorpusCase } from '../../test/corpus/corpus-case.ts';

export function loadCorpus(dir?: string): CorpusCase[] {
  return loadCaseFiles(dir).map(({ file, raw }) => {
    const parsed = corpusCase.safeParse(raw);
    if (!parsed.success) {
      throw new Error(`test/corpus/cases/${file} does not match the case schema (${parsed.error.issues[0]?.message ?? 'invalid'}); run the corpus format test for details`);
    }
    return parsed.data;
  });
}
