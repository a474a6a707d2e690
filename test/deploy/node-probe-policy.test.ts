// deploy/overlays/node-probe as rendered by the real `kubectl kustomize`: RBAC on pods in the probe namespace only,
// a namespace Pod Security admits the probe in, and an admission policy pinned to the exact pod the code builds.
// The emulator runs no admission and the project has no CEL evaluator: the pinned values are compared here, and
// rbac-least-privilege.test.ts proves the bot's real requests are exactly what the RBAC grants.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseNodeProbeEnv } from '../../jobs/collect/node-probe/probe-config.ts';
import { PROBE_CAPABILITIES, probePod } from '../../jobs/collect/node-probe/probe-pod.ts';
import { PROBE_COMMAND } from '../../jobs/collect/node-probe/probe-script.ts';
import { KIND_SCHEMAS } from './k8s-schemas.ts';
import { grantsFor, grantText } from './rbac-rules.ts';
import { BOT_USER, find, kustomize, type RenderedObject } from './render.ts';

const Policy = z.object({
  spec: z.object({
    failurePolicy: z.literal('Fail'),
    paramKind: z.object({ apiVersion: z.string(), kind: z.string() }),
    matchConstraints: z.object({ resourceRules: z.array(z.object({ operations: z.array(z.string()), resources: z.array(z.string()) })) }),
    matchConditions: z.array(z.object({ name: z.string(), expression: z.string() })),
    variables: z.array(z.object({ name: z.string(), expression: z.string() })),
    validations: z.array(z.object({ expression: z.string(), message: z.string() })),
  }),
});

describe('deploy/overlays/node-probe', () => {
  let objects: RenderedObject[] = [];
  let policy: z.infer<typeof Policy>;
  let settings: Record<string, string>;
  beforeAll(async () => {
    objects = await kustomize('deploy/overlays/node-probe');
    policy = Policy.parse(find(objects, 'ValidatingAdmissionPolicy', 'cilium-runbook-node-probe'));
    settings = z.object({ data: z.record(z.string(), z.string()) }).parse(find(objects, 'ConfigMap', 'cilium-runbook-node-probe', 'cilium-runbook')).data;
  });

  it('every rendered object validates against the schema of its kind', () => {
    for (const o of objects) {
      const parsed = KIND_SCHEMAS[o.kind]?.safeParse(o);
      expect(parsed === undefined ? `no schema for ${o.kind}` : parsed.success ? 'ok' : `${o.kind}/${o.metadata.name}: ${parsed.error.message}`).toBe('ok');
    }
  });

  it('the settings are valid NODE_PROBE_* for the bot, which reads them (envFrom)', () => {
    expect(parseNodeProbeEnv(settings)).toMatchObject({ problems: [], config: { namespace: 'cilium-runbook-probe' } });
    expect(JSON.stringify(find(objects, 'Deployment', 'cilium-runbook', 'cilium-runbook'))).toContain('"configMapRef":{"name":"cilium-runbook-node-probe"}');
  });

  it('grants pods create/get/delete and pods/log get in the probe namespace, and nothing else beyond read-only', async () => {
    const readOnly = new Set(grantsFor(await kustomize('deploy/overlays/read-only'), { namespace: 'cilium-runbook', name: 'bot' }).map(grantText));
    const added = grantsFor(objects, { namespace: 'cilium-runbook', name: 'bot' }).map(grantText).filter((g) => !readOnly.has(g)).sort();
    expect(added).toEqual([
      'create core/pods @cilium-runbook-probe', 'delete core/pods @cilium-runbook-probe', 'get core/pods @cilium-runbook-probe',
      'get core/pods/log @cilium-runbook-probe',
    ].sort());
  });

  it('the probe namespace lets Pod Security admit the probe, and is the one the settings name', () => {
    const ns = find(objects, 'Namespace', settings['NODE_PROBE_NAMESPACE'] ?? '');
    expect(ns.metadata['labels']).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
  });

  it('the admission policy matches the bot only, fails closed, is bound with Deny and its params are the settings', () => {
    expect(policy.spec.matchConditions.map((m) => m.expression)).toEqual([`request.userInfo.username == '${BOT_USER}'`]);
    expect(policy.spec.matchConstraints.resourceRules[0]).toMatchObject({ operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] });
    expect(find(objects, 'ValidatingAdmissionPolicyBinding', 'cilium-runbook-node-probe')['spec']).toEqual({
      policyName: 'cilium-runbook-node-probe', validationActions: ['Deny'],
      paramRef: { name: 'cilium-runbook-node-probe', namespace: 'cilium-runbook', parameterNotFoundAction: 'Deny' },
    });
  });

  it('pins exactly the pod the code builds: command, image, capabilities, host paths, labels', () => {
    const variable = policy.spec.variables.find((v) => v.name === 'probeCommand');
    expect(JSON.parse(variable?.expression ?? 'null')).toEqual([...PROBE_COMMAND]);
    const text = policy.spec.validations.map((v) => v.expression).join('\n');
    const pod = probePod({ node: 'n1', namespace: settings['NODE_PROBE_NAMESPACE'] ?? '', image: settings['NODE_PROBE_IMAGE'] ?? '', deadlineSeconds: 60, jobId: '7' });
    const c = pod.spec?.containers[0];
    expect(text).toContain(`capabilities.add == [${PROBE_CAPABILITIES.map((x) => `'${x}'`).join(', ')}]`);
    expect(c?.securityContext?.capabilities?.add).toEqual([...PROBE_CAPABILITIES]);
    expect(text).toContain("capabilities.drop == ['ALL']");
    expect(text).toContain('variables.c.image == params.data.NODE_PROBE_IMAGE');
    const paths = (pod.spec?.volumes ?? []).map((v) => v.hostPath?.path);
    expect(text).toContain(`v.hostPath.path in [${paths.map((p) => `'${p ?? ''}'`).join(', ')}]`);
    expect(pod.spec?.activeDeadlineSeconds).toBeLessThanOrEqual(600);
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    for (const label of ['app.kubernetes.io/managed-by', 'app.kubernetes.io/component', 'cilium-runbook/probe-for']) {
      expect(text).toContain(`'${label}'`);
      expect(pod.metadata?.labels?.[label]).toBeDefined();
    }
  });
});
