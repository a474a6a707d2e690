// Answers "which pod is `<ns>/<pod>`?" for the slash command and the CLI before anything is queued: the pod, or a
// PodNotFoundError with the closest `ns/pod` names (the node-name ranking: same stem and number first, then edit
// distance), or the pods a Deployment prefix is ambiguous between.
import type { PodLookup } from '../jobs/pod/find-pod.ts';
import type { PodTarget } from '../runbooks/engine/pod-diagnosis.ts';
import type { PodArg } from './command-grammar.ts';
import { PodNotFoundError } from './errors.ts';
import { closestNames } from './node-directory.ts';

export interface PodLister {
  findPod(cluster: string, namespace: string, pod: string): Promise<PodLookup>;
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
      throw new PodNotFoundError(typed, cluster, closestNames(typed, found.names));
  }
}
