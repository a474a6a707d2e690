// What the diagnose worker needs from the chat side. bot/ implements it (Slack thread); the CLI could too.
import type { Report } from '../runbooks/contract.ts';

export interface DiagnosisTarget {
  cluster: string;
  node: string;
  channelId: string;
  threadTs: string;
  requestedBy: string;
}

export interface IncidentSink {
  /** The job started collecting (root message shows progress). */
  collecting(target: DiagnosisTarget): Promise<void>;
  /** The finished report: thread replies plus an updated root message. */
  report(target: DiagnosisTarget, report: Report): Promise<void>;
  /** The job failed for good: say so in the thread, with what to do. */
  failed(target: DiagnosisTarget, message: string): Promise<void>;
}
