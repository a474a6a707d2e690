// `cilium-runbook analyze <file|->`: what the input is and how it is analysed. A JSON (or YAML) evidence document goes
// through evidenceFromDocument as before; anything else is pasted text (logs, `cilium-dbg status`, `hubble observe`,
// iptables-save, kubectl describe/get, events, dmesg, network policies, agent JSON — mixed) for analyzePastedText.
// Binary input and pasted text over MAX_PASTED_BYTES are refused with the reason. The CLI only wires this to argv,
// files and stdout.
import { parse as parseYaml } from 'yaml';
import { analyze } from '../runbooks/engine/analyze.ts';
import type { Report } from '../runbooks/engine/contract.ts';
import { evidenceFromDocument, renderFindingsJson } from '../runbooks/engine/offline-evidence.ts';
import { analyzePastedText, type RecognisedPart, type StatedFacts } from '../runbooks/engine/pasted/analyze-pasted.ts';
import { isPastedStructure } from '../runbooks/engine/pasted/structured-blocks.ts';

/** Pasted text is bounded (a JSON evidence document may be larger: the CLI bounds those on its own). */
export const MAX_PASTED_BYTES = 8 * 1024 * 1024;
/** More replacement characters than this share of the text (after UTF-8 decoding) means it is not text. */
const MAX_INVALID_UTF8_RATIO = 0.01;

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export type AnalyzeInput = { kind: 'document'; document: unknown } | { kind: 'pasted'; text: string };

/** Keys of the minimal offline document (offline-evidence.ts): a YAML mapping with one of them is a document. */
const DOCUMENT_KEYS = ['schemaVersion', 'node', 'cilium', 'kubeProxy', 'agent'];

/** Decides what `bytes` is; `name` is the file (or "standard input") for messages. Throws InputError. */
export function classifyInput(bytes: Buffer, name: string): AnalyzeInput {
  if (bytes.includes(0)) throw new InputError(`${name} is not JSON and not text: it holds NUL bytes (a binary file?). Pass an evidence document or the pasted output as text.`);
  const decoded = bytes.toString('utf8');
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    // Agent output in JSON (`cilium-dbg status -o json`, a policy, `hubble observe -o json` one flow a line) is pasted
    // text for the recogniser; any other JSON is an evidence document.
    try {
      const doc: unknown = JSON.parse(text);
      return isPastedStructure(doc) ? { kind: 'pasted', text } : { kind: 'document', document: doc };
    } catch (e) {
      if (!isPastedStructure(firstLineJson(trimmed))) throw new InputError(`${name} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let invalid = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) invalid++;
  if (text.length > 0 && invalid / text.length > MAX_INVALID_UTF8_RATIO) {
    throw new InputError(`${name} is not JSON and not UTF-8 text (${invalid} of ${text.length} characters are invalid UTF-8): pass the output as text.`);
  }
  if (bytes.length > MAX_PASTED_BYTES) {
    throw new InputError(`${name} is ${bytes.length} bytes of text; pasted text over ${MAX_PASTED_BYTES} bytes (8 MiB) is refused: keep the parts that matter (the agent log's last 2,000 lines, the status, the events).`);
  }
  const yaml = yamlDocument(text);
  return yaml === null ? { kind: 'pasted', text } : { kind: 'document', document: yaml };
}

/** The first line parsed as JSON (JSON lines such as `hubble observe -o json`), or undefined. */
function firstLineJson(text: string): unknown {
  try {
    return JSON.parse(text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')));
  } catch {
    return undefined;
  }
}

/** A YAML mapping that looks like an evidence document, else null (kubectl describe output parses as YAML too). */
function yamlDocument(text: string): unknown {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100 });
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isPastedStructure(value)) return null;
  return DOCUMENT_KEYS.some((k) => k in value) ? value : null;
}

/** `--config key=value` flags → the config map. Throws InputError naming the bad flag. */
export function parseConfigFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new InputError(`--config "${f}" is not key=value (e.g. --config kube-proxy-replacement=true)`);
    out[f.slice(0, eq).trim()] = f.slice(eq + 1).trim();
  }
  return out;
}

export interface AnalyzeOutcome {
  report: Report;
  /** What was recognised in pasted text; null for an evidence document. */
  parts: RecognisedPart[] | null;
}

/** Runs the analysis. Stated facts apply to pasted text; a document states its own (refused beside one). */
export function analyzeInput(input: AnalyzeInput, facts: StatedFacts): AnalyzeOutcome {
  if (input.kind === 'document') {
    const stated = Object.keys(facts).filter((k) => facts[k as keyof StatedFacts] !== undefined);
    if (stated.length > 0) throw new InputError(`--cilium-version, --kernel and --config apply to pasted text; put them in the evidence document instead`);
    return { report: analyze(evidenceFromDocument(input.document)), parts: null };
  }
  return analyzePastedText(input.text, facts);
}

/** "recognised: agent log (212 lines), cilium-dbg status, dmesg (3 lines)". */
export function recognisedLine(parts: readonly RecognisedPart[]): string {
  if (parts.length === 0) {
    return 'recognised: nothing (understood: Cilium agent/operator logs, cilium-dbg status [-o json], cilium status, cilium-dbg endpoint list, hubble observe [-o json], iptables-save, kubectl describe pod/node, kubectl get events/pods, network policies (YAML/JSON), dmesg/journalctl -k)';
  }
  if (parts.length <= MAX_LISTED_PARTS) return `recognised: ${parts.map((p) => p.label).join(', ')}`;
  // Many interleaved parts: one entry per kind, with its parts and lines summed.
  const byKind = new Map<string, { name: string; parts: number; lines: number }>();
  for (const p of parts) {
    const k = byKind.get(p.kind) ?? { name: p.label.replace(/ \(\d+ lines?\)$/, ''), parts: 0, lines: 0 };
    k.parts++;
    k.lines += p.lines;
    byKind.set(p.kind, k);
  }
  return `recognised: ${[...byKind.values()].map((k) => `${k.name} (${k.lines} lines in ${k.parts} parts)`).join(', ')}`;
}

/** More parts than this are summed per kind in the human line. */
const MAX_LISTED_PARTS = 12;

/** `--json`: the findings document (`{"findings": […]}`), plus `recognised` (the parts) for pasted text. */
export function renderAnalyzeJson(outcome: AnalyzeOutcome): string {
  if (outcome.parts === null) return renderFindingsJson(outcome.report);
  const findings = JSON.parse(renderFindingsJson(outcome.report)) as Record<string, unknown>;
  return JSON.stringify({ ...findings, recognised: outcome.parts });
}
