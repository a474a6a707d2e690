// create / update / patch / delete, with dryRun=All never persisting and resourceVersion conflicts.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../scenario/schema.ts';
import type { ApiRequest, ApiResponse, EmulatorState } from './api-types.ts';
import { asKubeObject, isDryRun, parseJsonBody, parseYamlBody } from './body.ts';
import { ownedPods, recreateDaemonSetPod, syncUnschedulableTaint } from './controllers.ts';
import { alreadyExists, badRequest, conflict, KubeStatusError, notFound, unsupportedMediaType } from './errors.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { getObject } from './read-handlers.ts';
import { apiVersionOf, asRecord, type ResourceDef } from './resources.ts';
import { validateObject } from './validate.ts';
import { runOncePod } from './run-once-pods.ts';

function checkIdentity(def: ResourceDef, obj: KubeObject, req: ApiRequest): void {
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def)) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(def)})`);
  }
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
  }
  obj.apiVersion = apiVersionOf(def);
  obj.kind = def.kind;
  if (def.namespaced) {
    if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== req.info.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = req.info.namespace;
  }
}

/** Stores (or, on dry run, only returns) an object after validation and controller side effects. */
function persist(state: EmulatorState, obj: KubeObject, dryRun: boolean): KubeObject {
  validateObject(obj);
  if (obj.kind === 'Node') syncUnschedulableTaint(obj);
  return dryRun ? obj : state.store.put(obj);
}

export function handleCreate(state: EmulatorState, req: ApiRequest): ApiResponse {
  const obj = asKubeObject(parseJsonBody(req.body));
  checkIdentity(req.def, obj, req);
  const meta = obj.metadata as Record<string, unknown>;
  if ((obj.metadata.name === undefined || obj.metadata.name === '') && typeof meta['generateName'] === 'string') {
    obj.metadata.name = `${meta['generateName']}${randomBytes(3).toString('hex').slice(0, 5)}`;
  }
  if (typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
    throw new KubeStatusError(422, 'Invalid', `${req.def.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, {
      kind: req.def.kind,
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    });
  }
  const existing = state.store.get(apiVersionOf(req.def), req.def.kind, obj.metadata.namespace, obj.metadata.name);
  if (existing !== undefined) throw alreadyExists(req.def, obj.metadata.name);
  delete meta['resourceVersion'];
  const dryRun = isDryRun(req.query);
  const stored = persist(state, obj, dryRun);
  if (req.def.kind === 'Pod' && !dryRun) runOncePod(state, state.nodeData ?? [], stored);
  return { code: 201, body: stored };
}

export function handleUpdate(state: EmulatorState, req: ApiRequest): ApiResponse {
  const name = req.info.name ?? '';
  const obj = asKubeObject(parseJsonBody(req.body));
  checkIdentity(req.def, obj, req);
  if (obj.metadata.name !== name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  const current = getObject(state, req.def, req.info.namespace, name);
  const rv = obj.metadata['resourceVersion'];
  if (rv !== undefined && rv !== '' && rv !== current.metadata['resourceVersion']) throw conflict(req.def, name);
  obj.metadata['uid'] = current.metadata['uid'];
  obj.metadata['creationTimestamp'] = current.metadata['creationTimestamp'];
  return { code: 200, body: persist(state, obj, isDryRun(req.query)) };
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export function handlePatch(state: EmulatorState, req: ApiRequest): ApiResponse {
  const name = req.info.name ?? '';
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!PATCH_TYPES.includes(contentType) || (contentType === 'application/strategic-merge-patch+json' && req.def.custom)) {
    throw unsupportedMediaType(!req.def.custom);
  }
  const dryRun = isDryRun(req.query);
  const found = state.store.get(apiVersionOf(req.def), req.def.kind, req.def.namespaced ? req.info.namespace : undefined, name);
  if (contentType === 'application/apply-patch+yaml') {
    if ((req.query.get('fieldManager') ?? '') === '') throw badRequest('PATCH, application/apply-patch+yaml requires fieldManager parameter');
    const applied = asKubeObject(parseYamlBody(req.body));
    checkIdentity(req.def, applied, req);
    if (found === undefined) return { code: 201, body: persist(state, applied, dryRun) };
    return { code: 200, body: writePatched(state, req, found, asKubeObject(strategicMergePatch(found, applied)), dryRun) };
  }
  if (found === undefined) throw notFound(req.def, name);
  const patch = parseJsonBody(req.body);
  let patched: unknown;
  if (contentType === 'application/json-patch+json') patched = jsonPatch(found, patch);
  else if (contentType === 'application/merge-patch+json') patched = mergePatch(found, patch);
  else patched = strategicMergePatch(found, patch);
  const rv = asRecord(asRecord(patch)['metadata'])['resourceVersion'];
  if (typeof rv === 'string' && rv !== found.metadata['resourceVersion']) throw conflict(req.def, name);
  return { code: 200, body: writePatched(state, req, found, asKubeObject(patched), dryRun) };
}

function writePatched(state: EmulatorState, req: ApiRequest, current: KubeObject, patched: KubeObject, dryRun: boolean): KubeObject {
  if (patched.metadata.name !== current.metadata.name) {
    throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${current.metadata.name})`);
  }
  checkIdentity(req.def, patched, req);
  for (const key of ['uid', 'creationTimestamp', 'resourceVersion']) patched.metadata[key] = current.metadata[key];
  if (req.def.kind === 'Node') syncUnschedulableTaint(patched);
  // An unchanged object is not rewritten: resourceVersion stays, as on a real apiserver.
  if (JSON.stringify(patched) === JSON.stringify(current)) return current;
  return persist(state, patched, dryRun);
}

interface DeleteOptions {
  propagationPolicy?: string;
  dryRun?: unknown;
  preconditions: { uid?: string; resourceVersion?: string };
}

function deleteOptions(req: ApiRequest): DeleteOptions {
  const fromBody = req.body.length > 0 && req.body.toString().trim() !== '' ? asRecord(parseJsonBody(req.body)) : {};
  const policy = req.query.get('propagationPolicy') ?? (typeof fromBody['propagationPolicy'] === 'string' ? fromBody['propagationPolicy'] : undefined);
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const pre = asRecord(fromBody['preconditions']);
  const preconditions = {
    ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
    ...(typeof pre['resourceVersion'] === 'string' ? { resourceVersion: pre['resourceVersion'] } : {}),
  };
  return { ...(policy !== undefined ? { propagationPolicy: policy } : {}), dryRun: fromBody['dryRun'], preconditions };
}

/** Kinds whose DELETE answers with the object (graceful or custom resources) rather than a Status. */
function returnsObject(def: ResourceDef): boolean {
  return def.custom || def.kind === 'Pod' || def.kind === 'Namespace';
}

export function handleDelete(state: EmulatorState, req: ApiRequest): ApiResponse {
  const name = req.info.name ?? '';
  const options = deleteOptions(req);
  const dryRun = isDryRun(req.query, options.dryRun);
  const current = getObject(state, req.def, req.info.namespace, name);
  // DeleteOptions.preconditions, refused as the apiserver does: a storage "invalid object" error turned Conflict.
  const { uid, resourceVersion } = options.preconditions;
  const failed =
    uid !== undefined && uid !== current.metadata['uid']
      ? `UID in precondition: ${uid}, UID in object meta: ${String(current.metadata['uid'])}`
      : resourceVersion !== undefined && resourceVersion !== current.metadata['resourceVersion']
        ? `ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${String(current.metadata['resourceVersion'])}`
        : undefined;
  if (failed !== undefined) {
    const key = `/registry/${req.def.resource}/${current.metadata.namespace === undefined ? '' : `${current.metadata.namespace}/`}${name}`;
    const conflictError = conflict(req.def, name);
    throw new KubeStatusError(409, 'Conflict', conflictError.message.replace(/: the object has been modified.*$/, `: StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ${failed}`), conflictError.details);
  }
  const policy = options.propagationPolicy ?? 'Background';
  if (!dryRun) {
    state.store.delete(current.apiVersion, current.kind, current.metadata.namespace, name);
    if (policy !== 'Orphan') {
      for (const pod of ownedPods(state, current)) state.store.delete('v1', 'Pod', pod.metadata.namespace, pod.metadata.name);
    }
    if (current.kind === 'Pod') recreateDaemonSetPod(state, current);
  }
  if (returnsObject(req.def) || policy === 'Foreground') {
    const shown = structuredClone(current);
    shown.metadata['deletionTimestamp'] = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (current.kind === 'Pod') shown.metadata['deletionGracePeriodSeconds'] = 30;
    if (policy === 'Foreground') shown.metadata['finalizers'] = ['foregroundDeletion'];
    return { code: 200, body: shown };
  }
  const details: Record<string, unknown> = { name, kind: req.def.resource, uid: current.metadata['uid'] };
  if (req.def.group !== '') details['group'] = req.def.group;
  return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details } };
}
