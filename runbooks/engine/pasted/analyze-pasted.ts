// Pasted plain text → recognised parts → Evidence → Report. The entry point the CLI (`cilium-runbook analyze` on a
// non-JSON file) and Slack call: the engineer pastes whatever they have (agent logs, `cilium-dbg status`, `hubble
// observe`, `iptables-save`, `kubectl describe`, events, dmesg, network policies, `cilium-dbg status -o json`, Hubble
// JSON, `cilium-dbg endpoint list`), mixed, and gets the same analysis as a collection.
import { analyze } from '../analyze.ts';
import type { Report } from '../contract.ts';
import { evidenceFromSegments, type StatedFacts } from './pasted-evidence.ts';
import { segment, type PartKind, type Segment } from './segment.ts';
import { describePolicies, type PastedPolicies } from './policy-docs.ts';
import { parseEndpointList } from './endpoint-list.ts';

export type { PartKind } from './segment.ts';
export type { StatedFacts } from './pasted-evidence.ts';

export interface RecognisedPart {
  kind: PartKind;
  /** For people: "agent log (212 lines)", "cilium-dbg status", "dmesg (3 lines)". */
  label: string;
  /** 1-based line of the paste where it starts. */
  startLine: number;
  lines: number;
}

/** What each part kind is called for people. */
export const PART_NAMES: Record<PartKind, string> = {
  'cilium-log': 'agent log', 'log-fragment': 'log fragments', 'agent-status': 'cilium-dbg status', 'cilium-cli-status': 'cilium status (cilium-cli summary, no IPAM)',
  'hubble-flows': 'hubble observe', 'iptables-save': 'iptables-save', 'describe-pod': 'kubectl describe pod',
  'describe-node': 'kubectl describe node', events: 'events', 'get-events': 'kubectl get events', 'get-pods': 'kubectl get pods',
  'kernel-log': 'dmesg', policies: 'network policies', 'agent-status-json': 'cilium-dbg status -o json',
  'hubble-json': 'hubble observe -o json', 'endpoint-list': 'cilium-dbg endpoint list',
};

const COUNTED: ReadonlySet<PartKind> =  new Set(['cilium-log', 'log-fragment', 'hubble-flows', 'kernel-log', 'events', 'get-events', 'iptables-save']);

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a part holds, for its label: "2 CiliumNetworkPolicy", "12 flows", "5 endpoints"; null for plain line counts. */
function partDetail(s: Segment): string | null {
  if (s.kind === 'policies') return describePolicies(s.value as PastedPolicies);
  if (s.kind === 'hubble-json') return plural(Array.isArray(s.value) ? s.value.length : 0, 'flow');
  if (s.kind === 'endpoint-list') return plural(parseEndpointList(s.lines).length, 'endpoint');
  return null;
}

export function recognisedParts(segments: readonly Segment[]): RecognisedPart[] {
  return segments.map((s) => ({
    kind: s.kind,
    label: partDetail(s) !== null ? `${PART_NAMES[s.kind]} (${partDetail(s) ?? ''})`
      : COUNTED.has(s.kind) ? `${PART_NAMES[s.kind]} (${s.lines.length} line${s.lines.length === 1 ? '' : 's'})` : PART_NAMES[s.kind],
    startLine: s.startLine,
    lines: s.lines.length,
  }));
}

export function analyzePastedText(text: string, facts: StatedFacts = {}): { report: Report; parts: RecognisedPart[] } {
  const segments = segment(text);
  return { report: analyze(evidenceFromSegments(segments, facts)), parts: recognisedParts(segments) };
}
