// version-advisory: known Cilium bugs and known-bad version × kernel/OS/config combinations, kept as data in
// known-issues/ with each entry's thread and fix. A signature seen on an affected release names the bug, quotes the
// line and says which release fixes it; it is critical only when the thread says the agent dies of it. A release at
// or past the fix is never reported as that bug. With no version read, a signature is still reported, as a warning
// that says so. Version arithmetic alone stays warning/info: the specific runbook reports the failure itself.
import type { DocLink, EvidenceQuote, Finding, FixStep, Runbook, Severity } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { ciliumDoc, nodeKernel } from '../engine/runbook-kit.ts';
import { KNOWN_ISSUES, matchKnownIssues, type KnownIssue, type KnownIssueMatch } from './known-issues/index.ts';
import { fixedReleaseFor, issueRefs } from './known-issues/describe.ts';
import { comparisonConfidence } from '../engine/finding-confidence.ts';

const ID = 'version-advisory';

function severityOf(m: KnownIssueMatch): Severity {
  if (m.hit === null) return m.issue.versionOnly ?? 'info';
  return m.version === 'affected' && m.issue.explainsCrash ? 'critical' : 'warning';
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function affectedText(issue: KnownIssue, version: string | null): string {
  const fixed = fixedReleaseFor(issue, version);
  return `affects Cilium ${issue.cilium}${fixed === null ? ' (no fixed release named upstream)' : `, fixed in ${issue.fixedIn?.join(', ') ?? fixed}`}`;
}

function sentence(e: Evidence, m: KnownIssueMatch, version: string | null): string {
  const what = `${m.issue.title} (${issueRefs(m.issue)})`;
  if (m.hit === null) return `Cilium ${version ?? ''} on ${e.nodeName} is a known-bad combination: ${what}; it ${affectedText(m.issue, version)}.`;
  if (m.version === 'unknown') {
    return `The Cilium version on ${e.nodeName} is not known, but it shows the signature of a known bug: ${what}, which ${affectedText(m.issue, null)} — confirm the running version before acting on it.`;
  }
  return `Cilium ${version ?? ''} on ${e.nodeName} shows the signature of a known bug: ${what}; it ${affectedText(m.issue, version)}.`;
}

function fixStep(m: KnownIssueMatch, version: string | null): FixStep {
  const fixed = fixedReleaseFor(m.issue, version);
  const links = [m.issue.links.issue, ...(m.issue.links.fix ?? [])].join(', ');
  return {
    title: `${m.issue.id}: ${fixed === null ? (m.issue.fix.split('. ')[0] ?? m.issue.fix) : `upgrade to ${fixed}`}`,
    detail: `${m.issue.fix} Upstream: ${links}.`,
  };
}

function issueDocs(matches: readonly KnownIssueMatch[]): DocLink[] {
  return matches.map((m) => ({ title: `${issueRefs(m.issue)}: ${m.issue.title}`, url: m.issue.links.issue }));
}

export const versionAdvisory: Runbook = {
  id: ID,
  title: 'Known Cilium bug or known-bad version combination',
  severity: 'critical',
  rank: 14,
  needs: ['cilium', 'node', 'ciliumConfig'],
  match(e) {
    const matches = matchKnownIssues(e, KNOWN_ISSUES)
      .map((m) => ({ m, severity: severityOf(m) }))
      .sort((a, b) => RANK[a.severity] - RANK[b.severity]);
    const lead = matches[0];
    if (lead === undefined) return null;
    const version = e.cilium.ok ? e.cilium.value.version : null;
    const k = nodeKernel(e);
    const evidence: EvidenceQuote[] = [{
      kind: 'fact',
      text: `Cilium ${version ?? 'version not known'}${k === null ? '' : ` on kernel ${k.parsed.raw}`}`,
      source: 'cilium-agent image tag; node status.nodeInfo',
    }];
    for (const { m } of matches) {
      const constraints = [m.issue.kernel?.describe, m.issue.when?.describe].filter((c): c is string => c !== undefined);
      evidence.push({
        kind: 'comparison',
        text: `known bug ${m.issue.id}: ${m.issue.title}; it ${affectedText(m.issue, version)}${constraints.length === 0 ? '' : `; applies with ${constraints.join(', ')}`}.`,
        source: issueRefs(m.issue),
      });
      if (m.hit !== null) evidence.push(m.hit);
    }
    // The signature on an affected release, or with the entry's kernel/config constraint read and holding when the
    // version was not read: the bug is pinned, so it may correct a specific runbook's reading of the same line.
    const confirmed = matches.filter(({ m }) => m.hit !== null && (m.version === 'affected' || m.corroborated));
    const others = matches.slice(1).map(({ m }) => `${m.issue.title} (${issueRefs(m.issue)})`);
    const unknown = lead.m.version === 'unknown';
    return {
      runbookId: ID,
      title: `Known issue: ${lead.m.issue.title}${unknown ? ' (Cilium version not known)' : ''}${matches.length > 1 ? ` (+${matches.length - 1} more)` : ''}`,
      severity: lead.severity,
      summary: `${sentence(e, lead.m, version)}${others.length > 0 ? ` Also known here: ${others.join('; ')}.` : ''}`,
      evidence,
      blastRadius: computeBlastRadius(e, k === null ? undefined : { affects: (p) => p.kernelVersion === k.parsed.raw, reason: `run the same kernel ${k.parsed.raw} with the same Cilium` }),
      fixSteps: matches.map(({ m }) => fixStep(m, version)),
      docs: [...issueDocs(matches.map(({ m }) => m)), ciliumDoc(e, 'Upgrade guide and notes', 'operations/upgrade/')],
      proposals: [],
      // A signature seen on an affected release is the agent naming the bug (explicit); how sure depends on how the
      // version was known (precedence.ts): read → certain, stated → high, unknown → medium. Version arithmetic alone
      // is an inference and never outranks what the agent said.
      confidence: confirmed.length === 0 ? 'medium' : unknown ? 'high' : comparisonConfidence(e, true),
      basis: lead.m.hit === null ? 'inferred' : 'explicit',
      explainsAgentCrash: lead.severity === 'critical',
      ...(confirmed.some(({ m }) => m === lead.m) ? { supersedes: [...new Set(confirmed.flatMap(({ m }) => m.issue.supersedes ?? []))] } : {}),
    } satisfies Finding;
  },
};
