// One corpus case → what the product sees: its evidence blocks pasted as one text (auto-recognised by
// runbooks/engine/pasted, never by the case's `kind` hint) and its stated facts as the CLI flags
// (--cilium-version, --kernel, --config).
import type { CorpusCase } from '../../test/corpus/corpus-case.ts';
import type { StatedFacts } from '../../runbooks/engine/pasted/analyze-pasted.ts';

export interface CasePaste {
  text: string;
  facts: StatedFacts;
}

/**
 * The leading release in a stated version ("v1.16.4 (upgraded from v1.16.1)" → "1.16.4"); null for "master" and other
 * non-releases, which then stay unknown rather than guessed.
 */
export function statedRelease(stated: string | undefined): string | null {
  const m = stated === undefined ? null : /^v?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)/.exec(stated.trim());
  return m?.[1] ?? null;
}

export function casePaste(c: CorpusCase): CasePaste {
  // Blocks are separated by a blank line, as an engineer pasting several outputs would.
  const text = c.evidence.map((e) => (e.text.endsWith('\n') ? e.text : `${e.text}\n`)).join('\n');
  const s = c.stated ?? {};
  const version = statedRelease(s.ciliumVersion);
  const facts: StatedFacts = {
    ...(version === null ? {} : { ciliumVersion: version }),
    ...(s.kernel === undefined ? {} : { kernel: s.kernel }),
    ...(s.osImage === undefined ? {} : { osImage: s.osImage }),
    ...(s.config === undefined ? {} : { config: s.config }),
  };
  return { text, facts };
}
