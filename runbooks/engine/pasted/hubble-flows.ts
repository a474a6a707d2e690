// `hubble observe` compact text (the default output) → Flow. Shape per cilium/cilium hubble/pkg/printer/printer.go
// and its printer_test.go: `Jan  1 00:20:34.567 [node]: SRC (ID:…) ARROW DST (ID:…) TYPE VERDICT (SUMMARY)`, e.g.
// `… <> default/backend:8080 (ID:7156) Policy denied DROPPED (TCP Flags: SYN)` and
// `… <> …:8443 (ID:5303) policy-verdict:none INGRESS DENIED (TCP Flags: SYN)` (docs gettingstarted/hubble, #28337).
// The timestamp and node are optional: `hubble observe -o compact` without them and quoted excerpts drop them.
import type { Flow } from '../evidence-flows.ts';
import { parseMonitorLine } from './monitor-drops.ts';

const END = String.raw`(?:\S+(?: \([^)]*\))?)`;
const FLOW = new RegExp(
  String.raw`^(?:[A-Z][a-z]{2}\s+\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: \[[^\]]+\])?:\s+)?` +
  `(${END}) (<>|->|<-|<->|\\?\\?|<\\?|\\?>) (${END}) (.+?) ` +
  String.raw`(FORWARDED|DROPPED|DENIED|AUDIT|REDIRECTED|TRANSLATED|TRACED|ERROR)(?: \((.*)\))?\s*$`,
);

/** The flow a compact `hubble observe` line (or a `cilium monitor` drop line) prints, or null. */
export function parseFlowLine(raw: string): Flow | null {
  const line = raw.trim();
  if (line.length > 4096) return null;
  const m = FLOW.exec(line);
  // `cilium monitor` prints the same drops in its own words (monitor-drops.ts).
  if (m === null) return line.startsWith('xx drop (') || line.startsWith('Policy verdict log:') ? parseMonitorLine(line) : null;
  const type = m[4] ?? '';
  const dir = /\b(INGRESS|EGRESS)$/.exec(type);
  return {
    verdict: m[5] ?? '',
    reason: dir === null ? type : type.slice(0, dir.index).trim(),
    direction: dir === null ? null : dir[1] === 'INGRESS' ? 'ingress' : 'egress',
    source: m[1] ?? '',
    destination: m[3] ?? '',
    summary: m[6] ?? '',
    raw: line,
  };
}
