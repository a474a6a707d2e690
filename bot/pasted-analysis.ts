// The one place the message shortcut asks for an analysis of pasted text: an evidence document (JSON or YAML: the
// full schema from `cilium-runbook collect`, or the minimal offline form), or anything the paste recogniser reads
// (runbooks/engine/pasted: agent logs in any format, cilium-dbg status [-o json], hubble observe [-o json],
// iptables-save, kubectl describe/events, dmesg, network policies, cilium-dbg endpoint list), the same as
// `cilium-runbook analyze` on a text file. Recognising is a pass over the lines; the runbooks run on the analysis
// worker thread (jobs/analysis-thread.ts), never on the event loop.
import { parse as parseYaml } from 'yaml';
import { AnalysisThread } from '../jobs/analysis-thread.ts';
import { evidenceFromDocument, type Evidence, type Report } from '../runbooks/index.ts';
import { evidenceFromSegments } from '../runbooks/engine/pasted/pasted-evidence.ts';
import { recognisedParts } from '../runbooks/engine/pasted/analyze-pasted.ts';
import { segment } from '../runbooks/engine/pasted/segment.ts';

/** A part of the text the analysis recognised, and how many lines it spans. */
export interface RecognisedPart {
  kind: string;
  lines: number;
  /** For people: "agent log (212 lines)", "cilium-dbg status". */
  label?: string;
}

export interface MessageTextAnalysis {
  report: Report;
  /** Empty when nothing in the text was recognised (the report then says nothing about it). */
  parts: RecognisedPart[];
}

/** What the analysis understands, for the reply when nothing was recognised (mrkdwn). */
export const UNDERSTOOD_INPUTS = [
  'cilium-agent, init-container and operator log lines as `kubectl logs` prints them (logfmt, slog, JSON, klog; with or without `--timestamps`)',
  '`cilium-dbg status [--verbose|-o json]` (`cilium status` inside the agent), `cilium-dbg endpoint list`, `hubble observe [-o json|jsonpb]`, `iptables-save`',
  'network policies as YAML or JSON (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, NetworkPolicy; `kubectl get cnp -o yaml` lists too)',
  '`kubectl describe pod|node`, `kubectl get events`, `dmesg` / `journalctl -k` lines (verifier, SELinux AVC, lockdown)',
  'an evidence document, JSON or YAML: what `cilium-runbook collect <node>` writes, or the minimal `{node, cilium, kubeProxy, agent}` form',
] as const;

/** Top-level keys of an evidence document, full or minimal (runbooks/engine/offline-evidence.ts). */
const DOCUMENT_KEYS = new Set(['schemaVersion', 'cluster', 'nodeName', 'collectedAt', 'node', 'cilium', 'kubeProxy', 'agent']);

let thread: AnalysisThread | undefined;

/** The process's analysis thread for pasted text (started on first use; an idle thread never holds the process). */
function analysisThread(): AnalysisThread {
  thread ??= new AnalysisThread();
  return thread;
}

function lineCount(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

/** The text as a document if it is a JSON or YAML object whose keys are all evidence keys; otherwise null. */
function evidenceDocument(text: string): Record<string, unknown> | null {
  const trimmed = text.trim();
  let doc: unknown;
  try {
    if (trimmed.startsWith('{')) doc = JSON.parse(trimmed);
    // YAML only when a line starts with an evidence key: a log never parses as YAML by accident then.
    else if (/^(schemaVersion|node|cilium|kubeProxy|agent|cluster):/m.test(trimmed)) doc = parseYaml(trimmed, { maxAliasCount: 100 });
    else return null;
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const keys = Object.keys(doc);
  return keys.length > 0 && keys.every((k) => DOCUMENT_KEYS.has(k)) ? (doc as Record<string, unknown>) : null;
}

/**
 * The report of `text` and what in it was recognised. A malformed evidence document throws EvidenceParseError,
 * whose message names each field and problem; an analysis over its time budget throws EvidenceTooLargeError.
 */
export async function analyzeMessageText(text: string): Promise<MessageTextAnalysis> {
  const doc = evidenceDocument(text);
  let evidence: Evidence;
  let parts: RecognisedPart[];
  if (doc !== null) {
    evidence = evidenceFromDocument(doc);
    parts = [{ kind: 'evidence-document', lines: lineCount(text) }];
  } else {
    const segments = segment(text);
    evidence = evidenceFromSegments(segments);
    parts = recognisedParts(segments).map((p) => ({ kind: p.kind, lines: p.lines, label: p.label }));
  }
  return { report: await analysisThread().analyze(evidence), parts };
}
