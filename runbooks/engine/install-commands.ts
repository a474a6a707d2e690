// Fix-step commands that fit the install: Cilium's discovered namespace, the node's own agent pod (never `ds/cilium`,
// which execs into an arbitrary node's agent), `cilium` vs `cilium-dbg` by version (the in-pod CLI is `cilium` before
// 1.15 and `cilium-dbg` from 1.15: cilium/cilium-cli#2251), the Helm release read from the DaemonSet's
// meta.helm.sh annotations, RKE2's HelmChartConfig for rke2-cilium (docs.rke2.io/networking/basic_network_options),
// OLM's CiliumConfig, and the provider's lever where the dataplane is managed (GKE Dataplane V2, AKS).
import { ciliumCliName } from './cilium-version.ts';
import type { Evidence } from './evidence.ts';

const DEFAULT_NS = 'kube-system';

/** The namespace Cilium runs in: discovered, else the agent pod's, else kube-system. */
export function ciliumNamespace(e: Evidence): string {
  if (e.install.ok) return e.install.value.namespace;
  if (e.agentPod.ok && e.agentPod.value.namespace !== '') return e.agentPod.value.namespace;
  return DEFAULT_NS;
}

export function agentDaemonSet(e: Evidence): string {
  return (e.install.ok ? e.install.value.daemonSet : null) ?? 'cilium';
}

function agentContainer(e: Evidence): string {
  return e.install.ok ? e.install.value.agentContainer : 'cilium-agent';
}

/** `cilium` before 1.15, `cilium-dbg` from 1.15 on and when the version is unknown (every supported release has it). */
export function ciliumCli(e: Evidence): string {
  return ciliumCliName(e.cilium.ok ? e.cilium.value.version : null);
}

/** `-l <selector> --field-selector spec.nodeName=<node>`: the node's own agent pod, however it is labelled. */
export function agentPodSelector(e: Evidence): string {
  const selector = e.install.ok ? e.install.value.agentSelector : 'k8s-app=cilium';
  return `-l ${selector} --field-selector spec.nodeName=${e.nodeName}`;
}

/** `pod/<name>` of the node's agent when known, else a subshell that finds it. */
function agentPodRef(e: Evidence): string {
  if (e.agentPod.ok) return `pod/${e.agentPod.value.name}`;
  return `$(kubectl -n ${ciliumNamespace(e)} get pod ${agentPodSelector(e)} -o name)`;
}

/** Runs the Cilium CLI inside the node's own agent: `agentCli(e, 'status --verbose')`. */
export function agentCli(e: Evidence, args: string): string {
  return `kubectl -n ${ciliumNamespace(e)} exec ${agentPodRef(e)} -c ${agentContainer(e)} -- ${ciliumCli(e)} ${args}`;
}

/** Runs a shell command inside the node's own agent. */
export function agentShell(e: Evidence, command: string): string {
  return `kubectl -n ${ciliumNamespace(e)} exec ${agentPodRef(e)} -c ${agentContainer(e)} -- ${command}`;
}

export function agentLogsCommand(e: Evidence, previous: boolean, container = agentContainer(e)): string {
  return `kubectl -n ${ciliumNamespace(e)} logs ${agentPodRef(e)} -c ${container}${previous ? ' --previous' : ''} --tail=200`;
}

export function deleteAgentPodCommands(e: Evidence): string[] {
  const ns = ciliumNamespace(e);
  return [`kubectl -n ${ns} delete pod ${agentPodSelector(e)}`, `kubectl -n ${ns} get pods ${agentPodSelector(e)} -w`];
}

export function rolloutRestart(e: Evidence): string {
  return `kubectl -n ${ciliumNamespace(e)} rollout restart ds/${agentDaemonSet(e)}`;
}

/** Is Cilium's configuration owned by the cloud provider (no Helm values to change)? */
export function managedDataplane(e: Evidence): string | null {
  if (!e.install.ok) return null;
  if (e.install.value.platform === 'gke-dataplane-v2') return 'GKE Dataplane V2';
  if (e.install.value.platform === 'aks') return 'AKS (Azure CNI powered by Cilium)';
  return null;
}

/**
 * The command that applies a Helm values file to this install: `helm upgrade` of the discovered release; RKE2's
 * HelmChartConfig; OLM's CiliumConfig; for a managed dataplane a comment naming the provider's lever instead.
 */
export function helmUpgrade(e: Evidence, valuesFile: string): string {
  const managed = managedDataplane(e);
  if (managed === 'GKE Dataplane V2') return `# ${managed} is managed by Google: these values cannot be set with Helm; use the cluster's Dataplane V2 options (gcloud container clusters update) or GKE support`;
  if (managed !== null) return `# ${managed} is managed by Azure: these values cannot be set with Helm; use the AKS cluster's network options (az aks update) or Azure support`;
  const ns = ciliumNamespace(e);
  const managedBy = e.install.ok ? e.install.value.managedBy : null;
  if (managedBy?.startsWith('RKE2') === true) return `kubectl apply -f ${valuesFile.replace(/\.ya?ml$/, '')}-helmchartconfig.yaml  # HelmChartConfig rke2-cilium in kube-system, these values under spec.valuesContent`;
  if (managedBy?.startsWith('OLM') === true) return `kubectl -n ${ns} edit ciliumconfig  # OLM: merge these values into the CiliumConfig's spec`;
  const release = e.install.ok && e.install.value.helmRelease !== null ? e.install.value.helmRelease : { name: 'cilium', namespace: ns };
  return `helm upgrade ${release.name} cilium/cilium -n ${release.namespace} --reuse-values -f ${valuesFile}`;
}
