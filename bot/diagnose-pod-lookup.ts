// Answers "which pod is `<ns>/<pod>`?" for the slash command and the CLI before anything is queued: the pod, or a
// PodNotFoundError with the closest `ns/pod` names (the node-name ranking, closestNames, applied to the pods'
// workload names so a generated suffix does not swamp a typo), or the pods a Deployment prefix is ambiguous between.
import type { PodLookup } from '../jobs/pod/find-pod.ts';
import type { PodTarget } from '../runbooks/engine/pod-diagnosis.ts';
import type { PodArg } from './command-grammar.ts';
import { PodNotFoundError } from './errors.ts';
import { closestNames } from './node-directory.ts';

export interface PodLister {
  findPod(cluster: string, namespace: string, pod: string): Promise<PodLookup>;
}

/** `shop/checkout-7c9f8b6d4-x2x9q` → `shop/checkout`: the generated suffix of a ReplicaSet's (hash + 5) or a
 * DaemonSet's (5) pod, which a typo is never measured against. StatefulSet ordinals (`-0`) are kept. */
function workloadStem(ref: string): string {
  return ref.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, '').replace(/-[a-z0-9]{5}$/, '');
}

/** Up to `max` pods nearest to what was typed: ranked by their workload's name, nearest first, its pods together. */
export function closestPods(typed: string, refs: string[], max = 3): string[] {
  const byStem = new Map<string, string[]>();
  for (const r of [...refs].sort()) byStem.set(workloadStem(r), [...(byStem.get(workloadStem(r)) ?? []), r]);
  return closestNames(typed, [...byStem.keys()], max).flatMap((stem) => byStem.get(stem) ?? []).slice(0, max);
}

export async function resolvePod(lister: PodLister, cluster: string, arg: PodArg): Promise<PodTarget> {
  const typed = `${arg.namespace}/${arg.pod}`;
  const found = await lister.findPod(cluster, arg.namespace, arg.pod);
  switch (found.kind) {
    case 'found':
      return found.pod;
    case 'ambiguous':
      throw new PodNotFoundError(typed, cluster, found.names.slice(0, 5), true);
    case 'unscheduled':
      throw new PodNotFoundError(typed, cluster, [], false);
    case 'missing':
      throw new PodNotFoundError(typed, cluster, closestPods(typed, found.names));
  }
}
