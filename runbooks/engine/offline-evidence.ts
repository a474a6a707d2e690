// Offline analysis: evidenceFromDocument accepts a full Evidence document (it has `schemaVersion`) or the
// minimal hand-written shape `{node, cilium{version,config}, kubeProxy, agent{logs,previousLogs}}`, every field
// optional. Missing means unknown, never invented: absent facts stay "not collected", a node with only a kernel is a
// partial node (NodeInfo's other fields are optional), and kube-proxy without `daemonSetPresent` is unknown.
// renderFindingsJson is the `--json` shape the issue specifies.
import { z } from 'zod';
import type { Report } from './contract.ts';
import { EvidenceParseError, EvidenceSchema, EVIDENCE_SCHEMA_VERSION, parseEvidence, safeParseEvidence, type Evidence, type EvidenceInput, type EvidenceIssue } from './evidence.ts';
import { ciliumVersionFromImage } from './cilium-version.ts';

const ConfigValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const MinimalDocumentSchema = z.strictObject({
  cluster: z.string().optional(),
  collectedAt: z.string().optional(),
  node: z.strictObject({
    name: z.string().min(1).optional(),
    kernelVersion: z.string().optional(),
    osImage: z.string().optional(),
    architecture: z.string().optional(),
    kubeletVersion: z.string().optional(),
    containerRuntimeVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }).optional(),
  cilium: z.strictObject({
    version: z.string().regex(/^v?\d+\.\d+(\.\d+)?/, 'expected a Cilium version like "1.16.3"').optional(),
    image: z.string().optional(),
    config: z.record(z.string(), ConfigValue).optional(),
  }).optional(),
  kubeProxy: z.strictObject({
    daemonSetPresent: z.boolean().optional(),
    daemonSetName: z.string().optional(),
    mode: z.enum(['iptables', 'ipvs', 'nftables']).nullable().optional(),
    podOnNode: z.strictObject({ name: z.string(), phase: z.string(), ready: z.boolean() }).nullable().optional(),
  }).optional(),
  agent: z.strictObject({
    logs: z.string().optional(),
    previousLogs: z.string().optional(),
  }).optional(),
});
type MinimalDocument = z.infer<typeof MinimalDocumentSchema>;

const OFFLINE = 'not in the offline document';
const unknown = (what: string) => ({ ok: false as const, reason: 'unavailable' as const, detail: `${what} ${OFFLINE}` });

/** Full Evidence or the minimal document → Evidence. Throws EvidenceParseError naming each field and problem. */
export function evidenceFromDocument(json: unknown): Evidence {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new EvidenceParseError([{ path: '(root)', message: `expected a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}` }]);
  }
  // Validity is checked first with zod's abort-early `validate`; only an invalid document is parsed for its issues,
  // and then a pruned copy, so issues stay bounded. Found by fuzzing: 1,000,000 wrong-typed array items made zod
  // collect 1,000,000 issues (840 MB; the CLI reached 1.2 GB RSS).
  if ('schemaVersion' in json) {
    if (EvidenceSchema.validate(json)) return parseEvidence(json);
    const pruned = prune(json);
    const result = safeParseEvidence(pruned.value);
    if (result.ok && !pruned.cut) return parseEvidence(json);
    throw new EvidenceParseError([...prunedNote(pruned.cut), ...(result.ok ? [] : result.issues)]);
  }
  const bounded = MinimalDocumentSchema.validate(json) ? { value: json, cut: false } : prune(json);
  const parsed = MinimalDocumentSchema.safeParse(bounded.value);
  if (!parsed.success) {
    const issues: EvidenceIssue[] = parsed.error.issues.map((i) => ({
      path: i.path.length > 0 ? i.path.map(String).join('.') : '(root)',
      message: i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')} (a full Evidence document needs "schemaVersion": ${EVIDENCE_SCHEMA_VERSION})` : i.message,
    }));
    throw new EvidenceParseError([...prunedNote(bounded.cut), ...issues]);
  }
  if (bounded.cut) throw new EvidenceParseError(prunedNote(true));
  return parseEvidence(toEvidenceInput(parsed.data));
}

/** Items per array and keys per object kept when an invalid document is re-parsed for its issues; deeper = cut. */
const PRUNE_ITEMS = 1000;
const PRUNE_DEPTH = 64;

/** A copy of an invalid document small enough to list its issues: long arrays and objects cut, deep nesting cut. */
function prune(value: unknown, depth = 0): { value: unknown; cut: boolean } {
  if (value === null || typeof value !== 'object') return { value, cut: false };
  if (depth >= PRUNE_DEPTH) return { value: null, cut: true };
  let cut = false;
  if (Array.isArray(value)) {
    const out = value.slice(0, PRUNE_ITEMS).map((v: unknown) => {
      const p = prune(v, depth + 1);
      cut ||= p.cut;
      return p.value;
    });
    return { value: out, cut: cut || value.length > PRUNE_ITEMS };
  }
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, PRUNE_ITEMS)) {
    const p = prune(v, depth + 1);
    cut ||= p.cut;
    out[k] = p.value;
  }
  return { value: out, cut: cut || entries.length > PRUNE_ITEMS };
}

function prunedNote(cut: boolean): EvidenceIssue[] {
  return cut ? [{ path: '(document)', message: `only the first ${PRUNE_ITEMS} items of each array and ${PRUNE_DEPTH} levels of nesting were checked for the problems listed; fix them and run again` }] : [];
}

function toEvidenceInput(d: MinimalDocument): EvidenceInput {
  const nodeName = d.node?.name ?? 'unknown-node';
  const out: EvidenceInput = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    cluster: d.cluster ?? 'offline',
    nodeName,
    collectedAt: d.collectedAt ?? 'unknown',
  };
  if (d.node !== undefined) {
    const { name: _name, ...rest } = d.node;
    out.node = { ok: true, value: { name: nodeName, ...rest } };
  }
  if (d.cilium?.version !== undefined || d.cilium?.image !== undefined) {
    const version = d.cilium.version?.replace(/^v/, '') ?? (d.cilium.image === undefined ? null : ciliumVersionFromImage(d.cilium.image));
    // A version or image typed into the document is stated, not read: inferences from it are never certain (precedence.ts).
    const versionSource = version === null ? undefined : 'stated' as const;
    out.cilium = { ok: true, value: { version, ...(d.cilium.image === undefined ? {} : { image: d.cilium.image }), ...(versionSource === undefined ? {} : { versionSource }) } };
  } else {
    out.cilium = unknown('cilium.version');
  }
  out.ciliumConfig = d.cilium?.config === undefined ? unknown('cilium.config') : { ok: true, value: d.cilium.config };
  const kp = d.kubeProxy;
  if (kp?.daemonSetPresent !== undefined) {
    out.kubeProxy = { ok: true, value: {
      daemonSetPresent: kp.daemonSetPresent,
      ...(kp.daemonSetName === undefined ? {} : { daemonSetName: kp.daemonSetName }),
      ...(kp.mode === undefined ? {} : { mode: kp.mode }),
      ...(kp.podOnNode === undefined ? {} : { podOnNode: kp.podOnNode }),
    } };
  } else {
    out.kubeProxy = unknown('kubeProxy.daemonSetPresent');
  }
  const a = d.agent;
  if (a?.logs !== undefined || a?.previousLogs !== undefined) {
    // A missing previous log reads as "no previous container" (nothing to quote), not as a healthy agent.
    out.agentLogs = { ok: true, value: { current: chunk(a.logs ?? ''), previous: a.previousLogs === undefined ? null : chunk(a.previousLogs) } };
  } else {
    out.agentLogs = unknown('agent.logs');
  }
  return out;
}

function chunk(text: string) {
  let lines = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  if (text.length > 0 && !text.endsWith('\n')) lines++;
  return { text, truncated: false, lines };
}

/** `--json`: `{"findings":[{"runbook","severity","summary","evidence"}]}` in the report's order (most severe first). */
export function renderFindingsJson(report: Report): string {
  return JSON.stringify({
    findings: report.findings.map((f) => ({ runbook: f.runbookId, severity: f.severity, summary: f.summary, evidence: f.evidence })),
  });
}
