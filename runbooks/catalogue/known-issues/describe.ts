// How a known issue is named in a report: short upstream references ("#31944, PR #32007", "siderolabs/pkgs#1065")
// and the fixed release that fits the running branch.
import semver from 'semver';
import type { KnownIssue } from './schema.ts';

/** "https://github.com/cilium/cilium/issues/9402" → "#9402"; pulls → "PR #N"; other repositories keep their name. */
export function shortRef(url: string): string {
  const gh = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/(issues|pull)\/(\d+)/.exec(url);
  if (gh !== null) {
    const [, repo, kind, n] = gh;
    if (repo === 'cilium/cilium') return kind === 'pull' ? `PR #${n}` : `#${n}`;
    return `${repo}${kind === 'pull' ? ' PR ' : ''}#${n}`;
  }
  const lp = /launchpad\.net\/.*\/\+bug\/(\d+)/.exec(url);
  if (lp !== null) return `Launchpad bug ${lp[1]}`;
  const commit = /git\.kernel\.org\/.*[?&]id=([0-9a-f]{7,})/.exec(url);
  if (commit !== null) return `kernel commit ${commit[1]}`;
  return url;
}

export function issueRefs(issue: KnownIssue): string {
  return [issue.links.issue, ...(issue.links.fix ?? [])].map(shortRef).join(', ');
}

/** The fixed release on the running branch, else the lowest fixed release above it, else the first named; null when none. */
export function fixedReleaseFor(issue: KnownIssue, version: string | null): string | null {
  const fixed = issue.fixedIn;
  if (fixed === undefined || fixed.length === 0) return null;
  const v = version === null ? null : semver.coerce(version, { includePrerelease: true });
  if (v === null) return fixed[0] ?? null;
  const sameBranch = fixed.find((f) => semver.major(f) === v.major && semver.minor(f) === v.minor);
  if (sameBranch !== undefined) return sameBranch;
  return [...fixed].sort(semver.compare).find((f) => semver.gt(f, v)) ?? fixed[0] ?? null;
}
