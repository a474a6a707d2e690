// Resource requests after authentication: resolve the resource type, authorize, dispatch by verb.
import type { ServerResponse } from 'node:http';
import type { ApiRequest, ApiResponse, EmulatorState } from './api-types.ts';
import { methodNotAllowed, pathNotFound } from './errors.ts';
import { handleGet, handleList } from './read-handlers.ts';
import type { RequestInfo } from './request-info.ts';
import type { ResourceDef } from './resources.ts';
import { handleSelfSubjectAccessReview, handleSubresource } from './subresources.ts';
import { serveWatch } from './watch.ts';
import { handleCreate, handleDelete, handlePatch, handleUpdate } from './write-handlers.ts';

/** The resource type a request addresses, or a 404 when the path names none (or the wrong scope). */
export function resolveResource(state: EmulatorState, info: RequestInfo): ResourceDef {
  const def = state.registry.byPath(info.apiGroup, info.apiVersion, info.resource);
  if (def === undefined) throw pathNotFound();
  if (!def.namespaced && info.namespace !== undefined && info.resource !== 'namespaces') throw pathNotFound();
  return def;
}

/** Throws 403 unless the user may do this (RBAC attributes straight from the request info). */
export function authorizeRequest(state: EmulatorState, req: Pick<ApiRequest, 'info' | 'user'>): void {
  const { info, user } = req;
  const attrs = {
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    apiGroup: info.apiGroup,
    resource: info.resource,
    ...(info.subresource !== undefined ? { subresource: info.subresource } : {}),
    ...(info.namespace !== undefined && info.resource !== 'namespaces' ? { namespace: info.namespace } : {}),
    ...(info.name !== undefined ? { name: info.name } : {}),
  };
  if (!state.authz.authorize(user, attrs).allowed) throw state.authz.forbidden(user, attrs);
}

/** Answers a resource request; returns undefined when it streamed the answer itself (watch). */
export function routeResource(
  state: EmulatorState,
  req: ApiRequest,
  res: ServerResponse,
  registerWatch: (end: () => void) => () => void,
): ApiResponse | undefined {
  const { info, def } = req;
  if (info.subresource !== undefined) return handleSubresource(state, req);
  if (def.kind === 'SelfSubjectAccessReview') {
    if (info.verb !== 'create') throw methodNotAllowed(info.verb, def.resource);
    return handleSelfSubjectAccessReview(state, req, req.user);
  }
  if (!def.verbs.includes(info.verb)) throw methodNotAllowed(info.verb, def.resource);
  switch (info.verb) {
    case 'get': return handleGet(state, req);
    case 'list': return handleList(state, req);
    case 'watch':
      serveWatch(state, req, res, registerWatch);
      return undefined;
    case 'create': return handleCreate(state, req);
    case 'update': return handleUpdate(state, req);
    case 'patch': return handlePatch(state, req);
    case 'delete': return handleDelete(state, req);
    default: throw methodNotAllowed(info.verb, def.resource);
  }
}
