// clustermesh-cluster-id: the cluster identity a mesh needs is missing or clashes. Each cluster needs a unique name
// and a cluster ID 1-255 (docs operations/troubleshooting_clustermesh.rst, "Manual Verification"). Read from:
// the agent's lines (`clusterID %d is reserved|is assigned to the local cluster|is already used`, pkg/clustermesh
// idsmgr; `ClusterID %d is reserved`, pkg/clustermesh/types; `duplicated cluster id`, IsCompatible before 1.14);
// cilium-config `cluster-id` / `cluster-name` while remote clusters are configured; a remote cluster advertising the
// local id (`remote configuration: … cluster-id=N`, client.go) or the local name.
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import { meshBlastRadius, meshInUse, meshNeeds, meshSignals, quoteAgentLines } from '../engine/clustermesh-signals.ts';
import { meshDocs, troubleshootStep } from '../engine/clustermesh-fixes.ts';
import { helmUpgrade, rolloutRestart } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';

const ID = 'clustermesh-cluster-id';

export const clustermeshClusterId: Runbook = {
  id: ID,
  title: 'ClusterMesh cluster id or name clash',
  severity: 'critical',
  rank: 32,
  needs: meshNeeds(['agentStatus', 'ciliumConfig']),
  match(e) {
    if (meshInUse(e) !== true) return null;
    const s = meshSignals(e);
    const evidence: EvidenceQuote[] = quoteAgentLines(s.clusterIdLines);
    const problems: string[] = [];
    const idSource = configSource(e, 'cluster-id');
    if (e.ciliumConfig.ok && (s.localId === null || s.localId === '' || s.localId === '0')) {
      problems.push('this cluster has no cluster id (0 is reserved: it is the value of a cluster outside any mesh)');
      evidence.push({ kind: 'fact', text: `cluster-id=${s.localId ?? '(not set)'}`, source: idSource });
    }
    const remotes = s.status?.clusters ?? [];
    const sameId = remotes.filter((c) => c.config?.clusterId !== null && c.config?.clusterId !== undefined && String(c.config.clusterId) === s.localId);
    for (const c of sameId) {
      problems.push(`remote cluster ${c.name} uses the same cluster id ${s.localId ?? ''}`);
      evidence.push({ kind: 'comparison', text: `local cluster-id=${s.localId ?? ''} vs ${c.lines.find((l) => l.includes('cluster-id=')) ?? ''}`, source: `${idSource} / ${s.statusSource}` });
    }
    const ids = remotes.map((c) => c.config?.clusterId).filter((x): x is number => x !== null && x !== undefined);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) problems.push(`two remote clusters advertise cluster id ${dup}`);
    const sameName = remotes.filter((c) => s.localName !== null && c.name === s.localName);
    for (const c of sameName) problems.push(`remote cluster ${c.name} has this cluster's own name`);
    if (s.clusterIdLines.length > 0 && problems.length === 0) problems.push('the agent refused a remote cluster\'s id');
    if (problems.length === 0) return null;
    const explicit = s.clusterIdLines.length > 0;
    return {
      runbookId: ID,
      title: 'ClusterMesh cluster identity clash',
      severity: 'critical',
      summary: `ClusterMesh cannot tell the clusters apart: ${problems.join('; ')}. Identities and IPs from the clashing cluster are refused or mixed up.`,
      evidence,
      blastRadius: meshBlastRadius(e, [...sameId, ...sameName].map((c) => c.name)),
      fixSteps: [
        {
          title: 'Give every cluster a unique name and id',
          detail: 'Names are lower-case alphanumerics and dashes, at most 32 characters; ids 1-255 (1-511 with maxConnectedClusters=511). Changing the id of a running cluster changes every identity in it: plan it as a rolling restart of all agents and workloads.',
          commands: ['kubectl -n <namespace> get cm cilium-config -o jsonpath=\'{.data.cluster-name}{" "}{.data.cluster-id}{"\\n"}\'  # in every cluster', helmUpgrade(e, 'cilium-cluster-identity.yaml'), rolloutRestart(e)],
          helmValues: 'cluster:\n  name: <unique name>\n  id: <unique id 1-255>',
        },
        troubleshootStep(e),
      ],
      docs: meshDocs(e),
      proposals: [],
      confidence: explicit ? 'certain' : 'high',
      basis: explicit ? 'explicit' : 'observed',
      explainsAgentCrash: false,
      supersedes: ['clustermesh-remote-not-ready'],
    } satisfies Finding;
  },
};
