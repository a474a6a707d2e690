// Which known issues this evidence shows: pure arithmetic on the running version, kernel and config, plus the
// signature searched where the entry says it shows. A release at or past the entry's fix on its branch is never
// reported as that bug, whatever its logs say; an unknown version keeps a signature match, marked as such; an
// unknown kernel or config does not (the constraint is what makes a generic line this bug).
import semver from 'semver';
import type { EvidenceQuote } from '../../engine/contract.ts';
import type { Evidence } from '../../engine/evidence.ts';
import { findAgentLines, quoteLogLine, type LogQuery } from '../../engine/agent-logs.ts';
import { nodeKernel } from '../../engine/runbook-kit.ts';
import type { KnownIssue, Signature } from './schema.ts';

export interface KnownIssueMatch {
  issue: KnownIssue;
  /** The evidence line that carries the signature; null when the entry matched on version alone. */
  hit: EvidenceQuote | null;
  /** `affected`: the running release is in the range and not fixed; `unknown`: no version was read. */
  version: 'affected' | 'unknown';
  /**
   * A config constraint of the entry was read and holds (e.g. enable-legacy-services=true beside the LB-map line of
   * #8587): with the signature, that pins the bug even when the version was not read. A kernel constraint does not:
   * a common kernel says little about which Cilium runs on it.
   */
  corroborated: boolean;
}

/** One query per signature, so each log chunk plans it once however often the runbook runs. */
const queries = new WeakMap<Signature, LogQuery>();
function queryFor(sig: Signature): LogQuery {
  let q = queries.get(sig);
  if (q === undefined) {
    const re = sig.pattern;
    q = sig.wholeLine === true ? { where: (l) => re.test(l.raw) } : { text: [re] };
    queries.set(sig, q);
  }
  return q;
}

/** The release as semver (vendor suffixes and "v" already stripped by the collector); null when unreadable. */
export function releaseOf(version: string): string | null {
  return semver.valid(version) ?? semver.coerce(version)?.version ?? null;
}

/** True when `version` is on a branch whose fixed release it has reached, or on a minor newer than every fixed branch. */
export function isFixed(version: string, fixedIn: readonly string[] | undefined): boolean {
  if (fixedIn === undefined || fixedIn.length === 0) return false;
  const v = semver.parse(version);
  if (v === null) return false;
  let newerThanAll = true;
  for (const f of fixedIn) {
    const fv = semver.parse(f);
    if (fv === null) continue;
    if (fv.major === v.major && fv.minor === v.minor) return semver.gte(v, fv);
    if (v.major < fv.major || (v.major === fv.major && v.minor < fv.minor)) newerThanAll = false;
  }
  return newerThanAll;
}

/** In the affected range and not past the fix. */
export function affects(issue: KnownIssue, version: string): boolean {
  const v = releaseOf(version);
  if (v === null) return false;
  if (!semver.satisfies(v, issue.cilium, { includePrerelease: true })) return false;
  return !isFixed(v, issue.fixedIn);
}

/** The first line carrying the signature, quoted with where it was read; null when none does or nothing was read. */
export function findSignature(e: Evidence, sig: Signature): EvidenceQuote | null {
  switch (sig.source) {
    case 'agent-log': {
      const hit = findAgentLines(e, queryFor(sig), 1)[0];
      return hit === undefined ? null : quoteLogLine(hit.source, hit.line);
    }
    case 'kernel-log': {
      if (!e.kernelLog.ok) return null;
      const i = e.kernelLog.value.lines.findIndex((l) => sig.pattern.test(l));
      return i < 0 ? null : { kind: 'log', text: e.kernelLog.value.lines[i] ?? '', source: `kernel log, line ${i + 1}`, lineNumber: i + 1 };
    }
    case 'agent-status': {
      if (!e.agentStatus.ok) return null;
      const lines = e.agentStatus.value.text.split('\n');
      const i = lines.findIndex((l) => sig.pattern.test(l));
      return i < 0 ? null : { kind: 'log', text: (lines[i] ?? '').trim(), source: `cilium-dbg status, line ${i + 1}`, lineNumber: i + 1 };
    }
    case 'events': {
      if (!e.events.ok) return null;
      const ev = e.events.value.find((x) => sig.pattern.test(x.message));
      return ev === undefined ? null : { kind: 'log', text: ev.message, source: `event ${ev.reason} on ${ev.involvedObject.kind} ${ev.involvedObject.name}` };
    }
  }
}

/** The known issues this evidence shows, signature matches first. */
export function matchKnownIssues(e: Evidence, issues: readonly KnownIssue[]): KnownIssueMatch[] {
  const version = e.cilium.ok ? e.cilium.value.version : null;
  const kernel = nodeKernel(e);
  const out: KnownIssueMatch[] = [];
  for (const issue of issues) {
    if (version !== null && !affects(issue, version)) continue;
    // A kernel or config constraint is part of the bug's identity: one the evidence cannot settle rules the entry
    // out, so a generic line ("BPF program is too large") is never pinned on a kernel nobody read.
    if (issue.kernel !== undefined && (kernel === null || !issue.kernel.test(kernel.parsed.raw, kernel.effective))) continue;
    if (issue.when !== undefined && issue.when.test(e) !== true) continue;
    const hit = issue.signature === undefined ? null : findSignature(e, issue.signature);
    const corroborated = issue.when !== undefined;
    if (hit !== null) {
      out.push({ issue, hit, version: version === null ? 'unknown' : 'affected', corroborated });
    } else if (issue.versionOnly !== undefined && version !== null) {
      out.push({ issue, hit: null, version: 'affected', corroborated });
    }
  }
  return out.sort((a, b) => Number(b.hit !== null) - Number(a.hit !== null));
}
