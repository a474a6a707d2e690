// Renders a Report for a terminal (the CLI): the same content as the Slack thread, as plain text.
import type { Report } from '../../runbooks/engine/contract.ts';
import { redactSecrets } from './redact.ts';
import { confidenceNote } from './confidence.ts';

const MARK = { critical: '[CRITICAL]', warning: '[WARNING]', info: '[INFO]' } as const;

export function renderReportText(report: Report): string {
  const out: string[] = [];
  const top = report.findings[0];
  out.push(`Diagnosis of ${report.node} (cluster ${report.cluster}, Cilium ${report.ciliumVersion ?? 'unknown'}, collected ${report.collectedAt})`);
  out.push('');
  if (top === undefined) out.push(report.healthySummary ?? 'No runbook matched the evidence.');
  for (const f of report.findings) {
    out.push(`${MARK[f.severity]} ${f.title} (${f.runbookId}, ${confidenceNote(f)})`);
    out.push(`  ${f.summary}`);
    if (f.evidence.length > 0) {
      out.push('  Evidence:');
      for (const q of f.evidence) out.push(`    ${q.source}: ${q.text}`);
    }
    if (f.blastRadius.sentences.length > 0) {
      out.push('  Blast radius:');
      for (const s of f.blastRadius.sentences) out.push(`    - ${s}`);
    }
    f.fixSteps.forEach((step, i) => {
      out.push(`  Fix ${i + 1}. ${step.title}`);
      out.push(`    ${step.detail}`);
      for (const c of step.commands ?? []) out.push(`      $ ${c}`);
      if (step.helmValues !== undefined) out.push(...step.helmValues.split('\n').map((l) => `      ${l}`));
    });
    for (const d of f.docs) out.push(`  Docs: ${d.title} <${d.url}>`);
    out.push('');
  }
  for (const i of report.inconclusive) out.push(`Inconclusive: ${i.runbookId} (${i.title}): missing ${i.missing.join(', ')}`);
  for (const u of report.unavailable) out.push(`Could not collect ${u.fact} (${u.reason}): ${u.detail}${u.fix !== undefined ? `\n  Fix: ${u.fix}` : ''}`);
  if (report.readByProbe !== undefined) out.push(`Read by the node probe: ${report.readByProbe.join(', ')} (a short-lived pod on the node, since the agent could not read them)`);
  out.push(`Checked: ${report.checked.join(', ')}`);
  return redactSecrets(out.join('\n'));
}
