// version-advisory: the running Cilium version × kernel/OS/config is a known-bad combination (fact sheet §7, kept as
// data in version-advisories.ts with each row's source). Advisory only (warning/info, never critical): the specific
// runbook (bpf-program-load-denied, kernel-config-missing, …) reports the failure itself; this one says it is a
// known problem with a known way out, and quotes the symptom when the agent printed it.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { findAgentLines, quoteLogLine, type LogQuery } from '../engine/agent-logs.ts';
import { matchingAdvisories } from './version-advisories.ts';
import { ciliumDoc, nodeKernel } from '../engine/runbook-kit.ts';
import { comparisonConfidence } from '../engine/finding-confidence.ts';

const ID = 'version-advisory';
/** One query per symptom pattern, kept so that each chunk plans it once. */
const symptomQueries = new WeakMap<RegExp, LogQuery>();

function symptomQuery(re: RegExp): LogQuery {
  let q = symptomQueries.get(re);
  if (q === undefined) {
    q = { text: [re] };
    symptomQueries.set(re, q);
  }
  return q;
}

export const versionAdvisory: Runbook = {
  id: ID,
  title: 'Known-bad Cilium version combination',
  severity: 'warning',
  rank: 14,
  needs: ['cilium', 'node', 'ciliumConfig'],
  match(e) {
    const version = e.cilium.ok ? e.cilium.value.version : null;
    if (version === null) return null;
    const rows = matchingAdvisories(e, version);
    if (rows.length === 0) return null;
    const k = nodeKernel(e);
    const evidence: EvidenceQuote[] = [{ kind: 'fact', text: `Cilium ${version}${k === null ? '' : ` on kernel ${k.parsed.raw}`}`, source: 'cilium-agent image tag; node status.nodeInfo' }];
    let seen = 0;
    for (const a of rows) {
      evidence.push({ kind: 'comparison', text: `known-bad: ${a.symptom}. ${a.fix}`, source: a.source });
      const hit = a.symptomRe === undefined ? undefined : findAgentLines(e, symptomQuery(a.symptomRe), 1)[0];
      if (hit !== undefined) { seen++; evidence.push(quoteLogLine(hit.source, hit.line)); }
    }
    const warning = rows.some((a) => a.severity === 'warning');
    return {
      runbookId: ID,
      title: rows.length === 1 ? `Known issue: ${rows[0]?.symptom ?? ''}` : `${rows.length} known issues for Cilium ${version} here`,
      severity: warning ? 'warning' : 'info',
      summary: `Cilium ${version} on ${e.nodeName} is a known-bad combination: ${rows.map((a) => `${a.symptom} (${a.source})`).join('; ')}${seen > 0 ? ' — and the agent shows the symptom' : ''}.`,
      evidence,
      blastRadius: computeBlastRadius(e, k === null ? undefined : { affects: (p) => p.kernelVersion === k.parsed.raw, reason: `run the same kernel ${k.parsed.raw} with the same Cilium` }),
      fixSteps: rows.map((a) => ({ title: `${a.id}: ${a.fix.split('.')[0] ?? a.fix}`, detail: `${a.fix} Source: ${a.source}.` })),
      docs: [ciliumDoc(e, 'Upgrade guide and notes', 'operations/upgrade/')],
      proposals: [],
      // A table row matched by version: an inference, certain only when the agent shows the symptom and the version
      // was read, not stated (precedence.ts).
      confidence: seen > 0 ? comparisonConfidence(e, true) : 'medium',
      basis: 'inferred',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};
