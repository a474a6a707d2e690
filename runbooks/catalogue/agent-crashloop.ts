// agent-crashloop: fallback when the cilium-agent is down — crash-looping, stuck in an init container, not ready, or
// absent from the node — and no specific runbook explains why (a node whose agent is down never reads "no problem"). Quotes the
// last fatal/error lines of the previous container, where the fatal line before a restart lives (fact sheet §2.0
// "Parser advice"; 1.18+ ends with `msg="Failed to start hive"` then `panic: Start or stop failed …`, #44967).
// analyze() drops this finding when a specific critical finding explains the crash (issue 4: specific outranks it).
// Without the pod's state (pasted or offline evidence) the agent's own fatal lines are enough: a line at fatal/panic
// level, or the startup-failure lines that end every failed start whatever their level spelling — `failed to start:
// daemon creation failed: …` (#33527, #35928), `Start hook failed` (#35928), `Failed to start hive` and `panic: Start or
// stop failed` (#44967). The agent exited on them; whether it is still down was not read, so that finding is a warning.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { AgentPod, ContainerState, Evidence } from '../engine/evidence.ts';
import { agentLogsCommand, ciliumNamespace } from '../engine/install-commands.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { panicOrigin } from '../engine/panic-origin.ts';
import { agentLogSources, ERROR_OR_WORSE, findAgentLines, lastAgentLines, quoteLogLine, type LogQuery, type SourcedLine } from '../engine/agent-logs.ts';

const ID = 'agent-crashloop';
const MIN_RESTARTS = 3;

export function isCrashLooping(pod: AgentPod): boolean {
  if (pod.waitingReason?.includes('CrashLoopBackOff') === true) return true;
  return pod.restartCount >= MIN_RESTARTS && !pod.ready && pod.lastTermination !== undefined && pod.lastTermination.exitCode !== 0;
}

/** The first init container that failed or is stuck (the pod cannot start the agent until it completes). */
export function failingInit(pod: AgentPod): ContainerState | null {
  return pod.initContainers.find((c) =>
    (c.state === 'waiting' && c.reason !== undefined && c.reason !== 'PodInitializing') ||
    (c.state === 'terminated' && c.exitCode !== 0) ||
    (c.state !== 'terminated' && c.lastTermination !== undefined && c.lastTermination.exitCode !== 0)) ?? null;
}

type Down =
  | { kind: 'crashloop' }
  | { kind: 'init'; init: ContainerState }
  | { kind: 'not-ready'; waiting: boolean }
  | { kind: 'missing' };

/** Why the agent is not serving this node, or null when it is Ready (or its state is unknown). */
function agentDown(e: Evidence): Down | null {
  if (!e.agentPod.ok) {
    // An install that was found, with no agent scheduled on this node: nothing gives its pods networking.
    return e.install.ok && e.agentPod.reason === 'not-found' ? { kind: 'missing' } : null;
  }
  const pod = e.agentPod.value;
  if (isCrashLooping(pod)) return { kind: 'crashloop' };
  const init = failingInit(pod);
  if (init !== null) return { kind: 'init', init };
  if (pod.ready) return null;
  return { kind: 'not-ready', waiting: pod.phase === 'Pending' || pod.waitingReason !== undefined || pod.agentContainer?.state === 'waiting' };
}

export const agentCrashloop: Runbook = {
  id: ID,
  title: 'cilium-agent is down',
  severity: 'critical',
  rank: 100,
  needs: ['agentPod', 'agentLogs'],
  match(e) {
    const down = agentDown(e);
    if (down === null) return e.agentPod.ok ? null : exitedWithoutPodState(e);
    if (down.kind === 'missing') return missingAgent(e);
    if (!e.agentPod.ok) return null;
    const pod = e.agentPod.value;
    const lines = lastErrorLines(e, down.kind === 'init' ? down.init.name : undefined);
    const state = down.kind === 'init' ? `init container ${down.init.name} ${down.init.reason ?? down.init.state}` : pod.waitingReason ?? pod.phase;
    const evidence: EvidenceQuote[] = [{
      kind: 'fact',
      text: `${pod.name}: ${state}, ${down.kind === 'init' ? down.init.restartCount : pod.restartCount} restarts, ready=${pod.ready}`,
      source: `pod ${pod.namespace}/${pod.name} status`,
    }];
    const t = down.kind === 'init' ? down.init.lastTermination ?? (down.init.exitCode === undefined ? undefined : { exitCode: down.init.exitCode, reason: down.init.reason ?? '', finishedAt: null, ...(down.init.message !== undefined && { message: down.init.message }) }) : pod.lastTermination;
    if (t !== undefined) {
      evidence.push({
        kind: 'fact',
        text: `last termination: exit code ${t.exitCode} (${t.reason})${t.finishedAt === null ? '' : ` at ${t.finishedAt}`}${t.message === undefined ? '' : `: ${t.message.slice(0, 300)}`}`,
        source: down.kind === 'init' ? `init container ${down.init.name} lastState.terminated` : 'cilium-agent lastState.terminated',
      });
    }
    const notReady = pod.conditions.find((c) => c.type === 'Ready' && c.status !== 'True');
    if (down.kind === 'not-ready' && notReady !== undefined) {
      evidence.push({ kind: 'fact', text: `condition Ready=${notReady.status}${notReady.reason === undefined ? '' : ` (${notReady.reason})`}${notReady.message === undefined ? '' : `: ${notReady.message.slice(0, 200)}`}`, source: `pod ${pod.namespace}/${pod.name} conditions` });
    }
    evidence.push(...lines.map((l) => quoteLogLine(l.source, l.line)));
    if (!e.agentLogs.ok) {
      evidence.push({ kind: 'fact', text: `agent logs unavailable: ${e.agentLogs.detail}`, source: 'collector' });
    }
    const last = lines[lines.length - 1];
    const said = last === undefined ? '' : `; its last error was "${(last.line.msg ?? last.line.raw).slice(0, 160)}"${last.line.error === null ? '' : ` (${last.line.error.slice(0, 160)})`}`;
    const what = {
      crashloop: { title: 'cilium-agent crash-loops', summary: `The cilium-agent on ${e.nodeName} keeps restarting (${pod.restartCount} restarts) for a reason no specific runbook recognises${said}.` },
      init: { title: `cilium-agent stuck in init container ${down.kind === 'init' ? down.init.name : ''}`, summary: `The cilium-agent on ${e.nodeName} cannot start: its init container ${down.kind === 'init' ? down.init.name : ''} fails (${state}) for a reason no specific runbook recognises${said}.` },
      'not-ready': { title: 'cilium-agent is not ready', summary: `The cilium-agent on ${e.nodeName} is not ready (${state}), so new pods there get no networking and its endpoints may not be programmed${said}.` },
    }[down.kind];
    const initName = down.kind === 'init' ? down.init.name : undefined;

    return {
      runbookId: ID,
      title: what.title,
      severity: down.kind === 'not-ready' && !down.waiting ? 'warning' : 'critical',
      summary: what.summary,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: initName === undefined ? 'Read the previous container’s last lines' : `Read the ${initName} init container’s log`,
          detail: initName === undefined ? 'The fatal line before each restart is in the previous container’s log.' : 'The init container must complete before the agent starts; its log holds the failure.',
          commands: [agentLogsCommand(e, initName === undefined, initName)],
        },
        {
          title: 'Check init containers and events',
          detail: 'A failing init container (config, mount-bpf-fs, clean-cilium-state …) or an OOM kill shows in the pod description.',
          commands: [`kubectl -n ${pod.namespace} describe pod ${pod.name}`],
        },
        {
          title: 'Collect a sysdump for the Cilium maintainers',
          detail: 'If the error is not self-explanatory, a sysdump captures agent state, logs and config.',
          commands: [`cilium sysdump --namespace ${pod.namespace} --node-list ${e.nodeName}`],
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
      basis: 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

/** No agent pod on the node although Cilium was found: its pods have no CNI (DaemonSet selector, taints, or quota). */
function missingAgent(e: Evidence): Finding | null {
  if (!e.install.ok) return null;
  const i = e.install.value;
  return {
    runbookId: ID,
    title: 'No cilium-agent on this node',
    severity: 'critical',
    summary: `Cilium runs in ${i.namespace}, but no agent pod is scheduled on ${e.nodeName}, so pods there get no networking.`,
    evidence: [{ kind: 'fact', text: e.agentPod.ok ? '' : e.agentPod.detail, source: i.how }],
    blastRadius: computeBlastRadius(e),
    fixSteps: [{
      title: 'Find why the DaemonSet does not place a pod here',
      detail: 'A nodeSelector or affinity that excludes the node, a taint the agent does not tolerate, or a pod that cannot be created (events).',
      commands: [`kubectl -n ${i.namespace} get ds/${i.daemonSet ?? 'cilium'} -o jsonpath='{.spec.template.spec.nodeSelector}{"\\n"}{.spec.template.spec.affinity}{"\\n"}{.spec.template.spec.tolerations}'`, `kubectl get node ${e.nodeName} -o jsonpath='{.spec.taints}'`, `kubectl -n ${i.namespace} get events --field-selector involvedObject.kind=DaemonSet`],
    }],
    docs: [{ title: 'Cilium troubleshooting', url: 'https://docs.cilium.io/en/stable/operations/troubleshooting/' }],
    proposals: [],
    confidence: 'certain',
    basis: 'observed',
    explainsAgentCrash: false,
  };
}

const STARTUP_FAILED = /failed to start: |Start hook failed|Failed to start hive|Start or stop failed|daemon creation failed/i;
const FATAL_LINES: LogQuery = { level: ['fatal', 'panic'] };
const STARTUP_FAILED_LINES: LogQuery = { text: [STARTUP_FAILED] };
/** A line holding only the `error="…"` of the line before it, as a quoted line wraps (deckhouse#22619). */
const WRAPPED_ERROR_LINES: LogQuery = { where: (l) => l.level === null && l.msg === null && l.error !== null };

/** The lines the agent printed as it gave up, in log order (fatal/panic level, or a startup-failure line). */
export function exitLines(e: Evidence, limit = 5): SourcedLine[] {
  const seen = new Set<string>();
  const out: SourcedLine[] = [];
  const exits = [...findAgentLines(e, FATAL_LINES, limit), ...findAgentLines(e, STARTUP_FAILED_LINES, limit)];
  const wrapped = exits.some((x) => x.line.error === null) ? findAgentLines(e, WRAPPED_ERROR_LINES, 50) : [];
  const follows = (w: SourcedLine) => exits.some((x) => x.source.chunk === w.source.chunk && x.line.error === null && x.line.lineNumber + 1 === w.line.lineNumber);
  for (const s of [...exits, ...wrapped.filter(follows)]) {
    const key = `${s.source.initContainer ?? ''}/${s.source.container}/${s.line.lineNumber}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  const order = agentLogSources(e).map((src) => src.chunk);
  return out
    .sort((a, b) => order.indexOf(a.source.chunk) - order.indexOf(b.source.chunk) || a.line.lineNumber - b.line.lineNumber)
    .slice(0, limit);
}

/** No pod state read, but the agent's log ends in a fatal line no specific runbook explains (pasted evidence). */
function exitedWithoutPodState(e: Evidence): Finding | null {
  // Another program's panic says nothing about the agent; an operator panic is the operator's exit, not the agent's.
  const origin = panicOrigin(e);
  if (origin === 'other') return null;
  const who = origin === 'cilium-operator' ? 'cilium-operator' : 'cilium-agent';
  const lines = exitLines(e);
  const last = lines.findLast((l) => l.line.msg !== null) ?? lines[lines.length - 1];
  if (last === undefined) return null;
  const error = last.line.error ?? lines.find((l) => l.source.chunk === last.source.chunk && l.line.lineNumber === last.line.lineNumber + 1)?.line.error ?? null;
  const said = `${(last.line.msg ?? last.line.raw).slice(0, 200)}${error === null ? '' : ` (${error.slice(0, 200)})`}`;
  const ns = ciliumNamespace(e);
  return {
    runbookId: ID,
    title: `${who} exited on a fatal error`,
    severity: 'warning',
    summary: who === 'cilium-operator'
      ? `The cilium-operator panicked on an error no specific runbook recognises: "${said}" (its stack is the operator's, not the agent's). The agents keep running; IPAM, CRD and identity housekeeping stop while it restarts.`
      : `The cilium-agent on ${e.nodeName} exited on a fatal error no specific runbook recognises: "${said}". Its pod state was not read, so whether it is still down (crash-looping) is not known.`,
    evidence: [
      ...lines.map((l) => quoteLogLine(l.source, l.line)),
      { kind: 'fact', text: `agent pod state not read: ${e.agentPod.ok ? '' : e.agentPod.detail}`, source: 'collector' },
    ],
    blastRadius: computeBlastRadius(e),
    fixSteps: [
      {
        title: 'See whether the agent is still down',
        detail: 'CrashLoopBackOff or many restarts means every start ends on this line; Running and Ready means it recovered.',
        commands: [`kubectl -n ${ns} get pods -l k8s-app=cilium -o wide --field-selector spec.nodeName=${e.nodeName}`],
      },
      {
        title: 'Read the previous container’s last lines',
        detail: 'The quoted line names what failed; the lines before it say which step of the start it was.',
        commands: [agentLogsCommand(e, true)],
      },
      {
        title: 'Collect a sysdump for the Cilium maintainers',
        detail: 'If the error is not self-explanatory, a sysdump captures agent state, logs and config.',
        commands: [`cilium sysdump --namespace ${ns} --node-list ${e.nodeName}`],
      },
    ],
    docs: [{ title: 'Cilium troubleshooting', url: 'https://docs.cilium.io/en/stable/operations/troubleshooting/' }],
    proposals: [],
    // The line is explicit; that the agent is down now is not known without the pod state.
    confidence: 'medium',
    basis: 'explicit',
    explainsAgentCrash: false,
  };
}

/** The last error/fatal/panic lines of the failing init container, else the agent's previous then current log. */
function lastErrorLines(e: Evidence, initContainer?: string): SourcedLine[] {
  const sources = agentLogSources(e).filter((s) => (initContainer === undefined ? s.initContainer === undefined : s.initContainer === initContainer));
  for (const source of sources) {
    const lines = lastAgentLines(source, ERROR_OR_WORSE, 5);
    if (lines.length > 0) return lines;
  }
  // Nothing at error level (or a format whose level is unknown): the last lines say what it was doing.
  for (const source of sources) {
    const lines = lastAgentLines(source, {}, 3);
    if (lines.length > 0 && initContainer !== undefined) return lines;
  }
  return [];
}
