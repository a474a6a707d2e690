// Subresources and special resources: pods/log, pods/exec (non-upgrade requests), pods/eviction, */status, and
// SelfSubjectAccessReview.
import type { KubeObject } from '../scenario/schema.ts';
import type { ApiRequest, ApiResponse, EmulatorState } from './api-types.ts';
import { asKubeObject, parseJsonBody } from './body.ts';
import { badRequest, KubeStatusError, methodNotAllowed, pathNotFound } from './errors.ts';
import { podLogText } from './logs.ts';
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from './protobuf.ts';
import { isContainerRunning, resolveContainer } from './pod-containers.ts';
import { getObject } from './read-handlers.ts';
import { asRecord } from './resources.ts';
import type { KubeUser } from './users.ts';
import { handleDelete, handlePatch, handleUpdate } from './write-handlers.ts';

export interface ExecTarget {
  pod: KubeObject;
  container: string;
  argv: string[];
}

/** Everything the apiserver checks before it would open an exec stream (ExecLocation + runtime lookup). */
export function validateExec(state: EmulatorState, namespace: string | undefined, podName: string, query: URLSearchParams): ExecTarget {
  const def = state.registry.byPath('', 'v1', 'pods');
  if (def === undefined) throw pathNotFound();
  const pod = getObject(state, def, namespace, podName);
  const container = resolveContainer(pod, query.get('container'));
  const nodeName = asRecord(pod['spec'])['nodeName'];
  if (typeof nodeName !== 'string' || nodeName === '') throw badRequest(`pod ${podName} does not have a host assigned`);
  const argv = query.getAll('command');
  if (argv.length === 0) throw badRequest('you must specify at least 1 command');
  if (!isContainerRunning(pod, container)) {
    throw new KubeStatusError(500, 'InternalError', `Internal error occurred: unable to upgrade connection: container not found ("${container}")`);
  }
  return { pod, container, argv };
}

export function handleSubresource(state: EmulatorState, req: ApiRequest): ApiResponse {
  const { info, def } = req;
  const sub = info.subresource ?? '';
  if (!def.subresources.some((s) => s.name === sub)) throw pathNotFound();
  if (def.kind === 'Pod' && sub === 'log') {
    if (info.verb !== 'get') throw methodNotAllowed(info.verb, 'pods/log');
    const pod = getObject(state, def, info.namespace, info.name ?? '');
    return { code: 200, body: podLogText(pod, req.query, state.logs), contentType: 'text/plain' };
  }
  if (def.kind === 'Pod' && sub === 'exec') {
    validateExec(state, info.namespace, info.name ?? '', req.query);
    throw badRequest('Upgrade request required');
  }
  if (def.kind === 'Pod' && sub === 'eviction') {
    if (info.verb !== 'create') throw methodNotAllowed(info.verb, 'pods/eviction');
    const response = handleDelete(state, { ...req, body: Buffer.alloc(0) });
    return response.code >= 300 ? response : { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  }
  if (sub === 'status') {
    if (info.verb === 'get') return { code: 200, body: getObject(state, def, info.namespace, info.name ?? '') };
    if (info.verb === 'patch') return handlePatch(state, req);
    if (info.verb === 'update') return handleUpdate(state, req);
  }
  throw methodNotAllowed(info.verb, `${def.resource}/${sub}`);
}

/** POST selfsubjectaccessreviews: what `kubectl auth can-i` asks; answered by the same authorizer. */
export function handleSelfSubjectAccessReview(state: EmulatorState, req: ApiRequest, user: KubeUser): ApiResponse {
  const isProtobuf = (req.headers['content-type'] ?? '').startsWith(PROTOBUF_CONTENT_TYPE);
  const review = asKubeObject(isProtobuf ? decodeProtobufObject(req.body) : parseJsonBody(req.body));
  const spec = asRecord(review['spec']);
  const ra = spec['resourceAttributes'] === undefined ? undefined : asRecord(spec['resourceAttributes']);
  const na = asRecord(spec['nonResourceAttributes']);
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const decision = ra !== undefined
    ? state.authz.authorize(user, {
      isResourceRequest: true,
      path: '',
      verb: str(ra['verb']) ?? '',
      apiGroup: str(ra['group']) ?? '',
      resource: str(ra['resource']) ?? '',
      ...(str(ra['subresource']) !== undefined ? { subresource: str(ra['subresource']) } : {}),
      ...(str(ra['namespace']) !== undefined ? { namespace: str(ra['namespace']) } : {}),
      ...(str(ra['name']) !== undefined ? { name: str(ra['name']) } : {}),
    })
    : state.authz.authorize(user, { isResourceRequest: false, path: str(na['path']) ?? '', verb: str(na['verb']) ?? '', apiGroup: '', resource: '' });
  const status: Record<string, unknown> = { allowed: decision.allowed };
  if (decision.reason !== '') status['reason'] = decision.reason;
  review.metadata = { ...review.metadata, creationTimestamp: null };
  return {
    code: 201,
    body: { ...review, apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', status },
  };
}
