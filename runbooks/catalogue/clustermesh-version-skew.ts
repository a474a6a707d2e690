// clustermesh-version-skew: the clustermesh-apiserver and the agents are more than one minor release apart. Cilium
// tests upgrades and rollbacks only between consecutive minor releases ("The only tested rollback and upgrade path
// is between consecutive minor releases", Documentation/operations/upgrade-warning.rst), and its CI upgrades and
// downgrades meshed clusters one minor at a time (cilium/cilium PR #28355, tests-clustermesh-upgrade). The
// clustermesh-apiserver is not upgraded along with the agents by every tool (cilium/cilium-cli#689). Only the local
// side can be read: remote clusters' releases are not visible from here, and the finding says so.
import type { Finding, Runbook } from '../engine/contract.ts';
import { ciliumMinor } from '../engine/cilium-version.ts';
import { meshBlastRadius, meshNeeds, meshSignals } from '../engine/clustermesh-signals.ts';
import { meshDocs, troubleshootStep } from '../engine/clustermesh-fixes.ts';
import { ciliumNamespace, helmUpgrade } from '../engine/install-commands.ts';
import { comparisonConfidence } from '../engine/finding-confidence.ts';

const ID = 'clustermesh-version-skew';

export const clustermeshVersionSkew: Runbook = {
  id: ID,
  title: 'ClusterMesh components more than one minor release apart',
  severity: 'warning',
  rank: 35,
  needs: meshNeeds(['clustermesh', 'cilium']),
  match(e) {
    const api = e.clustermesh.ok ? e.clustermesh.value.apiserver : null;
    const agent = e.cilium.ok ? e.cilium.value.version : null;
    if (api === null || api.version === null || agent === null) return null;
    const a = ciliumMinor(agent);
    const m = ciliumMinor(api.version);
    if (a === null || m === null || a.major !== m.major || Math.abs(a.minor - m.minor) <= 1) return null;
    const s = meshSignals(e);
    return {
      runbookId: ID,
      title: 'clustermesh-apiserver and agents more than one minor apart',
      severity: 'warning',
      summary: `The clustermesh-apiserver runs ${api.version} while the agent on ${e.nodeName} runs ${agent}: ${Math.abs(a.minor - m.minor)} minor releases apart, beyond the consecutive-minor path Cilium tests. The remote clusters' releases cannot be read from here; check them too.`,
      evidence: [{ kind: 'comparison', text: `clustermesh-apiserver ${api.image ?? api.version} vs cilium-agent ${e.cilium.ok ? e.cilium.value.image ?? agent : agent}`, source: `Deployment ${api.namespace}/${api.deployment}, agent pod image` }],
      blastRadius: meshBlastRadius(e, s.status?.clusters.filter((c) => !c.ready).map((c) => c.name) ?? []),
      fixSteps: [
        {
          title: 'Upgrade the lagging side one minor at a time',
          detail: 'Helm upgrades the clustermesh-apiserver with the agents; an apiserver left behind usually comes from a pinned image or another tool. Bring every cluster of the mesh within one minor release of the others.',
          commands: [`kubectl -n ${ciliumNamespace(e)} get deploy ${api.deployment} -o jsonpath='{.spec.template.spec.containers[*].image}'`, helmUpgrade(e, 'cilium-upgrade.yaml')],
        },
        troubleshootStep(e),
      ],
      docs: [...meshDocs(e), { title: 'Upgrade guide', url: 'https://docs.cilium.io/en/stable/operations/upgrade/' }],
      proposals: [],
      confidence: comparisonConfidence(e, true),
      basis: 'inferred',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};
