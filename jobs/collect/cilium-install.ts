// Where Cilium lives, found by what it is rather than assumed: the agent pods by their labels in any namespace (Helm
// and OLM set `k8s-app=cilium` and `app.kubernetes.io/name=cilium-agent`; OpenShift/OLM installs into `cilium`, Helm
// into the release namespace), else any DaemonSet in kube-system whose container runs cilium-agent (managed
// dataplanes). Helm labels: cilium/cilium install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml.
import type { V1DaemonSet, V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { CiliumInstall, Platform } from '../../runbooks/engine/evidence.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { AGENT_CONTAINER } from './pod-facts.ts';

/** Label selectors of agent pods, tried in order. */
export const AGENT_SELECTORS = ['k8s-app=cilium', 'app.kubernetes.io/name=cilium-agent'] as const;
export const DEFAULT_CILIUM_NAMESPACE = 'kube-system';

export interface AgentPodsFound {
  /** The agent pods of the chosen install: on every node, or only the node's own (findNodeAgent, scope 'node'). */
  pods: V1Pod[];
  /** 'node': only the asked node's agent was read (a field selector), so other nodes' agents are unknown, not absent. */
  scope?: 'node' | 'cluster';
  namespace: string;
  selector: string;
  /** Where was looked, for "not found" messages. */
  looked: string;
}

/** The container that runs cilium-agent: by name, else by command, else the first. */
export function agentContainerOf(spec: V1PodSpec | undefined): string {
  const containers = spec?.containers ?? [];
  const byName = containers.find((c) => c.name === AGENT_CONTAINER);
  if (byName !== undefined) return byName.name;
  const byCommand = containers.find((c) => [...(c.command ?? []), ...(c.args ?? [])].some((a) => /(^|\/)cilium-agent(\s|$)/.test(a)));
  return byCommand?.name ?? containers[0]?.name ?? AGENT_CONTAINER;
}

const runsAgent = (spec: V1PodSpec | undefined): boolean =>
  (spec?.containers ?? []).some((c) => c.name === AGENT_CONTAINER || [...(c.command ?? []), ...(c.args ?? [])].some((a) => /(^|\/)cilium-agent(\s|$)/.test(a)));

/** Pods of several installs (rare): the namespace holding the node's own agent, else the one with the most agents. */
function chooseNamespace(pods: V1Pod[], node: string | null): string | null {
  const own = node === null ? undefined : pods.find((p) => p.spec?.nodeName === node);
  if (own?.metadata?.namespace !== undefined) return own.metadata.namespace;
  const counts = new Map<string, number>();
  for (const p of pods) {
    const ns = p.metadata?.namespace;
    if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/**
 * Lists the agent pods: `namespace` (CILIUM_NAMESPACE) or every namespace, each selector in turn, then the DaemonSets
 * of kube-system that run cilium-agent. Resolves with no pods when nothing was found (the caller says where it
 * looked); rejects when the first list is refused (forbidden is its own answer).
 */
export async function findAgentPods(reader: ClusterReader, node: string | null, namespace?: string): Promise<AgentPodsFound> {
  const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
  for (const selector of AGENT_SELECTORS) {
    const pods = (await reader.listPods({ ...(namespace !== undefined && { namespace }), labelSelector: selector })).filter((p) => runsAgent(p.spec));
    const ns = chooseNamespace(pods, node);
    if (ns !== null) return { pods: pods.filter((p) => p.metadata?.namespace === ns), namespace: ns, selector, looked: where };
  }
  // Managed dataplanes may label their agent otherwise: any DaemonSet whose pods run cilium-agent.
  const dsNamespace = namespace ?? DEFAULT_CILIUM_NAMESPACE;
  const looked = `pods labelled ${AGENT_SELECTORS.join(' or ')} in ${where}, and DaemonSets running cilium-agent in ${dsNamespace}`;
  let daemonSets: V1DaemonSet[];
  try {
    daemonSets = await reader.listDaemonSets(dsNamespace);
  } catch {
    return { pods: [], namespace: dsNamespace, selector: AGENT_SELECTORS[0], looked };
  }
  const ds = daemonSets.find((d) => runsAgent(d.spec?.template.spec));
  const labels = ds?.spec?.selector.matchLabels;
  if (ds === undefined || labels === undefined || Object.keys(labels).length === 0) return { pods: [], namespace: dsNamespace, selector: AGENT_SELECTORS[0], looked };
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await reader.listPods({ namespace: dsNamespace, labelSelector: selector });
  return { pods, namespace: dsNamespace, selector, looked };
}

/**
 * The node's own agent, found without listing every agent in the cluster: each selector with the field selector
 * `spec.nodeName=<node>` (the apiserver filters; one pod comes back instead of one per node). Its namespace is the
 * install's. A node with no agent falls back to findAgentPods, which says where it looked and which install runs
 * elsewhere. Field selector on pods: https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
 */
export async function findNodeAgent(reader: ClusterReader, node: string, namespace?: string): Promise<AgentPodsFound> {
  const where = namespace === undefined ? 'all namespaces' : `namespace ${namespace}`;
  for (const selector of AGENT_SELECTORS) {
    const pods = (await reader.listPods({ ...(namespace !== undefined && { namespace }), labelSelector: selector, fieldSelector: `spec.nodeName=${node}` }))
      .filter((p) => runsAgent(p.spec) && p.spec?.nodeName === node);
    const own = pods[0];
    if (own?.metadata?.namespace !== undefined) {
      return { pods: pods.filter((p) => p.metadata?.namespace === own.metadata?.namespace), namespace: own.metadata.namespace, selector, looked: where, scope: 'node' };
    }
  }
  return { ...(await findAgentPods(reader, node, namespace)), scope: 'cluster' };
}

/** The agent DaemonSet's name from a pod's owner reference. */
export function daemonSetNameOf(pod: V1Pod | undefined): string | null {
  return pod?.metadata?.ownerReferences?.find((o) => o.kind === 'DaemonSet')?.name ?? null;
}

const HELM_RELEASE = 'meta.helm.sh/release-name';
const HELM_NAMESPACE = 'meta.helm.sh/release-namespace';

/** Which platform the node runs on, from what the platform itself sets (labels, OS image, the agent's DaemonSet). */
export function platformOf(node: V1Node | null, ds: V1DaemonSet | null, daemonSetName: string | null): Platform {
  const labels = node?.metadata?.labels ?? {};
  const os = node?.status?.nodeInfo?.osImage ?? '';
  const dsLabels = ds?.metadata?.labels ?? {};
  const release = ds?.metadata?.annotations?.[HELM_RELEASE];
  // GKE Dataplane V2 runs the agent as DaemonSet anetd (cilium/cilium-cli#216: "The agent pod is named anet").
  if (daemonSetName === 'anetd') return 'gke-dataplane-v2';
  // AKS "Azure CNI powered by Cilium": AKS-managed add-on objects carry kubernetes.azure.com/managedby=aks.
  if (dsLabels['kubernetes.azure.com/managedby'] === 'aks') return 'aks';
  if (release === 'rke2-cilium' || labels['node.kubernetes.io/instance-type'] === 'rke2') return 'rke2';
  if (labels['node.kubernetes.io/instance-type'] === 'k3s') return 'k3s';
  if (/^Talos\b/i.test(os)) return 'talos';
  if ('node.openshift.io/os_id' in labels || /Red Hat Enterprise Linux CoreOS/i.test(os)) return 'openshift';
  if ('eks.amazonaws.com/nodegroup' in labels || 'eks.amazonaws.com/compute-type' in labels || /\.compute\.internal$/.test(node?.metadata?.name ?? '') && /Amazon Linux|Bottlerocket/i.test(os)) return 'eks';
  return 'generic';
}

/** Who manages the agent when not a plain Helm release, as a human names it; null = plain Helm or unknown. */
function managedByOf(platform: Platform, ds: V1DaemonSet | null): string | null {
  const release = ds?.metadata?.annotations?.[HELM_RELEASE];
  if (platform === 'gke-dataplane-v2') return 'GKE (Dataplane V2, managed by Google)';
  if (platform === 'aks') return 'AKS (Azure CNI powered by Cilium, managed by Azure)';
  if (release === 'rke2-cilium') return 'RKE2 HelmChart rke2-cilium (configure with a HelmChartConfig)';
  if (ds?.metadata?.ownerReferences?.some((o) => o.kind === 'CiliumConfig') === true || ds?.metadata?.labels?.['olm.managed'] === 'true') return 'OLM (the Cilium operator for OpenShift: edit the CiliumConfig)';
  return null;
}

export function describeInstall(found: AgentPodsFound, ds: V1DaemonSet | null, node: V1Node | null, nodeName: string): CiliumInstall {
  const own = found.pods.find((p) => p.spec?.nodeName === nodeName) ?? found.pods[0];
  const dsName = ds?.metadata?.name ?? daemonSetNameOf(own);
  const platform = platformOf(node, ds, dsName);
  const release = ds?.metadata?.annotations?.[HELM_RELEASE];
  const releaseNs = ds?.metadata?.annotations?.[HELM_NAMESPACE] ?? found.namespace;
  return {
    namespace: found.namespace,
    daemonSet: dsName,
    agentContainer: agentContainerOf(own?.spec),
    agentSelector: found.selector,
    platform,
    helmRelease: release === undefined ? null : { name: release, namespace: releaseNs },
    managedBy: managedByOf(platform, ds),
    how: `${dsName === null ? 'agent pods' : `DaemonSet ${found.namespace}/${dsName}`} (label ${found.selector}, looked in ${found.looked})`,
  };
}
