// A fleet sweep as plain text for the terminal (`cilium-runbook diagnose --all`).
import type { FleetReport } from '../../jobs/fleet/sweep.ts';
import { fleetPrevention } from '../../runbooks/engine/prevention.ts';
import { preventionText } from './prevention-text.ts';

const n = (x: number): string => x.toLocaleString('en-US');

export function renderFleetText(r: FleetReport, inlineNodes = 50): string {
  const lines = [
    `Fleet sweep of ${r.cluster}: ${n(r.totals.nodes)} nodes, ${n(r.totals.agentsUnhealthy)} agent(s) unhealthy, ${n(r.totals.agentsMissing)} without an agent, ${n(r.totals.notReady)} not Ready`,
    `${n(r.totals.flagged)} flagged, ${n(r.totals.deepCollected)} collected in depth; ${n(r.apiCalls)} API calls in ${(r.durationMs / 1000).toFixed(1)} s`,
    '',
  ];
  if (r.groups.length === 0) lines.push('No problem found on any node.');
  for (const g of r.groups) {
    lines.push(`[${g.severity}] ${g.sentence.replace(/`/g, '')}`, `    ${g.title}`);
    const shown = g.nodes.slice(0, inlineNodes);
    lines.push(`    nodes: ${shown.join(' ')}${g.nodes.length > shown.length ? ` … and ${n(g.nodes.length - shown.length)} more (--json lists all)` : ''}`);
    lines.push(`    details: cilium-runbook diagnose ${shown[0] ?? '<node>'}`, '');
  }
  const prevention = fleetPrevention(r.groups);
  if (prevention !== null) lines.push(...preventionText(prevention), '');
  for (const s of r.drift.sentences) lines.push(s.replace(/`/g, ''));
  if (r.notCollected > 0) lines.push(`${n(r.notCollected)} more flagged node(s) were not collected in depth (cap).`);
  for (const f of r.failures) lines.push(`deep collection of ${f.node} failed: ${f.error}`);
  for (const u of r.unavailable) lines.push(`could not read ${u}`);
  return lines.join('\n').trimEnd();
}
