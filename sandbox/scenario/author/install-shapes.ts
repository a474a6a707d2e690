// How real installs differ from the plain Helm-in-kube-system shape the builders produce: another namespace, the
// Helm/OLM/RKE2 labels and annotations, the 1.16 chart's pod annotations and init-container commands, digest-only
// images, an agent stuck in its `config` init container. Each edit says where the shape comes from.
import type { KubeObject } from '../schema.ts';
import { daemonPodName } from '../build-pods.ts';
import { uidFor } from '../ids.ts';
import type { BuiltCluster } from './broken-cluster.ts';
import { EKS_APISERVER } from './healthy.ts';

type Json = Record<string, unknown>;

function rec(v: unknown): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
  return v as Json;
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

const isAgentPod = (o: KubeObject): boolean => o.kind === 'Pod' && o.metadata.labels?.['k8s-app'] === 'cilium';
const CILIUM_WORKLOADS = new Set(['DaemonSet/cilium', 'ConfigMap/cilium-config', 'Deployment/cilium-operator', 'Deployment/hubble-relay']);
const isCiliumObject = (o: KubeObject): boolean =>
  isAgentPod(o) || CILIUM_WORKLOADS.has(`${o.kind}/${o.metadata.name}`)
  || (o.kind === 'Pod' && (o.metadata.labels?.['io.cilium/app'] === 'operator' || o.metadata.labels?.['k8s-app'] === 'hubble-relay'));

/** Move everything Cilium owns (agents, their events, logs and exec results, config, operator, relay) to `namespace`. */
export function relocate(built: BuiltCluster, namespace: string): void {
  const agents = new Set(built.objects.filter(isAgentPod).map((p) => p.metadata.name));
  for (const o of built.objects) {
    const involved = o.kind === 'Event' ? rec(o['involvedObject']) : undefined;
    const agentEvent = involved !== undefined && agents.has(String(involved['name']));
    if (!isCiliumObject(o) && !agentEvent) continue;
    o.metadata.namespace = namespace;
    if (involved !== undefined) involved['namespace'] = namespace;
    // The kubelet's texts name the pod as <name>_<namespace>(<uid>) (back-off messages and events).
    const moved = JSON.parse(JSON.stringify(o).replaceAll('_kube-system(', `_${namespace}(`)) as KubeObject;
    Object.assign(o, moved);
  }
  for (const entry of [...built.logs, ...built.exec]) if (agents.has(entry.pod)) entry.namespace = namespace;
}

/**
 * What Helm 3 puts on every object it installs (the `app.kubernetes.io/managed-by: Helm` label and the
 * meta.helm.sh/release-name / release-namespace annotations it checks before adopting an object).
 */
export function helmOwned(o: KubeObject, release: string, namespace: string): void {
  o.metadata.labels = { ...o.metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' };
  o.metadata.annotations = { ...o.metadata.annotations, 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace };
}

/**
 * The 1.16 chart's agent DaemonSet shape (install/kubernetes/cilium/templates/cilium-agent/daemonset.yaml, as
 * rendered in public manifests): labels k8s-app / app.kubernetes.io/part-of / app.kubernetes.io/name on the
 * DaemonSet and its pod template, and the kubectl.kubernetes.io/default-container annotation, which makes
 * `kubectl logs <agent pod>` read cilium-agent. Init containers run with terminationMessagePolicy
 * FallbackToLogsOnError; `config` runs `cilium-dbg build-config` (docs.cilium.io cmdref cilium-dbg_build-config).
 */
export function chart116(built: BuiltCluster): void {
  const labels = { 'k8s-app': 'cilium', 'app.kubernetes.io/part-of': 'cilium', 'app.kubernetes.io/name': 'cilium-agent' };
  for (const o of built.objects) {
    if (o.kind === 'DaemonSet' && o.metadata.name === 'cilium') {
      o.metadata.labels = { ...o.metadata.labels, ...labels };
      const template = rec(rec(o['spec'])['template']);
      template['metadata'] = { labels, annotations: { 'kubectl.kubernetes.io/default-container': 'cilium-agent' } };
    }
    if (!isAgentPod(o)) continue;
    o.metadata.annotations = { ...o.metadata.annotations, 'kubectl.kubernetes.io/default-container': 'cilium-agent' };
    for (const c of list(rec(o['spec'])['initContainers'])) {
      c['terminationMessagePolicy'] = 'FallbackToLogsOnError';
      if (c['name'] === 'config') c['command'] = ['cilium-dbg', 'build-config'];
    }
  }
}

/** Every Cilium agent image (pods, their statuses, the DaemonSet template) replaced by `image` / `imageID`. */
export function setAgentImage(built: BuiltCluster, image: string, imageID: string = image): void {
  for (const o of built.objects) {
    const podSpec = o.kind === 'DaemonSet' && o.metadata.name === 'cilium' ? rec(rec(rec(o['spec'])['template'])['spec']) : isAgentPod(o) ? rec(o['spec']) : undefined;
    if (podSpec === undefined) continue;
    for (const c of [...list(podSpec['containers']), ...list(podSpec['initContainers'])]) c['image'] = image;
    if (o.kind !== 'Pod') continue;
    const status = rec(o['status']);
    for (const s of [...list(status['containerStatuses']), ...list(status['initContainerStatuses'])]) {
      s['image'] = image;
      s['imageID'] = imageID;
    }
  }
}

export interface InitCrash {
  /** The init container that fails (`config`). */
  container: string;
  restarts: number;
  /** Its last run: exit code, times; `message` is what FallbackToLogsOnError copies from the log tail. */
  lastTermination: { exitCode: number; reason: string; startedAt: string; finishedAt: string; message: string };
}

/**
 * An agent pod that never got past an init container, as the kubelet reports it: phase Pending, Initialized=False
 * (ContainersNotInitialized), the failing init container in CrashLoopBackOff with its last termination, the ones
 * after it and the agent container waiting with reason PodInitializing (kubelet status for containers not started).
 */
export function stuckInInit(pod: KubeObject, crash: InitCrash): void {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const names = list(spec['initContainers']).map((c) => String(c['name']));
  const failing = names.indexOf(crash.container);
  if (failing < 0) throw new Error(`${pod.metadata.name} has no init container ${crash.container}`);
  const uid = String(pod.metadata['uid']);
  const pending = names.slice(failing);
  const at = crash.lastTermination.startedAt;
  status['phase'] = 'Pending';
  status['conditions'] = [
    { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: at },
    { type: 'Initialized', status: 'False', lastProbeTime: null, lastTransitionTime: at, reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${pending.join(' ')}]` },
    { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: at, reason: 'ContainersNotReady', message: 'containers with unready status: [cilium-agent]' },
    { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: at, reason: 'ContainersNotReady', message: 'containers with unready status: [cilium-agent]' },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at },
  ];
  status['initContainerStatuses'] = list(status['initContainerStatuses']).map((s, n) => {
    if (n < failing) return s;
    const base = { name: s['name'], image: s['image'], imageID: n === failing ? s['imageID'] : '', ready: false, started: false };
    if (n > failing) return { ...base, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } }, lastState: {} };
    const containerID = String(s['containerID']);
    return {
      ...base, restartCount: crash.restarts, containerID,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${crash.container} pod=${pod.metadata.name}_${pod.metadata.namespace ?? 'kube-system'}(${uid})` } },
      lastState: { terminated: { ...crash.lastTermination, containerID } },
    };
  });
  status['containerStatuses'] = list(status['containerStatuses']).map((s) => ({
    name: s['name'], image: s['image'], imageID: '', ready: false, started: false, restartCount: 0,
    state: { waiting: { reason: 'PodInitializing' } }, lastState: {},
  }));
}

/** Point the agents at another apiserver endpoint (env and the "Establishing connection" log line). */
export function setApiserver(built: BuiltCluster, host: string, port: string): void {
  for (const pod of built.agents.values()) {
    const env = (pod['spec'] as { containers: { env?: { name: string; value?: string }[] }[] }).containers[0]?.env ?? [];
    for (const e of env) {
      if (e.name === 'KUBERNETES_SERVICE_HOST') e.value = host;
      if (e.name === 'KUBERNETES_SERVICE_PORT') e.value = port;
    }
  }
  for (const log of built.logs) {
    for (const key of ['current', 'previous'] as const) {
      const t = log[key];
      if (t !== undefined) log[key] = t.replaceAll(`https://${EKS_APISERVER}:443`, `https://${host}:${port}`);
    }
  }
}


/**
 * The agent DaemonSet under another name (GKE's `anetd`): the DaemonSet, its pods (`<name>-xxxxx`, generateName,
 * owner reference) and every log, exec result and event that names them.
 */
export function renameAgentDaemonSet(built: BuiltCluster, name: string): BuiltCluster {
  const renames = new Map<string, string>();
  for (const [node, pod] of built.agents) renames.set(pod.metadata.name, daemonPodName(name, node));
  const oldUid = uidFor('daemonset:kube-system/cilium');
  const newUid = uidFor(`daemonset:kube-system/${name}`);
  let json = JSON.stringify({ objects: built.objects, logs: built.logs, exec: built.exec });
  for (const [from, to] of renames) json = json.replaceAll(from, to);
  json = json.replaceAll(oldUid, newUid).replaceAll('"generateName":"cilium-"', `"generateName":"${name}-"`);
  const moved = JSON.parse(json) as Pick<BuiltCluster, 'objects' | 'logs' | 'exec'>;
  for (const o of moved.objects) {
    if (o.kind === 'DaemonSet' && o.metadata.name === 'cilium') o.metadata.name = name;
    if (isAgentPod(o)) for (const ref of list(o.metadata['ownerReferences'])) if (ref['kind'] === 'DaemonSet') ref['name'] = name;
  }
  const agents = new Map([...built.agents].map(([node, pod]) => [node, moved.objects.find((o) => o.metadata.name === renames.get(pod.metadata.name)) ?? pod]));
  return { ...moved, agents };
}
