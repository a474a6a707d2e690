// Static pods as the apiserver shows them: the kubelet's mirror of a manifest from its static-pod directory.
import type { KubeObject } from './schema.ts';
import { hexFor, uidFor } from './ids.ts';

export interface StaticPodOptions {
  /** The manifest's pod name; the mirror pod is `<name>-<node>`. */
  name: string;
  node: string;
  nodeIP: string;
  image: string;
  command: string[];
  labels: Record<string, string>;
  createdAt?: string;
}

/**
 * A mirror pod: named `<name>-<node>`, annotated kubernetes.io/config.source=file with config.hash, config.mirror
 * (the same hash) and config.seen, owned by its Node (kubelet mirror-pod owner reference since 1.18), no
 * controller-revision labels. RKE2 writes kube-proxy's manifest with labels component=<name>, tier=control-plane,
 * priority class system-cluster-critical, host network and a FILE_HASH env (rancher/rke2 pkg/staticpod/staticpod.go).
 */
export function staticPod(o: StaticPodOptions): KubeObject {
  const name = `${o.name}-${o.node}`;
  const created = o.createdAt ?? '2026-11-01T08:01:00Z';
  const hash = hexFor(`static:${name}`, 32);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'kube-system', uid: uidFor(`pod:kube-system/${name}`), creationTimestamp: created, labels: o.labels,
      annotations: { 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash, 'kubernetes.io/config.seen': `${created.replace(/Z$/, '')}.512630118Z`, 'kubernetes.io/config.source': 'file' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: o.node, uid: uidFor(`node:${o.node}`), controller: true }],
    },
    spec: {
      nodeName: o.node, hostNetwork: true, priorityClassName: 'system-cluster-critical', restartPolicy: 'Always',
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
      containers: [{ name: o.name, image: o.image, imagePullPolicy: 'IfNotPresent', command: o.command, env: [{ name: 'FILE_HASH', value: hexFor(`file:${name}`, 64) }] }],
    },
    status: {
      phase: 'Running', hostIP: o.nodeIP, hostIPs: [{ ip: o.nodeIP }], podIP: o.nodeIP, podIPs: [{ ip: o.nodeIP }], startTime: created, qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: created })),
      containerStatuses: [{
        name: o.name, ready: true, started: true, restartCount: 0, image: o.image, imageID: `${o.image.replace(/:[^:/]+$/, '')}@sha256:${hexFor(o.image)}`,
        containerID: `containerd://${hexFor(`container:${name}`)}`, state: { running: { startedAt: created } }, lastState: {},
      }],
    },
  };
}
