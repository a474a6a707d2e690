// The cilium-agent pod and the workloads on the node, as runbooks need them: waiting reasons and the last
// termination, not just the phase (a crash-looping agent's phase is "Running").
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { AgentPod, ContainerState, Termination, WorkloadPod } from '../../runbooks/engine/evidence.ts';

export const AGENT_CONTAINER = 'cilium-agent';

function iso(d: Date | string | undefined): string | null {
  if (d === undefined) return null;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function termination(t: { exitCode: number; reason?: string; finishedAt?: Date | string; message?: string } | undefined): Termination | undefined {
  if (t === undefined) return undefined;
  return { exitCode: t.exitCode, reason: t.reason ?? '', finishedAt: iso(t.finishedAt), ...(t.message !== undefined && { message: t.message }) };
}

/** A container's state as the kubelet reports it; `name` alone (state unknown) when the kubelet has no status yet. */
export function toContainerState(name: string, status: V1ContainerStatus | undefined): ContainerState {
  const s = status?.state;
  const last = termination(status?.lastState?.terminated);
  const base = { name, restartCount: status?.restartCount ?? 0, ...(status !== undefined && { ready: status.ready }), ...(last !== undefined && { lastTermination: last }) };
  if (s?.waiting !== undefined) return { ...base, state: 'waiting', ...(s.waiting.reason !== undefined && { reason: s.waiting.reason }), ...(s.waiting.message !== undefined && { message: s.waiting.message }) };
  if (s?.running !== undefined) return { ...base, state: 'running' };
  if (s?.terminated !== undefined) {
    const t = s.terminated;
    return { ...base, state: 'terminated', exitCode: t.exitCode, ...(t.reason !== undefined && { reason: t.reason }), ...(t.message !== undefined && { message: t.message }) };
  }
  return { ...base, state: 'unknown' };
}

export function toAgentPod(pod: V1Pod, agentContainer = AGENT_CONTAINER): AgentPod {
  const status = pod.status?.containerStatuses?.find((c) => c.name === agentContainer);
  const last = status?.lastState?.terminated;
  const containers = [
    ...(pod.spec?.containers ?? []).map((c) => c.name),
    ...(pod.spec?.initContainers ?? []).map((c) => c.name),
  ];
  const started = iso(status?.state?.running?.startedAt);
  return {
    name: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready: status?.ready === true,
    restartCount: status?.restartCount ?? 0,
    ...(status?.state?.waiting?.reason !== undefined && { waitingReason: status.state.waiting.reason }),
    ...(status?.state?.waiting?.message !== undefined && { waitingMessage: status.state.waiting.message }),
    ...(last !== undefined && {
      lastTermination: {
        exitCode: last.exitCode,
        reason: last.reason ?? '',
        finishedAt: iso(last.finishedAt),
        ...(last.message !== undefined && { message: last.message }),
      },
    }),
    containers,
    ...(started !== null && { startedAt: started }),
    initContainers: (pod.spec?.initContainers ?? []).map((c) => toContainerState(c.name, pod.status?.initContainerStatuses?.find((s) => s.name === c.name))),
    agentContainer: toContainerState(agentContainer, status),
    conditions: (pod.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason !== undefined && { reason: c.reason }),
      ...(c.message !== undefined && { message: c.message }),
    })),
  };
}

/** Is the agent container running now (so exec can reach it)? */
export function agentRunning(pod: V1Pod, agentContainer = AGENT_CONTAINER): boolean {
  const status = pod.status?.containerStatuses?.find((c) => c.name === agentContainer);
  return status?.state?.running !== undefined;
}

export function toWorkload(pod: V1Pod): WorkloadPod {
  const statuses = pod.status?.containerStatuses ?? [];
  const waiting = statuses.find((c) => c.state?.waiting !== undefined)?.state?.waiting?.reason;
  const owner = pod.metadata?.ownerReferences?.[0];
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ...(ready !== undefined && { ready: ready.status === 'True' }),
    ...(waiting !== undefined && { waitingReason: waiting }),
    ...(owner !== undefined && { ownerKind: owner.kind, ownerName: owner.name }),
    hostNetwork: pod.spec?.hostNetwork === true,
    ...(pod.metadata?.labels !== undefined && { labels: pod.metadata.labels }),
  };
}
