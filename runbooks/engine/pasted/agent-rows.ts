// `kubectl get pods` rows of cilium-agent pods → the agentPod fact, only when the table settles it for any node: every
// agent row listed is in CrashLoopBackOff (kubectl prints the container's waiting reason as STATUS, kubernetes
// pkg/printers/internalversion/printers.go printPod). A table with some agents Running does not say which one the
// diagnosis is about, so it gives no fact. Real shape: canonical/k8s-snap#1828, cilium/cilium#20679.
import type { AgentPod, KubeProxyInfo } from '../evidence.ts';
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

/**
 * kube-proxy DaemonSet pods are `kube-proxy-<5 chars>`; RKE2 and hand-converted kubeadm run it as a static pod named
 * `kube-proxy-<node>` (rancher/rke2 pkg/staticpod). k3s has none (embedded).
 */
const KUBE_PROXY_POD = /^kube-proxy-([a-z0-9]{5}|[a-z0-9][-a-z0-9.]*[a-z0-9])$/;
const DAEMONSET_SUFFIX = /^kube-proxy-[a-z0-9]{5}$/;

/**
 * `kubectl get pods` rows of kube-proxy → the kubeProxy fact, only when the table settles it for any node: every
 * kube-proxy row listed is Running (a DaemonSet runs one per node, so whichever node this is runs one too). Rows in
 * other states, or none, give no fact: absence from a pasted table is not absence from the cluster.
 */
export function kubeProxyFromRows(rows: readonly PodRow[]): KubeProxyInfo | null {
  const proxies = rows.filter((r) => KUBE_PROXY_POD.test(r.name) && (r.namespace === null || r.namespace === 'kube-system'));
  if (proxies.length === 0 || !proxies.every((r) => r.status === 'Running')) return null;
  const r = proxies[0];
  if (r === undefined) return null;
  const daemonSet = proxies.every((p) => DAEMONSET_SUFFIX.test(p.name));
  return {
    daemonSetPresent: daemonSet,
    ...(daemonSet ? { daemonSetName: 'kube-proxy' } : {}),
    podOnNode: { name: r.name, phase: 'Running', ready: /^(\d+)\/\1$/.test(r.ready), kind: daemonSet ? 'daemonset' : 'static' },
    source: 'pasted kubectl get pods',
  };
}
