// The preflight report as plain text (the CLI) — one line per pool and problem, fixes under each, then the Helm
// values diff. The Slack rendering wraps the same lines (preflight-blocks.ts).
import type { PreflightReport } from '../../runbooks/engine/preflight/index.ts';

export function preflightHeadline(r: PreflightReport): string {
  const from = r.runningVersion === null ? '' : ` from ${r.runningVersion}`;
  return r.verdict === 'fail'
    ? `Preflight for Cilium ${r.target}${from}: FAIL — the upgrade would break ${r.nodesBreaking.toLocaleString('en-US')} of ${r.nodesChecked.toLocaleString('en-US')} nodes${r.nodesBreaking === 0 ? ' (cluster-wide problems below)' : ''}`
    : `Preflight for Cilium ${r.target}${from}: PASS — ${r.nodesChecked.toLocaleString('en-US')} nodes checked (kernel floor ${r.kernelFloor})`;
}

export function renderPreflightText(r: PreflightReport, opts: { maxNodes?: number } = {}): string {
  const maxNodes = opts.maxNodes ?? 20;
  const lines = [preflightHeadline(r), ''];
  for (const g of r.groups) {
    lines.push(`[${g.severity === 'breaks' ? 'BREAKS' : 'WARNING'}] ${g.sentence}`);
    if (g.nodes.length > 0) lines.push(`    nodes: ${g.nodes.slice(0, maxNodes).join(', ')}${g.nodes.length > maxNodes ? ` … and ${g.nodes.length - maxNodes} more (--json lists all)` : ''}`);
    lines.push(`    fix: ${g.fix}`, `    source: ${g.source}`);
  }
  if (r.groups.length === 0) lines.push('Nothing the target release would break or degrade was found.');
  if (r.valuesDiff !== null) {
    lines.push('', `Helm values that clear what a values change can clear (helm upgrade … --version ${r.target} -f this.yaml):`, ...r.valuesDiff.split('\n').map((l) => `    ${l}`));
  }
  if (r.notFixableByValues.length > 0) lines.push('', 'No values change clears:', ...r.notFixableByValues.map((t) => `  - ${t}`));
  if (r.unavailable.length > 0) lines.push('', 'Not read (those checks are incomplete):', ...r.unavailable.map((u) => `  - ${u}`));
  return lines.join('\n');
}
