// The resource types the emulator serves: what discovery lists and what the request router resolves paths against.
import type { KubeObject } from '../scenario/schema.ts';

export interface SubresourceDef {
  name: string;
  kind: string;
  verbs: string[];
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface ResourceDef {
  group: string;
  version: string;
  /** Plural, as in the URL. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceDef[];
  /** Field selector labels accepted besides metadata.name / metadata.namespace. */
  fieldSelectors: string[];
  /** Served from a CRD: no strategic-merge patch, CRD field-selector rules. */
  custom: boolean;
  printerColumns?: PrinterColumn[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(def: Pick<ResourceDef, 'group' | 'version'>): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}

type DefInput = Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'>;

function def(input: DefInput): ResourceDef {
  return {
    singular: input.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    fieldSelectors: [],
    custom: false,
    ...input,
  };
}

const status = (kind: string): SubresourceDef => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const eventFields = ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
  'reportingComponent', 'source', 'type'];

function builtins(): ResourceDef[] {
  return [
    def({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [status('Namespace')],
      fieldSelectors: ['status.phase'] }),
    def({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'],
      subresources: [status('Node'), { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
      fieldSelectors: ['spec.unschedulable'] }),
    def({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'],
      subresources: [
        status('Pod'),
        { name: 'log', kind: 'Pod', verbs: ['get'] },
        { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: 'eviction', kind: 'Eviction', verbs: ['create'] },
      ],
      fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
        'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'] }),
    def({ group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'],
      categories: ['all'], subresources: [status('Service')], fieldSelectors: ['spec.clusterIP', 'spec.type'] }),
    def({ group: '', version: 'v1', resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] }),
    def({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] }),
    def({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, fieldSelectors: ['type'] }),
    def({ group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], fieldSelectors: eventFields }),
    def({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'] }),
    def({ group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'],
      categories: ['all'], subresources: [status('DaemonSet')] }),
    def({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'],
      categories: ['all'], subresources: [status('Deployment'), { name: 'scale', kind: 'Scale', verbs: ['get', 'patch', 'update'] }] }),
    def({ group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'],
      categories: ['all'], subresources: [status('StatefulSet')] }),
    def({ group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'],
      categories: ['all'], subresources: [status('ReplicaSet')] }),
    def({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true }),
    def({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true,
      fieldSelectors: ['addressType'] }),
    def({ group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'],
      fieldSelectors: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion',
        'regarding.resourceVersion', 'regarding.fieldPath', 'reason', 'reportingController', 'type'] }),
    def({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true }),
    def({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
    def({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true }),
    def({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false }),
    def({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition',
      namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: [status('CustomResourceDefinition')] }),
    def({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview',
      namespaced: false, verbs: ['create'] }),
    def({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview',
      namespaced: false, verbs: ['create'] }),
    ...ciliumDefs(),
  ];
}

const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function ciliumDefs(): ResourceDef[] {
  const valid: PrinterColumn = { name: 'Valid', type: 'string', jsonPath: ".status.conditions[?(@.type=='Valid')].status" };
  const cilium = (d: DefInput): ResourceDef => def({ custom: true, subresources: [status(d.kind)], ...d });
  return [
    cilium({ group: 'cilium.io', version: 'v2', resource: 'ciliumnetworkpolicies', kind: 'CiliumNetworkPolicy', namespaced: true,
      shortNames: ['cnp', 'ciliumnp'], categories: ['cilium', 'ciliumpolicy'], printerColumns: [age, valid] }),
    cilium({ group: 'cilium.io', version: 'v2', resource: 'ciliumclusterwidenetworkpolicies', kind: 'CiliumClusterwideNetworkPolicy',
      namespaced: false, shortNames: ['ccnp'], categories: ['cilium', 'ciliumpolicy'], printerColumns: [age, valid] }),
    cilium({ group: 'cilium.io', version: 'v2', resource: 'ciliumnodes', kind: 'CiliumNode', namespaced: false,
      shortNames: ['cn', 'ciliumn'], categories: ['cilium'], printerColumns: [
        { name: 'CiliumInternalIP', type: 'string', jsonPath: ".spec.addresses[?(@.type=='CiliumInternalIP')].ip" },
        { name: 'InternalIP', type: 'string', jsonPath: ".spec.addresses[?(@.type=='InternalIP')].ip" }, age] }),
    cilium({ group: 'cilium.io', version: 'v2', resource: 'ciliumendpoints', kind: 'CiliumEndpoint', namespaced: true,
      shortNames: ['cep', 'ciliumep'], categories: ['cilium'], subresources: [], printerColumns: [
        { name: 'Security Identity', type: 'integer', jsonPath: '.status.identity.id' },
        { name: 'Endpoint State', type: 'string', jsonPath: '.status.state' },
        { name: 'IPv4', type: 'string', jsonPath: '.status.networking.addressing[0].ipv4' }] }),
    // Per-node overrides of cilium-config (docs.cilium.io/en/stable/configuration/per-node-config/). The CRD
    // (cilium/cilium@15248bc pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnodeconfigs.yaml) serves v2 (storage, 1.16+)
    // and the deprecated v2alpha1; no short names, no status subresource, no printer columns (kubectl shows AGE).
    // Each version here holds the objects created at it: the apiserver's conversion between the two is not emulated.
    ...(['v2', 'v2alpha1'] as const).map((version) => cilium({ group: 'cilium.io', version, resource: 'ciliumnodeconfigs',
      kind: 'CiliumNodeConfig', namespaced: true, categories: ['cilium'], subresources: [], printerColumns: [age] })),
  ];
}

/** Resource types by group/version/plural, plus CRDs added at run time. */
export class ResourceRegistry {
  private readonly defs: ResourceDef[] = builtins();

  all(): readonly ResourceDef[] {
    return this.defs;
  }

  byPath(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.defs.find((d) => d.group === group && d.version === version && d.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    return this.defs.find((d) => apiVersionOf(d) === apiVersion && d.kind === kind);
  }

  /** Serve the resource a CustomResourceDefinition declares (every served version), unless already known. */
  registerCrd(crd: KubeObject): void {
    const spec = asRecord(crd['spec']);
    const names = asRecord(spec['names']);
    const group = typeof spec['group'] === 'string' ? spec['group'] : undefined;
    const plural = typeof names['plural'] === 'string' ? names['plural'] : undefined;
    const kind = typeof names['kind'] === 'string' ? names['kind'] : undefined;
    if (group === undefined || plural === undefined || kind === undefined) return;
    const versions = Array.isArray(spec['versions']) ? spec['versions'].map(asRecord) : [];
    for (const v of versions) {
      if (typeof v['name'] !== 'string' || v['served'] === false) continue;
      if (this.byPath(group, v['name'], plural) !== undefined) continue;
      const columns = Array.isArray(v['additionalPrinterColumns'])
        ? v['additionalPrinterColumns'].map(asRecord).flatMap((c) =>
          typeof c['name'] === 'string' && typeof c['jsonPath'] === 'string'
            ? [{ name: c['name'], type: typeof c['type'] === 'string' ? c['type'] : 'string', jsonPath: c['jsonPath'],
              ...(typeof c['priority'] === 'number' ? { priority: c['priority'] } : {}) }]
            : [])
        : [];
      this.defs.push(def({
        group, version: v['name'], resource: plural, kind, custom: true,
        namespaced: spec['scope'] !== 'Cluster',
        singular: typeof names['singular'] === 'string' ? names['singular'] : kind.toLowerCase(),
        shortNames: stringArray(names['shortNames']),
        categories: stringArray(names['categories']),
        printerColumns: columns.length > 0 ? columns : [age],
      }));
    }
  }
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
