// The remediation actions: what each changes, its risk (runbooks/engine/action-risk.ts, whatever a runbook suggested), the
// precondition re-checked against the live cluster, and the change itself, run first with dryRun=All.
import type { V1DaemonSet, V1NodeSelectorTerm } from '@kubernetes/client-node';
import type { RemediationAction } from '../../runbooks/engine/contract.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import type { ClusterWriter } from '../kube/cluster-writer.ts';
import { KubeApiError } from '../kube/kube-api-error.ts';
import { daemonSetNameOf, findAgentPods } from '../collect/cilium-install.ts';
import type { Proposal, Risk } from './proposal.ts';
import { ACTION_RISK } from '../../runbooks/engine/action-risk.ts';

/** Where kube-proxy lives; Cilium's own namespace and DaemonSet are discovered live (ciliumTarget). */
const KUBE_PROXY_NAMESPACE = 'kube-system';

/**
 * What the precondition saw, so the write can insist on it: a merge patch carries the resourceVersion it was
 * checked against and a delete the uid, and the apiserver answers 409 Conflict if the object changed in between
 * (a late write of an interrupted attempt, a person, a controller). The worker then checks again.
 */
export interface WriteGuard {
  resourceVersion?: string;
  uid?: string;
}

export type Precondition = { ok: true; guard?: WriteGuard } | { ok: false; reason: string };

export interface ActionDefinition {
  risk: Risk;
  /** Button text (≤ 75 characters). */
  label(p: Proposal): string;
  /** What will change, for the confirm dialog (≤ 300 characters). */
  change(p: Proposal): string;
  precondition(reader: ClusterReader, writer: ClusterWriter, p: Proposal): Promise<Precondition>;
  /**
   * Runs the change; returns what changed, one line each. With dryRun the server validates and changes nothing.
   * With a guard the write is refused (409) unless the object is still the one the precondition checked.
   */
  run(reader: ClusterReader, writer: ClusterWriter, p: Proposal, dryRun: boolean, guard?: WriteGuard): Promise<string[]>;
}

const param = (p: Proposal, key: string): string => {
  const v = p.params[key];
  if (v === undefined || v === '') throw new Error(`proposal ${p.id} (${p.action}) has no "${key}" parameter`);
  return v;
};

/**
 * Cilium's namespace and agent DaemonSet as the cluster shows them now (the same discovery as a diagnosis: any
 * namespace, by label, or CILIUM_NAMESPACE), never a constant: a write must land where Cilium really runs.
 */
export async function ciliumTarget(reader: ClusterReader, node: string | null, namespace?: string): Promise<{ namespace: string; daemonSet: string; agentSelector: string }> {
  const found = await findAgentPods(reader, node, namespace);
  if (found.pods.length === 0) throw new KubeApiError(`no cilium-agent found: looked for ${found.looked}`, 404, 'NotFound', undefined, 'list pods');
  const own = found.pods.find((p) => p.spec?.nodeName === node) ?? found.pods[0];
  return { namespace: found.namespace, daemonSet: daemonSetNameOf(own) ?? 'cilium', agentSelector: found.selector };
}

async function agentPodOn(reader: ClusterReader, node: string, namespace: string | undefined): Promise<{ name: string; namespace: string; uid?: string } | null> {
  const target = await ciliumTarget(reader, node, namespace);
  const pods = await reader.listPods({ namespace: target.namespace, labelSelector: target.agentSelector, fieldSelector: `spec.nodeName=${node}` });
  const meta = pods[0]?.metadata;
  return meta?.name === undefined ? null : { name: meta.name, namespace: target.namespace, ...(meta.uid !== undefined && { uid: meta.uid }) };
}

/** The guard's resourceVersion as metadata fields of a merge patch (none without a guard). */
const guardMeta = (guard: WriteGuard | undefined): { resourceVersion?: string } => (guard?.resourceVersion === undefined ? {} : { resourceVersion: guard.resourceVersion });
/** The same as a patch's whole metadata, for patches that change nothing else there. */
const versioned = (guard: WriteGuard | undefined): object => (guard?.resourceVersion === undefined ? {} : { metadata: guardMeta(guard) });

const byVersion = (meta: { resourceVersion?: string } | undefined): { ok: true; guard?: WriteGuard } =>
  meta?.resourceVersion === undefined ? { ok: true } : { ok: true, guard: { resourceVersion: meta.resourceVersion } };

/** A DaemonSet by name through `list` (which the read-only RBAC already grants), or null when absent. */
async function findDaemonSet(reader: ClusterReader, namespace: string, name: string): Promise<V1DaemonSet | null> {
  return (await reader.listDaemonSets(namespace)).find((d) => d.metadata?.name === name) ?? null;
}

async function ciliumDaemonSet(reader: ClusterReader, node: string | null, namespace: string | undefined): Promise<{ ds: V1DaemonSet; namespace: string; name: string }> {
  const t = await ciliumTarget(reader, node, namespace);
  return { ds: await reader.getDaemonSet(t.namespace, t.daemonSet), namespace: t.namespace, name: t.daemonSet };
}

const setUnschedulable = (value: boolean): ActionDefinition => ({
  risk: ACTION_RISK[value ? 'cordon-node' : 'uncordon-node'],
  label: (p) => `${value ? 'Cordon' : 'Uncordon'} ${p.node}`.slice(0, 75),
  change: (p) => `Sets spec.unschedulable=${value} on node ${p.node}: ${value ? 'no new pods are scheduled there; running pods stay' : 'pods can be scheduled there again'}.`,
  async precondition(reader, _w, p) {
    const node = await reader.getNode(param(p, 'node'));
    return (node.spec?.unschedulable === true) === value ? { ok: false, reason: `node ${p.node} is already ${value ? 'cordoned' : 'schedulable'}` } : byVersion(node.metadata);
  },
  async run(_r, writer, p, dryRun, guard) {
    const after = await writer.mergePatchNode(param(p, 'node'), { ...versioned(guard), spec: { unschedulable: value } }, dryRun);
    return [`node/${p.node}: spec.unschedulable ${String(!value)} → ${String(after.spec?.unschedulable === true)}`];
  },
});

function withAffinityTerm(ds: V1DaemonSet, key: string, operator: string, values: string[]): V1NodeSelectorTerm[] {
  const expression = { key, operator, values };
  const existing = ds.spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  // Terms are ORed: the new expression is ANDed into each existing term, or becomes the only term.
  return existing.length === 0 ? [{ matchExpressions: [expression] }] : existing.map((t) => ({ ...t, matchExpressions: [...(t.matchExpressions ?? []), expression] }));
}

/** Where the actions look for Cilium: CILIUM_NAMESPACE when set (a bot whose reads are granted only there), else anywhere. */
export interface ActionScope {
  ciliumNamespace?: string;
}

export function remediationActions(scope: ActionScope = {}): Record<RemediationAction, ActionDefinition> {
  const ns = scope.ciliumNamespace;
  return {
    'restart-agent': {
      risk: ACTION_RISK['restart-agent'],
      label: (p) => `Restart cilium-agent on ${p.node}`.slice(0, 75),
      change: (p) => `Deletes the cilium-agent pod on ${p.node}; the cilium DaemonSet starts a new one. Pods on the node keep running but lose policy updates for a few seconds.`,
      async precondition(reader, _w, p) {
        const pod = await agentPodOn(reader, p.node, ns);
        if (pod === null) return { ok: false, reason: `no cilium-agent pod runs on ${p.node} any more` };
        if (p.params.pod !== undefined && p.params.pod !== pod.name) return { ok: false, reason: `the agent pod ${p.params.pod} was already replaced (now ${pod.name})` };
        return pod.uid === undefined ? { ok: true } : { ok: true, guard: { uid: pod.uid } };
      },
      async run(reader, writer, p, dryRun, guard) {
        const pod = await agentPodOn(reader, p.node, ns);
        if (pod === null) throw new Error(`no cilium-agent pod on ${p.node}`);
        // The guard's uid, not the pod just listed: a replacement pod is not the one that was checked.
        await writer.deletePod(pod.namespace, pod.name, dryRun, guard?.uid);
        return [`pod/${pod.name} in ${pod.namespace}: deleted (the DaemonSet recreates it)`];
      },
    },
    'cordon-node': setUnschedulable(true),
    'uncordon-node': setUnschedulable(false),
    'label-node': {
      risk: ACTION_RISK['label-node'],
      label: (p) => `Label ${p.node} ${p.params.key ?? ''}=${p.params.value ?? ''}`.slice(0, 75),
      change: (p) => `Sets the label ${p.params.key ?? '?'}=${p.params.value ?? '?'} on node ${p.node}.`.slice(0, 300),
      async precondition(reader, _w, p) {
        const node = await reader.getNode(param(p, 'node'));
        return node.metadata?.labels?.[param(p, 'key')] === param(p, 'value') ? { ok: false, reason: `node ${p.node} already has ${p.params.key}=${p.params.value}` } : byVersion(node.metadata);
      },
      async run(reader, writer, p, dryRun, guard) {
        const key = param(p, 'key');
        const before = (await reader.getNode(param(p, 'node'))).metadata?.labels?.[key];
        const after = await writer.mergePatchNode(param(p, 'node'), { metadata: { ...guardMeta(guard), labels: { [key]: param(p, 'value') } } }, dryRun);
        return [`node/${p.node}: label ${key}: ${before ?? '(unset)'} → ${after.metadata?.labels?.[key] ?? '(unset)'}`];
      },
    },
    'disable-feature': {
      risk: ACTION_RISK['disable-feature'],
      label: (p) => `Set ${p.params.key ?? ''}=${p.params.value ?? ''}, restart agents`.slice(0, 75),
      change: (p) => `Sets ${p.params.key ?? '?'}: "${p.params.value ?? '?'}" in the cilium-config ConfigMap, then rolling-restarts the cilium DaemonSet on every node.`.slice(0, 300),
      async precondition(reader, _w, p) {
        const { namespace } = await ciliumTarget(reader, p.node, ns);
        const cm = await reader.getConfigMap(namespace, 'cilium-config');
        return cm.data?.[param(p, 'key')] === param(p, 'value') ? { ok: false, reason: `cilium-config already has ${p.params.key}=${p.params.value}` } : byVersion(cm.metadata);
      },
      async run(reader, writer, p, dryRun, guard) {
        const key = param(p, 'key');
        const { namespace, daemonSet } = await ciliumTarget(reader, p.node, ns);
        const before = (await reader.getConfigMap(namespace, 'cilium-config')).data?.[key];
        const cm = await writer.mergePatchConfigMap(namespace, 'cilium-config', { ...versioned(guard), data: { [key]: param(p, 'value') } }, dryRun);
        // Same restart kubectl rollout restart does: a pod-template annotation change.
        const at = new Date().toISOString();
        await writer.mergePatchDaemonSet(namespace, daemonSet, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } }, dryRun);
        return [`configmap/cilium-config in ${namespace}: ${key}: ${before ?? '(unset)'} → ${cm.data?.[key] ?? '(unset)'}`, `daemonset/${daemonSet} in ${namespace}: rolling restart (restartedAt ${at})`];
      },
    },
    'remove-kube-proxy': {
      risk: ACTION_RISK['remove-kube-proxy'],
      label: () => 'Remove the kube-proxy DaemonSet',
      change: (p) => `Deletes DaemonSet ${p.params.namespace ?? KUBE_PROXY_NAMESPACE}/${p.params.daemonSet ?? 'kube-proxy'} and its pods. Its iptables rules stay on the nodes: clean them up with the fix steps, not blindly.`.slice(0, 300),
      async precondition(reader, _w, p) {
        const ns = p.params.namespace ?? KUBE_PROXY_NAMESPACE;
        const name = p.params.daemonSet ?? 'kube-proxy';
        const ds = await findDaemonSet(reader, ns, name);
        if (ds === null) return { ok: false, reason: `the ${name} DaemonSet is already gone` };
        const cm = await reader.getConfigMap((await ciliumTarget(reader, p.node, ns)).namespace, 'cilium-config');
        const kpr = cm.data?.['kube-proxy-replacement'];
        if (kpr !== 'true' && kpr !== 'strict') return { ok: false, reason: `kube-proxy-replacement is "${kpr ?? 'unset'}" in cilium-config: removing kube-proxy would break Services` };
        return ds.metadata?.uid === undefined ? { ok: true } : { ok: true, guard: { uid: ds.metadata.uid } };
      },
      async run(_r, writer, p, dryRun, guard) {
        const ns = p.params.namespace ?? KUBE_PROXY_NAMESPACE;
        const name = p.params.daemonSet ?? 'kube-proxy';
        await writer.deleteDaemonSet(ns, name, dryRun, guard?.uid);
        return [`daemonset/${name} in ${ns}: deleted`];
      },
    },
    'pin-agent-affinity': {
      risk: ACTION_RISK['pin-agent-affinity'],
      label: (p) => `Keep cilium off nodes with ${p.params.key ?? ''}=${p.params.values ?? ''}`.slice(0, 75),
      change: (p) => `Adds node affinity ${p.params.key ?? '?'} ${p.params.operator ?? '?'} [${p.params.values ?? ''}] to the cilium DaemonSet (a rolling update). Pods on excluded nodes get no network until drained.`.slice(0, 300),
      async precondition(reader, _w, p) {
        const { ds } = await ciliumDaemonSet(reader, p.node, ns);
        const terms = ds.spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
        const has = terms.length > 0 && terms.every((t) => (t.matchExpressions ?? []).some((m) => m.key === p.params.key && m.operator === p.params.operator));
        return has ? { ok: false, reason: `the cilium DaemonSet already has the ${p.params.key ?? ''} affinity` } : { ok: true };
      },
      async run(reader, writer, p, dryRun) {
        const { ds, namespace, name } = await ciliumDaemonSet(reader, p.node, ns);
        const terms = withAffinityTerm(ds, param(p, 'key'), param(p, 'operator'), param(p, 'values').split(','));
        // The terms are computed from this read, so the write insists on it (a merge patch replaces the whole list).
        await writer.mergePatchDaemonSet(
          namespace,
          name,
          { ...versioned(ds.metadata), spec: { template: { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } } } },
          dryRun,
        );
        return [`daemonset/${name} in ${namespace}: required node affinity ${p.params.key ?? ''} ${p.params.operator ?? ''} [${p.params.values ?? ''}]`];
      },
    },
  };
}

/** The actions with Cilium looked for in every namespace: labels, risks and texts are the same for any scope. */
export const ACTIONS: Record<RemediationAction, ActionDefinition> = remediationActions();

/** The action's own risk, or the runbook's if that is higher (one table: runbooks/engine/action-risk.ts). */
export { effectiveRisk } from '../../runbooks/engine/action-risk.ts';
