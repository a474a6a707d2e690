// kernel-too-old.yaml (seed 000): a legacy pool of 12 Amazon Linux 2 nodes on 4.14 running Cilium 1.15, whose
// floor is 4.19.57 (cilium-facts §1.1); their agents crash-loop on BPF map creation (§2.2); 3 current nodes are fine.
import { AGENT_NOT_READY_TAINT, node } from '../build-node.ts';
import { ciliumAgentPod, ciliumImage, kubeProxyPod, workloadPod } from '../build-pods.ts';
import { backOffMessage, ciliumConfigMap, daemonSet, deployment, kubeletEvent, namespace, sandboxNoAgentMessage } from '../build-apps.ts';
import { healthyAgentLog, mapCreateCrashLog, shortStartLog, type AgentLogContext } from '../cilium-logs.ts';
import { natTable } from '../iptables.ts';
import type { KubeObject } from '../schema.ts';
import { logComments, renderYaml } from './common.ts';
import { natExec } from './healthy.ts';

export const CILIUM_115 = '1.15.6';
const LEGACY = { kernel: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2', kubeletVersion: 'v1.29.15-eks-473151a', containerRuntimeVersion: 'containerd://1.7.11' };
const AL2023 = { kernel: '6.1.115-126.197.amzn2023.x86_64', osImage: 'Amazon Linux 2023.6.20241111', kubeletVersion: 'v1.32.0-eks-aeac579', containerRuntimeVersion: 'containerd://1.7.23' };
const NOW = '2026-11-23T12:40:00Z';
const CRASH = { exitCode: 1, reason: 'Error', startedAt: '2026-11-23T12:36:31Z', finishedAt: '2026-11-23T12:36:44Z' };
// KPR is off here and kube-proxy runs, so the agent reaches the apiserver through the kubernetes Service VIP.
const LOG_CTX: AgentLogContext = { memoryBytes: 16455290880, apiserver: 'https://10.100.0.1:443', kubeProxyReplacement: false };

function legacyNode(n: string): { name: string; ip: string; objects: KubeObject[] } {
  const name = `node-legacy-${n}`;
  const ip = `10.20.8.1${n}`;
  const fluentBit = workloadPod({ name: `fluent-bit-q${n}wz`, node: name, nodeIP: ip, namespace: 'logging', app: 'fluent-bit', owner: { kind: 'DaemonSet', name: 'fluent-bit' }, state: 'ContainerCreating', createdAt: '2026-11-23T11:02:10Z' });
  const checkout = workloadPod({ name: `checkout-6f7c9d5b8-c${n}kv`, node: name, nodeIP: ip, namespace: 'shop', app: 'checkout', owner: { kind: 'ReplicaSet', name: 'checkout-6f7c9d5b8' }, state: 'ContainerCreating', createdAt: '2026-11-23T11:04:55Z' });
  const objects = [
    node({ name, ...LEGACY, pool: 'workers-legacy', internalIP: ip, podCIDR: `10.1.1${n}.0/24`, instanceType: 'm5.large', createdAt: '2026-11-23T11:01:40Z', network: 'no-route', taints: [{ ...AGENT_NOT_READY_TAINT, timeAdded: '2026-11-23T11:01:40Z' }] }),
    kubeProxyPod({ node: name, nodeIP: ip, createdAt: '2026-11-23T11:02:10Z', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.29.15-minimal-eksbuild.2' }),
    fluentBit, checkout,
  ];
  for (const pod of [fluentBit, checkout]) {
    const podName = pod.metadata.name;
    const ns = pod.metadata.namespace ?? 'default';
    objects.push(kubeletEvent({ namespace: ns, pod: podName, podUid: String(pod.metadata['uid']), node: name, reason: 'FailedCreatePodSandBox', count: 38, message: sandboxNoAgentMessage(`${ns}/${podName}`), first: '2026-11-23T11:05:40Z', last: NOW }));
  }
  return { name, ip, objects };
}

function legacyAgent(n: string, state: 'crashloop' | 'restarting'): KubeObject[] {
  const { name, ip } = { name: `node-legacy-${n}`, ip: `10.20.8.1${n}` };
  const pod = ciliumAgentPod({ name: `cilium-r${n}xk`, node: name, nodeIP: ip, version: CILIUM_115, state, restarts: 17, lastTermination: CRASH, createdAt: '2026-11-23T11:02:10Z', startedAt: '2026-11-23T12:39:52Z' });
  const uid = String(pod.metadata['uid']);
  return [pod, kubeletEvent({ namespace: 'kube-system', pod: pod.metadata.name, podUid: uid, node: name, reason: 'BackOff', count: 331, message: backOffMessage(pod.metadata.name, 'kube-system', uid, 'cilium-agent'), first: '2026-11-23T11:03:40Z', last: NOW, fieldPath: 'spec.containers{cilium-agent}' })];
}

function healthyNode(): KubeObject[] {
  const name = 'node-{{i}}';
  const ip = '10.20.0.1{{i}}';
  return [
    node({ name, ...AL2023, pool: 'workers-a', internalIP: ip, podCIDR: '10.1.{{i}}.0/24' }),
    ciliumAgentPod({ name: 'cilium-m4t{{i2}}', node: name, nodeIP: ip, version: CILIUM_115, state: 'running' }),
    kubeProxyPod({ node: name, nodeIP: ip, image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.32.0-minimal-eksbuild.2' }),
    workloadPod({ name: 'fluent-bit-h{{i2}}qz', node: name, nodeIP: ip, namespace: 'logging', app: 'fluent-bit', owner: { kind: 'DaemonSet', name: 'fluent-bit' }, state: 'running', podIP: '10.1.{{i}}.20' }),
    workloadPod({ name: 'checkout-6f7c9d5b8-w{{i2}}pm', node: name, nodeIP: ip, namespace: 'shop', app: 'checkout', owner: { kind: 'ReplicaSet', name: 'checkout-6f7c9d5b8' }, state: 'running', podIP: '10.1.{{i}}.21' }),
  ];
}

export function kernelTooOldYaml(): string {
  const crash = mapCreateCrashLog(LOG_CTX);
  const legacyLogs = [{ namespace: 'kube-system', pod: 'cilium-r{{i2}}xk', container: 'cilium-agent', previous: crash, current: crash }];
  const restartingLogs = [{ namespace: 'kube-system', pod: 'cilium-r12xk', container: 'cilium-agent', previous: crash, current: shortStartLog(LOG_CTX) }];
  const healthyLogs = [{ namespace: 'kube-system', pod: 'cilium-m4t{{i2}}', container: 'cilium-agent', current: healthyAgentLog(LOG_CTX) }];
  const legacyTpl = legacyNode('{{i2}}');
  const body = {
    name: 'kernel-too-old',
    description: 'Seed 000: node pool workers-legacy (12 Amazon Linux 2 nodes, kernel 4.14) joined a cluster running Cilium 1.15.6, whose floor is 4.19.57. Their agents crash-loop creating BPF maps, their workloads are stuck in ContainerCreating, NetworkUnavailable stays True and the agent-not-ready taint stays on. Three Amazon Linux 2023 nodes (6.1) are healthy. kube-proxy runs (kube-proxy-replacement=false), so kube-proxy is not a conflict here.',
    expect: { node: 'node-legacy-01', findings: ['kernel-too-old'], healthyNodes: ['node-1', 'node-2', 'node-3'] },
    objects: [
      namespace('kube-system'), namespace('default'), namespace('shop'), namespace('logging'),
      daemonSet({ name: 'cilium', app: 'cilium', image: ciliumImage(CILIUM_115), container: 'cilium-agent', desired: 15, ready: 3 }),
      daemonSet({ name: 'kube-proxy', app: 'kube-proxy', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.32.0-minimal-eksbuild.2', container: 'kube-proxy', desired: 15, ready: 15 }),
      daemonSet({ name: 'fluent-bit', namespace: 'logging', app: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:3.2.2', container: 'fluent-bit', desired: 15, ready: 3 }),
      deployment({ name: 'cilium-operator', namespace: 'kube-system', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, container: 'cilium-operator', image: `quay.io/cilium/operator-generic:v${CILIUM_115}`, replicas: 1 }),
      workloadPod({ name: 'cilium-operator-5c7d8f9b6-t8m2q', node: 'node-1', nodeIP: '10.20.0.11', namespace: 'kube-system', app: 'cilium-operator', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, owner: { kind: 'ReplicaSet', name: 'cilium-operator-5c7d8f9b6' }, state: 'running', podIP: '10.20.0.11', image: `quay.io/cilium/operator-generic:v${CILIUM_115}` }),
      deployment({ name: 'hubble-relay', namespace: 'kube-system', labels: { 'k8s-app': 'hubble-relay' }, container: 'hubble-relay', image: `quay.io/cilium/hubble-relay:v${CILIUM_115}`, replicas: 1 }),
      workloadPod({ name: 'hubble-relay-6d9c7b5f4-x2v8n', node: 'node-2', nodeIP: '10.20.0.12', namespace: 'kube-system', app: 'hubble-relay', labels: { 'k8s-app': 'hubble-relay' }, owner: { kind: 'ReplicaSet', name: 'hubble-relay-6d9c7b5f4' }, state: 'running', podIP: '10.1.2.30', image: `quay.io/cilium/hubble-relay:v${CILIUM_115}` }),
      deployment({ name: 'checkout', namespace: 'shop', labels: { app: 'checkout' }, container: 'checkout', image: 'registry.example.com/shop/checkout:2026.11.2', replicas: 15, ready: 3 }),
      ciliumConfigMap({ 'kube-proxy-replacement': 'false' }),
      ...legacyAgent('12', 'restarting'),
    ],
    logs: restartingLogs,
    repeat: [
      { count: 12, from: 1, objects: legacyTpl.objects },
      { count: 11, from: 1, objects: legacyAgent('{{i2}}', 'crashloop'), logs: legacyLogs },
      {
        count: 3, from: 1, objects: healthyNode(), logs: healthyLogs,
        exec: [natExec('cilium-m4t{{i2}}', natTable({ cilium: { podCIDR: '10.1.{{i}}.0/24', ciliumHostIP: '10.1.{{i}}.200' }, kubeProxy: { services: 12, endpointsPerService: 2 } }))],
      },
    ],
  };
  const header = [
    'Generated by sandbox/scenario/author (npx tsx sandbox/scenario/author/write.ts); edit the author files, not this one.',
    'Node-pool label: eks.amazonaws.com/nodegroup. Taint: node.cilium.io/agent-not-ready=true:NoExecute (cilium-facts §3.2).',
    'Cilium 1.15 needs kernel >= 4.19.57 (cilium-facts §1.1); the legacy pool runs 4.14.',
    'Agents on node-legacy-01..11 wait in CrashLoopBackOff: "current" and "previous" both show the last crashed run,',
    'as the kubelet serves them. node-legacy-12 was caught seconds after its 17th restart: its current container is',
    'running (not ready) with a short start, and the crash is only in "previous".',
    'No exec results on the legacy agents: exec into a container that is not running fails in the emulator.',
    'FailedCreatePodSandBox text: not in cilium-facts; verbatim from cilium#40345, cilium#40312, kubermatic/dashboard#7816.',
  ].join('\n');
  return renderYaml(header, body, [
    ...logComments(['logs'], restartingLogs),
    ...logComments(['repeat', 1, 'logs'], legacyLogs),
    ...logComments(['repeat', 2, 'logs'], healthyLogs),
  ]);
}
