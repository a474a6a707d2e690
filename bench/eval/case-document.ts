// One corpus case → the minimal offline document runbooks/engine/offline-evidence.ts accepts. Only what the analyzer
// understands goes in: agent/init/operator log blocks become the agent log, stated facts become node and cilium facts.
// Other evidence kinds (cilium-status, iptables-save, events, dmesg, describe-*, …) stay out, so they are counted.
import type { CorpusCase } from '../../test/corpus/corpus-case.ts';

/** Evidence kinds the analyzer reads today; all of them are log text. */
export const LOG_KINDS: readonly string[] = ['agent-log', 'init-log', 'operator-log'];

export interface CaseDocument {
  document: Record<string, unknown>;
  /** True when the case had evidence but none of it was a kind the analyzer reads. */
  onlyUnreadEvidence: boolean;
}

/**
 * The leading release in a stated version ("v1.16.4 (upgraded from v1.16.1)" → "1.16.4"); null for "master" and other
 * non-releases, which then stay unknown rather than guessed.
 */
export function statedRelease(stated: string | undefined): string | null {
  const m = stated === undefined ? null : /^v?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)/.exec(stated.trim());
  return m?.[1] ?? null;
}

export function caseDocument(c: CorpusCase): CaseDocument {
  const logs = c.evidence.filter((e) => LOG_KINDS.includes(e.kind)).map((e) => e.text.endsWith('\n') ? e.text : `${e.text}\n`);
  const s = c.stated ?? {};
  const node = {
    ...(s.kernel === undefined ? {} : { kernelVersion: s.kernel }),
    ...(s.osImage === undefined ? {} : { osImage: s.osImage }),
  };
  const version = statedRelease(s.ciliumVersion);
  const cilium = {
    ...(version === null ? {} : { version }),
    ...(s.config === undefined ? {} : { config: s.config }),
  };
  const document: Record<string, unknown> = {
    cluster: 'corpus',
    ...(Object.keys(node).length > 0 ? { node: { name: c.id, ...node } } : {}),
    ...(Object.keys(cilium).length > 0 ? { cilium } : {}),
    ...(logs.length > 0 ? { agent: { logs: logs.join('') } } : {}),
  };
  return { document, onlyUnreadEvidence: logs.length === 0 };
}
