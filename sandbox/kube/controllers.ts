// The bits of controller behaviour the runbooks observe: the DaemonSet controller recreating a deleted pod, the
// node lifecycle controller's unschedulable taint, and garbage collection of owned pods.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../scenario/schema.ts';
import type { EmulatorState } from './api-types.ts';
import { asRecord } from './resources.ts';

const arr = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.map(asRecord) : []);
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** After a DaemonSet-owned pod is deleted: a fresh Running pod on the same node, restartCount 0. */
export function recreateDaemonSetPod(state: EmulatorState, deleted: KubeObject): void {
  const owner = arr(deleted.metadata['ownerReferences']).find((o) => o['kind'] === 'DaemonSet' && o['controller'] === true)
    ?? arr(deleted.metadata['ownerReferences']).find((o) => o['kind'] === 'DaemonSet');
  if (owner === undefined) return;
  const ds = state.store.get('apps/v1', 'DaemonSet', deleted.metadata.namespace, String(owner['name']));
  if (ds === undefined || ds.metadata['deletionTimestamp'] !== undefined) return;
  const pod = structuredClone(deleted);
  const generateName = typeof pod.metadata['generateName'] === 'string' ? pod.metadata['generateName'] : `${ds.metadata.name}-`;
  const name = `${generateName}${randomSuffix()}`;
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, ...meta } = pod.metadata;
  pod.metadata = { ...meta, name };
  const status = asRecord(pod['status']);
  const started = now();
  const running = (c: Record<string, unknown>): Record<string, unknown> => ({
    ...c,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: started } },
    lastState: {},
    containerID: `containerd://${randomBytes(32).toString('hex')}`,
  });
  pod['status'] = {
    ...status,
    phase: 'Running',
    startTime: started,
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: started })),
    containerStatuses: arr(status['containerStatuses']).map(running),
    ...(status['initContainerStatuses'] !== undefined ? {
      initContainerStatuses: arr(status['initContainerStatuses']).map((c) => ({
        ...c, ready: true, restartCount: 0, lastState: {},
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: started } },
      })),
    } : {}),
  };
  state.store.put(pod);
  state.execResults.alias(name, deleted.metadata.name);
}

/** Pods whose controller owner is the given object (for cascading deletes). */
export function ownedPods(state: EmulatorState, owner: KubeObject): KubeObject[] {
  const uid = owner.metadata['uid'];
  return state.store.list('v1', 'Pod', owner.metadata.namespace)
    .filter((p) => arr(p.metadata['ownerReferences']).some((o) => o['uid'] === uid || (o['kind'] === owner.kind && o['name'] === owner.metadata.name)));
}

/** Keeps the `node.kubernetes.io/unschedulable` taint in line with spec.unschedulable, as the control plane does. */
export function syncUnschedulableTaint(node: KubeObject): KubeObject {
  const spec = asRecord(node['spec']);
  const taints = arr(spec['taints']);
  const has = taints.some((t) => t['key'] === 'node.kubernetes.io/unschedulable');
  if (spec['unschedulable'] === true && !has) {
    node['spec'] = { ...spec, taints: [...taints, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: now() }] };
  } else if (spec['unschedulable'] !== true && has) {
    const rest = taints.filter((t) => t['key'] !== 'node.kubernetes.io/unschedulable');
    const { taints: _t, ...others } = spec;
    node['spec'] = rest.length > 0 ? { ...others, taints: rest } : others;
  }
  return node;
}
