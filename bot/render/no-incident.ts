// The root message of a diagnosis requested for a node that has no open incident. An incident is opened only when
// the diagnosis finds something; until then (and for good, when it finds nothing) the root says what is happening.
import type { Report } from '../../runbooks/engine/contract.ts';
import { clip, escapeMrkdwn, inlineCode } from './mrkdwn.ts';
import { redactSecrets } from './redact.ts';

export type PendingStage = 'queued' | 'collecting';

/** "Diagnosing `node-7`…" while the job waits or collects. */
export function pendingRootText(node: string, cluster: string, stage: PendingStage): string {
  const what = stage === 'queued' ? 'queued' : 'collecting evidence';
  return `:mag: Diagnosing ${inlineCode(node)} (cluster ${inlineCode(cluster)}): ${what}… An incident is opened only if something is found.`;
}

/** The root once the diagnosis found nothing: no incident, and what the report in the thread says in one line. */
export function healthyRootText(report: Report): string {
  const inconclusive = report.inconclusive.length;
  const verdict =
    inconclusive > 0
      ? `no finding, but ${inconclusive} check(s) were inconclusive (see the thread for what could not be read)`
      : 'healthy, no runbook matched';
  return clip(
    `:white_check_mark: ${inlineCode(report.node)} (cluster ${inlineCode(report.cluster)}): ${verdict}. No incident opened; ` +
      `\`/cilium diagnose ${report.node}\` again opens one if a later run finds something.`,
    3000,
  );
}

/** The root after a failed diagnosis of a node without an incident. */
export function failedRootText(node: string, cluster: string, message: string): string {
  return clip(`:x: The diagnosis of ${inlineCode(node)} (cluster ${inlineCode(cluster)}) failed: ${escapeMrkdwn(redactSecrets(message))}`, 3000);
}
