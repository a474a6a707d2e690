// What one shared sysdump yields for Slack, computed in one pass (pure of I/O once the bytes are in memory): the
// fleet report of every node, and the evidence and report of each node with a critical finding, so the worker can
// open or join that node's incident without reading the archive again.
import { analyze } from '../../runbooks/engine/analyze.ts';
import type { Report } from '../../runbooks/engine/contract.ts';
import type { Evidence } from '../../runbooks/engine/evidence.ts';
import type { FleetReport } from '../fleet/sweep.ts';
import { SysdumpArchive } from '../sysdump/sysdump-archive.ts';
import { fleetReportFromSysdump } from '../sysdump/sysdump-evidence.ts';

export interface CriticalNode {
  node: string;
  evidence: Evidence;
  report: Report;
}

export interface SysdumpAnalysis {
  /** cilium-cli layout id of the archive (layouts.ts). */
  layout: string;
  fleet: FleetReport;
  /** Nodes with at least one critical finding, in the archive's node order. */
  critical: CriticalNode[];
}

export async function analyseSysdump(bytes: Uint8Array, name: string): Promise<SysdumpAnalysis> {
  const archive = SysdumpArchive.open(bytes, name);
  const critical: CriticalNode[] = [];
  const fleet = await fleetReportFromSysdump(archive, (evidence) => {
    const report = analyze(evidence);
    if (report.findings.some((f) => f.severity === 'critical')) critical.push({ node: evidence.nodeName, evidence, report });
    return report;
  });
  return { layout: archive.layout.id, fleet, critical };
}
