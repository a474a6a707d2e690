// The reads an upgrade preflight needs, and nothing more: the fleet facts (nodes with kernel, OS, arch and pool;
// the agents' versions; cilium-config) from the sweep's paged lists with no deep collection, the CRDs' stored
// versions, and the CiliumNodeConfig overrides (cilium.io/v2 from 1.16, v2alpha1 before) with the node labels they
// select on. A read that fails is listed in `unavailable`, never taken as "nothing there".
import { toCiliumCrds } from '../collect/extra-facts.ts';
import { overridesForNode } from '../collect/config-overrides.ts';
import { collectFleetFacts } from '../fleet/fleet-facts.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { KubeApiError } from '../kube/kube-api-error.ts';
import type { CrdInUse, PreflightInput, PreflightNode } from '../../runbooks/engine/preflight/index.ts';

export interface PreflightFacts {
  input: Omit<PreflightInput, 'target' | 'valuesConfig'>;
  unavailable: string[];
}

const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const notFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;

async function nodeConfigs(reader: ClusterReader, namespace: string): Promise<unknown[]> {
  for (const version of ['v2', 'v2alpha1']) {
    try {
      const items = await reader.listCustomObjects('cilium.io', version, 'ciliumnodeconfigs', namespace);
      if (items.length > 0 || version === 'v2alpha1') return items;
    } catch (e) {
      // Not served at this version (or no CRD at all): no override can exist there.
      if (!notFound(e)) throw e;
    }
  }
  return [];
}

export async function collectPreflightFacts(reader: ClusterReader, opts: { ciliumNamespace?: string } = {}): Promise<PreflightFacts> {
  const snapshot = await collectFleetFacts(reader, { maxDeep: 0, ...(opts.ciliumNamespace !== undefined && { ciliumNamespace: opts.ciliumNamespace }) });
  const unavailable = [...snapshot.unavailable];
  let crds: CrdInUse[] | null = null;
  try {
    crds = toCiliumCrds(await reader.listCrds()).map((c) => ({ name: c.name, storedVersions: c.storedVersions }));
  } catch (e) {
    unavailable.push(`CustomResourceDefinitions (CRD version changes not checked): ${why(e)}`);
  }
  let overrides: unknown[] = [];
  try {
    overrides = await nodeConfigs(reader, snapshot.ciliumNamespace);
  } catch (e) {
    unavailable.push(`CiliumNodeConfigs (per-node overrides not applied): ${why(e)}`);
  }
  // Node labels only when an override has to be matched against them (one more list, no deep reads otherwise).
  const labels = new Map<string, Record<string, string>>();
  if (overrides.length > 0) {
    for (const n of await reader.listNodes()) labels.set(n.metadata?.name ?? '', n.metadata?.labels ?? {});
  }
  const nodes: PreflightNode[] = snapshot.nodes.map((n) => {
    const merged = overrides.length === 0 ? {} : Object.assign({}, ...overridesForNode(overrides, labels.get(n.name) ?? {}).map((o) => o.defaults)) as Record<string, string>;
    return { name: n.name, kernel: n.kernel, osImage: n.osImage, arch: n.arch, pool: n.pool, ...(Object.keys(merged).length > 0 && { overrides: merged }) };
  });
  return {
    input: { runningVersion: snapshot.context.fleetVersion, clusterConfig: snapshot.context.config, nodes, crds },
    unavailable,
  };
}
