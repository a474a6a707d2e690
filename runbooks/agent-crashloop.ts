// agent-crashloop: fallback when the cilium-agent crash-loops and no specific runbook explains why. Quotes the
// last fatal/error lines of the previous container, where the fatal line before a restart lives (fact sheet §2.0
// "Parser advice"; 1.18+ ends with `msg="Failed to start hive"` then `panic: Start or stop failed …`, #44967).
// analyze() drops this finding when a specific critical finding explains the crash (issue 4: specific outranks it).
import type { EvidenceQuote, Finding, Runbook } from './contract.ts';
import type { AgentPod, Evidence } from './evidence.ts';
import { computeBlastRadius } from './blast-radius.ts';
import { agentLogSources, ERROR_OR_WORSE, lastAgentLines, quoteLogLine, type SourcedLine } from './agent-logs.ts';

const ID = 'agent-crashloop';
const MIN_RESTARTS = 3;

export function isCrashLooping(pod: AgentPod): boolean {
  if (pod.waitingReason?.includes('CrashLoopBackOff') === true) return true;
  return pod.restartCount >= MIN_RESTARTS && !pod.ready && pod.lastTermination !== undefined && pod.lastTermination.exitCode !== 0;
}

export const agentCrashloop: Runbook = {
  id: ID,
  title: 'cilium-agent crash-loops',
  severity: 'critical',
  rank: 100,
  needs: ['agentPod', 'agentLogs'],
  match(e) {
    if (!e.agentPod.ok || !isCrashLooping(e.agentPod.value)) return null;
    const pod = e.agentPod.value;
    const lines = lastErrorLines(e);
    const evidence: EvidenceQuote[] = [{
      kind: 'fact',
      text: `${pod.name}: ${pod.waitingReason ?? pod.phase}, ${pod.restartCount} restarts, ready=${pod.ready}`,
      source: `pod ${pod.namespace}/${pod.name} status`,
    }];
    const t = pod.lastTermination;
    if (t !== undefined) {
      evidence.push({
        kind: 'fact',
        text: `last termination: exit code ${t.exitCode} (${t.reason})${t.finishedAt === null ? '' : ` at ${t.finishedAt}`}${t.message === undefined ? '' : `: ${t.message.slice(0, 300)}`}`,
        source: 'cilium-agent lastState.terminated',
      });
    }
    evidence.push(...lines.map((s) => quoteLogLine(s.source, s.line)));
    if (!e.agentLogs.ok) {
      evidence.push({ kind: 'fact', text: `agent logs unavailable: ${e.agentLogs.detail}`, source: 'collector' });
    }
    const last = lines[lines.length - 1];
    const said = last === undefined ? '' : `; its last error was "${(last.line.msg ?? last.line.raw).slice(0, 160)}"${last.line.error === null ? '' : ` (${last.line.error.slice(0, 160)})`}`;

    return {
      runbookId: ID,
      title: 'cilium-agent crash-loops',
      severity: 'critical',
      summary: `The cilium-agent on ${e.nodeName} keeps restarting (${pod.restartCount} restarts) for a reason no specific runbook recognises${said}.`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: 'Read the previous container’s last lines',
          detail: 'The fatal line before each restart is in the previous container’s log.',
          commands: [`kubectl -n ${pod.namespace} logs ${pod.name} -c cilium-agent --previous --tail=200`],
        },
        {
          title: 'Check init containers and events',
          detail: 'A failing init container (config, mount-bpf-fs, clean-cilium-state …) or an OOM kill shows in the pod description.',
          commands: [`kubectl -n ${pod.namespace} describe pod ${pod.name}`],
        },
        {
          title: 'Collect a sysdump for the Cilium maintainers',
          detail: 'If the error is not self-explanatory, a sysdump captures agent state, logs and config.',
          commands: [`cilium sysdump --node-list ${e.nodeName}`],
        },
      ],
      docs: [{ title: 'Cilium troubleshooting', url: 'https://docs.cilium.io/en/stable/operations/troubleshooting/' }],
      proposals: [{
        action: 'restart-agent',
        params: { namespace: pod.namespace, pod: pod.name },
        risk: 'low',
        reason: 'Resets the crash back-off so the next start is observed at once; it does not fix the cause.',
      }],
      confidence: 'certain',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

/** The last error/fatal/panic lines of the previous container, else of the current one (at most 5). */
function lastErrorLines(e: Evidence): SourcedLine[] {
  for (const source of agentLogSources(e)) {
    const lines = lastAgentLines(source, ERROR_OR_WORSE, 5);
    if (lines.length > 0) return lines;
  }
  return [];
}
