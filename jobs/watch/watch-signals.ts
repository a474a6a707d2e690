// What the watch reads off a Node and its cilium-agent Pod as the informers see them: one cause per node, the
// root cause first (a kernel below the installed Cilium's floor explains the crash loop and the taint it leads to).
// Pure: the fleet triage's kernel floor and agent health (runbooks/engine/fleet/fleet-node.ts) on watched objects.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { agentHealthy, triage, type FleetContext } from '../../runbooks/engine/fleet/fleet-node.ts';
import { nodePool } from '../collect/node-facts.ts';
import { toFleetAgent } from '../fleet/fleet-facts.ts';
import { agentContainerOf } from '../collect/cilium-install.ts';
import type { NodeObservation } from './watch-state.ts';

export const WATCH_CAUSES = [
  'kernel-too-old',
  'agent-init-failed',
  'agent-crashloop',
  'agent-not-ready',
  'agent-missing',
  'cilium-taint',
  'network-unavailable',
] as const;
export type WatchCause = (typeof WATCH_CAUSES)[number];

/** The taint the Cilium operator keeps on a node until its agent is ready (operator flag agent-not-ready-taint-key). */
export const AGENT_NOT_READY_TAINT = 'node.cilium.io/agent-not-ready';

/** The init container stuck or failing, e.g. "config: CrashLoopBackOff"; null when the init containers are fine. */
function initFailure(pod: V1Pod): string | null {
  for (const s of pod.status?.initContainerStatuses ?? []) {
    const waiting = s.state?.waiting?.reason;
    if (waiting !== undefined && waiting !== 'PodInitializing') return `${s.name}: ${waiting}`;
    const terminated = s.state?.terminated;
    if (terminated !== undefined && terminated.exitCode !== 0) return `${s.name}: exited ${terminated.exitCode}${terminated.reason === undefined ? '' : ` (${terminated.reason})`}`;
  }
  return null;
}

/**
 * The agent between two crashes of one crash loop: exited with an error just now, or running again (not ready yet)
 * after such an exit. The kubelet says CrashLoopBackOff only while it waits to restart the container, so without this
 * one loop would read as two causes by the moment it is looked at, and a pool crash-looping together would open two
 * incidents (the watch bench's storm did). Null when the last run did not fail.
 */
function crashedLast(pod: V1Pod): string | null {
  const status = pod.status?.containerStatuses?.find((c) => c.name === agentContainerOf(pod.spec));
  const exit = status?.state?.terminated ?? (status?.state?.running !== undefined ? status.lastState?.terminated : undefined);
  if (exit === undefined || exit.exitCode === 0) return null;
  return `exit ${exit.exitCode}${exit.reason === undefined ? '' : ` (${exit.reason})`}`;
}

/**
 * One node's observation. `agent` is the node's cilium-agent pod (undefined: none seen yet; a node that just
 * joined has none for a few seconds, which the damping window absorbs). `context.fleetVersion` is the Cilium
 * version most agents run: it is what a new node will get, so its kernel is checked against that floor on join.
 */
export function observeNode(node: V1Node, agent: V1Pod | undefined, context: FleetContext): NodeObservation {
  const name = node.metadata?.name ?? '';
  const pool = nodePool(node.metadata?.labels ?? {});
  const info = node.status?.nodeInfo;
  const fleetAgent = agent === undefined ? null : toFleetAgent(agent);
  const verdict = triage(
    { name, kernel: info?.kernelVersion ?? '', osImage: info?.osImage ?? '', arch: info?.architecture ?? '', pool, ready: true, agent: fleetAgent, kubeProxyPod: false },
    context,
  );
  const bad = (cause: WatchCause, reason: string): NodeObservation => ({ node: name, pool, cause, reason });
  const kernel = verdict.triggers.indexOf('kernel-too-old');
  if (kernel >= 0) return bad('kernel-too-old', verdict.reasons[kernel] ?? 'kernel below the Cilium floor');
  if (agent !== undefined && fleetAgent !== null) {
    const init = initFailure(agent);
    if (init !== null) return bad('agent-init-failed', `cilium-agent init container ${init}`);
    if (fleetAgent.waitingReason === 'CrashLoopBackOff') return bad('agent-crashloop', `cilium-agent CrashLoopBackOff, ${fleetAgent.restarts} restarts`);
    const crashed = agentHealthy(fleetAgent) ? null : crashedLast(agent);
    if (crashed !== null) return bad('agent-crashloop', `cilium-agent crash-looping (last run: ${crashed}), ${fleetAgent.restarts} restarts`);
    if (!agentHealthy(fleetAgent)) {
      return bad('agent-not-ready', `cilium-agent ${fleetAgent.waitingReason ?? fleetAgent.phase}, not ready, ${fleetAgent.restarts} restarts`);
    }
  }
  if (agent === undefined) return bad('agent-missing', 'no cilium-agent pod on the node');
  if ((node.spec?.taints ?? []).some((t) => t.key === AGENT_NOT_READY_TAINT)) return bad('cilium-taint', `taint ${AGENT_NOT_READY_TAINT} still on the node`);
  const network = node.status?.conditions?.find((c) => c.type === 'NetworkUnavailable');
  if (network?.status === 'True') return bad('network-unavailable', `NetworkUnavailable=True (${network.reason ?? 'no reason'})`);
  return { node: name, pool, cause: null, reason: 'healthy' };
}
