// `diagnose pod <ns>/<pod>`: the node's evidence narrowed to one pod (its workload entry, its own Hubble flows), the
// runbooks run on that (so policy, FQDN and L7 runbooks speak of this pod only, and node-level findings are the ones
// that affect it), plus the pod's drops per direction and its CiliumEndpoint state. Pure: evidence in, diagnosis out.
import type { Report } from './contract.ts';
import type { Evidence, Fact } from './evidence.ts';
import { analyze } from './analyze.ts';
import { RUNBOOKS } from '../catalogue/registry.ts';
import { dnsVisibilityPatch, fqdnVisibilityGaps, proxiedLookupsOf, type FqdnVisibilityGap } from './fqdn-visibility.ts';
import { flowsOfPod, podFlowSummary, type PodFlowSummary } from './pod-drops.ts';

export interface PodTarget {
  namespace: string;
  name: string;
  node: string;
  labels: Record<string, string>;
  phase: string;
}

/**
 * The pod's CiliumEndpoint status (cilium/cilium pkg/k8s/apis/cilium.io/v2/types.go EndpointStatus: `state`
 * creating|waiting-for-identity|not-ready|ready|disconnected…, `identity.id`, `policy.{ingress,egress}.enforcing`,
 * `networking.addressing[].ipv4`).
 */
export interface PodEndpointState {
  state: string | null;
  identity: number | null;
  ingressEnforcing: boolean | null;
  egressEnforcing: boolean | null;
  ipv4: string | null;
}

export type PodFlowsSection =
  | { status: 'unavailable'; detail: string; fix?: string }
  | { status: 'read'; summary: PodFlowSummary };

export interface PodDiagnosis {
  cluster: string;
  pod: PodTarget;
  flows: PodFlowsSection;
  endpoint: Fact<PodEndpointState>;
  /** toFQDNs policies whose DNS the proxy never sees for this pod, each with the policy patched to add the rule. */
  fqdn: ({ gap: FqdnVisibilityGap } & ReturnType<typeof dnsVisibilityPatch>)[];
  /** The runbooks on the evidence narrowed to the pod: its policy findings and the node's findings that affect it. */
  report: Report;
}

/** The node's evidence seen from one pod: the pod as the only workload, and only the flows it is an end of. */
export function podEvidence(e: Evidence, pod: PodTarget): Evidence {
  return {
    ...e,
    workloads: e.workloads.ok ? { ok: true, value: e.workloads.value.filter((w) => w.namespace === pod.namespace && w.name === pod.name) } : e.workloads,
    flows: e.flows.ok ? { ok: true, value: flowsOfPod(e.flows.value, pod) } : e.flows,
  };
}

/** The node's drops as a whole say nothing more here: the pod's own drops are the diagnosis's flow section. */
export const POD_RUNBOOKS = RUNBOOKS.filter((r) => r.id !== 'hubble-node-drops');

export function diagnosePod(nodeEvidence: Evidence, pod: PodTarget, endpoint: Fact<PodEndpointState>, run: (e: Evidence) => Report = (e) => analyze(e, POD_RUNBOOKS)): PodDiagnosis {
  const evidence = podEvidence(nodeEvidence, pod);
  const ref = `${pod.namespace}/${pod.name}`;
  const flows = evidence.flows.ok ? evidence.flows.value.flows : [];
  const gaps = evidence.policies.ok
    ? fqdnVisibilityGaps(evidence.policies.value, [{ namespace: pod.namespace, name: pod.name, labels: pod.labels }]).filter(() => proxiedLookupsOf(flows, ref) === 0)
    : [];
  return {
    cluster: nodeEvidence.cluster,
    pod,
    flows: evidence.flows.ok
      ? { status: 'read', summary: podFlowSummary(evidence.flows.value, pod, evidence.policies.ok ? evidence.policies.value : null, gaps) }
      : { status: 'unavailable', detail: evidence.flows.detail, ...(evidence.flows.fix !== undefined && { fix: evidence.flows.fix }) },
    endpoint,
    fqdn: gaps.map((gap) => ({ gap, ...dnsVisibilityPatch(gap) })),
    report: run(evidence),
  };
}

/** A CiliumEndpoint object (as the API returns it) → its state; fields absent stay null, never guessed. */
export function endpointStateOf(cep: unknown): PodEndpointState {
  const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const status = rec(rec(cep)['status']);
  const policy = rec(status['policy']);
  const enforcing = (d: string): boolean | null => {
    const v = rec(policy[d])['enforcing'];
    return typeof v === 'boolean' ? v : null;
  };
  const id = rec(status['identity'])['id'];
  const addressing = rec(status['networking'])['addressing'];
  const ipv4 = Array.isArray(addressing) ? rec(addressing[0])['ipv4'] : undefined;
  return {
    state: typeof status['state'] === 'string' ? status['state'] : null,
    identity: typeof id === 'number' ? id : null,
    ingressEnforcing: enforcing('ingress'),
    egressEnforcing: enforcing('egress'),
    ipv4: typeof ipv4 === 'string' ? ipv4 : null,
  };
}
