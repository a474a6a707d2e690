// Both overlays rendered by the real `kubectl kustomize`, every object validated against the schemas of its kind,
// then the properties that matter for running it: restricted pod security, probes on HEALTH_PORT, the env the bot
// reads, the Slack Secret reference, Redis with AOF on a volume, and exactly the RBAC each overlay should grant.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../bot/config.ts';
import { DeploymentSpec, KIND_SCHEMAS, type PodSpecT } from './k8s-schemas.ts';
import { find, kustomize, REPO, runKubectl, type RenderedObject } from './render.ts';
import { grantsFor, grantText } from './rbac-rules.ts';

const NS = 'cilium-runbook';
const SA = { namespace: NS, name: 'bot' };
const SLACK_SECRET = 'cilium-runbook-slack';
/** ConfigMap keys the bot does not read yet, with the change that will read them. */
const PENDING_KEYS: Record<string, string> = {};

const READ_ONLY_GRANTS = [
  'create authorization.k8s.io/selfsubjectaccessreviews @cluster',
  'get apps/daemonsets @kube-system',
  'get cilium.io/ciliumnodes @cluster',
  'get core/configmaps[cilium-config] @kube-system',
  'get core/configmaps[kube-proxy-config] @kube-system',
  'get core/configmaps[kube-proxy] @kube-system',
  'get core/nodes @cluster',
  'get core/pods/log @kube-system',
  'list apiextensions.k8s.io/customresourcedefinitions @cluster',
  'list apps/daemonsets @kube-system',
  'list apps/deployments @kube-system',
  'list cilium.io/ciliumclusterwidenetworkpolicies @cluster',
  'list cilium.io/ciliumendpoints @cluster',
  'list cilium.io/ciliumnetworkpolicies @cluster',
  'list cilium.io/ciliumnodeconfigs @kube-system',
  'list core/events @cluster',
  'list core/nodes @cluster',
  'list core/pods @cluster',
  'list core/services @cluster',
  'list discovery.k8s.io/endpointslices @cluster',
];
const EXEC_EXTRA_GRANTS = ['create core/pods/exec @kube-system', 'get core/pods/exec @kube-system'];
const REMEDIATION_EXTRA_GRANTS = [
  'delete apps/daemonsets[kube-proxy] @kube-system',
  'delete core/pods @kube-system',
  'patch apps/daemonsets[cilium] @kube-system',
  'patch core/configmaps[cilium-config] @kube-system',
  'patch core/nodes @cluster',
];
const EXPECTED_GRANTS: Record<string, string[]> = {
  'read-only': READ_ONLY_GRANTS,
  'read-only-exec': [...READ_ONLY_GRANTS, ...EXEC_EXTRA_GRANTS].sort(),
  remediation: [...READ_ONLY_GRANTS, ...REMEDIATION_EXTRA_GRANTS].sort(),
};
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];

const podSpec = (o: RenderedObject): { spec: PodSpecT; labels: Record<string, string>; selector: Record<string, string> } => {
  const d = DeploymentSpec.parse(o);
  return { spec: d.spec.template.spec, labels: d.spec.template.metadata.labels, selector: d.spec.selector.matchLabels };
};
const ConfigData = z.object({ data: z.record(z.string(), z.string()) });
const subsetOf = (small: Record<string, string>, big: Record<string, string>): boolean => Object.entries(small).every(([k, v]) => big[k] === v);

describe.each(['read-only', 'read-only-exec', 'remediation'])('kubectl kustomize deploy/overlays/%s', (overlay) => {
  let objects: RenderedObject[] = [];
  beforeAll(async () => {
    objects = await kustomize(`deploy/overlays/${overlay}`);
  });

  it('renders without warnings, and every object validates against the schema of its kind', async () => {
    const out = await runKubectl(['kustomize', `deploy/overlays/${overlay}`]);
    expect(out.stderr).toBe('');
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const schema = KIND_SCHEMAS[o.kind];
      expect(schema, `no schema for kind ${o.kind}`).toBeDefined();
      const parsed = schema?.safeParse(o);
      expect(parsed?.success ? 'ok' : `${o.kind}/${o.metadata.name}: ${parsed?.error?.message ?? ''}`).toBe('ok');
    }
  });

  it('the schemas refuse what the apiserver would (misspelt field, root, missing limit, wildcard rule)', () => {
    const deployment = find(objects, 'Deployment', 'cilium-runbook', NS);
    const role = find(objects, 'Role', 'cilium-runbook-read-cilium', 'kube-system');
    const mutate = (o: RenderedObject, f: (copy: { spec: { template: { spec: PodSpecT } }; rules: Array<{ verbs: string[] }> }) => void): boolean => {
      const copy = structuredClone(o) as unknown as { spec: { template: { spec: PodSpecT } }; rules: Array<{ verbs: string[] }> };
      f(copy);
      return KIND_SCHEMAS[o.kind]?.safeParse(copy).success ?? false;
    };
    expect(mutate(deployment, () => undefined)).toBe(true);
    expect(mutate(deployment, (d) => Object.assign(d.spec.template.spec.containers[0]?.securityContext ?? {}, { readOnlyRootFileSystem: true }))).toBe(false);
    expect(mutate(deployment, (d) => Object.assign(d.spec.template.spec.securityContext, { runAsNonRoot: false }))).toBe(false);
    expect(mutate(deployment, (d) => Object.assign(d.spec.template.spec.containers[0]?.resources ?? {}, { limits: {} }))).toBe(false);
    expect(mutate(role, (r) => r.rules[0]?.verbs.push('*'))).toBe(false);
  });

  it('places objects where they belong and creates no Secret', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of objects) {
      const where = `${o.kind}/${o.metadata.name}`;
      if (CLUSTER_SCOPED.includes(o.kind)) expect(o.metadata.namespace, where).toBeUndefined();
      else if (o.kind === 'Role' || o.kind === 'RoleBinding') expect(o.metadata.namespace, where).toBe('kube-system');
      else expect(o.metadata.namespace, where).toBe(NS);
    }
    expect(find(objects, 'Namespace', NS).metadata['labels']).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('runs every pod non-root, read-only, without capabilities, RuntimeDefault seccomp, with resources and pinned images', () => {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
      const { spec, labels, selector } = podSpec(o);
      expect(subsetOf(selector, labels), `${o.metadata.name}: selector matches its pods`).toBe(true);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of spec.containers) {
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.requests.memory).toBeDefined();
        expect(c.image).toMatch(/:[0-9][\w.-]*$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.livenessProbe).toBeDefined();
        expect(c.readinessProbe).toBeDefined();
      }
    }
  });

  it('runs the bot as the bot service account with probes on HEALTH_PORT, env from the ConfigMap and the Slack Secret', () => {
    const deployment = find(objects, 'Deployment', 'cilium-runbook', NS);
    const { spec } = podSpec(deployment);
    const bot = spec.containers[0];
    if (bot === undefined) throw new Error('no container');
    expect(spec.serviceAccountName).toBe('bot');
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(bot.image).toBe('ghcr.io/example/cilium-runbook:0.1.0');
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cilium-runbook-config'));
    expect(bot.envFrom).toEqual([{ configMapRef: { name: configMap?.metadata.name } }]);
    const data = ConfigData.parse(configMap).data;
    expect(data).toMatchObject({ SLACK_MODE: 'socket', KUBE_IN_CLUSTER: 'true', HEALTH_PORT: '8080', LOG_LEVEL: 'info', CLUSTER_NAME: 'default' });
    const healthPort = bot.ports?.find((p) => p.name === 'health')?.containerPort;
    expect(healthPort).toBe(Number(data['HEALTH_PORT']));
    expect(bot.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(bot.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(bot.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(bot.env).toEqual(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN'].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: SLACK_SECRET, key } } })));
    // tsx writes its cache under /tmp; the root filesystem is read-only.
    expect(bot.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('gives the bot a configuration it accepts, with only variables it reads (or will read, listed)', () => {
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cilium-runbook-config'));
    const data = ConfigData.parse(configMap).data;
    // The remediation overlay leaves the approvers to the operator's overlay (deploy/README.md): supply one here.
    const approvers = overlay === 'remediation' ? { REMEDIATION_APPROVERS_LOW: 'S0ONCALL' } : {};
    const config = loadConfig({ ...data, ...approvers, SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_APP_TOKEN: 'xapp-1-A-2-abc' });
    expect(config.remediation.enabled).toBe(overlay === 'remediation');
    expect(config).toMatchObject({ slack: { mode: 'socket' }, kube: { inCluster: true }, clusterName: 'default', logLevel: 'info' });
    const source = readFileSync(join(REPO, 'bot/config.ts'), 'utf8');
    const unknown = Object.keys(data).filter((k) => !new RegExp(`\\b${k}\\b`).test(source));
    expect(unknown.sort()).toEqual(Object.keys(PENDING_KEYS).sort());
    // REDIS_URL names the bundled Redis Service and its port.
    const url = new URL(config.redisUrl);
    const service = z.object({ spec: z.object({ ports: z.array(z.object({ port: z.number() })) }) }).parse(find(objects, 'Service', 'redis', NS));
    expect(url.hostname).toBe(`redis.${NS}.svc`);
    expect(Number(url.port)).toBe(service.spec.ports[0]?.port);
  });

  it('runs Redis as a StatefulSet with AOF on a claimed volume behind its headless Service, reachable only by the bot', () => {
    const sts = find(objects, 'StatefulSet', 'redis', NS);
    const parsed = z.object({ spec: z.object({ serviceName: z.string(), volumeClaimTemplates: z.array(z.object({ metadata: z.object({ name: z.string() }) })) }) }).parse(sts);
    const { spec, labels } = podSpec(sts);
    const redis = spec.containers[0];
    const args = (redis?.args ?? []).join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(redis?.volumeMounts).toEqual([{ name: parsed.spec.volumeClaimTemplates[0]?.metadata.name, mountPath: '/data' }]);
    const service = z.object({ spec: z.object({ clusterIP: z.literal('None'), selector: z.record(z.string(), z.string()), ports: z.array(z.object({ targetPort: z.string() })) }) })
      .parse(find(objects, 'Service', parsed.spec.serviceName, NS));
    expect(subsetOf(service.spec.selector, labels)).toBe(true);
    expect(redis?.ports?.map((p) => p.name)).toContain(service.spec.ports[0]?.targetPort);
    const np = z.object({ spec: z.object({ podSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }), ingress: z.array(z.object({ from: z.array(z.object({ podSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }) })) })) }) })
      .parse(find(objects, 'NetworkPolicy', 'redis', NS));
    expect(subsetOf(np.spec.podSelector.matchLabels, labels)).toBe(true);
    expect(subsetOf(np.spec.ingress[0]?.from[0]?.podSelector.matchLabels ?? { none: 'x' }, podSpec(find(objects, 'Deployment', 'cilium-runbook', NS)).labels)).toBe(true);
  });

  it('lets only the scraping namespace reach the bot, and only on its health port (issue 17, item 8)', () => {
    const bot = podSpec(find(objects, 'Deployment', 'cilium-runbook', NS));
    const np = z.object({
      spec: z.object({
        podSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
        policyTypes: z.array(z.string()),
        ingress: z.array(z.object({ from: z.array(z.object({ podSelector: z.unknown().optional(), namespaceSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }) }).strict()), ports: z.array(z.object({ port: z.number(), protocol: z.string() })) })),
      }),
    }).parse(find(objects, 'NetworkPolicy', 'cilium-runbook-bot', NS));
    expect(subsetOf(np.spec.podSelector.matchLabels, bot.labels)).toBe(true);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    const health = bot.spec.containers[0]?.ports?.find((p) => p.name === 'health')?.containerPort;
    expect(np.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: health, protocol: 'TCP' }] }]);
  });

  it('grants exactly the expected rules: no wildcard, no secrets, no escalation', () => {
    const grants = grantsFor(objects, SA).map(grantText).sort();
    expect(grants).toEqual(EXPECTED_GRANTS[overlay]);
    const text = JSON.stringify(objects.filter((o) => o.apiVersion.startsWith('rbac.')));
    expect(text).not.toMatch(/"\*"|secrets|escalate|bind|impersonate|nonResourceURLs/);
    // Every binding names exactly the bot's service account.
    for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) expect(b['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'bot', namespace: NS }]);
  });
});

describe('overlays and components', () => {
  // The bot's ConfigMap name carries a hash of its data, which the remediation overlay's settings change.
  const unhashed = (o: RenderedObject): RenderedObject => JSON.parse(JSON.stringify(o).replace(/cilium-runbook-config-[a-z0-9]{10}/g, 'cilium-runbook-config')) as RenderedObject;
  const key = (o: RenderedObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${unhashed(o).metadata.name}`;
  const SETTINGS: Record<string, Record<string, string>> = {
    remediation: { REMEDIATION_ENABLED: 'true', REMEDIATION_APPROVERS_LOW: '', REMEDIATION_APPROVERS_MEDIUM: '', REMEDIATION_APPROVERS_HIGH: '', PROPOSAL_TTL_MINUTES: '30' },
  };
  it.each([
    ['remediation', ['ClusterRole//cilium-runbook-remediate-nodes', 'ClusterRoleBinding//cilium-runbook-remediate-nodes', 'Role/kube-system/cilium-runbook-remediate',
      'Role/kube-system/cilium-runbook-remediate-kube-proxy', 'RoleBinding/kube-system/cilium-runbook-remediate', 'RoleBinding/kube-system/cilium-runbook-remediate-kube-proxy']],
    ['read-only-exec', ['Role/kube-system/cilium-runbook-agent-exec', 'RoleBinding/kube-system/cilium-runbook-agent-exec',
      'ValidatingAdmissionPolicy//cilium-runbook-agent-exec', 'ValidatingAdmissionPolicyBinding//cilium-runbook-agent-exec']],
  ])('%s = read-only + its own objects, nothing else changed', async (overlay, added) => {
    const [ro, other] = await Promise.all([kustomize('deploy/overlays/read-only'), kustomize(`deploy/overlays/${overlay}`)]);
    const extra = other.filter((o) => !ro.some((r) => key(r) === key(o)));
    expect(extra.map(key).sort()).toEqual(added);
    for (const o of ro) {
      const expected = unhashed(o);
      // Only the bot's settings may differ: the overlay's own switches, merged into the ConfigMap.
      if (o.kind === 'ConfigMap' && expected.metadata.name === 'cilium-runbook-config') expected['data'] = { ...(expected['data'] as Record<string, string>), ...SETTINGS[overlay] };
      const found = other.find((r) => key(r) === key(o));
      expect(found === undefined ? undefined : unhashed(found)).toEqual(expected);
    }
  });

  it('the cilium-namespace example moves every Role and RoleBinding of Cilium\'s namespace, and only those', async () => {
    const [ro, moved] = await Promise.all([kustomize('deploy/overlays/read-only'), kustomize('deploy/examples/cilium-namespace')]);
    const inKubeSystem = (objects: RenderedObject[]): string[] => objects.filter((o) => o.metadata.namespace === 'kube-system').map(key).sort();
    expect(inKubeSystem(moved)).toEqual(['Role/kube-system/cilium-runbook-read-kube-proxy', 'RoleBinding/kube-system/cilium-runbook-read-kube-proxy']);
    expect(moved.filter((o) => o.metadata.namespace === 'cilium').map(key).sort()).toEqual(['Role/cilium/cilium-runbook-read-cilium', 'RoleBinding/cilium/cilium-runbook-read-cilium']);
    expect(moved.length).toBe(ro.length);
    const configMap = moved.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cilium-runbook-config'));
    expect(ConfigData.parse(configMap).data).toMatchObject({ CILIUM_NAMESPACE: 'cilium', CLUSTER_NAME: 'default' });
  });

  it('the external-redis example drops the bundled Redis and points REDIS_URL at the given server', async () => {
    const objects = await kustomize('deploy/examples/external-redis');
    expect(objects.filter((o) => o.metadata.name === 'redis')).toEqual([]);
    const configMap = objects.find((o) => o.kind === 'ConfigMap');
    const data = ConfigData.parse(configMap).data;
    expect(data['REDIS_URL']).toBe('rediss://redis.example.internal:6380');
    expect(podSpec(find(objects, 'Deployment', 'cilium-runbook', NS)).spec.containers[0]?.envFrom).toEqual([{ configMapRef: { name: configMap?.metadata.name } }]);
  });
});
