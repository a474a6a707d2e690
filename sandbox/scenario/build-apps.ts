// Controllers, config and events: DaemonSets with rollout status, Deployments, cilium-config, kubelet events.
import type { KubeObject } from './schema.ts';
import { hexFor, uidFor } from './ids.ts';

export interface DaemonSetOptions {
  name: string;
  namespace?: string;
  /** Pod label `k8s-app` (what `kubectl get pods -l k8s-app=…` selects). */
  app: string;
  image: string;
  container: string;
  desired: number;
  ready: number;
  createdAt?: string;
}

export function daemonSet(o: DaemonSetOptions): KubeObject {
  const ns = o.namespace ?? 'kube-system';
  const unavailable = o.desired - o.ready;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: o.name, namespace: ns, uid: uidFor(`daemonset:${ns}/${o.name}`), generation: 1,
      creationTimestamp: o.createdAt ?? '2026-11-01T07:58:00Z', labels: { 'k8s-app': o.app },
    },
    spec: {
      selector: { matchLabels: { 'k8s-app': o.app } },
      template: {
        metadata: { labels: { 'k8s-app': o.app } },
        spec: { containers: [{ name: o.container, image: o.image }], hostNetwork: true, priorityClassName: 'system-node-critical', tolerations: [{ operator: 'Exists' }] },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } },
    },
    status: {
      currentNumberScheduled: o.desired, desiredNumberScheduled: o.desired, numberMisscheduled: 0,
      numberReady: o.ready, numberAvailable: o.ready, updatedNumberScheduled: o.desired, observedGeneration: 1,
      ...(unavailable > 0 ? { numberUnavailable: unavailable } : {}),
    },
  };
}

export interface DeploymentOptions {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  image: string;
  container: string;
  replicas: number;
  ready?: number;
}

export function deployment(o: DeploymentOptions): KubeObject {
  const ready = o.ready ?? o.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace, uid: uidFor(`deployment:${o.namespace}/${o.name}`), generation: 1, creationTimestamp: '2026-11-01T08:05:00Z', labels: o.labels },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: o.labels },
      template: { metadata: { labels: o.labels }, spec: { containers: [{ name: o.container, image: o.image }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    },
    status: {
      observedGeneration: 1, replicas: o.replicas, updatedReplicas: o.replicas, readyReplicas: ready, availableReplicas: ready,
      ...(ready < o.replicas ? { unavailableReplicas: o.replicas - ready } : {}),
    },
  };
}

/** Typical cilium-config keys of a Helm install (cilium-facts §3.1); `overrides` wins. Values are strings, as in a ConfigMap. */
export function ciliumConfigMap(overrides: Record<string, string> = {}): KubeObject {
  const data: Record<string, string> = {
    'agent-health-port': '9879',
    'agent-not-ready-taint-key': 'node.cilium.io/agent-not-ready',
    'bpf-lb-map-max': '65536',
    'bpf-map-dynamic-size-ratio': '0.0025',
    'bpf-policy-map-max': '16384',
    'cluster-id': '0',
    'cluster-name': 'default',
    'cluster-pool-ipv4-cidr': '10.0.0.0/8',
    'cluster-pool-ipv4-mask-size': '24',
    'cni-exclusive': 'true',
    debug: 'false',
    'enable-bandwidth-manager': 'false',
    'enable-bpf-masquerade': 'false',
    'enable-endpoint-health-checking': 'true',
    'enable-health-checking': 'true',
    'enable-hubble': 'true',
    'enable-ipv4': 'true',
    'enable-ipv4-masquerade': 'true',
    'enable-ipv6': 'false',
    'enable-l7-proxy': 'true',
    'enable-policy': 'default',
    'enable-wireguard': 'false',
    'hubble-listen-address': ':4244',
    'identity-allocation-mode': 'crd',
    ipam: 'cluster-pool',
    'kube-proxy-replacement': 'false',
    'monitor-aggregation': 'medium',
    'remove-cilium-node-taints': 'true',
    'routing-mode': 'tunnel',
    'set-cilium-is-up-condition': 'true',
    'set-cilium-node-taints': 'true',
    'tunnel-protocol': 'vxlan',
    'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist',
    ...overrides,
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cilium-config', namespace: 'kube-system', uid: uidFor('configmap:kube-system/cilium-config'), creationTimestamp: '2026-11-01T07:58:00Z', labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    data,
  };
}

export function namespace(name: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name, uid: uidFor(`namespace:${name}`), creationTimestamp: '2026-11-01T07:55:00Z', labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export interface EventOptions {
  namespace: string;
  /** The involved pod. */
  pod: string;
  podUid: string;
  node: string;
  reason: string;
  message: string;
  count: number;
  first: string;
  last: string;
  fieldPath?: string;
  type?: 'Warning' | 'Normal';
}

/** A core/v1 Event as the kubelet reports it (name = `<pod>.<16 hex>`). */
export function kubeletEvent(o: EventOptions): KubeObject {
  const name = `${o.pod}.${hexFor(`event:${o.namespace}/${o.pod}/${o.reason}`, 16)}`;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: o.namespace, uid: uidFor(`event:${o.namespace}/${name}`), creationTimestamp: o.first },
    involvedObject: { kind: 'Pod', namespace: o.namespace, name: o.pod, uid: o.podUid, apiVersion: 'v1', ...(o.fieldPath === undefined ? {} : { fieldPath: o.fieldPath }) },
    reason: o.reason,
    message: o.message,
    source: { component: 'kubelet', host: o.node },
    firstTimestamp: o.first,
    lastTimestamp: o.last,
    count: o.count,
    type: o.type ?? 'Warning',
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: o.node,
  };
}

/** The kubelet's CrashLoopBackOff event text (kuberuntime_manager.go doBackOff, protocols.md B.5). */
export function backOffMessage(pod: string, namespace: string, podUid: string, container: string): string {
  return `Back-off restarting failed container ${container} in pod ${pod}_${namespace}(${podUid})`;
}

/**
 * FailedCreatePodSandBox when cilium-cni cannot reach the agent. Not in cilium-facts; verbatim from cilium/cilium
 * #40345 and #40312 (1.17/1.18-era cilium-cni) and kubermatic/dashboard#7816.
 */
export function sandboxNoAgentMessage(sandboxSeed: string): string {
  return `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "${hexFor(`sandbox:${sandboxSeed}`)}": plugin type="cilium-cni" failed (add): unable to connect to Cilium agent: failed to create cilium agent client after 30.000000 seconds timeout: Get "http://localhost/v1/config": dial unix /var/run/cilium/cilium.sock: connect: no such file or directory\nIs the agent running?`;
}
