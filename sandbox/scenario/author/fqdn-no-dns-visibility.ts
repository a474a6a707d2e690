// The `diagnose pod` scenario (sandbox/scenarios/fqdn-no-dns-visibility.yaml, its flows in
// hubble/fqdn-no-dns-visibility.json, served by the sandbox's Relay emulator): shop/checkout on node-2 is allowed to reach cilium.io by toFQDNs, and its lookups to
// kube-dns on 53/UDP by a bare port rule without `rules.dns`. The lookups pass, the DNS proxy never sees them, the
// FQDN selector gets no IP, and every connection to cilium.io is dropped as POLICY_DENIED to reserved:world.
// Sources: the policy is cilium/cilium#11767's (a port-53 allow whose `rules: dns` was missing, "spoiler alert");
// the drop to identity 2 and `curl cilium.io` → 104.198.14.52:80 timing out are cilium/cilium#13144's; the rule is
// docs security/policy/language "DNS Proxy" ("This interception is, itself, a separate policy rule governing the DNS
// requests, and must be specified separately"). Not bundled with the node scenarios: loaded by path in its tests.
import { deployment } from '../build-apps.ts';
import { workloadPod } from '../build-pods.ts';
import { uidFor } from '../ids.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, clusterYaml, nodeIP } from './broken-cluster.ts';
import { DEBIAN_12 } from './healthy.ts';

export const CHECKOUT_POD = 'checkout-7c9f8b6d4-x2x9q';

function checkoutPolicy(): KubeObject {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
    metadata: { name: 'checkout-egress', namespace: 'shop', uid: uidFor('cnp:shop/checkout-egress'), creationTimestamp: '2026-11-23T09:12:00Z', generation: 1 },
    spec: {
      description: 'checkout may look names up and call cilium.io',
      endpointSelector: { matchLabels: { app: 'checkout' } },
      egress: [
        // cilium/cilium#11767: DNS allowed on port 53, `rules: dns` left out.
        { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
        { toFQDNs: [{ matchName: 'cilium.io' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      ],
    },
    status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded', lastTransitionTime: '2026-11-23T09:12:01Z' }] },
  };
}

/** The pod's CiliumEndpoint (pkg/k8s/apis/cilium.io/v2/types.go EndpointStatus): ready, egress enforced. */
function checkoutEndpoint(): KubeObject {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumEndpoint',
    metadata: { name: CHECKOUT_POD, namespace: 'shop', uid: uidFor(`cep:shop/${CHECKOUT_POD}`), creationTimestamp: '2026-11-23T09:00:05Z', generation: 1 },
    status: {
      id: 1234,
      identity: { id: 48213, labels: ['k8s:app=checkout', 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.kubernetes.pod.namespace=shop'] },
      networking: { addressing: [{ ipv4: '10.1.2.41' }], node: nodeIP(2) },
      state: 'ready',
      policy: { ingress: { enforcing: false, state: '<status disabled>' }, egress: { enforcing: true, state: '<status disabled>' } },
    },
  };
}

export function fqdnNoDnsVisibilityYaml(): string {
  const pod = workloadPod({ name: CHECKOUT_POD, node: BROKEN, nodeIP: nodeIP(2), namespace: 'shop', app: 'checkout', owner: { kind: 'ReplicaSet', name: 'checkout-7c9f8b6d4' }, state: 'running', podIP: '10.1.2.41', createdAt: '2026-11-23T09:00:00Z' });
  return clusterYaml({
    name: 'fqdn-no-dns-visibility',
    description: 'Cilium 1.16.3, Hubble Relay on. shop/checkout (node-2) may call cilium.io through toFQDNs and reach kube-dns on 53/UDP, but the port-53 rule has no `rules.dns`: lookups succeed, the DNS proxy never sees them, the FQDN selector gets no IP, and every connection from checkout to cilium.io (104.198.14.52:80) is dropped as POLICY_DENIED to reserved:world.',
    header: [
      'Policy: cilium/cilium#11767 (port-53 allow without rules.dns). Drops to identity 2 (reserved:world): cilium/cilium#13144.',
      'Rule: docs security/policy/language "DNS Proxy": the interception "is, itself, a separate policy rule governing the DNS requests, and must be specified separately".',
    ],
    version: '1.16.3', nodes: 3, os: DEBIAN_12, config: {}, kpr: true, hubble: true,
    broken: { state: 'running' },
    expectFindings: ['fqdn-dns-proxy'],
    hubbleFlows: 'hubble/fqdn-no-dns-visibility.json',
    extraObjects: [
      deployment({ name: 'checkout', namespace: 'shop', labels: { app: 'checkout' }, container: 'checkout', image: 'registry.example.com/shop/checkout:2026.11.2', replicas: 1 }),
      pod, checkoutPolicy(), checkoutEndpoint(),
    ],
  });
}
