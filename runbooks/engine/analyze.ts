// analyze(evidence) → Report: runs every runbook, orders findings (precedence.ts: what the agent said above uncertain
// inferences, then severity, then root cause before symptom),
// drops the agent-crashloop fallback when a specific critical finding explains the crash and findings a root cause
// supersedes (it quotes them), and says what could not
// be read. Never throws on partial evidence: a runbook that cannot decide is listed as inconclusive, not healthy.
import semver from 'semver';
import type { Finding, Inconclusive, Report, Runbook, UnavailableFact } from './contract.ts';
import { REPORT_SCHEMA_VERSION } from './contract.ts';
import { FACT_KEYS, type Evidence } from './evidence.ts';
import { CRASHLOOP_FALLBACK_ID, RUNBOOKS } from '../catalogue/registry.ts';
import { withEffectiveConfig } from './effective-config.ts';
import { probeReadFacts } from './fact-sources.ts';
import { explainsCrash, orderFindings } from './precedence.ts';
import { withEffectiveRisks } from './action-risk.ts';

export function analyze(collected: Evidence, runbooks: readonly Runbook[] = RUNBOOKS): Report {
  const evidence = withEffectiveConfig(collected);
  const ciliumVersion = evidence.cilium.ok ? evidence.cilium.value.version : null;
  const found: { finding: Finding; rank: number }[] = [];
  const inconclusive: Inconclusive[] = [];
  const checked: string[] = [];

  for (const runbook of runbooks) {
    if (!applies(runbook, ciliumVersion)) continue;
    checked.push(runbook.id);
    let finding: Finding | null;
    try {
      finding = runbook.match(evidence);
    } catch (err) {
      // A runbook bug must not cost the whole report; it becomes "unknown" for that runbook.
      const why = err instanceof Error ? err.message : String(err);
      inconclusive.push({ runbookId: runbook.id, title: runbook.title, missing: [`runbook error: ${why}`] });
      continue;
    }
    if (finding !== null) {
      found.push({ finding, rank: runbook.rank });
      continue;
    }
    const needs = typeof runbook.needs === 'function' ? runbook.needs(evidence) : runbook.needs;
    const missing = needs.filter((k) => !evidence[k].ok);
    if (missing.length > 0) inconclusive.push({ runbookId: runbook.id, title: runbook.title, missing: [...missing] });
  }

  // An uncertain inference does not explain the crash away: the fallback then still quotes what the agent said.
  const explained = found.some((f) => f.finding.runbookId !== CRASHLOOP_FALLBACK_ID && explainsCrash(f.finding));
  const superseded = new Set(found.flatMap((f) => f.finding.supersedes ?? []));
  // Severity, then root cause before symptom; explicit agent lines above uncertain inferences (precedence.ts).
  const findings = orderFindings(found
    .filter((f) => !(explained && f.finding.runbookId === CRASHLOOP_FALLBACK_ID))
    .filter((f) => !superseded.has(f.finding.runbookId))).map(withEffectiveRisks);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    cluster: evidence.cluster,
    node: evidence.nodeName,
    collectedAt: evidence.collectedAt,
    ciliumVersion,
    findings,
    // Said of the collected evidence: a cilium-config stood in for by the agent's flag dump was still not read.
    unavailable: unavailableFacts(collected),
    inconclusive,
    healthySummary: findings.length === 0 ? healthySummary(evidence, checked, inconclusive) : null,
    checked,
    ...(probeReadFacts(evidence).length > 0 && { readByProbe: probeReadFacts(evidence) }),
  };
}

function applies(runbook: Runbook, ciliumVersion: string | null): boolean {
  const range = runbook.appliesTo?.cilium;
  if (range === undefined || ciliumVersion === null) return true;
  const v = semver.coerce(ciliumVersion);
  return v === null || semver.satisfies(v, range);
}

export function unavailableFacts(evidence: Evidence): UnavailableFact[] {
  const out: UnavailableFact[] = [];
  for (const key of FACT_KEYS) {
    const f = evidence[key];
    if (f.ok) continue;
    out.push({ fact: key, reason: f.reason, detail: f.detail, ...(f.fix === undefined ? {} : { fix: f.fix }) });
  }
  return out;
}

function healthySummary(evidence: Evidence, checked: string[], inconclusive: Inconclusive[]): string {
  const unknown = new Set(inconclusive.map((i) => i.runbookId));
  const clean = checked.filter((id) => !unknown.has(id));
  const parts = [
    clean.length > 0 ? `No problem found on ${evidence.nodeName} by ${clean.join(', ')}.` : `Nothing could be checked on ${evidence.nodeName}.`,
  ];
  if (inconclusive.length > 0) {
    parts.push(`Unknown (evidence missing): ${inconclusive.map((i) => `${i.runbookId} needs ${i.missing.join(', ')}`).join('; ')}.`);
  }
  return parts.join(' ');
}
