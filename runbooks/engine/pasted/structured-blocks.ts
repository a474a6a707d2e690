// JSON and YAML inside a paste: `cilium-dbg status -o json`, `hubble observe -o json|jsonpb` (one flow a line, or
// pretty-printed by jq), and network policies as YAML or JSON (single objects, `---`-separated documents,
// `kubectl get cnp -o yaml|json` Lists). A block is found by its first line (`{`, `[`, `apiVersion:`, `kind:`, `---`),
// extended while its lines still belong to it, dedented (chat and markdown indent whole blocks) and parsed; only a
// value of a known shape becomes a part. Anything else, malformed YAML or JSON included, is not a block: its lines go
// on to the line-by-line recognisers, never an error. Each start line is tried once and a failed block's lines are
// not retried, so the scan stays linear.
import { parseAllDocuments } from 'yaml';
import { isHubbleJsonFlow } from './hubble-json.ts';
import { isPolicyObject, policiesFromObjects, policyObjects, type PastedPolicies } from './policy-docs.ts';
import { isStatusResponse } from './status-json.ts';
import { policiesFromFragment, pythonLiteralToJson } from './policy-fragments.ts';
import { manifestPods } from './manifest-pods.ts';
import { policiesFromRepository } from './policy-get.ts';

export type StructuredKind = 'policies' | 'agent-status-json' | 'hubble-json';

export interface StructuredBlock {
  kind: StructuredKind;
  /** Index after the block's last line. */
  end: number;
  /** policies: PastedPolicies; agent-status-json: the StatusResponse object; hubble-json: the flow values. */
  value: PastedPolicies | Record<string, unknown> | unknown[];
}

/** Bounds on one block, so a stray `{` cannot make the scan read the rest of an 8 MiB paste as one value. */
const MAX_BLOCK_LINES = 20_000;
const MAX_BLOCK_CHARS = 2 * 1024 * 1024;
const JSON_START = /^\s*[[{]/;
const YAML_START = /^(\s*)(?:---\s*$|apiVersion:\s*\S|kind:\s*\S|(?:spec|egress|ingress|egressDeny|ingressDeny):\s*$)/;
/** A policy fragment's first line (`spec:`, `egress:` …) and a line naming a rule key: fragments are parsed only then. */
const FRAGMENT_START = /^\s*(?:spec|egress|ingress|egressDeny|ingressDeny):\s*$/;
const RULE_KEY_LINE = /^[\s-]*(?:to|from)(?:Endpoints|Entities|CIDR|CIDRSet|Services|FQDNs|Ports|Nodes|Groups):/;
/** A YAML line naming a policy kind: `kind: CiliumNetworkPolicy`, `- kind: NetworkPolicy` (List items). */
const POLICY_KIND_LINE = /^[\s-]*kind:\s*["']?(?:CiliumNetworkPolicy|CiliumClusterwideNetworkPolicy|NetworkPolicy)["']?\s*$/;
/** A one-line JSON object worth parsing: it names a key one of the shapes has (agent JSON logs have none). */
const JSON_LINE_HINT = /"(?:flow|verdict|kind|apiVersion|items|kube-proxy-replacement|controllers|kvstore|ipam)"\s*:/;

export class StructuredScanner {
  private readonly lines: readonly string[];
  private readonly memo = new Map<number, StructuredBlock | null>();
  /** Lines (triedFrom, triedUntil] were read by a block attempt that failed: no new attempt starts inside them. */
  private triedFrom = -1;
  private triedUntil = -1;

  constructor(lines: readonly string[]) {
    this.lines = lines;
  }

  at(i: number): StructuredBlock | null {
    const line = this.lines[i] ?? '';
    if (!JSON_START.test(line) && !YAML_START.test(line)) return null;
    const cached = this.memo.get(i);
    if (cached !== undefined) return cached;
    const block = i > this.triedFrom && i <= this.triedUntil ? null : this.scan(i);
    this.memo.set(i, block);
    return block;
  }

  private scan(i: number): StructuredBlock | null {
    const line = this.lines[i] ?? '';
    if (JSON_START.test(line)) return this.json(i);
    const yaml = YAML_START.exec(line);
    return yaml === null ? null : this.yaml(i, yaml[1]?.length ?? 0);
  }

  private json(i: number): StructuredBlock | null {
    const first = jsonValueAt(this.lines, i);
    if (first.value === undefined) {
      this.tried(i, first.end);
      return null;
    }
    if (isHubbleJsonFlow(first.value)) {
      // Consecutive flows (one a line, or pretty-printed one after another) make one part.
      const flows: unknown[] = [first.value];
      let end = first.end;
      for (;;) {
        let next = end;
        while (next < this.lines.length && (this.lines[next] ?? '').trim() === '') next++;
        const more = next < this.lines.length && JSON_START.test(this.lines[next] ?? '') ? jsonValueAt(this.lines, next) : null;
        if (more?.value === undefined || !isHubbleJsonFlow(more.value)) break;
        flows.push(more.value);
        end = more.end;
      }
      return { kind: 'hubble-json', end, value: flows };
    }
    if (isStatusResponse(first.value)) return { kind: 'agent-status-json', end: first.end, value: first.value as Record<string, unknown> };
    const policies = policiesFromObjects(policyObjects([first.value]));
    if (policies.cnp.length + policies.ccnp.length > 0) return { kind: 'policies', end: first.end, value: policies };
    const fragment = policiesFromRepository(first.value) ?? policiesFromFragment(first.value);
    if (fragment !== null) return { kind: 'policies', end: first.end, value: fragment };
    this.tried(i, first.end);
    return null;
  }

  private tried(from: number, end: number): void {
    if (end - from <= 1) return;
    this.triedFrom = from;
    this.triedUntil = end - 1;
  }

  private yaml(i: number, base: number): StructuredBlock | null {
    let end = i + 1;
    let chars = 0;
    while (end < this.lines.length && end - i < MAX_BLOCK_LINES && chars < MAX_BLOCK_CHARS) {
      const l = this.lines[end] ?? '';
      chars += l.length + 1;
      if (l.trim() === '') { end++; continue; }
      const indent = /^\s*/.exec(l)?.[0].length ?? 0;
      if (indent > base || (indent === base && /^\s*(?:[\w.-]+:(?:\s|$)|- |-$|---|#|\.\.\.)/.test(l))) { end++; continue; }
      break;
    }
    while (end > i + 1 && (this.lines[end - 1] ?? '').trim() === '') end--;
    // Parsing YAML is costly: only a block that names a policy kind (or a List of them) is parsed.
    const block = this.lines.slice(i, end);
    // An unrendered Helm template (`{{ .Values.… }}`) is not what the cluster runs: its fragments are left out.
    const fragment = FRAGMENT_START.test(block[0] ?? '') && block.some((l) => RULE_KEY_LINE.test(l)) && !block.some((l) => l.includes('{{'));
    if (!fragment && !block.some((l) => POLICY_KIND_LINE.test(l))) {
      this.tried(i, end);
      return null;
    }
    const docs = yamlDocuments(block, base);
    const objects = policyObjects(docs);
    const partial = fragment && docs.length === 1 ? policiesFromFragment(docs[0]) : null;
    if (partial !== null) return { kind: 'policies', end, value: partial };
    if (objects.length === 0) {
      this.tried(i, end);
      return null;
    }
    const policies = policiesFromObjects(objects);
    const namespaces = new Set([...policies.cnp].map((p) => p.namespace).filter((n) => n !== undefined));
    const pods = manifestPods(docs, namespaces.size === 1 ? [...namespaces][0] : undefined);
    return { kind: 'policies', end, value: pods.length > 0 ? { ...policies, pods } : policies };
  }
}

/**
 * The JSON value starting at line i (brackets balanced outside strings) and the index after it; `value` is undefined
 * when there is none (then `end` is how far the attempt read).
 */
function jsonValueAt(lines: readonly string[], i: number): { value?: unknown; end: number } {
  const firstLine = lines[i] ?? '';
  const none = (end: number) => ({ end });
  const oneLine = /^\s*\{.*\}\s*$/.test(firstLine);
  if (oneLine && !JSON_LINE_HINT.test(firstLine)) return none(i + 1);
  let depth = 0;
  let inString = false;
  let escaped = false;
  let chars = 0;
  for (let j = i; j < lines.length && j - i < MAX_BLOCK_LINES && chars < MAX_BLOCK_CHARS; j++) {
    const l = lines[j] ?? '';
    chars += l.length + 1;
    for (let k = 0; k < l.length; k++) {
      const c = l[k];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          // The value ends on this line; anything after it on the line (a prompt, a note) makes it not a clean block.
          if (l.slice(k + 1).trim() !== '') return none(j + 1);
          const text = lines.slice(i, j + 1).join('\n');
          try {
            return { value: JSON.parse(text) as unknown, end: j + 1 };
          } catch {
            // A rule list printed in Python's literal syntax (policy-fragments.ts) is read as the JSON it stands for.
            const py = pythonLiteralToJson(text);
            if (py === null) return none(j + 1);
            try {
              return { value: JSON.parse(py) as unknown, end: j + 1 };
            } catch {
              return none(j + 1);
            }
          }
        }
      }
    }
    if (depth <= 0) return none(j + 1);
  }
  return none(Math.min(lines.length, i + MAX_BLOCK_LINES));
}

/** Parsed YAML documents of the block, dedented by its first line's indent; malformed documents are skipped. */
function yamlDocuments(block: readonly string[], base: number): unknown[] {
  const text = block.map((l) => (l.slice(0, base).trim() === '' ? l.slice(base) : l.trimStart())).join('\n');
  try {
    return parseAllDocuments(text, { logLevel: 'silent' })
      .flatMap((d) => ('errors' in d && d.errors.length === 0 ? [d.toJS({ maxAliasCount: 100 }) as unknown] : []));
  } catch {
    return [];
  }
}

/** Whether a whole pasted text that parsed as JSON is something the recogniser reads (not an evidence document). */
export function isPastedStructure(value: unknown): boolean {
  return isHubbleJsonFlow(value) || isStatusResponse(value) || isPolicyObject(value) || policyObjects([value]).length > 0;
}
