// What a deep collection reads of the cluster-wide lists a sweep shares, kept instead of whole objects: every pod
// (for policy selectors, when a CiliumNetworkPolicy exists), every Service and EndpointSlice. These lists grow with
// the cluster, are read once per sweep and held until it ends; a 15,000-pod list as client-node models alone weighs
// about 290 MB. Each function keeps exactly what its reader in jobs/collect uses (named below); the sweep's tests
// compare the evidence from slim objects with the evidence from whole ones.
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';

/** toClusterPods (extra-facts.ts): namespace, name, phase, labels. */
export function slimPod(p: V1Pod): V1Pod {
  return {
    metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace, labels: p.metadata?.labels },
    status: { phase: p.status?.phase },
  };
}

/** toServicesOnNode (cluster-facts.ts): namespace, name, type, cluster IP. */
export function slimService(s: V1Service): V1Service {
  return {
    metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace },
    spec: { type: s.spec?.type, clusterIP: s.spec?.clusterIP, ...(s.metadata?.name === 'clustermesh-apiserver' && { ports: s.spec?.ports }) },
    // The clustermesh fact reports how the mesh's control plane is exposed (type, ports, LoadBalancer address).
    ...(s.metadata?.name === 'clustermesh-apiserver' && { status: s.status }),
  };
}

const SERVICE_NAME = 'kubernetes.io/service-name';

/** toServicesOnNode (cluster-facts.ts): the slice's Service and, per endpoint, its node, pod and readiness. */
export function slimEndpointSlice(s: V1EndpointSlice): V1EndpointSlice {
  const service = s.metadata?.labels?.[SERVICE_NAME];
  return {
    addressType: s.addressType,
    metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace, ...(service !== undefined && { labels: { [SERVICE_NAME]: service } }) },
    endpoints: (s.endpoints ?? []).map((e) => ({
      addresses: e.addresses,
      nodeName: e.nodeName,
      ...(e.targetRef !== undefined && { targetRef: { kind: e.targetRef.kind, name: e.targetRef.name } }),
      ...(e.conditions !== undefined && { conditions: { ready: e.conditions.ready } }),
    })),
  };
}
