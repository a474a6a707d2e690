// RBAC bookkeeping for the least-privilege proofs: the rendered roles bound to the bot, expanded to one grant per
// verb × resource × name, and the emulator's request log turned into the attributes the apiserver authorises.
import { parseRequestInfo } from '../../sandbox/kube/request-info.ts';
import type { RequestLogEntry } from '../../sandbox/kube/index.ts';
import { BindingShape, RoleShape } from './k8s-schemas.ts';
import type { RenderedObject } from './render.ts';

export interface Grant {
  /** 'cluster' for a ClusterRole bound cluster-wide, else the namespace of the RoleBinding. */
  scope: string;
  apiGroup: string;
  /** `pods` or `pods/log`. */
  resource: string;
  verb: string;
  /** Undefined: any name. */
  resourceName?: string;
  role: string;
}

export interface RequestAttrs {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace?: string;
  name?: string;
  status: number;
  path: string;
}

/** Every grant the rendered objects give the service account `namespace/name`. */
export function grantsFor(objects: RenderedObject[], sa: { namespace: string; name: string }): Grant[] {
  const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').map((o) => RoleShape.parse(o));
  const grants: Grant[] = [];
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding').map((o) => BindingShape.parse(o))) {
    if (!b.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace)) continue;
    const role = roles.find((r) => r.kind === b.roleRef.kind && r.metadata.name === b.roleRef.name
      && (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace));
    if (role === undefined) throw new Error(`${b.kind} ${b.metadata.name} refers to a missing ${b.roleRef.kind} ${b.roleRef.name}`);
    const scope = b.kind === 'ClusterRoleBinding' ? 'cluster' : (b.metadata.namespace ?? '?');
    for (const rule of role.rules) {
      for (const apiGroup of rule.apiGroups) for (const resource of rule.resources) for (const verb of rule.verbs) {
        for (const resourceName of rule.resourceNames ?? [undefined]) {
          grants.push({ scope, apiGroup, resource, verb, ...(resourceName !== undefined && { resourceName }), role: `${role.kind}/${role.metadata.name}` });
        }
      }
    }
  }
  return grants;
}

export function grantText(g: Grant): string {
  const group = g.apiGroup === '' ? 'core' : g.apiGroup;
  return `${g.verb} ${group}/${g.resource}${g.resourceName !== undefined ? `[${g.resourceName}]` : ''} @${g.scope}`;
}

/**
 * The authorisation checks one logged request needed. A WebSocket exec (GET …/pods/x/exec, 101) is authorised as
 * `get` and as `create` on pods/exec by the emulator, as by Kubernetes ≥ 1.35.
 */
export function requestAttrs(e: RequestLogEntry): RequestAttrs[] {
  const info = parseRequestInfo(e.method, e.path, new URLSearchParams(e.query));
  if (!info.isResourceRequest) return [];
  const base: RequestAttrs = {
    verb: info.verb,
    apiGroup: info.apiGroup,
    resource: info.subresource !== undefined ? `${info.resource}/${info.subresource}` : info.resource,
    ...(info.namespace !== undefined && { namespace: info.namespace }),
    ...(info.name !== undefined && { name: info.name }),
    status: e.status,
    path: e.path,
  };
  if (base.resource === 'pods/exec' && base.verb === 'get') return [base, { ...base, verb: 'create' }];
  return [base];
}

export function covers(g: Grant, r: RequestAttrs): boolean {
  if (g.verb !== r.verb || g.apiGroup !== r.apiGroup || g.resource !== r.resource) return false;
  if (g.scope !== 'cluster' && g.scope !== r.namespace) return false;
  return g.resourceName === undefined || g.resourceName === r.name;
}

/** Granted but needed by no request: nothing that was asked is covered by this grant alone. */
export function unneededGrants(grants: Grant[], requests: RequestAttrs[]): Grant[] {
  const allowed = requests.filter((r) => r.status !== 403 && r.status !== 401);
  return grants.filter((g) => !allowed.some((r) => covers(g, r) && grants.filter((o) => covers(o, r)).length === 1));
}

/** Requests no grant covers (whatever the emulator answered). */
export function uncoveredRequests(grants: Grant[], requests: RequestAttrs[], alwaysAllowed: (r: RequestAttrs) => boolean): RequestAttrs[] {
  return requests.filter((r) => !alwaysAllowed(r) && !grants.some((g) => covers(g, r)));
}
