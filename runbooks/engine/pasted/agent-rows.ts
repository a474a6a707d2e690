// `kubectl get pods` rows of cilium-agent pods → the agentPod fact, only when the table settles it for any node: every
// agent row listed is in CrashLoopBackOff (kubectl prints the container's waiting reason as STATUS, kubernetes
// pkg/printers/internalversion/printers.go printPod). A table with some agents Running does not say which one the
// diagnosis is about, so it gives no fact. Real shape: canonical/k8s-snap#1828, cilium/cilium#20679.
import type { AgentPod } from '../evidence.ts';
import { AGENT_POD_NAME, type PodRow } from './kubectl-text.ts';

const CRASH_LOOP = /^CrashLoopBackOff$/;

export function crashLoopingAgentFromRows(rows: readonly PodRow[]): AgentPod | null {
  const agents = rows.filter((r) => AGENT_POD_NAME.test(r.name));
  if (agents.length === 0 || !agents.every((r) => CRASH_LOOP.test(r.status))) return null;
  // The most restarted agent stands for all: the table says no more of any of them.
  const r = agents.reduce((a, b) => (b.restarts > a.restarts ? b : a));
  return {
    name: r.name, namespace: r.namespace ?? 'kube-system', phase: 'Running', ready: false, restartCount: r.restarts,
    waitingReason: r.status, containers: [], initContainers: [], conditions: [],
  };
}
