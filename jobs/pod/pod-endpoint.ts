// The pod's CiliumEndpoint (cilium.io/v2 ciliumendpoints, named like the pod, in its namespace): the endpoint state,
// identity and per-direction policy enforcement the agent publishes. Read-only; a refusal names the RBAC rule.
import type { Fact } from '../../runbooks/engine/evidence.ts';
import { endpointStateOf, type PodEndpointState } from '../../runbooks/engine/pod-diagnosis.ts';
import type { ClusterReader } from '../kube/cluster-reader.ts';
import { unavailable, withDeadline } from '../collect/fact-outcome.ts';
import { perm } from '../collect/agent-reads.ts';

export async function readPodEndpoint(reader: Pick<ClusterReader, 'listCustomObjects'>, namespace: string, pod: string, deadlineMs: number): Promise<Fact<PodEndpointState>> {
  const what = `list ciliumendpoints in ${namespace}`;
  try {
    const items = await withDeadline(what, deadlineMs, () => reader.listCustomObjects('cilium.io', 'v2', 'ciliumendpoints', namespace));
    const cep = items.find((o) => (o as { metadata?: { name?: string } }).metadata?.name === pod);
    if (cep === undefined) {
      return { ok: false, reason: 'not-found', detail: `no CiliumEndpoint ${namespace}/${pod}: the agent has not created the endpoint (pod not yet networked, host-network pod, or CiliumEndpoint CRD disabled)` };
    }
    return { ok: true, value: endpointStateOf(cep) };
  } catch (e) {
    return unavailable(e, what, [perm('list', 'ciliumendpoints', undefined, 'cilium.io')]);
  }
}
