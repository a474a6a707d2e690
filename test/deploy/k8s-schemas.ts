// zod schemas of the Kubernetes kinds deploy/ renders, for the fields we use. Objects we define are strict (an
// unknown or misspelt field fails, like the apiserver's strict field validation); formats follow apimachinery's
// validation (DNS-1123 names, IANA port names, quantities).
import { z } from 'zod';

const dns1123Label = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'RFC 1123 label');
const dns1123Subdomain = z.string().max(253).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'RFC 1123 subdomain');
const labelKey = z.string().regex(/^([a-z0-9.-]{1,253}\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'label key');
const labelValue = z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, 'label value');
const labels = z.record(labelKey, labelValue);
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'quantity');
const portName = z.string().max(15).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/).refine((s) => /[a-z]/.test(s), 'IANA_SVC_NAME needs a letter');
const port = z.number().int().min(1).max(65535);
const envName = z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/);

export const Metadata = z.strictObject({
  name: dns1123Subdomain,
  namespace: dns1123Label.optional(),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const ClusterMetadata = Metadata.extend({ namespace: z.never().optional() });
const NamespacedMetadata = Metadata.extend({ namespace: dns1123Label });

const object = <K extends string, S extends z.ZodRawShape>(apiVersion: string, kind: K, shape: S, namespaced = true) =>
  z.strictObject({ apiVersion: z.literal(apiVersion), kind: z.literal(kind), metadata: namespaced ? NamespacedMetadata : ClusterMetadata, ...shape });

const handler = {
  httpGet: z.strictObject({ path: z.string().startsWith('/'), port: z.union([port, portName]), scheme: z.enum(['HTTP', 'HTTPS']).optional() }).optional(),
  exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
  tcpSocket: z.strictObject({ port: z.union([port, portName]) }).optional(),
};
export const Probe = z
  .strictObject({
    ...handler,
    initialDelaySeconds: z.number().int().min(0).optional(),
    periodSeconds: z.number().int().min(1).optional(),
    timeoutSeconds: z.number().int().min(1).optional(),
    failureThreshold: z.number().int().min(1).optional(),
    successThreshold: z.number().int().min(1).optional(),
  })
  .refine((p) => [p.httpGet, p.exec, p.tcpSocket].filter((h) => h !== undefined).length === 1, 'a probe needs exactly one handler');

const keyRef = z.strictObject({ name: dns1123Subdomain, key: z.string().min(1), optional: z.boolean().optional() });
const EnvVar = z
  .strictObject({
    name: envName,
    value: z.string().optional(),
    valueFrom: z.strictObject({ secretKeyRef: keyRef.optional(), configMapKeyRef: keyRef.optional() }).optional(),
  })
  .refine((e) => (e.value === undefined) !== (e.valueFrom === undefined), 'env needs value or valueFrom');

export const ContainerSecurityContext = z.strictObject({
  allowPrivilegeEscalation: z.boolean(),
  readOnlyRootFilesystem: z.boolean(),
  privileged: z.boolean().optional(),
  runAsNonRoot: z.boolean().optional(),
  capabilities: z.strictObject({ drop: z.array(z.string()), add: z.array(z.string()).optional() }),
});

export const Container = z.strictObject({
  name: dns1123Label,
  image: z.string().regex(/^[a-z0-9./-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(EnvVar).optional(),
  envFrom: z.array(z.strictObject({ configMapRef: z.strictObject({ name: dns1123Subdomain }).optional(), secretRef: z.strictObject({ name: dns1123Subdomain }).optional() })).optional(),
  ports: z.array(z.strictObject({ name: portName, containerPort: port, protocol: z.enum(['TCP', 'UDP', 'SCTP']) })).optional(),
  startupProbe: Probe.optional(),
  livenessProbe: Probe.optional(),
  readinessProbe: Probe.optional(),
  resources: z.strictObject({
    requests: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }),
    limits: z.strictObject({ cpu: quantity.optional(), memory: quantity }),
  }),
  securityContext: ContainerSecurityContext,
  volumeMounts: z.array(z.strictObject({ name: dns1123Label, mountPath: z.string().startsWith('/'), readOnly: z.boolean().optional() })).optional(),
});

export const PodSpec = z.strictObject({
  serviceAccountName: dns1123Subdomain.optional(),
  automountServiceAccountToken: z.boolean(),
  enableServiceLinks: z.boolean().optional(),
  terminationGracePeriodSeconds: z.number().int().min(0).optional(),
  securityContext: z.strictObject({
    runAsNonRoot: z.literal(true),
    runAsUser: z.number().int().min(1),
    runAsGroup: z.number().int().min(1),
    fsGroup: z.number().int().min(1).optional(),
    fsGroupChangePolicy: z.enum(['OnRootMismatch', 'Always']).optional(),
    seccompProfile: z.strictObject({ type: z.literal('RuntimeDefault') }),
  }),
  containers: z.array(Container).min(1),
  volumes: z.array(z.strictObject({ name: dns1123Label, emptyDir: z.strictObject({ sizeLimit: quantity.optional(), medium: z.string().optional() }) })).optional(),
});
const PodTemplate = z.strictObject({ metadata: z.strictObject({ labels }), spec: PodSpec });
const selector = z.strictObject({ matchLabels: labels });

const PolicyRule = z
  .strictObject({
    apiGroups: z.array(z.string()).min(1),
    resources: z.array(z.string().min(1)).min(1),
    resourceNames: z.array(dns1123Subdomain).min(1).optional(),
    verbs: z.array(z.enum(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'])).min(1),
  });
const roleRef = z.strictObject({ apiGroup: z.literal('rbac.authorization.k8s.io'), kind: z.enum(['Role', 'ClusterRole']), name: dns1123Subdomain });
const subjects = z.array(z.strictObject({ kind: z.literal('ServiceAccount'), name: dns1123Subdomain, namespace: dns1123Label })).min(1);

// admissionregistration.k8s.io/v1 (Kubernetes 1.30+): the fields the agent-exec policy uses. CEL names are
// C identifiers; expressions are checked by the apiserver, here only that they are given.
const celName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
const celNamed = z.array(z.strictObject({ name: z.string().min(1), expression: z.string().min(1) }));
const ValidatingAdmissionPolicySpec = z.strictObject({
  /** admissionregistration.k8s.io/v1 ParamKind: the kind bindings take params from. */
  paramKind: z.strictObject({ apiVersion: z.string().min(1), kind: z.string().min(1) }).optional(),
  failurePolicy: z.enum(['Fail', 'Ignore']),
  matchConstraints: z.strictObject({
    resourceRules: z.array(z.strictObject({
      apiGroups: z.array(z.string()).min(1),
      apiVersions: z.array(z.string().min(1)).min(1),
      operations: z.array(z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'])).min(1),
      resources: z.array(z.string().min(1)).min(1),
    })).min(1),
  }),
  matchConditions: celNamed.optional(),
  variables: z.array(z.strictObject({ name: celName, expression: z.string().min(1) })).optional(),
  validations: z.array(z.strictObject({ expression: z.string().min(1), message: z.string().min(1).optional(), messageExpression: z.string().optional() })).min(1),
});

export const KIND_SCHEMAS: Record<string, z.ZodType> = {
  Namespace: object('v1', 'Namespace', {}, false),
  ServiceAccount: object('v1', 'ServiceAccount', {}),
  ConfigMap: object('v1', 'ConfigMap', { data: z.record(envName, z.string()) }),
  Service: object('v1', 'Service', {
    spec: z.strictObject({
      clusterIP: z.literal('None').optional(),
      selector: labels,
      ports: z.array(z.strictObject({ name: portName, port, targetPort: z.union([port, portName]), protocol: z.literal('TCP') })).min(1),
    }),
  }),
  Deployment: object('apps/v1', 'Deployment', {
    spec: z.strictObject({ replicas: z.number().int().min(0), revisionHistoryLimit: z.number().int().optional(), selector, template: PodTemplate }),
  }),
  StatefulSet: object('apps/v1', 'StatefulSet', {
    spec: z.strictObject({
      serviceName: dns1123Label,
      replicas: z.number().int().min(0),
      selector,
      template: PodTemplate,
      volumeClaimTemplates: z.array(z.strictObject({
        apiVersion: z.literal('v1'),
        kind: z.literal('PersistentVolumeClaim'),
        metadata: z.strictObject({ name: dns1123Label }),
        spec: z.strictObject({ accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany', 'ReadOnlyMany'])).min(1), resources: z.strictObject({ requests: z.strictObject({ storage: quantity }) }) }),
      })),
    }),
  }),
  NetworkPolicy: object('networking.k8s.io/v1', 'NetworkPolicy', {
    spec: z.strictObject({
      podSelector: selector,
      policyTypes: z.array(z.enum(['Ingress', 'Egress'])),
      ingress: z.array(z.strictObject({
        from: z.array(z.strictObject({ podSelector: selector.optional(), namespaceSelector: selector.optional() }).refine((p) => p.podSelector !== undefined || p.namespaceSelector !== undefined, 'a peer needs a podSelector or a namespaceSelector')),
        ports: z.array(z.strictObject({ port, protocol: z.literal('TCP') })),
      })),
    }),
  }),
  ClusterRole: object('rbac.authorization.k8s.io/v1', 'ClusterRole', { rules: z.array(PolicyRule).min(1) }, false),
  Role: object('rbac.authorization.k8s.io/v1', 'Role', { rules: z.array(PolicyRule).min(1) }),
  ClusterRoleBinding: object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', { roleRef, subjects }, false),
  RoleBinding: object('rbac.authorization.k8s.io/v1', 'RoleBinding', { roleRef, subjects }),
  ValidatingAdmissionPolicy: object('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', { spec: ValidatingAdmissionPolicySpec }, false),
  ValidatingAdmissionPolicyBinding: object('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', {
    spec: z.strictObject({
      policyName: dns1123Subdomain,
      validationActions: z.array(z.enum(['Deny', 'Warn', 'Audit'])).min(1),
      // admissionregistration.k8s.io/v1 ParamRef: one named (namespaced) param object.
      paramRef: z.strictObject({ name: dns1123Subdomain, namespace: dns1123Subdomain.optional(), parameterNotFoundAction: z.enum(['Allow', 'Deny']) }).optional(),
    }),
  }, false),
};

export type PodSpecT = z.infer<typeof PodSpec>;
export type ContainerT = z.infer<typeof Container>;
export const DeploymentSpec = z.object({ spec: z.object({ template: PodTemplate, selector }) });
export const RoleShape = z.object({ kind: z.enum(['Role', 'ClusterRole']), metadata: Metadata, rules: z.array(PolicyRule) });
export const BindingShape = z.object({ kind: z.enum(['RoleBinding', 'ClusterRoleBinding']), metadata: Metadata, roleRef, subjects });
export type PolicyRuleT = z.infer<typeof PolicyRule>;
