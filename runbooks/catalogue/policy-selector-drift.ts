// policy-selector-drift: policies whose endpointSelector matches no running pod — usually labels renamed in a
// deployment, which changes the pods' identity so the policy silently stops applying. Fact sheet §6 (selector
// semantics, CNP namespace scope); issue 4 catalogue (seed 002#7). Needs every pod's labels (clusterPods): pods on
// one node cannot prove a policy matches nothing. A policy with a near miss (same value under another key, or the
// key with another value) is a warning; one with no near miss is listed as info (scaled-down apps are normal).
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { ClusterPod, PolicySummary } from '../engine/evidence.ts';
import { computeBlastRadius } from '../engine/blast-radius.ts';
import { allPolicies, policyRef, policySelects } from '../engine/policy-selector.ts';
import { ciliumDoc } from '../engine/runbook-kit.ts';
import { agentCli } from '../engine/install-commands.ts';

const ID = 'policy-selector-drift';

interface Drift { ref: string; selector: string; nearMiss: string | null; namespace: string | undefined }

export const policySelectorDrift: Runbook = {
  id: ID,
  title: 'Policy selectors match no running pod',
  severity: 'warning',
  rank: 60,
  // Pods cluster-wide matter only when there is a policy whose selector could match nothing.
  needs: (e) => (e.policies.ok && e.policies.value.cnp.length + e.policies.value.ccnp.length === 0 ? ['policies'] : ['policies', 'clusterPods']),
  match(e) {
    if (!e.policies.ok) return null;
    // A selector that pins another namespace than the CNP's own matches nothing whatever the pods (policy alone).
    const pinned = allPolicies(e.policies.value).flatMap(({ policy, kind }) => {
      const other = kind === 'cnp' ? pinnedNamespace(policy) : null;
      return other === null ? [] : [{ ref: policyRef(policy, kind), selector: JSON.stringify(policy.endpointSelector),
        nearMiss: `the selector names namespace ${other}, but a CiliumNetworkPolicy only selects pods of its own namespace (${policy.namespace ?? 'default'})`, namespace: policy.namespace }];
    });
    // The cluster's pods prove a selector matches nothing; the node's endpoints (a pasted `cilium-dbg endpoint list`)
    // or a paste's manifests only show a near miss among them, so only near misses count from those.
    const nodeOnly = !e.clusterPods.ok;
    const pods: ClusterPod[] | null = e.clusterPods.ok ? e.clusterPods.value
      : e.workloads.ok ? e.workloads.value.map((w) => ({ namespace: w.namespace, name: w.name, phase: w.phase, labels: w.labels ?? {} })) : null;
    const running = (pods ?? []).filter((p) => p.phase === 'Running' || p.phase === 'Pending');
    // Scope to this node's concern: namespaced policies where the node runs pods, and clusterwide ones.
    const nodeNamespaces = e.workloads.ok ? new Set(e.workloads.value.map((w) => w.namespace)) : null;
    const drifts: Drift[] = [...pinned];
    for (const { policy, kind } of pods === null ? [] : allPolicies(e.policies.value)) {
      if (policy.endpointSelector === undefined || isEmptySelector(policy.endpointSelector)) continue;
      if (pinned.some((d) => d.ref === policyRef(policy, kind))) continue;
      if (kind === 'cnp' && nodeNamespaces !== null && !nodeNamespaces.has(policy.namespace ?? '')) continue;
      const inScope = running.filter((p) => kind === 'ccnp' || policy.namespace === undefined || p.namespace === policy.namespace);
      const results = inScope.map((p) => policySelects(policy, kind, p));
      if (results.some((r) => r !== false)) continue; // matches something, or cannot tell
      const miss = nearMiss(policy, inScope);
      if (nodeOnly && miss === null) continue;
      drifts.push({ ref: policyRef(policy, kind), selector: JSON.stringify(policy.endpointSelector), nearMiss: miss === null ? null : `${miss}${nodeOnly ? ' (among the pods read, not the whole cluster)' : ''}`, namespace: policy.namespace });
    }
    if (drifts.length === 0) return null;
    const warned = drifts.filter((d) => d.nearMiss !== null);
    const pinnedRefs = new Set(pinned.map((d) => d.ref));
    const evidence: EvidenceQuote[] = drifts.slice(0, 8).map((d) => ({
      kind: 'comparison',
      text: `${d.ref} selects ${d.selector} but no running pod${d.namespace === undefined ? '' : ` in ${d.namespace}`} matches${d.nearMiss === null ? '' : `; near miss: ${d.nearMiss}`}`,
      source: 'policies × cluster pods (metadata.labels)',
    }));

    return {
      runbookId: ID,
      title: `${drifts.length} polic${drifts.length === 1 ? 'y selects' : 'ies select'} no running pod`,
      severity: warned.length > 0 ? 'warning' : 'info',
      summary: warned.length > 0
        ? `${warned.map((d) => d.ref).join(', ')} select${warned.length === 1 ? 's' : ''} no pod, so the policy silently does not apply: ${warned.slice(0, 3).map((d) => d.nearMiss).join('; ')}${warned.some((d) => !pinnedRefs.has(d.ref)) ? ' — the labels were probably renamed' : ''}.`
        : `${drifts.map((d) => d.ref).slice(0, 5).join(', ')} select${drifts.length === 1 ? 's' : ''} no running pod (the workload may be scaled down or gone).`,
      evidence,
      blastRadius: computeBlastRadius(e),
      fixSteps: [
        {
          title: 'Compare the selector with the pods’ labels',
          detail: 'Cilium matches identity labels: the pod labels (k8s: source) and the namespace. Renaming a label in a Deployment changes the identity.',
          commands: [...new Set(drifts.slice(0, 3).map((d) => `kubectl get pods ${d.namespace === undefined ? '-A' : `-n ${d.namespace}`} --show-labels`)), agentCli(e, 'endpoint list')],
        },
        {
          title: 'Update the policy selector (or restore the label)',
          detail: 'Change `spec.endpointSelector.matchLabels` to the labels the pods carry now, then check the endpoints show policy enforcement again.',
          commands: [`${agentCli(e, 'endpoint list')} | grep -i enabled`],
        },
      ],
      docs: [ciliumDoc(e, 'Endpoint-based policy', 'security/policy/language/')],
      proposals: [],
      confidence: pinned.length > 0 && warned.length === pinned.length ? 'certain' : warned.length > 0 ? 'medium' : 'certain',
      basis: 'observed',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};

/**
 * The namespace a CNP's endpointSelector requires when it is not the policy's own, else null. The endpointSelector
 * "always applies to pods of the namespace associated with the CiliumNetworkPolicy resource itself" (docs
 * security/policy/kubernetes, cilium/cilium PR #26134), so naming another one there selects nothing.
 */
function pinnedNamespace(policy: PolicySummary): string | null {
  if (policy.namespace === undefined) return null;
  const ml = (policy.endpointSelector as { matchLabels?: Record<string, unknown> } | null | undefined)?.matchLabels ?? {};
  for (const [k, v] of Object.entries(ml)) {
    if (/^(?:k8s:|any:)?io\.kubernetes\.pod\.namespace$/.test(k) && typeof v === 'string' && v !== policy.namespace) return v;
  }
  return null;
}

function isEmptySelector(sel: unknown): boolean {
  if (typeof sel !== 'object' || sel === null) return false;
  const s = sel as { matchLabels?: object; matchExpressions?: unknown[] };
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/** A pod that carries a selector value under another key, or the selector key with another value. */
function nearMiss(policy: PolicySummary, pods: ClusterPod[]): string | null {
  const ml = (policy.endpointSelector as { matchLabels?: Record<string, unknown> } | null)?.matchLabels ?? {};
  for (const [rawKey, rawValue] of Object.entries(ml)) {
    const key = rawKey.replace(/^(k8s|any):/, '');
    if (key === 'io.kubernetes.pod.namespace') continue;
    const value = String(rawValue);
    for (const p of pods) {
      const sameValue = Object.entries(p.labels).find(([k, v]) => v === value && k !== key);
      if (sameValue !== undefined) return `pod ${p.namespace}/${p.name} has ${sameValue[0]}=${value} (policy wants ${key}=${value})`;
      const sameKey = p.labels[key];
      if (sameKey !== undefined && (sameKey.startsWith(value) || value.startsWith(sameKey))) return `pod ${p.namespace}/${p.name} has ${key}=${sameKey} (policy wants ${key}=${value})`;
    }
  }
  return null;
}
