// Pods and their events, shaped like the apiserver returns them (protocols.md B.5): owner references to the
// controller, container statuses with CrashLoopBackOff / lastState.terminated / restartCount, kubelet event texts.
import type { KubeObject } from './schema.ts';
import { hexFor, nameSuffix, uidFor } from './ids.ts';

export type AgentState = 'running' | 'crashloop' | 'restarting';

export interface Termination {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
}

export interface CiliumAgentPodOptions {
  node: string;
  nodeIP: string;
  /** Cilium version without the `v`, e.g. `1.15.6`. */
  version: string;
  /** `restarting`: a crash-looping agent caught in the seconds after a restart (running, not ready). */
  state: AgentState;
  restarts?: number;
  lastTermination?: Termination;
  name?: string;
  createdAt?: string;
  /** When the current container started (running / restarting). */
  startedAt?: string;
  /** KUBERNETES_SERVICE_HOST/PORT in the agent env (Helm `k8sServiceHost`), needed when kube-proxy is replaced. */
  k8sService?: { host: string; port: string };
}

export const CILIUM_INIT_CONTAINERS = ['config', 'mount-cgroup', 'apply-sysctl-overwrites', 'mount-bpf-fs', 'clean-cilium-state', 'install-cni-binaries'];

export function ciliumImage(version: string): string {
  return `quay.io/cilium/cilium:v${version}@sha256:${hexFor(`image:cilium:${version}`)}`;
}

export function ciliumImageID(version: string): string {
  return `quay.io/cilium/cilium@sha256:${hexFor(`image:cilium:${version}`)}`;
}

/** The name a DaemonSet pod on this node gets (`cilium-6vtzq`), stable across runs. */
export function daemonPodName(daemonSet: string, nodeName: string): string {
  return `${daemonSet}-${nameSuffix(`${daemonSet}/${nodeName}`)}`;
}

function ownerRef(kind: string, namespace: string, name: string): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind, name, uid: uidFor(`${kind.toLowerCase()}:${namespace}/${name}`), controller: true, blockOwnerDeletion: true };
}

function condition(type: string, ready: boolean, at: string, notReady?: string): Record<string, unknown> {
  return ready || notReady === undefined
    ? { type, status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at }
    : { type, status: 'False', lastProbeTime: null, lastTransitionTime: at, reason: 'ContainersNotReady', message: `containers with unready status: [${notReady}]` };
}

export function ciliumAgentPod(o: CiliumAgentPodOptions): KubeObject {
  const name = o.name ?? daemonPodName('cilium', o.node);
  const uid = uidFor(`pod:kube-system/${name}`);
  const created = o.createdAt ?? '2026-11-23T11:02:10Z';
  const started = o.startedAt ?? '2026-11-23T11:02:31Z';
  const image = ciliumImage(o.version);
  const imageID = ciliumImageID(o.version);
  const cid = (n: number): string => `containerd://${hexFor(`container:${name}:${n}`)}`;
  const restarts = o.restarts ?? 0;
  const ready = o.state === 'running';
  const last = o.lastTermination;
  const lastState = last === undefined ? {} : { terminated: { ...last, containerID: cid(restarts - 1) } };
  const state = o.state === 'crashloop'
    ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=cilium-agent pod=${name}_kube-system(${uid})` } }
    : { running: { startedAt: started } };
  const env = [
    { name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    { name: 'CILIUM_K8S_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
    ...(o.k8sService === undefined ? [] : [
      { name: 'KUBERNETES_SERVICE_HOST', value: o.k8sService.host },
      { name: 'KUBERNETES_SERVICE_PORT', value: o.k8sService.port },
    ]),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: 'cilium-',
      namespace: 'kube-system',
      uid,
      creationTimestamp: created,
      labels: {
        'app.kubernetes.io/name': 'cilium-agent',
        'app.kubernetes.io/part-of': 'cilium',
        'controller-revision-hash': nameSuffix(`rev:cilium:${o.version}`, 10),
        'k8s-app': 'cilium',
        'pod-template-generation': '1',
      },
      ownerReferences: [ownerRef('DaemonSet', 'kube-system', 'cilium')],
    },
    spec: {
      nodeName: o.node,
      hostNetwork: true,
      serviceAccountName: 'cilium',
      priorityClassName: 'system-node-critical',
      restartPolicy: 'Always',
      tolerations: [{ operator: 'Exists' }],
      initContainers: CILIUM_INIT_CONTAINERS.map((c) => ({ name: c, image })),
      containers: [{
        name: 'cilium-agent',
        image,
        command: ['cilium-agent'],
        args: ['--config-dir=/tmp/cilium/config-map'],
        env,
        securityContext: { privileged: false, capabilities: { add: ['CHOWN', 'KILL', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'SYS_MODULE', 'SYS_ADMIN', 'SYS_RESOURCE', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'] } },
      }],
    },
    status: {
      phase: 'Running',
      hostIP: o.nodeIP,
      hostIPs: [{ ip: o.nodeIP }],
      podIP: o.nodeIP,
      podIPs: [{ ip: o.nodeIP }],
      startTime: created,
      qosClass: 'Burstable',
      conditions: [
        condition('PodReadyToStartContainers', true, created),
        condition('Initialized', true, created),
        condition('Ready', ready, started, 'cilium-agent'),
        condition('ContainersReady', ready, started, 'cilium-agent'),
        condition('PodScheduled', true, created),
      ],
      initContainerStatuses: CILIUM_INIT_CONTAINERS.map((c, n) => ({
        name: c, ready: true, restartCount: 0, image, imageID, containerID: `containerd://${hexFor(`init:${name}:${n}`)}`, started: false,
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: created, finishedAt: created, containerID: `containerd://${hexFor(`init:${name}:${n}`)}` } },
      })),
      containerStatuses: [{
        name: 'cilium-agent', ready, started: ready, restartCount: restarts, image, imageID,
        containerID: cid(o.state === 'crashloop' ? restarts - 1 : restarts), state, lastState,
      }],
    },
  };
}

export interface KubeProxyPodOptions {
  name?: string;
  node: string;
  nodeIP: string;
  image?: string;
  createdAt?: string;
}

export function kubeProxyPod(o: KubeProxyPodOptions): KubeObject {
  const name = o.name ?? daemonPodName('kube-proxy', o.node);
  const created = o.createdAt ?? '2026-11-01T08:01:00Z';
  const image = o.image ?? '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.32.0-minimal-eksbuild.2';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name, generateName: 'kube-proxy-', namespace: 'kube-system', uid: uidFor(`pod:kube-system/${name}`), creationTimestamp: created,
      labels: { 'controller-revision-hash': nameSuffix('rev:kube-proxy', 10), 'k8s-app': 'kube-proxy', 'pod-template-generation': '1' },
      ownerReferences: [ownerRef('DaemonSet', 'kube-system', 'kube-proxy')],
    },
    spec: {
      nodeName: o.node, hostNetwork: true, serviceAccountName: 'kube-proxy', priorityClassName: 'system-node-critical',
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'kube-proxy', image, command: ['kube-proxy', '--v=2', '--config=/var/lib/kube-proxy-config/config', '--hostname-override=$(NODE_NAME)'] }],
    },
    status: {
      phase: 'Running', hostIP: o.nodeIP, podIP: o.nodeIP, podIPs: [{ ip: o.nodeIP }], startTime: created, qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((t) => condition(t, true, created)),
      containerStatuses: [{
        name: 'kube-proxy', ready: true, started: true, restartCount: 0, image, imageID: image.replace(/:[^:/]+$/, '@sha256:' + hexFor(image)),
        containerID: `containerd://${hexFor(`container:${name}`)}`, state: { running: { startedAt: created } }, lastState: {},
      }],
    },
  };
}

export interface WorkloadPodOptions {
  node: string;
  nodeIP: string;
  namespace: string;
  /** The app label; also the container name. */
  app: string;
  /** The controller: a ReplicaSet (from a Deployment) or a DaemonSet. */
  owner: { kind: 'ReplicaSet' | 'DaemonSet'; name: string };
  state: 'running' | 'ContainerCreating';
  podIP?: string;
  image?: string;
  name?: string;
  createdAt?: string;
  /** Extra pod labels (e.g. the operator's `io.cilium/app`). */
  labels?: Record<string, string>;
}

export function workloadPod(o: WorkloadPodOptions): KubeObject {
  const name = o.name ?? `${o.owner.name}-${nameSuffix(`${o.namespace}/${o.owner.name}/${o.node}`)}`;
  const created = o.createdAt ?? '2026-11-20T09:15:00Z';
  const image = o.image ?? `registry.example.com/${o.namespace}/${o.app}:2026.11.2`;
  const running = o.state === 'running';
  const containerState = running ? { running: { startedAt: created } } : { waiting: { reason: 'ContainerCreating' } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name, generateName: `${o.owner.name}-`, namespace: o.namespace, uid: uidFor(`pod:${o.namespace}/${name}`), creationTimestamp: created,
      labels: { app: o.app, ...o.labels, ...(o.owner.kind === 'ReplicaSet' ? { 'pod-template-hash': o.owner.name.split('-').pop() ?? '' } : { 'pod-template-generation': '1' }) },
      ownerReferences: [ownerRef(o.owner.kind, o.namespace, o.owner.name)],
    },
    spec: {
      nodeName: o.node, serviceAccountName: 'default', restartPolicy: 'Always',
      containers: [{ name: o.app, image, ports: [{ containerPort: 8080, protocol: 'TCP' }] }],
      ...(o.owner.kind === 'DaemonSet' ? { tolerations: [{ operator: 'Exists' }] } : {}),
    },
    status: {
      phase: running ? 'Running' : 'Pending',
      hostIP: o.nodeIP,
      hostIPs: [{ ip: o.nodeIP }],
      ...(running && o.podIP !== undefined ? { podIP: o.podIP, podIPs: [{ ip: o.podIP }] } : {}),
      startTime: created,
      qosClass: 'Burstable',
      conditions: [
        condition('PodReadyToStartContainers', running, created),
        condition('Initialized', true, created),
        condition('Ready', running, created, o.app),
        condition('ContainersReady', running, created, o.app),
        condition('PodScheduled', true, created),
      ],
      containerStatuses: [{
        name: o.app, ready: running, started: running, restartCount: 0, image, imageID: running ? `${image}@sha256:${hexFor(image)}` : '',
        ...(running ? { containerID: `containerd://${hexFor(`container:${o.namespace}/${name}`)}` } : {}),
        state: containerState, lastState: {},
      }],
    },
  };
}
