// healthy.yaml: 3 nodes on Debian 12 (6.1), Cilium 1.16 with kube-proxy replacement and no kube-proxy.
import { node } from '../build-node.ts';
import { ciliumAgentPod, ciliumImage, workloadPod } from '../build-pods.ts';
import { ciliumConfigMap, daemonSet, deployment, namespace } from '../build-apps.ts';
import { healthyAgentLog } from '../cilium-logs.ts';
import { natTable } from '../iptables.ts';
import type { ContainerLog, ExecResult, KubeObject } from '../schema.ts';
import { logComments, renderYaml } from './common.ts';

export const CILIUM_116 = '1.16.3';
export const EKS_APISERVER = '4F2C8A1B3E5D7F9A0B1C2D3E4F5A6B7C.gr7.eu-west-1.eks.amazonaws.com';
export const DEBIAN_12 = { kernel: '6.1.0-28-cloud-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)' };

/** Per-node objects of a healthy KPR node, as a repeat template (`node-{{i}}`). */
export function healthyNodeTemplate(pool: string): { objects: KubeObject[]; logs: ContainerLog[]; agent: string } {
  const nodeName = 'node-{{i}}';
  const nodeIP = '10.20.0.1{{i}}';
  const agent = 'cilium-k7q{{i2}}';
  const objects = [
    node({ name: nodeName, ...DEBIAN_12, pool, internalIP: nodeIP, podCIDR: '10.1.{{i}}.0/24', kubeletVersion: 'v1.32.0-eks-aeac579' }),
    ciliumAgentPod({ name: agent, node: nodeName, nodeIP, version: CILIUM_116, state: 'running', k8sService: { host: EKS_APISERVER, port: '443' } }),
    workloadPod({ name: 'web-7c9f6d8b5d-w{{i2}}x', node: nodeName, nodeIP, namespace: 'shop', app: 'web', owner: { kind: 'ReplicaSet', name: 'web-7c9f6d8b5d' }, state: 'running', podIP: '10.1.{{i}}.21' }),
    workloadPod({ name: 'api-5b8d9c6f4b-a{{i2}}z', node: nodeName, nodeIP, namespace: 'shop', app: 'api', owner: { kind: 'ReplicaSet', name: 'api-5b8d9c6f4b' }, state: 'running', podIP: '10.1.{{i}}.22' }),
  ];
  const logs = [{
    namespace: 'kube-system', pod: agent, container: 'cilium-agent',
    current: healthyAgentLog({ memoryBytes: 16455290880, apiserver: `https://${EKS_APISERVER}:443`, kubeProxyReplacement: true }),
  }];
  return { objects, logs, agent };
}

export function natExec(pod: string, stdout: string): ExecResult {
  return { namespace: 'kube-system', pod, container: 'cilium-agent', command: 'iptables-save -t nat', stdout, stderr: '', exitCode: 0 };
}

/** Objects every Cilium-1.16 KPR scenario shares: namespaces, controllers, config, a Service and a policy. */
export function clusterObjects(nodes: number): KubeObject[] {
  const webIPs = Array.from({ length: nodes }, (_, n) => `10.1.${n + 1}.21`);
  return [
    namespace('kube-system'), namespace('default'), namespace('shop'),
    daemonSet({ name: 'cilium', app: 'cilium', image: ciliumImage(CILIUM_116), container: 'cilium-agent', desired: nodes, ready: nodes }),
    deployment({ name: 'cilium-operator', namespace: 'kube-system', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, container: 'cilium-operator', image: `quay.io/cilium/operator-generic:v${CILIUM_116}`, replicas: 1 }),
    workloadPod({ name: 'cilium-operator-6b8f7d9c5d-q2x7m', node: 'node-1', nodeIP: '10.20.0.11', namespace: 'kube-system', app: 'cilium-operator', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, owner: { kind: 'ReplicaSet', name: 'cilium-operator-6b8f7d9c5d' }, state: 'running', podIP: '10.20.0.11', image: `quay.io/cilium/operator-generic:v${CILIUM_116}` }),
    deployment({ name: 'hubble-relay', namespace: 'kube-system', labels: { 'k8s-app': 'hubble-relay' }, container: 'hubble-relay', image: `quay.io/cilium/hubble-relay:v${CILIUM_116}`, replicas: 1 }),
    workloadPod({ name: 'hubble-relay-7d4f9b6c8-k5n2p', node: 'node-2', nodeIP: '10.20.0.12', namespace: 'kube-system', app: 'hubble-relay', labels: { 'k8s-app': 'hubble-relay' }, owner: { kind: 'ReplicaSet', name: 'hubble-relay-7d4f9b6c8' }, state: 'running', podIP: '10.1.2.30', image: `quay.io/cilium/hubble-relay:v${CILIUM_116}` }),
    ciliumConfigMap({ 'kube-proxy-replacement': 'true', 'kube-proxy-replacement-healthz-bind-address': '', 'enable-hubble': 'true', 'hubble-disable-tls': 'false' }),
    deployment({ name: 'web', namespace: 'shop', labels: { app: 'web' }, container: 'web', image: 'registry.example.com/shop/web:2026.11.2', replicas: nodes }),
    deployment({ name: 'api', namespace: 'shop', labels: { app: 'api' }, container: 'api', image: 'registry.example.com/shop/api:2026.11.2', replicas: nodes }),
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'web', namespace: 'shop', uid: '7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e', creationTimestamp: '2026-11-01T08:05:00Z', labels: { app: 'web' } },
      spec: { type: 'ClusterIP', clusterIP: '10.100.42.17', clusterIPs: ['10.100.42.17'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], sessionAffinity: 'None' },
      status: { loadBalancer: {} },
    },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'web-x7k2p', namespace: 'shop', generateName: 'web-', uid: '8c2f3d4e-5a6b-4c7d-9e8f-0a1b2c3d4e5f', creationTimestamp: '2026-11-01T08:05:01Z', labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: '7b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e', controller: true, blockOwnerDeletion: true }] },
      addressType: 'IPv4',
      endpoints: webIPs.map((ip, n) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: `node-${n + 1}`, targetRef: { kind: 'Pod', namespace: 'shop', name: `web-7c9f6d8b5d-w0${n + 1}x` } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    {
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-from-api', namespace: 'shop', uid: '9d3a4e5f-6b7c-4d8e-af90-1b2c3d4e5f60', creationTimestamp: '2026-11-02T10:00:00Z', generation: 1 },
      spec: {
        description: 'Only the api pods may call web on 8080 (ingress default-deny for web; egress untouched, cilium-facts §6).',
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      },
      status: { conditions: [{ type: 'Valid', status: 'True', message: 'Policy validation succeeded', lastTransitionTime: '2026-11-02T10:00:01Z' }] },
    },
  ];
}

export function healthyYaml(): string {
  const tpl = healthyNodeTemplate('workers-a');
  const exec = [natExec(tpl.agent, natTable({ cilium: { podCIDR: '10.1.{{i}}.0/24', ciliumHostIP: '10.1.{{i}}.200' } }))];
  const body = {
    name: 'healthy',
    description: 'Three nodes on Debian 12 (kernel 6.1), Cilium 1.16.3 with kube-proxy-replacement=true and no kube-proxy, Hubble Relay, one CiliumNetworkPolicy. Every diagnosis here must come back without a critical finding.',
    // Every node is healthy; node-1 is the one the demo asks about.
    expect: { node: 'node-1', findings: [] },
    objects: clusterObjects(3),
    repeat: [{ count: 3, from: 1, objects: tpl.objects, logs: tpl.logs, exec }],
  };
  const header = [
    'Generated by sandbox/scenario/author (npx tsx sandbox/scenario/author/write.ts); edit the author files, not this one.',
    'Node-pool label: eks.amazonaws.com/nodegroup (see build-node.ts POOL_LABEL).',
    'iptables: only Cilium chains (CILIUM_*) and kubelet\'s own KUBE-KUBELET-CANARY, which is not a kube-proxy signal (cilium-facts §5).',
  ].join('\n');
  return renderYaml(header, body, logComments(['repeat', 0, 'logs'], tpl.logs));
}
