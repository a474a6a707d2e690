// What the diagnose worker needs from the chat side. bot/ implements it (Slack thread); the CLI could too.
import type { Report } from '../runbooks/engine/contract.ts';
import type { RunDiff } from './incidents/run-diff.ts';
import type { Incident, TimelineEntry } from './incidents/incident.ts';

export interface DiagnosisTarget {
  /** Absent while the node has no open incident (a healthy answer opens none). */
  incidentId?: string;
  cluster: string;
  node: string;
  channelId: string;
  threadTs: string;
  requestedBy: string;
  /** The BullMQ job posting for this target: makes each post idempotent across retries. */
  jobId?: string;
}

/** A diagnosis that belongs to an incident: its report goes into the incident's thread. */
export type IncidentTarget = DiagnosisTarget & { incidentId: string };

export interface RemediationButton {
  proposalId: string;
  /** Index of the finding in the report the button belongs to. */
  finding: number;
  label: string;
  /** What will change (confirm dialog). */
  change: string;
  risk: 'low' | 'medium' | 'high';
}

export interface ReportContext {
  /** The run number within the incident (1 for the first diagnosis). */
  run: number;
  /** What changed since the previous run of the same incident; null on the first run. */
  diff: RunDiff | null;
  /** Remediation buttons, when remediation is enabled; otherwise proposals are shown as text. */
  buttons?: RemediationButton[];
}

export interface IncidentSink {
  /** The job started collecting (the root summary shows progress). */
  collecting(target: DiagnosisTarget): Promise<void>;
  /** The finished report: thread replies (starting with what changed) plus an updated root summary. */
  report(target: IncidentTarget, report: Report, context: ReportContext): Promise<void>;
  /**
   * A diagnosis with no finding on a node without an open incident: answered under the request's root message,
   * which says no incident was opened.
   */
  healthy(target: DiagnosisTarget, report: Report): Promise<void>;
  /** The job failed for good: say so in the thread, with what to do. */
  failed(target: DiagnosisTarget, message: string): Promise<void>;
  /** Posts a timeline entry into the incident's thread (once per entry, whatever the retries). */
  postEntry(incident: Incident, entry: TimelineEntry): Promise<void>;
  /** Re-renders the incident's root summary from the store. */
  refreshSummary(incident: Incident): Promise<void>;
}
