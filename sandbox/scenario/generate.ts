// Typed builders for YAML-free scenarios (tests, benchmarks of large clusters). `generateCluster` assembles a whole
// cluster: nodes in pools, the cilium DaemonSet and its agents, optional kube-proxy, workloads, config, logs and
// `iptables-save -t nat` exec results for every running agent.
import type { ContainerLog, ExecResult, KubeObject, Scenario } from './schema.ts';
import { AGENT_NOT_READY_TAINT, node, nodeMemoryBytes } from './build-node.ts';
import { ciliumAgentPod, ciliumImage, daemonPodName, kubeProxyPod, workloadPod } from './build-pods.ts';
import { backOffMessage, ciliumConfigMap, daemonSet, deployment, kubeletEvent, namespace, sandboxNoAgentMessage } from './build-apps.ts';
import { healthyAgentLog, mapCreateCrashLog, type AgentLogContext } from './cilium-logs.ts';
import { natTable } from './iptables.ts';
import { nameSuffix } from './ids.ts';

export { node, POOL_LABEL, AGENT_NOT_READY_TAINT, DEFAULT_NODE_MEMORY_KI, nodeMemoryBytes, type NodeOptions, type Taint } from './build-node.ts';
export { ciliumAgentPod, kubeProxyPod, workloadPod, ciliumImage, ciliumImageID, daemonPodName, CILIUM_INIT_CONTAINERS, type CiliumAgentPodOptions, type KubeProxyPodOptions, type WorkloadPodOptions, type AgentState, type Termination } from './build-pods.ts';
export { daemonSet, deployment, ciliumConfigMap, namespace, kubeletEvent, backOffMessage, sandboxNoAgentMessage, type DaemonSetOptions, type DeploymentOptions, type EventOptions } from './build-apps.ts';
export { natTable, type NatTableOptions } from './iptables.ts';
export { healthyAgentLog, mapCreateCrashLog, shortStartLog, agentStartLines, MAP_CREATE_ENOMEM_ERROR, MAP_CREATE_ENOMEM_FATAL, type AgentLogContext } from './cilium-logs.ts';

/** Kernels and images used by generated nodes: a current pool and the seed-000 legacy pool (cilium-facts §1.1). */
export const HEALTHY_KERNEL = { kernel: '6.1.0-28-cloud-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)' } as const;
export const LEGACY_KERNEL = { kernel: '4.14.352-268.568.amzn2.x86_64', osImage: 'Amazon Linux 2' } as const;

export interface ClusterOptions {
  nodes: number;
  name?: string;
  /** Without the `v`; default 1.16.3. */
  ciliumVersion?: string;
  /** `kube-proxy-replacement` in cilium-config; default true. */
  kubeProxyReplacement?: boolean;
  /** Run the kube-proxy DaemonSet; default: only when kube-proxy-replacement is off. */
  kubeProxy?: boolean;
  workloadsPerNode?: number;
  /** The first `count` nodes form a pool whose agents crash-loop for `reason`. */
  broken?: { count: number; reason: 'kernel-too-old' | 'bpf-map-create-failed'; pool?: string };
  /** Give an `iptables-save -t nat` result for every running agent; default true. */
  execResults?: boolean;
}

const APISERVER_HOST = '4F2C8A1B3E5D7F9A0B1C2D3E4F5A6B7C.gr7.eu-west-1.eks.amazonaws.com';
const NOW = '2026-11-23T12:40:00Z';

function nodeAddressing(i: number): { internalIP: string; podCIDR: string; podPrefix: string } {
  const a = 1 + Math.floor(i / 256);
  const b = i % 256;
  return { internalIP: `10.20.${Math.floor(i / 250)}.${(i % 250) + 10}`, podCIDR: `10.${a}.${b}.0/24`, podPrefix: `10.${a}.${b}` };
}

export function generateCluster(o: ClusterOptions): Scenario {
  const version = o.ciliumVersion ?? '1.16.3';
  const kpr = o.kubeProxyReplacement ?? true;
  const withKubeProxy = o.kubeProxy ?? !kpr;
  const perNode = o.workloadsPerNode ?? 2;
  const brokenCount = Math.min(o.broken?.count ?? 0, o.nodes);
  const legacy = o.broken?.reason === 'kernel-too-old';
  const objects: KubeObject[] = [namespace('kube-system'), namespace('default'), namespace('shop')];
  const logs: ContainerLog[] = [];
  const exec: ExecResult[] = [];
  // Random 5-letter suffixes collide at this scale (birthday bound); the apiserver retries, and so do we.
  const taken = new Set<string>();
  const unique = (make: (salt: string) => string): string => {
    for (let n = 0; ; n++) {
      const candidate = make(n === 0 ? '' : `#${n}`);
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
  const apiserver = kpr ? `https://${APISERVER_HOST}:443` : 'https://10.100.0.1:443';

  for (let i = 0; i < o.nodes; i++) {
    const broken = i < brokenCount;
    const name = broken ? `node-${legacy ? 'legacy' : 'broken'}-${String(i + 1).padStart(2, '0')}` : `node-${i + 1}`;
    const addr = nodeAddressing(i);
    const k = broken && legacy ? LEGACY_KERNEL : HEALTHY_KERNEL;
    objects.push(node({
      name, ...k, pool: broken ? (o.broken?.pool ?? (legacy ? 'workers-legacy' : 'workers-b')) : 'workers-a',
      internalIP: addr.internalIP, podCIDR: addr.podCIDR,
      ...(broken ? { network: 'no-route' as const, taints: [{ ...AGENT_NOT_READY_TAINT, timeAdded: '2026-11-23T11:01:58Z' }] } : {}),
      ...(broken && legacy ? { kubeletVersion: 'v1.29.15-eks-473151a', containerRuntimeVersion: 'containerd://1.7.11' } : {}),
    }));
    const agent = ciliumAgentPod({
      name: unique((salt) => daemonPodName('cilium', name + salt)), node: name, nodeIP: addr.internalIP, version, state: broken ? 'crashloop' : 'running',
      ...(kpr ? { k8sService: { host: APISERVER_HOST, port: '443' } } : {}),
      ...(broken ? { restarts: 17, lastTermination: { exitCode: 1, reason: 'Error', startedAt: '2026-11-23T12:36:31Z', finishedAt: '2026-11-23T12:36:44Z' } } : {}),
    });
    objects.push(agent);
    const agentName = agent.metadata.name;
    const ctx: AgentLogContext = { memoryBytes: nodeMemoryBytes(), apiserver, kubeProxyReplacement: kpr };
    if (broken) {
      const crash = mapCreateCrashLog(ctx);
      // In CrashLoopBackOff the "current" container is the last one that ran, so both logs show the crash.
      logs.push({ namespace: 'kube-system', pod: agentName, container: 'cilium-agent', current: crash, previous: crash });
      objects.push(kubeletEvent({
        namespace: 'kube-system', pod: agentName, podUid: uidOf(agent), node: name, reason: 'BackOff', count: 342,
        message: backOffMessage(agentName, 'kube-system', uidOf(agent), 'cilium-agent'), first: '2026-11-23T11:03:40Z', last: NOW,
        fieldPath: 'spec.containers{cilium-agent}',
      }));
    } else {
      logs.push({ namespace: 'kube-system', pod: agentName, container: 'cilium-agent', current: healthyAgentLog(ctx) });
      if (o.execResults ?? true) {
        exec.push({
          namespace: 'kube-system', pod: agentName, container: 'cilium-agent', command: 'iptables-save -t nat', stderr: '', exitCode: 0,
          stdout: natTable({ cilium: { podCIDR: addr.podCIDR, ciliumHostIP: `${addr.podPrefix}.200` } }),
        });
      }
    }
    if (withKubeProxy) objects.push(kubeProxyPod({ name: unique((salt) => daemonPodName('kube-proxy', name + salt)), node: name, nodeIP: addr.internalIP }));
    for (let w = 0; w < perNode; w++) {
      const rs = `web-${w}-${nameSuffix(`rs:web-${w}`, 10)}`;
      const pod = workloadPod({
        name: unique((salt) => `${rs}-${nameSuffix(`shop/${rs}/${name}${salt}`)}`), node: name, nodeIP: addr.internalIP, namespace: 'shop', app: `web-${w}`, owner: { kind: 'ReplicaSet', name: rs },
        state: broken ? 'ContainerCreating' : 'running', podIP: `${addr.podPrefix}.${10 + w}`,
      });
      objects.push(pod);
      if (broken) {
        objects.push(kubeletEvent({
          namespace: 'shop', pod: pod.metadata.name, podUid: uidOf(pod), node: name, reason: 'FailedCreatePodSandBox', count: 40,
          message: sandboxNoAgentMessage(`${name}/${pod.metadata.name}`), first: '2026-11-23T11:05:12Z', last: NOW,
        }));
      }
    }
  }
  objects.push(
    daemonSet({ name: 'cilium', app: 'cilium', image: ciliumImage(version), container: 'cilium-agent', desired: o.nodes, ready: o.nodes - brokenCount }),
    deployment({ name: 'cilium-operator', namespace: 'kube-system', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, container: 'cilium-operator', image: `quay.io/cilium/operator-generic:v${version}`, replicas: 2 }),
    deployment({ name: 'hubble-relay', namespace: 'kube-system', labels: { 'k8s-app': 'hubble-relay' }, container: 'hubble-relay', image: `quay.io/cilium/hubble-relay:v${version}`, replicas: 1 }),
    ciliumConfigMap({ 'kube-proxy-replacement': String(kpr) }),
  );
  for (let w = 0; w < perNode; w++) {
    objects.push(deployment({ name: `web-${w}`, namespace: 'shop', labels: { app: `web-${w}` }, container: `web-${w}`, image: `registry.example.com/shop/web-${w}:2026.11.2`, replicas: o.nodes, ready: o.nodes - brokenCount }));
  }
  if (withKubeProxy) {
    objects.push(daemonSet({ name: 'kube-proxy', app: 'kube-proxy', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.32.0-minimal-eksbuild.2', container: 'kube-proxy', desired: o.nodes, ready: o.nodes }));
  }
  return {
    name: o.name ?? `generated-${o.nodes}`,
    description: `Generated: ${o.nodes} nodes, Cilium ${version}, kube-proxy-replacement ${String(kpr)}${brokenCount > 0 ? `, ${brokenCount} broken (${o.broken?.reason ?? ''})` : ''}`,
    objects, logs, exec, users: [],
  };
}

function uidOf(obj: KubeObject): string {
  const uid: unknown = obj.metadata['uid'];
  return typeof uid === 'string' ? uid : '';
}
