// The L7 scenario: Cilium's Star Wars demo (docs gettingstarted/demo, security/http) on node-2 with the demo's
// L3/L4/L7 policy rule1 (cilium/cilium examples/minikube/sw_l3_l4_l7_policy.yaml): only POST /v1/request-landing from
// org=empire reaches the Death Star. The policy objects alone show nothing wrong; Hubble shows the proxy denying
// tiefighter's PUT /v1/exhaust-port (flows: sandbox/scenarios/hubble/l7-starwars-exhaust-port.json).
import { deployment } from '../build-apps.ts';
import { workloadPod } from '../build-pods.ts';
import { uidFor } from '../ids.ts';
import type { KubeObject } from '../schema.ts';
import { BROKEN, clusterYaml, nodeIP } from './broken-cluster.ts';
import { DEBIAN_12 } from './healthy.ts';
import { setLabel } from './mutate.ts';

const NS = 'default';
// Images of examples/minikube/http-sw-app.yaml: the Death Star, and the json-mock the spaceships run.
const IMAGE = 'quay.io/cilium/starwars:v2.1';
const SPACESHIP = 'quay.io/cilium/json-mock:v1.3.8';

/** A demo pod; tiefighter and xwing are bare Pods in http-sw-app.yaml (no controller). */
function demoPod(name: string, labels: Record<string, string>, ip: string, owner?: string): KubeObject {
  const app = labels['app.kubernetes.io/name'] ?? name;
  const p = workloadPod({ name, node: BROKEN, nodeIP: nodeIP(2), namespace: NS, app, owner: { kind: 'ReplicaSet', name: owner ?? name }, state: 'running', podIP: ip, image: owner === undefined ? SPACESHIP : IMAGE });
  setLabel(p, 'app', undefined);
  for (const [k, v] of Object.entries(labels)) setLabel(p, k, v);
  if (owner === undefined) {
    setLabel(p, 'pod-template-hash', undefined);
    delete p.metadata.ownerReferences;
    delete p.metadata.generateName;
  }
  return p;
}

const RULE1: KubeObject = {
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
  metadata: { name: 'rule1', namespace: NS, uid: uidFor('cnp:default/rule1'), creationTimestamp: '2026-11-23T13:20:00Z', generation: 1 },
  spec: {
    description: 'L7 policy to restrict access to specific HTTP call',
    endpointSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
    ingress: [{
      fromEndpoints: [{ matchLabels: { org: 'empire' } }],
      toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] } }],
    }],
  },
  status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded', lastTransitionTime: '2026-11-23T13:20:01Z' }] },
};

export function l7PolicyYaml(): string {
  const deathstar = { 'app.kubernetes.io/name': 'deathstar', class: 'deathstar', org: 'empire' };
  return clusterYaml({
    name: 'l7-policy',
    description: 'Cilium 1.16.3 with the Star Wars demo on node-2 and its L3/L4/L7 policy rule1: the Death Star accepts only POST /v1/request-landing from org=empire. The tiefighter\'s PUT /v1/exhaust-port is answered 403 "Access denied" by the L7 proxy and the xwing is dropped at L3/L4. The objects alone look healthy; with Hubble Relay serving sandbox/scenarios/hubble/l7-starwars-exhaust-port.json the diagnosis shows the denied request and the rules.http entry that would allow it.',
    header: ['Demo and policy: docs gettingstarted/demo + security/http, cilium/cilium examples/minikube/http-sw-app.yaml and sw_l3_l4_l7_policy.yaml (rule1 as quoted in cilium/cilium#4181).', 'Without Relay flows there is nothing to find (expect.findings: none); the L7 denial is only visible in Hubble, so with the flows served (the demo starts the Relay emulator) the diagnosis shows the xwing\'s L3/L4 drop (policy-default-deny) and the denied PUT with its rule diff (l7-policy) (expect.hubbleFindings).'],
    version: '1.16.3', nodes: 3, os: DEBIAN_12, config: {}, kpr: true, broken: { state: 'running' },
    expectFindings: [],
    hubbleFlows: 'hubble/l7-starwars-exhaust-port.json',
    expectHubbleFindings: ['policy-default-deny', 'l7-policy'],
    extraObjects: [
      deployment({ name: 'deathstar', namespace: NS, labels: deathstar, container: 'deathstar', image: IMAGE, replicas: 1 }),
      demoPod('deathstar-c74d84667-cx5kp', deathstar, '10.1.2.57', 'deathstar-c74d84667'),
      demoPod('tiefighter', { 'app.kubernetes.io/name': 'tiefighter', class: 'tiefighter', org: 'empire' }, '10.1.2.41'),
      demoPod('xwing', { 'app.kubernetes.io/name': 'xwing', class: 'xwing', org: 'alliance' }, '10.1.2.63'),
      RULE1,
    ],
  });
}
