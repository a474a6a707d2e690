// The admission guard of the prevention steps: a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA in
// Kubernetes 1.30: https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/) on Node
// objects. A Pod cannot be judged at admission by the node it will land on (the scheduler binds it later), so the
// guard works on the one object that carries the kernel: the Node the kubelet registers. The kubelet's first CREATE
// already holds status.nodeInfo.kernelVersion (initialNode() ends with setNodeStatus(), kubernetes
// pkg/kubelet/kubelet_node_status.go), so a node whose kernel is below the floor is refused unless it registers with
// the `cilium.io/kernel-compatible=false` label, which the agent's node affinity honours; and that label cannot be
// taken off such a node later. CEL string functions (`find`, `split`) are Kubernetes' CEL libraries
// (https://kubernetes.io/docs/reference/using-api/cel/). Pure: returns YAML; `guardVerdict` mirrors the CEL in
// TypeScript so tests can exercise the comparison (a mirror, not the API server's evaluator).
import { Document, isScalar, visit } from 'yaml';
import { formatTriple, type KernelTriple } from './kernel-version.ts';

export const GUARD_POLICY_NAME = 'cilium-kernel-floor';
const LABEL = 'cilium.io/kernel-compatible';

/** `major * 1000 + minor`: the guard compares major.minor only (vendor ABI numbers hide the patch level). */
export const kernelNumber = (k: KernelTriple): number => k[0] * 1000 + k[1];

// RHEL 8 kernels stay at 4.18.0 while features are backported; Cilium's system requirements count 8.6+ as 5.4 and
// 8.10 as 5.10 (kernel-version.ts effectiveKernel). Without an `el8_N` suffix the build number tells the release:
// 372 is 8.6's first build, 553 is 8.10's (kernel-version.ts RHEL8_BUILDS).
const RHEL8 = '^4[.]18[.]0-[0-9]+[-.a-z0-9_]*[.]el8';
const RHEL8_BUILD_8_6 = 372;
const RHEL8_BUILD_8_10 = 553;

/** The policy's CEL variables, in evaluation order (later ones read earlier ones). */
export function guardVariables(floor: KernelTriple): { name: string; expression: string }[] {
  const hasLabel = (obj: string): string => `has(${obj}.metadata.labels) && '${LABEL}' in ${obj}.metadata.labels && ${obj}.metadata.labels['${LABEL}'] == 'false'`;
  return [
    { name: 'kernel', expression: "has(object.status) && has(object.status.nodeInfo) && has(object.status.nodeInfo.kernelVersion) ? object.status.nodeInfo.kernelVersion : ''" },
    { name: 'upstream', expression: "variables.kernel.find('^[0-9]+[.][0-9]+')" },
    { name: 'rhel8Build', expression: `variables.kernel.matches('${RHEL8}') ? int(variables.kernel.find('^4[.]18[.]0-[0-9]+').substring(7)) : -1` },
    {
      name: 'rhel8',
      expression: "variables.rhel8Build < 0 ? -1 : variables.kernel.matches('[.]el8_[0-9]+') ? int(variables.kernel.find('[.]el8_[0-9]+').substring(5)) : "
        + `variables.rhel8Build >= ${RHEL8_BUILD_8_10} ? 10 : variables.rhel8Build >= ${RHEL8_BUILD_8_6} ? 6 : 0`,
    },
    {
      name: 'kernelNumber',
      expression: "variables.rhel8 >= 10 ? 5010 : variables.rhel8 >= 6 ? 5004 : variables.rhel8 >= 0 ? 4019 : variables.upstream == '' ? -1 : "
        + "int(variables.upstream.split('.')[0]) * 1000 + int(variables.upstream.split('.')[1])",
    },
    { name: 'belowFloor', expression: `variables.kernelNumber >= 0 && variables.kernelNumber < ${kernelNumber(floor)}` },
    { name: 'labelled', expression: hasLabel('object') },
    { name: 'wasLabelled', expression: `request.operation == 'UPDATE' && ${hasLabel('oldObject')}` },
  ];
}

export interface AdmissionGuardInput {
  /** The kernel the nodes need; compared by major.minor. */
  floor: KernelTriple;
  /** "Cilium 1.16–1.17", for the messages. */
  needBy: string;
}

/** The ValidatingAdmissionPolicy and its binding, as one YAML stream ready for `kubectl apply -f -`. */
export function admissionGuardYaml(input: AdmissionGuardInput): string {
  const need = `${input.floor[0]}.${input.floor[1]}`;
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: GUARD_POLICY_NAME },
    spec: {
      // A broken expression must not stop every node from registering: the guard then lets nodes through.
      failurePolicy: 'Ignore',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['nodes'] }] },
      variables: guardVariables(input.floor),
      validations: [
        {
          expression: "request.operation != 'CREATE' || !variables.belowFloor || variables.labelled",
          messageExpression: `'kernel ' + variables.kernel + ' is below ${need}, the minimum for ${input.needBy}: register the node with --node-labels=${LABEL}=false or use a newer node image'`,
          reason: 'Forbidden',
        },
        {
          expression: "request.operation != 'UPDATE' || !variables.belowFloor || variables.labelled || !variables.wasLabelled",
          messageExpression: `'kernel ' + variables.kernel + ' is below ${need}, the minimum for ${input.needBy}: it keeps ${LABEL}=false'`,
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: GUARD_POLICY_NAME },
    // [Warn, Audit] instead of [Deny] tries the guard out: requests pass, warnings and audit annotations show what it would refuse.
    spec: { policyName: GUARD_POLICY_NAME, validationActions: ['Deny'] },
  };
  return [compactYaml(policy), compactYaml(binding)].join('---\n').trimEnd();
}

/** YAML with lists of scalars in flow style (`[CREATE, UPDATE]`): the step has to fit in one Slack section. */
function compactYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, { Seq: (_, seq) => { if (seq.items.every((i) => isScalar(i))) seq.flow = true; } });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** What the guard covers and what it does not, for the fix step (kept beside the YAML so they cannot drift apart). */
export function admissionGuardScope(floor: KernelTriple): string {
  return `Refuses registering a Node whose kernel (status.nodeInfo.kernelVersion, by major.minor; RHEL 8 as Cilium's docs count it) is below ${formatTriple(floor)} unless it carries ${LABEL}=false, and refuses removing that label from such a node. `
    + 'It does not check nodes already registered, a kernel changed by a reboot (reported through nodes/status, not matched), kernel options (the API never sees them) or pods (the node affinity below keeps the agent off). Kubernetes ≥ 1.30.';
}

export type GuardOperation = 'CREATE' | 'UPDATE';

export interface GuardRequest {
  operation: GuardOperation;
  kernelVersion: string | undefined;
  labels?: Record<string, string>;
  oldLabels?: Record<string, string>;
}

/**
 * A TypeScript mirror of the policy's CEL (same regular expressions, same order), for tests: null when admitted,
 * else the index of the validation that refuses. It mirrors; it is not the API server's CEL evaluator.
 */
export function guardVerdict(floor: KernelTriple, req: GuardRequest): number | null {
  const kernel = req.kernelVersion ?? '';
  const upstream = /^[0-9]+[.][0-9]+/.exec(kernel)?.[0] ?? '';
  const rhel8Build = new RegExp(RHEL8).test(kernel) ? Number((/^4[.]18[.]0-[0-9]+/.exec(kernel)?.[0] ?? '').slice(7)) : -1;
  const el8 = /[.]el8_[0-9]+/.exec(kernel)?.[0];
  const rhel8 = rhel8Build < 0 ? -1 : el8 !== undefined ? Number(el8.slice(5))
    : rhel8Build >= RHEL8_BUILD_8_10 ? 10 : rhel8Build >= RHEL8_BUILD_8_6 ? 6 : 0;
  const [major = '0', minor = '0'] = upstream.split('.');
  const number = rhel8 >= 10 ? 5010 : rhel8 >= 6 ? 5004 : rhel8 >= 0 ? 4019 : upstream === '' ? -1 : Number(major) * 1000 + Number(minor);
  const belowFloor = number >= 0 && number < kernelNumber(floor);
  const labelled = req.labels?.[LABEL] === 'false';
  const wasLabelled = req.operation === 'UPDATE' && req.oldLabels?.[LABEL] === 'false';
  if (!(req.operation !== 'CREATE' || !belowFloor || labelled)) return 0;
  if (!(req.operation !== 'UPDATE' || !belowFloor || labelled || !wasLabelled)) return 1;
  return null;
}
