// clustermesh-pod-cidr-overlap: pod CIDRs of two meshed clusters overlap, so a pod IP names two pods and routes and
// ipcache entries for one cluster shadow the other. The docs' rule (network/clustermesh/clustermesh.rst, "Cluster
// Addressing Requirements"): "PodCIDR ranges in all clusters and all nodes must be non-conflicting and unique IP
// addresses." What can be read from this cluster: its own pod CIDRs (cilium-config cluster-pool-ipv4-cidr, the
// CiliumNode) and the remote nodes' endpoint CIDRs in `cilium-dbg node list` inside the agent (cilium/cilium PR
// #29196 format: `cluster-2/ip-10-2-0-237…  10.2.0.237  10.202.0.0/24  kvstore`). Without the node list the remote
// ranges are unknown; a local pool left at Cilium's default 10.0.0.0/8 is then only a likely overlap (a warning).
import type { EvidenceQuote, Finding, Runbook } from '../engine/contract.ts';
import type { Evidence } from '../engine/evidence.ts';
import { cidrsOverlap, type MeshNode } from '../engine/clustermesh-status.ts';
import { meshBlastRadius, meshInUse, meshNeeds, meshSignals } from '../engine/clustermesh-signals.ts';
import { meshDocs, troubleshootStep } from '../engine/clustermesh-fixes.ts';
import { agentCli, helmUpgrade } from '../engine/install-commands.ts';
import { configSource } from '../engine/effective-config.ts';

const ID = 'clustermesh-pod-cidr-overlap';
/** Helm's default ipam.operator.clusterPoolIPv4PodCIDRList (install/kubernetes/cilium/values.yaml). */
const DEFAULT_POOL = '10.0.0.0/8';

interface LocalCidr { cidr: string; source: string }

function localCidrs(e: Evidence, localCluster: string | null, nodes: readonly MeshNode[]): LocalCidr[] {
  const out: LocalCidr[] = [];
  const pool = e.ciliumConfig.ok ? e.ciliumConfig.value['cluster-pool-ipv4-cidr'] : undefined;
  for (const c of (pool ?? '').split(/[\s,]+/).filter((x) => x !== '')) out.push({ cidr: c, source: `${configSource(e, 'cluster-pool-ipv4-cidr')} cluster-pool-ipv4-cidr` });
  if (e.ciliumNode.ok) for (const c of e.ciliumNode.value.podCIDRs) out.push({ cidr: c, source: `CiliumNode ${e.nodeName} spec.ipam.podCIDRs` });
  for (const n of nodes) if (isLocal(n, localCluster)) for (const c of n.cidrs) out.push({ cidr: c, source: `cilium-dbg node list (${n.cluster ?? ''}/${n.name})` });
  return out;
}

function isLocal(n: MeshNode, localCluster: string | null): boolean {
  return n.source === 'local' || (localCluster !== null && n.cluster === localCluster);
}

export const clustermeshPodCidrOverlap: Runbook = {
  id: ID,
  title: 'Pod CIDRs overlap between meshed clusters',
  severity: 'critical',
  rank: 33,
  needs: meshNeeds(['agentStatus', 'clustermesh']),
  match(e) {
    if (meshInUse(e) !== true) return null;
    const s = meshSignals(e);
    const nodes = s.nodes ?? [];
    const localCluster = s.localName ?? nodes.find((n) => n.source === 'local')?.cluster ?? null;
    const local = localCidrs(e, localCluster, nodes);
    const hits: { remote: MeshNode; cidr: string; local: LocalCidr }[] = [];
    for (const n of nodes) {
      if (isLocal(n, localCluster) || n.cluster === null) continue;
      for (const cidr of n.cidrs) {
        const l = local.find((x) => cidrsOverlap(x.cidr, cidr));
        if (l !== undefined) hits.push({ remote: n, cidr, local: l });
      }
    }
    const steps = [
      {
        title: 'Give each cluster its own pod range',
        detail: 'Pick a range no other cluster (and no node network) uses, set it in one of the clusters, then move its pods onto it: nodes keep the CIDRs they were given, so replace (or drain and re-create) the nodes, or restart the agents and pods after clearing the CiliumNodes\' allocations. Until then traffic between the overlapping ranges is misrouted.',
        commands: [helmUpgrade(e, 'cilium-pod-cidr.yaml'), agentCli(e, 'node list')],
        helmValues: 'ipam:\n  operator:\n    clusterPoolIPv4PodCIDRList:\n      - <a range unique in the mesh, e.g. 10.2.0.0/16>',
      },
      troubleshootStep(e),
    ];
    if (hits.length > 0) {
      const clusters = [...new Set(hits.map((h) => h.remote.cluster ?? ''))];
      const evidence: EvidenceQuote[] = hits.slice(0, 4).map((h) => ({
        kind: 'comparison' as const,
        text: `${h.remote.row}  ⟷  ${h.local.cidr}`,
        source: `cilium-dbg node list (agent-exec) vs ${h.local.source}`,
      }));
      return {
        runbookId: ID,
        title: 'Pod CIDRs overlap with a remote cluster',
        severity: 'critical',
        summary: `Remote cluster${clusters.length > 1 ? 's' : ''} ${clusters.join(', ')} hand out pod IPs from ${[...new Set(hits.map((h) => h.cidr))].join(', ')}, which overlaps this cluster's ${[...new Set(hits.map((h) => h.local.cidr))].join(', ')}: a pod IP can name two pods, so cross-cluster traffic is misrouted.`,
        evidence,
        blastRadius: meshBlastRadius(e, clusters),
        fixSteps: steps,
        docs: meshDocs(e),
        proposals: [],
        confidence: 'certain',
        basis: 'observed',
        explainsAgentCrash: false,
      } satisfies Finding;
    }
    // No node list: the remote ranges are unknown. A pool at Helm's default is what every default install uses.
    const pool = local.find((l) => l.cidr === DEFAULT_POOL && l.source.includes('cluster-pool-ipv4-cidr'));
    if (s.nodes !== null || pool === undefined) return null;
    return {
      runbookId: ID,
      title: 'Pod range left at the default in a mesh',
      severity: 'warning',
      summary: `This cluster takes pod IPs from Cilium's default pool ${DEFAULT_POOL} while ClusterMesh is in use; any other cluster installed with defaults uses the same range. The remote clusters' ranges could not be read (\`cilium-dbg node list\` was not read), so the overlap is likely, not seen.`,
      evidence: [{ kind: 'fact', text: `cluster-pool-ipv4-cidr=${pool.cidr}`, source: pool.source }],
      blastRadius: meshBlastRadius(e, []),
      fixSteps: steps,
      docs: meshDocs(e),
      proposals: [],
      confidence: 'low',
      basis: 'inferred',
      explainsAgentCrash: false,
    } satisfies Finding;
  },
};
