// The preflight's answer: problems grouped by node pool ("12 nodes in pool `workers-legacy`: kernel 4.14.352 <
// 5.10.0 required by Cilium 1.18+"), most severe first, the Helm values diff that clears what a values change can
// clear, and the verdict (fail = something would break: exit code 3). Pure.
import { renderHelmValues, type HelmValuePaths } from '../helm-values.ts';
import type { PreflightChecks, PreflightProblem, PreflightSeverity } from './checks.ts';

export interface PreflightGroup {
  severity: PreflightSeverity;
  kind: PreflightProblem['kind'];
  pool: string | null;
  nodes: string[];
  sentence: string;
  fix: string;
  source: string;
}

export interface PreflightReport {
  target: string;
  runningVersion: string | null;
  kernelFloor: string;
  verdict: 'pass' | 'fail';
  nodesChecked: number;
  nodesBreaking: number;
  groups: PreflightGroup[];
  /** Helm values (YAML) that clear every values-fixable breaking problem; null when none is values-fixable. */
  valuesDiff: string | null;
  /** Breaking problems no values change clears (kernel floors), so the diff alone does not make it pass. */
  notFixableByValues: string[];
  unavailable: string[];
}

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function buildPreflightReport(checks: PreflightChecks, extra: { runningVersion: string | null; unavailable: string[] }): PreflightReport {
  const byKey = new Map<string, { problem: PreflightProblem; pool: string | null; nodes: string[] }>();
  for (const { node, problems } of checks.perNode) {
    for (const problem of problems) {
      const k = `${problem.key}\u0000${node.pool ?? ''}`;
      const entry = byKey.get(k) ?? { problem, pool: node.pool, nodes: [] };
      entry.nodes.push(node.name);
      byKey.set(k, entry);
    }
  }
  const groups: PreflightGroup[] = [...byKey.values()].map(({ problem, pool, nodes }) => ({
    severity: problem.severity, kind: problem.kind, pool, nodes: nodes.sort(),
    sentence: `${plural(nodes.length, 'node')}${pool === null ? '' : ` in pool \`${pool}\``}: ${problem.text}`,
    fix: problem.fix, source: problem.source,
  }));
  for (const problem of checks.cluster) {
    groups.push({ severity: problem.severity, kind: problem.kind, pool: null, nodes: [], sentence: `cluster: ${problem.text}`, fix: problem.fix, source: problem.source });
  }
  groups.sort((a, b) => Number(a.severity !== 'breaks') - Number(b.severity !== 'breaks') || b.nodes.length - a.nodes.length || a.sentence.localeCompare(b.sentence));

  const breaking = [...checks.perNode.flatMap((n) => n.problems), ...checks.cluster].filter((p) => p.severity === 'breaks');
  const helm: HelmValuePaths[] = [];
  const notFixable = new Set<string>();
  for (const p of breaking) {
    if (p.helm !== undefined) helm.push(p.helm);
    else notFixable.add(p.text);
  }
  return {
    target: checks.target,
    runningVersion: extra.runningVersion,
    kernelFloor: checks.floor.minimum.join('.'),
    verdict: breaking.length > 0 ? 'fail' : 'pass',
    nodesChecked: checks.perNode.length,
    nodesBreaking: checks.perNode.filter((n) => n.problems.some((p) => p.severity === 'breaks')).length,
    groups,
    valuesDiff: helm.length === 0 ? null : renderHelmValues(...helm),
    notFixableByValues: [...notFixable].sort(),
    unavailable: extra.unavailable,
  };
}
