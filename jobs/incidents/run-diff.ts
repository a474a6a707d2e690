// What a diagnosis run found, reduced to what is worth comparing with the next run, and the comparison itself:
// findings new / resolved / unchanged, and evidence that moved ("agent restarts 14 → 19").
import type { Report } from '../../runbooks/engine/contract.ts';
import type { Evidence } from '../../runbooks/engine/evidence.ts';
import type { RunSummary } from './incident.ts';

export const METRIC_LABELS: Record<string, string> = {
  kernel: 'kernel',
  ciliumVersion: 'Cilium version',
  agentRestarts: 'cilium-agent restarts',
  agentState: 'cilium-agent state',
  stuckPods: 'pods stuck in ContainerCreating',
  podsOnNode: 'pods on the node',
  kubeProxyPod: 'kube-proxy pod on the node',
  kubeSvcRules: 'KUBE-SVC rules',
  nodeReady: 'node Ready',
};

export function summarizeRun(report: Report, evidence: Evidence, at: string): Omit<RunSummary, 'run'> {
  const agent = evidence.agentPod.ok ? evidence.agentPod.value : null;
  const workloads = evidence.workloads.ok ? evidence.workloads.value : null;
  const ready = evidence.node.ok ? evidence.node.value.conditions?.find((c) => c.type === 'Ready') : undefined;
  return {
    at,
    findings: report.findings.map((f) => ({ runbookId: f.runbookId, severity: f.severity, title: f.title })),
    metrics: {
      kernel: evidence.node.ok ? (evidence.node.value.kernelVersion ?? null) : null,
      ciliumVersion: evidence.cilium.ok ? evidence.cilium.value.version : null,
      agentRestarts: agent?.restartCount ?? null,
      agentState: agent === null ? null : (agent.waitingReason ?? (agent.ready ? 'Ready' : agent.phase)),
      stuckPods: workloads === null ? null : workloads.filter((w) => w.waitingReason === 'ContainerCreating').length,
      podsOnNode: workloads?.length ?? null,
      kubeProxyPod: evidence.kubeProxy.ok ? (evidence.kubeProxy.value.podOnNode === null ? 'absent' : 'present') : null,
      kubeSvcRules: evidence.iptables.ok ? evidence.iptables.value.kubeProxyChains.svc : null,
      nodeReady: ready?.status ?? null,
    },
  };
}

export interface RunDiff {
  previousRun: number;
  previousAt: string;
  newFindings: RunSummary['findings'];
  resolvedFindings: RunSummary['findings'];
  unchangedFindings: RunSummary['findings'];
  moved: Array<{ metric: string; label: string; from: number | string | null; to: number | string | null }>;
}

export function diffRuns(previous: RunSummary, current: RunSummary): RunDiff {
  const before = new Set(previous.findings.map((f) => f.runbookId));
  const after = new Set(current.findings.map((f) => f.runbookId));
  const moved: RunDiff['moved'] = [];
  for (const [metric, to] of Object.entries(current.metrics)) {
    const from = previous.metrics[metric] ?? null;
    if (from !== to && !(from === null && to === null)) moved.push({ metric, label: METRIC_LABELS[metric] ?? metric, from, to });
  }
  return {
    previousRun: previous.run,
    previousAt: previous.at,
    newFindings: current.findings.filter((f) => !before.has(f.runbookId)),
    resolvedFindings: previous.findings.filter((f) => !after.has(f.runbookId)),
    unchangedFindings: current.findings.filter((f) => before.has(f.runbookId)),
    moved,
  };
}
