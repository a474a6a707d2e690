// RBAC authorizer over the (Cluster)Role(Binding)s in the store, with the apiserver's Forbidden message shape
// (apiserver endpoints/handlers/responsewriters/errors.go forbiddenMessage).
import { KubeStatusError } from './errors.ts';
import { asRecord } from './resources.ts';
import type { ObjectStore } from './store.ts';
import type { KubeUser } from './users.ts';

export interface AuthzAttributes {
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AuthzDecision {
  allowed: boolean;
  reason: string;
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const strings = (v: unknown): string[] => arr(v).filter((s): s is string => typeof s === 'string');

/** Paths every authenticated user may read (the built-in system:discovery / system:public-info-viewer roles). */
const PUBLIC_PATHS = [/^\/api(\/.*)?$/, /^\/apis(\/.*)?$/, /^\/version\/?$/, /^\/(healthz|readyz|livez)(\/.*)?$/, /^\/openapi(\/.*)?$/];
/** Resources every authenticated user may create (system:basic-user). */
const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews']);

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore, public mode: 'rbac' | 'allow-all') {}

  authorize(user: KubeUser, attrs: AuthzAttributes): AuthzDecision {
    if (this.mode === 'allow-all' || user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    if (!attrs.isResourceRequest && attrs.verb === 'get' && PUBLIC_PATHS.some((p) => p.test(attrs.path))) {
      return { allowed: true, reason: '' };
    }
    if (attrs.isResourceRequest && attrs.apiGroup === 'authorization.k8s.io' && SELF_REVIEWS.has(attrs.resource) && attrs.verb === 'create') {
      return { allowed: true, reason: '' };
    }
    for (const binding of this.store.list(RBAC, 'ClusterRoleBinding')) {
      if (!this.bindingMatches(binding, user)) continue;
      const ref = asRecord(binding['roleRef']);
      const role = this.store.get(RBAC, 'ClusterRole', undefined, String(ref['name']));
      if (role !== undefined && this.rulesAllow(role['rules'], attrs)) {
        return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata.name}" of ClusterRole "${role.metadata.name}" to ${this.subjectText(binding, user)}` };
      }
    }
    if (attrs.namespace !== undefined) {
      for (const binding of this.store.list(RBAC, 'RoleBinding', attrs.namespace)) {
        if (!this.bindingMatches(binding, user)) continue;
        const ref = asRecord(binding['roleRef']);
        const role = ref['kind'] === 'ClusterRole'
          ? this.store.get(RBAC, 'ClusterRole', undefined, String(ref['name']))
          : this.store.get(RBAC, 'Role', attrs.namespace, String(ref['name']));
        if (role !== undefined && this.rulesAllow(role['rules'], attrs)) {
          return { allowed: true, reason: `RBAC: allowed by RoleBinding "${binding.metadata.name}/${attrs.namespace}" of ${role.kind} "${role.metadata.name}" to ${this.subjectText(binding, user)}` };
        }
      }
    }
    return { allowed: false, reason: '' };
  }

  /** A 403 Status exactly like the apiserver's for these attributes. */
  forbidden(user: KubeUser, attrs: AuthzAttributes): KubeStatusError {
    if (!attrs.isResourceRequest) {
      return new KubeStatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${attrs.verb} path "${attrs.path}"`, {});
    }
    const resource = attrs.subresource !== undefined ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
    const scope = attrs.namespace !== undefined ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
    const why = `User "${user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
    const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
    const message = attrs.name !== undefined && attrs.name !== ''
      ? `${qualified} "${attrs.name}" is forbidden: ${why}`
      : `${qualified} is forbidden: ${why}`;
    const details: Record<string, string> = { kind: attrs.resource };
    if (attrs.name !== undefined) details['name'] = attrs.name;
    if (attrs.apiGroup !== '') details['group'] = attrs.apiGroup;
    return new KubeStatusError(403, 'Forbidden', message, details);
  }

  private bindingMatches(binding: Record<string, unknown>, user: KubeUser): boolean {
    return arr(binding['subjects']).map(asRecord).some((s) => subjectMatches(s, user));
  }

  private subjectText(binding: Record<string, unknown>, user: KubeUser): string {
    const s = arr(binding['subjects']).map(asRecord).find((x) => subjectMatches(x, user)) ?? {};
    if (s['kind'] === 'ServiceAccount') return `ServiceAccount "${String(s['name'])}/${String(s['namespace'])}"`;
    return `${String(s['kind'])} "${String(s['name'])}"`;
  }

  private rulesAllow(rules: unknown, attrs: AuthzAttributes): boolean {
    return arr(rules).map(asRecord).some((rule) => ruleAllows(rule, attrs));
  }
}

function subjectMatches(subject: Record<string, unknown>, user: KubeUser): boolean {
  switch (subject['kind']) {
    case 'User': return subject['name'] === user.username;
    case 'Group': return typeof subject['name'] === 'string' && user.groups.includes(subject['name']);
    case 'ServiceAccount': return user.username === `system:serviceaccount:${String(subject['namespace'])}:${String(subject['name'])}`;
    default: return false;
  }
}

function ruleAllows(rule: Record<string, unknown>, attrs: AuthzAttributes): boolean {
  const verbs = strings(rule['verbs']);
  if (!verbs.includes('*') && !verbs.includes(attrs.verb)) return false;
  if (!attrs.isResourceRequest) {
    return strings(rule['nonResourceURLs']).some((u) => u === '*' || u === attrs.path || (u.endsWith('*') && attrs.path.startsWith(u.slice(0, -1))));
  }
  const groups = strings(rule['apiGroups']);
  if (!groups.includes('*') && !groups.includes(attrs.apiGroup)) return false;
  const combined = attrs.subresource !== undefined ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const resources = strings(rule['resources']);
  const resourceOk = resources.some((r) => r === '*' || r === combined
    || (attrs.subresource !== undefined && (r === `*/${attrs.subresource}` || r === `${attrs.resource}/*`)));
  if (!resourceOk) return false;
  const names = strings(rule['resourceNames']);
  return names.length === 0 || (attrs.name !== undefined && names.includes(attrs.name));
}
