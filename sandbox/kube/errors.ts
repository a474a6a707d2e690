// Kubernetes `Status` errors with the apiserver's exact reasons and message shapes (apimachinery api/errors).
import type { ResourceDef } from './resources.ts';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason?: string; message?: string; field?: string }>;
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failure the HTTP layer turns into a Status response; `headers` carries e.g. Retry-After. */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'KubeStatusError';
  }

  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details !== undefined) body.details = this.details;
    return body;
  }
}

/** `daemonsets.apps` for grouped resources, `pods` for the core group. */
export function qualifiedResource(def: Pick<ResourceDef, 'resource' | 'group'>): string {
  return def.group === '' ? def.resource : `${def.resource}.${def.group}`;
}

function groupDetails(def: Pick<ResourceDef, 'resource' | 'group'>, name: string): StatusDetails {
  return def.group === '' ? { name, kind: def.resource } : { name, group: def.group, kind: def.resource };
}

export function notFound(def: Pick<ResourceDef, 'resource' | 'group'>, name: string): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, groupDetails(def, name));
}

export function pathNotFound(): KubeStatusError {
  return new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(def: Pick<ResourceDef, 'resource' | 'group'>, name: string): KubeStatusError {
  return new KubeStatusError(
    409,
    'AlreadyExists',
    `${qualifiedResource(def)} "${name}" already exists`,
    groupDetails(def, name),
  );
}

export function conflict(def: Pick<ResourceDef, 'resource' | 'group'>, name: string): KubeStatusError {
  return new KubeStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    groupDetails(def, name),
  );
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(400, 'BadRequest', message);
}

export function invalid(kind: string, name: string, field: string, value: string, why: string): KubeStatusError {
  const causeMessage = `Invalid value: ${JSON.stringify(value)}: ${why}`;
  return new KubeStatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${field}: ${causeMessage}`, {
    name,
    kind,
    causes: [{ reason: 'FieldValueInvalid', message: causeMessage, field }],
  });
}

export function unauthorized(): KubeStatusError {
  return new KubeStatusError(401, 'Unauthorized', 'Unauthorized');
}

export function methodNotAllowed(verb: string, resource: string): KubeStatusError {
  return new KubeStatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`, {
    kind: resource,
  });
}

export function unsupportedMediaType(acceptsStrategic: boolean): KubeStatusError {
  const types = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  if (acceptsStrategic) types.push('application/strategic-merge-patch+json');
  return new KubeStatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${types.join(', ')}`,
  );
}

/** A Status for an injected fault code, with the reason the apiserver uses for that code. */
export function statusForCode(code: number, retryAfterSeconds?: number): KubeStatusError {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['Retry-After'] = String(retryAfterSeconds);
  const details = retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined;
  const known: Record<number, [string, string]> = {
    400: ['BadRequest', 'bad request'],
    401: ['Unauthorized', 'Unauthorized'],
    403: ['Forbidden', 'forbidden'],
    404: ['NotFound', 'the server could not find the requested resource'],
    409: ['Conflict', 'conflict'],
    429: ['TooManyRequests', 'Too many requests, please try again later.'],
    500: ['InternalError', 'Internal error occurred: injected fault'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'Timeout: request did not complete within the allowed duration'],
  };
  const [reason, message] = known[code] ?? ['InternalError', `injected fault ${code}`];
  return new KubeStatusError(code, reason, message, details, headers);
}
