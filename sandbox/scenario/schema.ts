// The scenario file format: the state a Kubernetes API emulator starts from (objects, container logs, exec results,
// users). One YAML document per file under sandbox/scenarios/. Unknown keys are errors, so typos fail loudly.
import { z } from 'zod';

/** Any Kubernetes object as the API would return it; `apiVersion`, `kind` and `metadata.name` are required. */
export const KubeObjectSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z
      .object({
        name: z.string().min(1),
        namespace: z.string().min(1).optional(),
        labels: z.record(z.string(), z.string()).optional(),
        annotations: z.record(z.string(), z.string()).optional(),
      })
      .passthrough(),
  })
  .passthrough();
export type KubeObject = z.infer<typeof KubeObjectSchema>;

/** Container logs: `current` is what `kubectl logs` prints, `previous` what `kubectl logs --previous` prints. */
export const ContainerLogSchema = z
  .object({
    namespace: z.string().min(1),
    pod: z.string().min(1),
    container: z.string().min(1),
    current: z.string().optional(),
    previous: z.string().optional(),
  })
  .strict();
export type ContainerLog = z.infer<typeof ContainerLogSchema>;

/**
 * An exec result. `command` matches the argv joined by single spaces exactly; `commandPattern` is a JavaScript
 * regular expression tested against the same joined string. Exactly one of the two is given.
 */
export const ExecResultSchema = z
  .object({
    namespace: z.string().min(1),
    pod: z.string().min(1),
    container: z.string().min(1),
    command: z.string().min(1).optional(),
    commandPattern: z.string().min(1).optional(),
    stdout: z.string().default(''),
    stderr: z.string().default(''),
    exitCode: z.number().int().min(0).max(255).default(0),
  })
  .strict()
  .refine((e) => (e.command === undefined) !== (e.commandPattern === undefined), {
    message: 'give exactly one of command or commandPattern',
  });
export type ExecResult = z.infer<typeof ExecResultSchema>;

/** A bearer token and the subject it authenticates as (RBAC then applies to that subject). */
export const ScenarioUserSchema = z
  .object({
    token: z.string().min(8),
    username: z.string().min(1),
    groups: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type ScenarioUser = z.infer<typeof ScenarioUserSchema>;

/**
 * A block repeated `count` times, with `{{i}}` (from `from`, default 1) and `{{i2}}` (zero-padded to 2 digits)
 * substituted in every string. Lets a scenario describe "12 nodes in pool workers-a" without 12 copies.
 */
export const RepeatBlockSchema = z
  .object({
    count: z.number().int().min(1).max(100_000),
    from: z.number().int().default(1),
    objects: z.array(KubeObjectSchema).default([]),
    logs: z.array(ContainerLogSchema).default([]),
    exec: z.array(ExecResultSchema).default([]),
  })
  .strict();
export type RepeatBlock = z.infer<typeof RepeatBlockSchema>;

/**
 * What a diagnosis of this scenario must find: `node` is the node the story is about (the demo and the
 * tests diagnose it), `findings` the runbook ids the bot must report first on it, most important first; empty for
 * a healthy node. Tests and the demo read it instead of guessing the broken node from pod states.
 */
export const ScenarioExpectSchema = z
  .object({
    node: z.string().min(1),
    findings: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a runbook id: lower-case letters, digits and dashes')).default([]),
    /** Nodes a diagnosis must find nothing wrong with (e.g. a Debian node whose kernel name looks older than it is). */
    healthyNodes: z.array(z.string().min(1)).optional(),
    /**
     * What the diagnosis leads with when the sandbox also serves the scenario's `hubbleFlows` from its Relay emulator
     * (the demo does); `findings` stays what the objects, logs and a sysdump alone show.
     */
    hubbleFindings: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a runbook id: lower-case letters, digits and dashes')).optional(),
  })
  .strict();
export type ScenarioExpect = z.infer<typeof ScenarioExpectSchema>;

/**
 * What a node itself would show a process on it (the node probe pod): anything not given is computed from the
 * Node object (kernel release → /proc/version and a kernel config) and the pods on it (kube-proxy → its NAT rules).
 */
export const NodeDataSchema = z
  .object({
    node: z.string().min(1),
    /** The whole /proc/version line. */
    procVersion: z.string().min(1).optional(),
    /** Ubuntu's /proc/version_signature. */
    versionSignature: z.string().min(1).optional(),
    /** Kernel config text; `null` = neither /proc/config.gz nor /boot/config-* exists. */
    kernelConfig: z.string().nullable().optional(),
    /** Kernel log lines (dmesg), verbatim, oldest first. */
    kernelLog: z.array(z.string()).optional(),
    /** `iptables-legacy-save -t nat` / `iptables-nft-save -t nat` output. */
    iptablesLegacy: z.string().optional(),
    iptablesNft: z.string().optional(),
    /** Loaded module names (/proc/modules). */
    modules: z.array(z.string()).optional(),
    /** The memlock row a container starts with: [soft, hard]. */
    memlock: z.tuple([z.string(), z.string()]).optional(),
    /** The probe's container never finishes (it is stopped at activeDeadlineSeconds). */
    probeHangs: z.boolean().optional(),
  })
  .strict();
export type NodeData = z.infer<typeof NodeDataSchema>;

export const ScenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    objects: z.array(KubeObjectSchema).default([]),
    logs: z.array(ContainerLogSchema).default([]),
    exec: z.array(ExecResultSchema).default([]),
    users: z.array(ScenarioUserSchema).default([]),
    repeat: z.array(RepeatBlockSchema).default([]),
    expect: ScenarioExpectSchema.optional(),
    nodeData: z.array(NodeDataSchema).default([]),
    /** Hubble flows the sandbox's Relay emulator serves with this scenario (a file under sandbox/scenarios/). */
    hubbleFlows: z.string().regex(/^hubble\/[a-z0-9][a-z0-9-]*\.json$/, 'a flows file under sandbox/scenarios/, e.g. hubble/egress-no-dns.json').optional(),
  })
  .strict();
export type ScenarioFile = z.infer<typeof ScenarioSchema>;

/** A scenario after `repeat` blocks are expanded: what the emulator loads. */
export interface Scenario {
  name: string;
  description: string;
  /** The file it came from, or undefined when built in code. */
  source?: string;
  objects: KubeObject[];
  logs: ContainerLog[];
  exec: ExecResult[];
  users: ScenarioUser[];
  /** The broken node and the findings a diagnosis of it must lead with; absent in hand-made test scenarios. */
  expect?: ScenarioExpect;
  /** Node-level data (what the node probe reads); absent = computed from the Node objects. */
  nodeData?: NodeData[];
  /** Hubble flows for the Relay emulator, relative to sandbox/scenarios/; absent = the sandbox runs no Relay. */
  hubbleFlows?: string;
}
