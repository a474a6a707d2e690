// Policy scenarios (cilium-facts §6): the payments pods run only on node-2, and a policy that selects them (or
// should) breaks their traffic. Agents are healthy; the evidence is the policies and the pod labels.
import { deployment, namespace } from '../build-apps.ts';
import { workloadPod } from '../build-pods.ts';
import { uidFor } from '../ids.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, clusterYaml, nodeIP, type ClusterSpec } from './broken-cluster.ts';
import { DEBIAN_12 } from './healthy.ts';
import { setLabel } from './mutate.ts';

export const PAYMENTS_NS = 'payments';

function base(name: string, description: string, header: string[], extraObjects: KubeObject[]): ClusterSpec {
  return {
    name, description, header, version: '1.16.3', nodes: 3, os: DEBIAN_12, config: {}, kpr: true,
    broken: { state: 'running' }, extraObjects,
  };
}

/** Two payments pods and one checkout pod on node-2; a frontend pod on node-1. */
function paymentsWorkloads(labels: (app: string) => Record<string, string> = (app) => ({ app })): KubeObject[] {
  const pod = (name: string, app: string, node: string, n: number, ip: string): KubeObject => {
    const p = workloadPod({ name, node, nodeIP: nodeIP(n), namespace: PAYMENTS_NS, app, owner: { kind: 'ReplicaSet', name: name.split('-').slice(0, -1).join('-') }, state: 'running', podIP: ip });
    setLabel(p, 'app', undefined);
    for (const [k, v] of Object.entries(labels(app))) setLabel(p, k, v);
    return p;
  };
  const deploy = (app: string, replicas: number): KubeObject => {
    const d = deployment({ name: app, namespace: PAYMENTS_NS, labels: labels(app), container: app, image: `registry.example.com/${PAYMENTS_NS}/${app}:2026.11.3`, replicas });
    return d;
  };
  return [
    namespace(PAYMENTS_NS),
    deploy('payments', 2), deploy('checkout', 1), deploy('frontend', 1),
    pod('payments-6d5f8c7b9-x2kqp', 'payments', BROKEN, 2, '10.1.2.31'),
    pod('payments-6d5f8c7b9-m7wzt', 'payments', BROKEN, 2, '10.1.2.32'),
    pod('checkout-5c4b7d8f6-r9vhn', 'checkout', BROKEN, 2, '10.1.2.33'),
    pod('frontend-7f6d9c8b5-p4lsd', 'frontend', 'node-1', 1, '10.1.1.31'),
  ];
}

function cnp(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: PAYMENTS_NS, uid: uidFor(`cnp:${PAYMENTS_NS}/${name}`), creationTimestamp: '2026-11-23T09:12:00Z', generation: 1 },
    spec,
    status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded', lastTransitionTime: '2026-11-23T09:12:01Z' }] },
  };
}

const DNS_PORTS = [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }];

export function fqdnDnsProxyYaml(): string {
  const policy = cnp('payments-egress-stripe', {
    description: 'payments may call the Stripe API',
    endpointSelector: { matchLabels: { app: 'payments' } },
    egress: [{ toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
  });
  return clusterYaml(base(
    'fqdn-dns-proxy',
    'Cilium 1.16.3 (L7 proxy on) with a CiliumNetworkPolicy that lets the payments pods, which run only on node-2, reach api.stripe.com via toFQDNs, but has no egress rule to kube-dns with a dns L7 rule. The egress section puts the pods in egress default-deny, their DNS lookups are dropped and the DNS proxy never learns Stripe\'s IPs, so payments on node-2 cannot reach Stripe at all.',
    ['cilium-facts §6: toFQDNs needs an L7 DNS rule (toPorts … rules.dns matchPattern) for the lookups (PR #26180, #32567); no agent log line marks this, so the logs are a normal start.'],
    [...paymentsWorkloads(), policy],
  ));
}

export function policyDefaultDenyYaml(): string {
  const ingress = cnp('payments-from-frontend', {
    description: 'frontend may call payments on 8080',
    endpointSelector: { matchLabels: { app: 'payments' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
  });
  const ccnp: KubeObject = {
    apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: 'payments-egress-lockdown', uid: uidFor('ccnp:payments-egress-lockdown'), creationTimestamp: '2026-11-23T09:40:00Z', generation: 1 },
    spec: {
      description: 'payments namespace may only talk to itself',
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': PAYMENTS_NS } },
      egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': PAYMENTS_NS } }] }],
    },
    status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded', lastTransitionTime: '2026-11-23T09:40:01Z' }] },
  };
  return clusterYaml(base(
    'policy-default-deny',
    'Cilium 1.16.3, policy enforcement "default". A CiliumNetworkPolicy with an ingress section selects the payments pods (all on node-2) and allows only frontend, so checkout → payments on node-2 is dropped by ingress default-deny; a CiliumClusterwideNetworkPolicy puts the whole payments namespace into egress default-deny with no DNS allow, so every lookup from the pods on node-2 fails too.',
    ['Default deny is per direction (cilium-facts §6, docs security/policy/intro): each policy here denies only the direction it has a section for.', `kube-dns port(s) the CCNP would need: ${DNS_PORTS.map((p) => `${p.port}/${p.protocol}`).join(', ')}.`],
    [...paymentsWorkloads(), ingress, ccnp],
  ));
}

export function policySelectorDriftYaml(): string {
  const relabel = (app: string): Record<string, string> => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'payments' });
  const ingress = cnp('payments-from-checkout', {
    description: 'checkout may call payments on 8080',
    endpointSelector: { matchLabels: { app: 'payments' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'checkout' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
  });
  const egress = cnp('checkout-to-payments', {
    description: 'checkout may only call payments',
    endpointSelector: { matchLabels: { app: 'checkout' } },
    egress: [{ toEndpoints: [{ matchLabels: { app: 'payments' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
  });
  return clusterYaml(base(
    'policy-selector-drift',
    'Cilium 1.16.3. The payments chart moved from the app label to app.kubernetes.io/name, so the pods on node-2 (payments and checkout) got new labels and new security identities, but the two CiliumNetworkPolicies still select app=payments / app=checkout and now match no running pod. The pods on node-2 are unprotected and the intended allow rules no longer apply.',
    ['cilium-facts §6; catalogue row policy-selector-drift (seed 002 #7). Labels are identity-relevant, so a relabel changes the identity.'],
    [...paymentsWorkloads(relabel), ingress, egress],
  ));
}
