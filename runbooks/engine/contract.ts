// The Runbook contract and what it produces (Finding, Report). Findings and reports are zod schemas too, because
// they cross process boundaries (job results in Redis, `--json` output) and are parsed back there.
import { z } from 'zod';
import type { Evidence, FactKey } from './evidence.ts';
import { UnavailableReasonSchema } from './evidence.ts';

export const REPORT_SCHEMA_VERSION = 1;

export const SeveritySchema = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

export const EvidenceQuoteSchema = z.object({
  kind: z.enum(['log', 'fact', 'comparison']),
  text: z.string(),
  /** Where it was read, e.g. "cilium-agent previous container, line 42". */
  source: z.string(),
  lineNumber: z.number().int().positive().optional(),
});
export type EvidenceQuote = z.infer<typeof EvidenceQuoteSchema>;

const PodRef = z.object({ namespace: z.string(), name: z.string() });

export const BlastRadiusSchema = z.object({
  node: z.string(),
  pods: z.object({
    known: z.boolean(),
    total: z.number().int().nonnegative(),
    byPhase: z.record(z.string(), z.number().int()),
    byNamespace: z.record(z.string(), z.number().int()),
    /** Pods waiting in ContainerCreating (no CNI) or similar sandbox states. */
    stuck: z.number().int().nonnegative(),
    stuckPods: z.array(PodRef.extend({ reason: z.string() })),
    hostNetwork: z.number().int().nonnegative(),
  }),
  /** StatefulSet members on this node: losing the node risks their quorum. */
  statefulSetMembers: z.array(PodRef.extend({ statefulSet: z.string() })),
  services: z.object({
    known: z.boolean(),
    /** Services whose every endpoint is on this node. */
    onlyHere: z.array(PodRef),
    /** Services with some endpoints here and some elsewhere. */
    partlyHere: z.number().int().nonnegative(),
  }),
  peers: z.object({
    known: z.boolean(),
    /** Other nodes that will fail the same way (the runbook's predicate), by name. */
    affected: z.array(z.string()),
    reason: z.string().nullable(),
    sameKernel: z.number().int().nonnegative(),
    samePool: z.number().int().nonnegative(),
    sameOsImage: z.number().int().nonnegative(),
  }),
  /** With KPR on, Service VIPs on this node die with the agent. Null = unknown. */
  kubeProxyReplacement: z.boolean().nullable(),
  /** Hubble off means no flow visibility during the incident. Null = unknown. */
  hubbleEnabled: z.boolean().nullable(),
  /** The same, as sentences a human reads first. */
  sentences: z.array(z.string()),
});
export type BlastRadius = z.infer<typeof BlastRadiusSchema>;

export const FixStepSchema = z.object({
  title: z.string(),
  detail: z.string(),
  commands: z.array(z.string()).optional(),
  /** A Helm values snippet (YAML) covering only what needs to change. */
  helmValues: z.string().optional(),
});
export type FixStep = z.infer<typeof FixStepSchema>;

export const RemediationActionSchema = z.enum([
  'restart-agent',
  'cordon-node',
  'uncordon-node',
  'label-node',
  'disable-feature',
  'remove-kube-proxy',
  'pin-agent-affinity',
]);
export type RemediationAction = z.infer<typeof RemediationActionSchema>;

export const RemediationProposalSchema = z.object({
  action: RemediationActionSchema,
  params: z.record(z.string(), z.string()),
  risk: z.enum(['low', 'medium', 'high']),
  reason: z.string(),
});
export type RemediationProposal = z.infer<typeof RemediationProposalSchema>;

export const DocLinkSchema = z.object({ title: z.string(), url: z.string() });
export type DocLink = z.infer<typeof DocLinkSchema>;

/**
 * How sure a finding is. `certain`: the evidence proves it (an agent or kernel line that names the cause, or exact
 * numbers compared with a known floor). `high`: read directly, but one step is interpreted (a line whose cause has more
 * than one reading, cluster state read as-is). `medium`: inferred from a number that is not exact or only stated (a
 * vendor kernel without its patch level, a version from a pasted report, an advisory table), or a line that proves
 * something happened but not that it still holds (a fatal line read without the pod's state). `low`: a guess worth
 * checking, with neither a line nor an exact number behind it.
 */
export const ConfidenceSchema = z.enum(['certain', 'high', 'medium', 'low']);
export type Confidence = z.infer<typeof ConfidenceSchema>;

/**
 * What a finding rests on. `explicit`: a quoted agent, init-container or kernel line that names the cause.
 * `observed`: cluster state read directly (pod status, CiliumNode, DaemonSets, policies, CRDs). `inferred`: version or
 * kernel arithmetic, the advisory tables, or configuration read as implying a failure no line confirms.
 * analyze() ranks explicit findings above inferred ones that are not certain (precedence.ts).
 */
export const FindingBasisSchema = z.enum(['explicit', 'observed', 'inferred']);
export type FindingBasis = z.infer<typeof FindingBasisSchema>;

export const FindingSchema = z.object({
  runbookId: z.string(),
  title: z.string(),
  severity: SeveritySchema,
  /** One sentence: what broke and why. */
  summary: z.string(),
  evidence: z.array(EvidenceQuoteSchema),
  blastRadius: BlastRadiusSchema,
  fixSteps: z.array(FixStepSchema),
  docs: z.array(DocLinkSchema),
  proposals: z.array(RemediationProposalSchema),
  confidence: ConfidenceSchema,
  basis: FindingBasisSchema,
  /** This finding is a cause of the agent's crash: the generic agent-crashloop fallback is then redundant. */
  explainsAgentCrash: z.boolean(),
  /** Runbook ids whose findings this one explains and quotes (root cause over symptom); analyze() drops them. */
  supersedes: z.array(z.string()).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** Which Cilium versions a runbook applies to (a semver range, e.g. ">=1.14"); absent = all. */
export interface AppliesTo {
  cilium?: string;
}

export interface Runbook {
  /** Stable id; reports, tests and users key on it. */
  id: string;
  title: string;
  /** The worst severity this runbook reports; each finding carries its own. */
  severity: Severity;
  /** Order among findings of equal severity: lower = closer to the root cause (kernel before maps before crash). */
  rank: number;
  /** Facts the runbook reads; when one is unavailable and nothing matched, the report says "unknown", not healthy. */
  needs: readonly FactKey[] | ((e: Evidence) => readonly FactKey[]);
  appliesTo?: AppliesTo;
  match(e: Evidence): Finding | null;
}

export const UnavailableFactSchema = z.object({
  fact: z.string(),
  reason: UnavailableReasonSchema,
  detail: z.string(),
  fix: z.string().optional(),
});
export type UnavailableFact = z.infer<typeof UnavailableFactSchema>;

export const InconclusiveSchema = z.object({
  runbookId: z.string(),
  title: z.string(),
  missing: z.array(z.string()),
});
export type Inconclusive = z.infer<typeof InconclusiveSchema>;

export const ReportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  cluster: z.string(),
  node: z.string(),
  collectedAt: z.string(),
  ciliumVersion: z.string().nullable(),
  /** Most severe first, then root causes before symptoms. */
  findings: z.array(FindingSchema),
  /** Facts that could not be read, with why and how to fix access. */
  unavailable: z.array(UnavailableFactSchema),
  /** Runbooks that matched nothing but could not read everything they need: unknown, not healthy. */
  inconclusive: z.array(InconclusiveSchema),
  /** Set only when there is no finding: what was checked and found healthy. */
  healthySummary: z.string().nullable(),
  /** Runbooks that ran (ids), for transparency. */
  checked: z.array(z.string()),
  /** Facts read by the node probe pod instead of through the agent; absent when none were. */
  readByProbe: z.array(z.string()).optional(),
});
export type Report = z.infer<typeof ReportSchema>;
