// The agent-exec admission policy as rendered: it matches CONNECT pods/exec of the bot's service account only,
// fails closed, denies, and its expressions are the reviewed ones. The emulator runs no admission and the project
// has no CEL evaluator, so the expressions are pinned here; that the bot's real exec requests are exactly the
// allowed argv list is proven by rbac-least-privilege.test.ts (the exec overlay's runs).
import { beforeAll, describe, expect, it } from 'vitest';
import { BindingShape } from './k8s-schemas.ts';
import { allowedArgv, execPolicy, POLICY_NAME, type Policy } from './exec-policy.ts';
import { BOT_USER, kustomize, type RenderedObject } from './render.ts';

describe('deploy/components/agent-exec: the ValidatingAdmissionPolicy on the bot\'s exec', () => {
  let objects: RenderedObject[] = [];
  let policy: Policy | undefined;
  beforeAll(async () => {
    objects = await kustomize('deploy/overlays/read-only-exec');
    policy = execPolicy(objects);
  });
  const spec = (): Policy['spec'] => {
    if (policy === undefined) throw new Error(`no ValidatingAdmissionPolicy ${POLICY_NAME} in deploy/overlays/read-only-exec`);
    return policy.spec;
  };

  it('matches only CONNECT on pods/exec, only for the service account the RBAC binds, and fails closed', () => {
    expect(spec().matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['pods/exec'] }]);
    expect(spec().failurePolicy).toBe('Fail');
    expect(spec().matchConditions.map((m) => m.expression)).toEqual([`request.userInfo.username == '${BOT_USER}'`]);
    const execBinding = BindingShape.parse(objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'cilium-runbook-agent-exec'));
    const [subject] = execBinding.subjects;
    expect(`system:serviceaccount:${subject?.namespace ?? ''}:${subject?.name ?? ''}`).toBe(BOT_USER);
  });

  it('is bound cluster-wide with Deny, not merely Warn or Audit', () => {
    const bindings = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(bindings.map((b) => b['spec'])).toEqual([{ policyName: POLICY_NAME, validationActions: ['Deny'] }]);
  });

  it('allows container cilium-agent only, no stdin or TTY, and an argv equal to one listed entry', () => {
    expect(spec().validations.map((v) => v.expression)).toEqual([
      "has(object.container) && object.container == 'cilium-agent'",
      '(!has(object.stdin) || !object.stdin) && (!has(object.tty) || !object.tty)',
      'has(object.command) && variables.allowedArgv.exists(argv, argv == object.command)',
    ]);
    for (const v of spec().validations) expect(v.message).toMatch(/^the cilium-runbook bot may/);
  });

  it('lists the argv in one variable, whole commands only: no bare shell, no nsenter, no interpreter without its script', () => {
    const argv = allowedArgv(policy ?? { spec: spec() });
    expect(argv.length).toBeGreaterThan(0);
    for (const a of argv) {
      expect(a[0], JSON.stringify(a)).not.toMatch(/^(nsenter|chroot|bash|python\d*|perl)$/);
      // A shell is only allowed with -c and one fixed script.
      if (a[0] === 'sh') expect(a.length === 3 && a[1] === '-c').toBe(true);
    }
    expect(new Set(argv.map((a) => JSON.stringify(a))).size).toBe(argv.length);
  });

  it('is absent from the default overlays: read-only and remediation grant no exec and carry no policy', async () => {
    for (const overlay of ['read-only', 'remediation']) {
      const rendered = await kustomize(`deploy/overlays/${overlay}`);
      expect(execPolicy(rendered), overlay).toBeUndefined();
      expect(JSON.stringify(rendered.filter((o) => o.apiVersion.startsWith('rbac.'))), overlay).not.toContain('pods/exec');
    }
  });
});
