// A small cluster (node-1 … node-N, no repeat blocks) in which node-2 is the broken one: its own kernel/OS, its own
// agent state and logs, and optionally stuck workloads with kubelet events. The failure scenarios build on this.
import { AGENT_NOT_READY_TAINT, node, nodeMemoryBytes, type NodeOptions } from '../build-node.ts';
import { ciliumAgentPod, ciliumImage, daemonPodName, kubeProxyPod, workloadPod, type AgentState, type Termination } from '../build-pods.ts';
import { backOffMessage, ciliumConfigMap, daemonSet, deployment, kubeletEvent, namespace } from '../build-apps.ts';
import { agentStartLines, healthyAgentLog, type AgentLogContext } from '../cilium-logs.ts';
import { natTable } from '../iptables.ts';
import type { ContainerLog, ExecResult, KubeObject, NodeData } from '../schema.ts';
import { logComments, renderYaml } from './common.ts';
import { EKS_APISERVER } from './healthy.ts';

export const BROKEN = 'node-2';
export const NOW = '2026-11-23T12:40:00Z';
export const CRASH: Termination = { exitCode: 1, reason: 'Error', startedAt: '2026-11-23T12:36:31Z', finishedAt: '2026-11-23T12:36:44Z' };
export const KUBE_PROXY_IMAGE = '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.32.0-minimal-eksbuild.2';

export type NodeOs = Pick<NodeOptions, 'kernel' | 'osImage'> & Partial<Pick<NodeOptions, 'kubeletVersion' | 'containerRuntimeVersion' | 'instanceType' | 'memoryKi' | 'poolLabel' | 'extraLabels'>>;

export interface BrokenAgentSpec {
  state: AgentState;
  restarts?: number;
  lastTermination?: Termination;
  /** `kubectl logs` text; for a crash loop usually the same as `previous`. */
  current?: string;
  previous?: string;
  /** Node conditions/taints of an agent that never became ready. */
  neverReady?: boolean;
  /** Workload pods on node-2: stuck in ContainerCreating with this FailedCreatePodSandBox text (seed → message). */
  stuckWorkloads?: (seed: string) => string;
  backOffEvent?: boolean;
}

export interface ClusterSpec {
  name: string;
  description: string;
  header: string[];
  /** Cilium version without the `v`. */
  version: string;
  nodes: number;
  os: NodeOs;
  brokenOs?: NodeOs;
  pool?: string;
  brokenPool?: string;
  config: Record<string, string>;
  /** kube-proxy-replacement; when false a kube-proxy DaemonSet runs. */
  kpr: boolean;
  /** Set KUBERNETES_SERVICE_HOST on the agents (Helm k8sServiceHost); default: when kpr. */
  k8sServiceHost?: boolean;
  hubble?: boolean;
  /** The current log of a healthy agent (undefined: none). Default: healthyAgentLog for 1.12–1.17 clusters. */
  healthyLog?: (ctx: AgentLogContext) => string | undefined;
  broken: BrokenAgentSpec;
  /** Applied to node-2's agent pod after it is built. */
  mutateBrokenAgent?: (pod: KubeObject) => void;
  extraObjects?: KubeObject[];
  operatorVersion?: string;
  /** Give every running agent an `iptables-save -t nat` result; default true. */
  natExec?: boolean;
  /** spec.providerID of a node (default: an EKS instance). */
  providerID?: (node: string) => string;
  /** Every node in the broken state (default: node-2 only); the first one is the scenario's `expect.node`. */
  brokenNodes?: string[];
  /** Nodes a diagnosis must find nothing wrong with (scenario `expect.healthyNodes`). */
  expectHealthy?: string[];
  /** The runbooks a diagnosis of node-2 must lead with (scenario `expect.findings`); default: the scenario's name. */
  expectFindings?: string[];
  /** What the node probe reads on a node (scenario `nodeData`); default: computed from the Node objects. */
  nodeData?: NodeData[];
  /** The Hubble flows the sandbox's Relay emulator serves with it (scenario `hubbleFlows`). */
  hubbleFlows?: string;
  /** The findings a diagnosis leads with when those flows are served (expect.hubbleFindings). */
  expectHubbleFindings?: string[];
}

export function nodeIP(n: number): string {
  return `10.20.0.1${n}`;
}

export function agentName(nodeName: string): string {
  return daemonPodName('cilium', nodeName);
}

export function logContext(spec: Pick<ClusterSpec, 'kpr' | 'k8sServiceHost'>, memoryKi?: number): AgentLogContext {
  const viaHost = spec.k8sServiceHost ?? spec.kpr;
  return { memoryBytes: nodeMemoryBytes(memoryKi), apiserver: viaHost ? `https://${EKS_APISERVER}:443` : 'https://10.100.0.1:443', kubeProxyReplacement: spec.kpr };
}

/** The flag dump only (`  --flag='value'`, cilium#10627, #29341): the preamble used for agents before 1.12. */
export function flagLines(flags: Record<string, string>): string[] {
  return Object.entries(flags).map(([k, v]) => `level=info msg="  --${k}='${v}'" subsys=daemon`);
}

export function text(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** A 1.12–1.17 agent start up to the apiserver connection (cilium-logs.ts). */
export function startLines(ctx: AgentLogContext): string[] {
  return agentStartLines(ctx);
}

export interface BuiltCluster {
  objects: KubeObject[];
  logs: ContainerLog[];
  exec: ExecResult[];
  agents: Map<string, KubeObject>;
}

const WORKLOADS = [['web', 'web-7c9f6d8b5d', 21], ['api', 'api-5b8d9c6f4b', 22]] as const;

export function uidOf(o: KubeObject): string {
  const uid: unknown = o.metadata['uid'];
  return typeof uid === 'string' ? uid : '';
}

export function buildCluster(spec: ClusterSpec): BuiltCluster {
  const objects: KubeObject[] = [namespace('kube-system'), namespace('default'), namespace('shop')];
  const logs: ContainerLog[] = [];
  const exec: ExecResult[] = [];
  const agents = new Map<string, KubeObject>();
  const b = spec.broken;
  const viaHost = spec.k8sServiceHost ?? spec.kpr;
  const brokenNodes = new Set(spec.brokenNodes ?? [BROKEN]);
  for (let n = 1; n <= spec.nodes; n++) {
    const name = `node-${n}`;
    const broken = brokenNodes.has(name);
    const os = broken ? (spec.brokenOs ?? spec.os) : spec.os;
    const ip = nodeIP(n);
    const neverReady = broken && b.neverReady === true;
    objects.push(node({
      name, ...os, pool: broken ? (spec.brokenPool ?? spec.pool ?? 'workers-a') : (spec.pool ?? 'workers-a'), internalIP: ip, podCIDR: `10.1.${n}.0/24`,
      ...(spec.providerID === undefined ? {} : { providerID: spec.providerID(name) }),
      ...(neverReady ? { network: 'no-route' as const, taints: [{ ...AGENT_NOT_READY_TAINT, timeAdded: '2026-11-23T11:01:40Z' }], createdAt: '2026-11-23T11:01:40Z' } : {}),
    }));
    const state: AgentState = broken ? b.state : 'running';
    const agent = ciliumAgentPod({
      name: agentName(name), node: name, nodeIP: ip, version: spec.version, state,
      ...(viaHost ? { k8sService: { host: EKS_APISERVER, port: '443' } } : {}),
      ...(broken && b.restarts !== undefined ? { restarts: b.restarts } : {}),
      ...(broken && b.lastTermination !== undefined ? { lastTermination: b.lastTermination } : {}),
      ...(broken ? { startedAt: b.state === 'restarting' ? '2026-11-23T12:39:52Z' : '2026-11-23T11:02:31Z' } : {}),
    });
    if (broken) spec.mutateBrokenAgent?.(agent);
    agents.set(name, agent);
    objects.push(agent);
    const ctx = logContext(spec, os.memoryKi);
    if (broken) {
      logs.push({ namespace: 'kube-system', pod: agent.metadata.name, container: 'cilium-agent', ...(b.current === undefined ? {} : { current: b.current }), ...(b.previous === undefined ? {} : { previous: b.previous }) });
      if (b.backOffEvent ?? b.state !== 'running') {
        objects.push(kubeletEvent({ namespace: 'kube-system', pod: agent.metadata.name, podUid: uidOf(agent), node: name, reason: 'BackOff', count: 96, message: backOffMessage(agent.metadata.name, 'kube-system', uidOf(agent), 'cilium-agent'), first: '2026-11-23T11:03:40Z', last: NOW, fieldPath: 'spec.containers{cilium-agent}' }));
      }
    } else {
      const current = spec.healthyLog === undefined ? healthyAgentLog(ctx) : spec.healthyLog(ctx);
      if (current !== undefined) logs.push({ namespace: 'kube-system', pod: agent.metadata.name, container: 'cilium-agent', current });
    }
    if ((spec.natExec ?? true) && state !== 'crashloop') {
      exec.push({ namespace: 'kube-system', pod: agent.metadata.name, container: 'cilium-agent', command: 'iptables-save -t nat', stderr: '', exitCode: 0, stdout: natTable({ cilium: { podCIDR: `10.1.${n}.0/24`, ciliumHostIP: `10.1.${n}.200` }, ...(spec.kpr ? {} : { kubeProxy: { services: 6, endpointsPerService: 2 } }) }) });
    }
    if (!spec.kpr) objects.push(kubeProxyPod({ node: name, nodeIP: ip, image: KUBE_PROXY_IMAGE }));
    // A node whose agent never came up has only the workloads that tolerate the taint and wait for a sandbox.
    const workloads = broken && b.stuckWorkloads === undefined && b.neverReady === true ? [] : WORKLOADS;
    for (const [app, rs, host] of workloads) {
      const stuck = broken && b.stuckWorkloads !== undefined;
      const pod = workloadPod({ node: name, nodeIP: ip, namespace: 'shop', app, owner: { kind: 'ReplicaSet', name: rs }, state: stuck ? 'ContainerCreating' : 'running', podIP: `10.1.${n}.${host}`, ...(stuck ? { createdAt: '2026-11-23T11:04:55Z' } : {}) });
      objects.push(pod);
      if (stuck && b.stuckWorkloads !== undefined) {
        objects.push(kubeletEvent({ namespace: 'shop', pod: pod.metadata.name, podUid: uidOf(pod), node: name, reason: 'FailedCreatePodSandBox', count: 38, message: b.stuckWorkloads(`${name}/${pod.metadata.name}`), first: '2026-11-23T11:05:40Z', last: NOW }));
      }
    }
  }
  const notReady = b.state === 'running' ? 0 : brokenNodes.size;
  const replicas = spec.nodes - (b.stuckWorkloads === undefined && b.neverReady === true ? brokenNodes.size : 0);
  const ready = replicas - (b.stuckWorkloads === undefined ? 0 : brokenNodes.size);
  const operatorVersion = spec.operatorVersion ?? spec.version;
  objects.push(
    daemonSet({ name: 'cilium', app: 'cilium', image: ciliumImage(spec.version), container: 'cilium-agent', desired: spec.nodes, ready: spec.nodes - notReady }),
    deployment({ name: 'cilium-operator', namespace: 'kube-system', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, container: 'cilium-operator', image: `quay.io/cilium/operator-generic:v${operatorVersion}`, replicas: 1 }),
    workloadPod({ name: 'cilium-operator-6b8f7d9c5d-q2x7m', node: 'node-1', nodeIP: nodeIP(1), namespace: 'kube-system', app: 'cilium-operator', labels: { 'io.cilium/app': 'operator', name: 'cilium-operator' }, owner: { kind: 'ReplicaSet', name: 'cilium-operator-6b8f7d9c5d' }, state: 'running', podIP: nodeIP(1), image: `quay.io/cilium/operator-generic:v${operatorVersion}` }),
    ciliumConfigMap({ 'kube-proxy-replacement': String(spec.kpr), 'enable-hubble': String(spec.hubble ?? true), ...spec.config }),
    deployment({ name: 'web', namespace: 'shop', labels: { app: 'web' }, container: 'web', image: 'registry.example.com/shop/web:2026.11.2', replicas, ready }),
    deployment({ name: 'api', namespace: 'shop', labels: { app: 'api' }, container: 'api', image: 'registry.example.com/shop/api:2026.11.2', replicas, ready }),
  );
  if (spec.hubble ?? true) {
    objects.push(
      deployment({ name: 'hubble-relay', namespace: 'kube-system', labels: { 'k8s-app': 'hubble-relay' }, container: 'hubble-relay', image: `quay.io/cilium/hubble-relay:v${spec.version}`, replicas: 1 }),
      workloadPod({ name: 'hubble-relay-7d4f9b6c8-k5n2p', node: 'node-1', nodeIP: nodeIP(1), namespace: 'kube-system', app: 'hubble-relay', labels: { 'k8s-app': 'hubble-relay' }, owner: { kind: 'ReplicaSet', name: 'hubble-relay-7d4f9b6c8' }, state: 'running', podIP: '10.1.1.30', image: `quay.io/cilium/hubble-relay:v${spec.version}` }),
    );
  }
  if (!spec.kpr) objects.push(daemonSet({ name: 'kube-proxy', app: 'kube-proxy', image: KUBE_PROXY_IMAGE, container: 'kube-proxy', desired: spec.nodes, ready: spec.nodes }));
  objects.push(...(spec.extraObjects ?? []));
  return { objects, logs, exec, agents };
}

export const GENERATED_HEADER = 'Generated by sandbox/scenario/author (npx tsx sandbox/scenario/author/write.ts); edit the author files, not this one.';

/** Render a built cluster as a scenario file, citing every log line. */
export function clusterYaml(spec: ClusterSpec, built: BuiltCluster = buildCluster(spec)): string {
  const body = { name: spec.name, description: spec.description, expect: { node: spec.brokenNodes?.[0] ?? BROKEN, findings: spec.expectFindings ?? [spec.name], ...(spec.expectHealthy === undefined ? {} : { healthyNodes: spec.expectHealthy }), ...(spec.expectHubbleFindings === undefined ? {} : { hubbleFindings: spec.expectHubbleFindings }) }, objects: built.objects, logs: built.logs, exec: built.exec, ...(spec.nodeData === undefined ? {} : { nodeData: spec.nodeData }), ...(spec.hubbleFlows === undefined ? {} : { hubbleFlows: spec.hubbleFlows }) };
  const pool = spec.os.poolLabel === undefined ? 'eks.amazonaws.com/nodegroup (see build-node.ts POOL_LABEL)' : spec.os.poolLabel;
  const broken = spec.brokenNodes ?? [BROKEN];
  const header = [GENERATED_HEADER, `Node-pool label: ${pool}. The broken node${broken.length > 1 ? 's are' : ' is'} ${broken.join(', ')}.`, ...spec.header];
  return renderYaml(header.join('\n'), body, logComments(['logs'], built.logs));
}
