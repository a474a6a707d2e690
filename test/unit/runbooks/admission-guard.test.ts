// The admission guard (a ValidatingAdmissionPolicy on Nodes): the YAML parses into the two admissionregistration.k8s.io/v1
// objects, the CEL is well formed (every variable declared before use, balanced, regexes that compile), and the
// version comparison behaves on real kernel strings. The behaviour tests run `guardVerdict`, a TypeScript mirror of
// the CEL (same regexes, same order), not the API server's evaluator; the cross-check against the runbooks' own
// kernel reading (effectiveKernel) is what ties the mirror to what the rest of the bot believes.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { admissionGuardYaml, guardVariables, guardVerdict, GUARD_POLICY_NAME, kernelNumber } from '../../../runbooks/engine/admission-guard.ts';
import { compareTriples, effectiveKernel, parseKernelVersion, type KernelTriple } from '../../../runbooks/engine/kernel-version.ts';

interface Policy {
  apiVersion: string; kind: string; metadata: { name: string };
  spec: {
    failurePolicy: string;
    matchConstraints: { resourceRules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[] };
    variables: { name: string; expression: string }[];
    validations: { expression: string; messageExpression: string; reason: string }[];
  };
}
interface Binding { apiVersion: string; kind: string; spec: { policyName: string; validationActions: string[] } }

function parsed(floor: KernelTriple): { policy: Policy; binding: Binding } {
  const docs = parseAllDocuments(admissionGuardYaml({ floor, needBy: 'Cilium 1.16–1.17' }));
  if (!Array.isArray(docs)) throw new Error('not a YAML stream');
  for (const d of docs) expect(d.errors).toEqual([]);
  const [policy, binding] = docs.map((d) => d.toJS() as unknown);
  return { policy: policy as Policy, binding: binding as Binding };
}

/** Strips CEL string literals, so structure checks do not trip over regexes and messages. */
const withoutStrings = (cel: string): string => cel.replace(/'(?:[^'\\]|\\.)*'/g, "''");

describe('admissionGuardYaml', () => {
  it('a v1 ValidatingAdmissionPolicy on Node CREATE/UPDATE and a Deny binding to it', () => {
    const { policy, binding } = parsed([5, 4, 0]);
    expect(policy).toMatchObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: GUARD_POLICY_NAME } });
    expect(policy.spec.matchConstraints.resourceRules).toEqual([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['nodes'] }]);
    expect(policy.spec.failurePolicy).toBe('Ignore');
    expect(binding).toMatchObject({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', spec: { policyName: GUARD_POLICY_NAME, validationActions: ['Deny'] } });
    expect(policy.spec.validations.map((v) => v.expression)).toEqual([
      "request.operation != 'CREATE' || !variables.belowFloor || variables.labelled",
      "request.operation != 'UPDATE' || !variables.belowFloor || variables.labelled || !variables.wasLabelled",
    ]);
    expect(policy.spec.validations[0]?.messageExpression).toContain('--node-labels=cilium.io/kernel-compatible=false');
  });

  it('the CEL is well formed: variables declared before use, balanced, only the request variables, regexes that compile', () => {
    const { policy } = parsed([5, 10, 0]);
    const declared: string[] = [];
    const all = [...policy.spec.variables, ...policy.spec.validations.flatMap((v) => [{ name: '', expression: v.expression }, { name: '', expression: v.messageExpression }])];
    for (const { name, expression } of all) {
      const bare = withoutStrings(expression);
      for (const [, used] of bare.matchAll(/variables\.(\w+)/g)) expect(declared, `${name || expression} uses ${used}`).toContain(used);
      // The only roots are VAP's: object, oldObject, request, variables (plus CEL's own has/int).
      for (const [root] of bare.matchAll(/(?<![.\w])[a-zA-Z_]\w*(?=\.)/g)) expect(['object', 'oldObject', 'request', 'variables']).toContain(root);
      let depth = 0;
      for (const c of bare) { depth += c === '(' ? 1 : c === ')' ? -1 : 0; expect(depth).toBeGreaterThanOrEqual(0); }
      expect(depth).toBe(0);
      expect((expression.match(/'/g) ?? []).length % 2).toBe(0);
      for (const [, re] of expression.matchAll(/\.(?:find|matches)\('([^']*)'\)/g)) {
        expect(() => new RegExp(re ?? '')).not.toThrow();
        expect(re).not.toMatch(/\(\?[=!<]|\\\d/); // RE2 has no lookaround or backreferences
      }
      if (name !== '') declared.push(name);
    }
    expect(policy.spec.variables.find((v) => v.name === 'belowFloor')?.expression).toBe('variables.kernelNumber >= 0 && variables.kernelNumber < 5010');
    expect(guardVariables([4, 19, 57]).find((v) => v.name === 'belowFloor')?.expression).toContain(`< ${kernelNumber([4, 19, 57])}`);
  });
});

describe('guardVerdict (the CEL mirrored in TypeScript)', () => {
  const floor: KernelTriple = [5, 4, 0];
  const create = (kernelVersion: string, labels: Record<string, string> = {}) => guardVerdict(floor, { operation: 'CREATE', kernelVersion, labels });

  it('refuses a below-floor node registering without the label, admits it with the label, admits new kernels', () => {
    // Amazon Linux 2's 4.14 (the autoscaler story), Debian 10's 4.19 with its ABI number, Ubuntu's 5.4 ABI build.
    expect(create('4.14.355-275.582.amzn2.x86_64')).toBe(0);
    expect(create('4.14.355-275.582.amzn2.x86_64', { 'cilium.io/kernel-compatible': 'false' })).toBeNull();
    expect(create('4.19.0-21-amd64')).toBe(0);
    expect(create('5.4.0-1045-aws')).toBeNull();
    expect(create('6.1.115-126.197.amzn2023.x86_64')).toBeNull();
    // Numeric, not lexical: 5.10 is above 5.4 and 5.3 below it.
    expect(create('5.10.0-32-cloud-amd64')).toBeNull();
    expect(create('5.3.18-lp152.19-default')).toBe(0);
    // A node object without a kernel (created by a tool, not a kubelet) is not judged.
    expect(create('')).toBeNull();
    expect(guardVerdict(floor, { operation: 'CREATE', kernelVersion: undefined })).toBeNull();
  });

  it('counts RHEL 8 as Cilium\'s docs do (8.6 as 5.4, 8.10 as 5.10), by el8_N or by build number', () => {
    expect(create('4.18.0-553.el8_10.x86_64')).toBeNull();
    expect(create('4.18.0-372.9.1.el8.x86_64')).toBeNull(); // 8.6 GA build: no el8_N suffix
    expect(create('4.18.0-305.el8.x86_64')).toBe(0); // 8.4
    expect(guardVerdict([5, 10, 0], { operation: 'CREATE', kernelVersion: '4.18.0-372.9.1.el8.x86_64' })).toBe(0);
    // Oracle UEK is not RHEL's kernel: read as its own 5.4.
    expect(create('5.4.17-2136.311.6.1.el7uek.x86_64')).toBeNull();
  });

  it('on UPDATE refuses only taking the label off a below-floor node; cordoning and labelling stay allowed', () => {
    const off = { 'cilium.io/kernel-compatible': 'false' };
    const update = (labels: Record<string, string>, oldLabels: Record<string, string>, kernelVersion = '4.14.355-275.582.amzn2.x86_64') =>
      guardVerdict(floor, { operation: 'UPDATE', kernelVersion, labels, oldLabels });
    expect(update({}, off)).toBe(1);
    expect(update({ 'cilium.io/kernel-compatible': 'true' }, off)).toBe(1);
    expect(update(off, {})).toBeNull();
    expect(update({ 'node.kubernetes.io/exclude-from-external-load-balancers': '' }, {})).toBeNull();
    expect(update({}, off, '6.1.115-126.197.amzn2023.x86_64')).toBeNull();
  });

  it('agrees with the runbooks\' kernel reading (effectiveKernel) by major.minor on every kernel shape the tests use', () => {
    const kernels = ['4.14.355-275.582.amzn2.x86_64', '4.19.0-21-amd64', '5.4.0-1045-aws', '4.18.0-553.el8_10.x86_64', '4.18.0-372.9.1.el8.x86_64',
      '4.18.0-305.el8.x86_64', '4.18.0-80.el8.x86_64', '5.4.17-2136.311.6.1.el7uek.x86_64', '5.10.223-212.873.amzn2.x86_64', '6.8.0-1015-gcp'];
    for (const floorTriple of [[4, 19, 57], [5, 4, 0], [5, 10, 0]] as KernelTriple[]) {
      for (const k of kernels) {
        const parsedKernel = parseKernelVersion(k);
        if (parsedKernel === null) throw new Error(k);
        const [major, minor] = effectiveKernel(parsedKernel).version;
        const below = compareTriples([major, minor, 0], [floorTriple[0], floorTriple[1], 0]) < 0;
        expect(guardVerdict(floorTriple, { operation: 'CREATE', kernelVersion: k }), `${k} vs ${floorTriple.join('.')}`).toBe(below ? 0 : null);
      }
    }
  });
});
