// Reading scenario objects in tests: nested fields, the agent of a node, its logs, label selectors.
import type { ContainerLog, KubeObject, Scenario } from '../../sandbox/scenario/index.ts';

type Json = Record<string, unknown>;

export const get = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k as string] : undefined), o);

export const ofKind = (s: Scenario, kind: string): KubeObject[] => s.objects.filter((o) => o.kind === kind);

export function named(s: Scenario, kind: string, name: string): KubeObject {
  const found = s.objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in ${s.name}`);
  return found;
}

export const nodeOf = (pod: KubeObject): string => String(get(pod, 'spec', 'nodeName'));

export function agentOn(s: Scenario, node: string): KubeObject {
  const agent = ofKind(s, 'Pod').find((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && nodeOf(p) === node);
  if (agent === undefined) throw new Error(`no cilium agent on ${node} in ${s.name}`);
  return agent;
}

export function agentLog(s: Scenario, node: string): ContainerLog {
  const agent = agentOn(s, node);
  const log = s.logs.find((l) => l.pod === agent.metadata.name && l.container === 'cilium-agent');
  if (log === undefined) throw new Error(`no logs for the agent on ${node} in ${s.name}`);
  return log;
}

export const agentStatus = (s: Scenario, node: string): unknown => get(agentOn(s, node), 'status', 'containerStatuses', 0);

export const kernelOf = (s: Scenario, node: string): string => String(get(named(s, 'Node', node), 'status', 'nodeInfo', 'kernelVersion'));

export const config = (s: Scenario): Record<string, string> => get(named(s, 'ConfigMap', 'cilium-config'), 'data') as Record<string, string>;

export const lastLine = (text: string | undefined): string => (text ?? '').trimEnd().split('\n').pop() ?? '';

/** Workload pods (not Cilium, not kube-system) on a node. */
export const workloadsOn = (s: Scenario, node: string): KubeObject[] =>
  ofKind(s, 'Pod').filter((p) => p.metadata.namespace !== 'kube-system' && nodeOf(p) === node);

/** Pods a Cilium endpointSelector selects: matchLabels against pod labels, plus the namespace (CNP scope, or the k8s: namespace label). */
export function selectedPods(s: Scenario, policy: KubeObject): KubeObject[] {
  const match = (get(policy, 'spec', 'endpointSelector', 'matchLabels') ?? {}) as Record<string, string>;
  const scope = policy.kind === 'CiliumNetworkPolicy' ? policy.metadata.namespace : undefined;
  return ofKind(s, 'Pod').filter((p) => {
    if (scope !== undefined && p.metadata.namespace !== scope) return false;
    return Object.entries(match).every(([k, v]) => (k === 'k8s:io.kubernetes.pod.namespace' ? p.metadata.namespace === v : p.metadata.labels?.[k.replace(/^k8s:/, '')] === v));
  });
}

/** Every egress/ingress rule of a policy, as JSON text (to look for port 53 / dns rules). */
export const rulesText = (policy: KubeObject, direction: 'egress' | 'ingress'): string => JSON.stringify(get(policy, 'spec', direction) ?? []);
