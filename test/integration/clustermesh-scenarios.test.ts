// No false ClusterMesh findings: every shipped scenario that is not a ClusterMesh story is diagnosed live (the
// collector over client-node against the Kubernetes emulator) on its broken node and its healthy nodes, and no
// clustermesh-* runbook reports anything or is left inconclusive there. The ClusterMesh stories report theirs first.
import { afterEach, describe, expect, it } from 'vitest';
import { collectEvidence } from '../../jobs/collect/collect-evidence.ts';
import { ClientNodeCluster, loadKubeConfig } from '../../jobs/kube/client-node-cluster.ts';
import { analyze } from '../../runbooks/engine/analyze.ts';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { listScenarios, resolveScenario } from '../../sandbox/scenario/index.ts';

const OPTS = { deadlineMs: 10_000, tailLines: 500, limitBytes: 1024 * 1024 };

let kube: KubeEmulator | undefined;
afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

async function meshResults(name: string): Promise<{ node: string; findings: string[]; inconclusive: string[]; clustermesh: unknown }[]> {
  const scenario = resolveScenario(name);
  kube = await startKubeEmulator({ scenario });
  const cluster = new ClientNodeCluster('sandbox', loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath }));
  const nodes = [scenario.expect?.node ?? 'node-1', ...(scenario.expect?.healthyNodes ?? [])];
  const out = [];
  for (const node of nodes) {
    const e = await collectEvidence(cluster, node, OPTS);
    const r = analyze(e);
    out.push({
      node,
      findings: r.findings.map((f) => f.runbookId).filter((id) => id.startsWith('clustermesh')),
      inconclusive: r.inconclusive.map((i) => i.runbookId).filter((id) => id.startsWith('clustermesh')),
      clustermesh: e.clustermesh,
    });
  }
  return out;
}

describe('ClusterMesh runbooks on every shipped scenario', () => {
  it.each(listScenarios().filter((n) => !n.startsWith('clustermesh-')))('%s: no clustermesh finding, none inconclusive', async (name) => {
    for (const r of await meshResults(name)) {
      expect(r.findings, `${name}/${r.node}`).toEqual([]);
      expect(r.inconclusive, `${name}/${r.node}`).toEqual([]);
      // Read, not guessed: no clustermesh-apiserver there, and no node list read without remote clusters.
      expect(r.clustermesh, `${name}/${r.node}`).toMatchObject({ ok: true, value: { apiserver: null, nodeList: null } });
    }
  }, 60_000);

  it.each(listScenarios().filter((n) => n.startsWith('clustermesh-')))('%s: its own finding first, the clustermesh-apiserver read', async (name) => {
    const [r] = await meshResults(name);
    expect(r?.findings[0]).toBe(name);
    expect(r?.clustermesh).toMatchObject({ ok: true, value: { apiserver: { deployment: 'clustermesh-apiserver', readyReplicas: 1 } } });
  }, 60_000);
});
