// Small edits of built objects that the builders have no option for (a pod on another DaemonSet revision, container
// resources, capabilities, DaemonSet rollout status, labels).
import { ciliumImage, ciliumImageID } from '../build-pods.ts';
import { nameSuffix } from '../ids.ts';
import type { KubeObject } from '../schema.ts';

type Json = Record<string, unknown>;

function rec(v: unknown): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected an object');
  return v as Json;
}

function list(v: unknown): Json[] {
  if (!Array.isArray(v)) throw new Error('expected a list');
  return v.map(rec);
}

/** The first container of a pod (or of a workload's pod template when `template` is set). */
function firstContainer(obj: KubeObject, template = false): Json {
  const spec = template ? rec(rec(rec(obj)['spec'])['template'])['spec'] : rec(obj)['spec'];
  const first = list(rec(spec)['containers'])[0];
  if (first === undefined) throw new Error(`${obj.metadata.name} has no container`);
  return first;
}

/** An agent pod still on an older DaemonSet revision (image, imageID, controller-revision-hash). */
export function setAgentVersion(pod: KubeObject, version: string): void {
  const image = ciliumImage(version);
  firstContainer(pod).image = image;
  for (const c of list(rec(rec(pod)['spec'])['initContainers'])) c['image'] = image;
  const status = rec(rec(pod)['status']);
  for (const key of ['containerStatuses', 'initContainerStatuses']) {
    for (const s of list(status[key])) {
      s['image'] = image;
      s['imageID'] = ciliumImageID(version);
    }
  }
  const labels = pod.metadata.labels ?? {};
  labels['controller-revision-hash'] = nameSuffix(`rev:cilium:${version}`, 10);
  pod.metadata.labels = labels;
}

export function setResources(obj: KubeObject, resources: Json, template = false): void {
  firstContainer(obj, template)['resources'] = resources;
}

/** Replace the agent container's added capabilities (Helm securityContext.capabilities.ciliumAgent). */
export function setCapabilities(obj: KubeObject, add: string[], template = false): void {
  firstContainer(obj, template)['securityContext'] = { privileged: false, capabilities: { add } };
}

export function setLabel(obj: KubeObject, key: string, value: string | undefined): void {
  const labels = { ...obj.metadata.labels };
  if (value === undefined) delete labels[key];
  else labels[key] = value;
  obj.metadata.labels = labels;
}

/** Merge into `status` (e.g. a DaemonSet whose rolling update has only reached some nodes). */
export function patchStatus(obj: KubeObject, patch: Json): void {
  rec(obj)['status'] = { ...rec(rec(obj)['status']), ...patch };
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}
