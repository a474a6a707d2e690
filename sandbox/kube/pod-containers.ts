// Which container a log/exec request means, with the apiserver's exact 400s (pod strategy LogLocation/ExecLocation),
// and the kubelet's log-selection rules (kubelet validateContainerLogStatus).
import type { KubeObject } from '../scenario/schema.ts';
import { badRequest } from './errors.ts';
import { asRecord } from './resources.ts';

const arr = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.map(asRecord) : []);
const names = (list: unknown): string[] => arr(list).map((c) => String(c['name']));

/** Resolves the `container` parameter against the pod spec (one container → that one; several → must be named). */
export function resolveContainer(pod: KubeObject, requested: string | null): string {
  const spec = asRecord(pod['spec']);
  const podName = pod.metadata.name;
  if (requested === null || requested === '') {
    const containers = names(spec['containers']);
    if (containers.length === 1 && containers[0] !== undefined) return containers[0];
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${podName}`);
    const init = names(spec['initContainers']);
    let message = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`;
    if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
    throw badRequest(message);
  }
  const all = [...names(spec['containers']), ...names(spec['initContainers']), ...names(spec['ephemeralContainers'])];
  if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

export function containerStatus(pod: KubeObject, container: string): Record<string, unknown> | undefined {
  const status = asRecord(pod['status']);
  return [...arr(status['containerStatuses']), ...arr(status['initContainerStatuses']), ...arr(status['ephemeralContainerStatuses'])]
    .find((c) => c['name'] === container);
}

/** Which log instance the kubelet serves: the running one, or the last terminated one (also in CrashLoopBackOff). */
export function selectLogInstance(pod: KubeObject, container: string, previous: boolean): 'current' | 'previous' {
  const podName = pod.metadata.name;
  const cs = containerStatus(pod, container);
  if (cs === undefined) throw badRequest(`container "${container}" in pod "${podName}" is not available`);
  const state = asRecord(cs['state']);
  const lastTerminated = asRecord(cs['lastState'])['terminated'];
  if (previous) {
    if (lastTerminated === undefined) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return 'previous';
  }
  if (state['running'] !== undefined) return 'current';
  if (state['terminated'] !== undefined) return 'current';
  if (lastTerminated !== undefined) return 'previous';
  const waiting = state['waiting'];
  if (waiting !== undefined) {
    const rawReason = asRecord(waiting)['reason'];
    const reason = typeof rawReason === 'string' ? rawReason : '';
    if (reason === 'ErrImagePull') throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start - no logs yet`);
}

export function isContainerRunning(pod: KubeObject, container: string): boolean {
  return asRecord(containerStatus(pod, container)?.['state'])['running'] !== undefined;
}
