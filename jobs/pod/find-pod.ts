// Resolves `<ns>/<pod>` to one pod: the exact name, else the one pod whose name is `<pod>-…` (a Deployment's or
// StatefulSet's generated names, so `shop/checkout` finds `checkout-7c9f8b6d4-x2x9q`). Several such pods are
// ambiguous; none is "missing", with the names there are so the caller can suggest the closest.
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import type { PodTarget } from '../../runbooks/engine/pod-diagnosis.ts';

export type PodLookup =
  | { kind: 'found'; pod: PodTarget }
  | { kind: 'ambiguous'; names: string[] }
  /** `names`: `ns/name` of the pods in the namespace, or of every pod when the namespace has none. */
  | { kind: 'missing'; names: string[] }
  | { kind: 'unscheduled'; name: string };

function target(p: V1Pod): PodTarget | null {
  const node = p.spec?.nodeName;
  if (node === undefined || node === '') return null;
  return { namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', node, labels: p.metadata?.labels ?? {}, phase: p.status?.phase ?? 'Unknown' };
}

const refOf = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

export async function findPod(reader: Pick<ClusterReader, 'listPods'>, namespace: string, name: string): Promise<PodLookup> {
  const inNs = await reader.listPods({ namespace });
  const exact = inNs.find((p) => p.metadata?.name === name);
  const generated = inNs.filter((p) => (p.metadata?.name ?? '').startsWith(`${name}-`));
  const one = exact ?? (generated.length === 1 ? generated[0] : undefined);
  if (one !== undefined) {
    const t = target(one);
    return t === null ? { kind: 'unscheduled', name: refOf(one) } : { kind: 'found', pod: t };
  }
  if (generated.length > 1) return { kind: 'ambiguous', names: generated.map(refOf).sort() };
  const names = inNs.length > 0 ? inNs.map(refOf) : (await reader.listPods({})).map(refOf);
  return { kind: 'missing', names };
}
