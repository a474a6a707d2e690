// The smallest CiliumNetworkPolicy change that lets one denied HTTP request through, as a unified-diff-like block of
// the `rules.http` list. Pure. The change is always one new entry: the entry that came closest, with only the fields
// that did not match replaced by the request's own method, path or Host, written as exact (escaped) regexes. That
// allows this one method on this one path (and keeps the closest entry's other constraints, e.g. its host and
// headers), never more; widening an existing regex (`GET|HEAD`, `/api/.*`) is the reviewer's call, not ours.
// Field semantics: l7-http-rules.ts (docs security/policy/language; whole-value RE2 match in Envoy).
import type { EntryVerdict, HttpRuleEntry, HttpRuleSite } from './l7-http-rules.ts';

export interface DeniedRequest { method: string; path: string; host: string }

export interface L7RuleDiff {
  /** "CiliumNetworkPolicy default/rule1". */
  policy: string;
  /** "spec.ingress[0].toPorts[0].rules.http". */
  location: string;
  added: HttpRuleEntry;
  /** The diff block: context lines start with a space, added lines with "+". */
  diff: string;
  /** What the change allows, in words. */
  allows: string;
  /** The kubectl command that opens the policy for editing. */
  editCommand: string;
}

/** Escapes what RE2 / POSIX ERE treat as special, so the value matches only itself. */
export function exactRegex(value: string): string {
  return value.replace(/[\\.^$|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** A YAML scalar: double-quoted (as the upstream examples write rules), single-quoted when it holds a backslash. */
export function yamlScalar(value: string): string {
  return value.includes('\\') ? `'${value.replace(/'/g, "''")}'` : JSON.stringify(value);
}

function entryLines(e: HttpRuleEntry): string[] {
  const fields: string[] = [];
  if (e.method !== undefined) fields.push(`method: ${yamlScalar(e.method)}`);
  if (e.path !== undefined) fields.push(`path: ${yamlScalar(e.path)}`);
  if (e.host !== undefined) fields.push(`host: ${yamlScalar(e.host)}`);
  if (e.headers !== undefined) fields.push('headers:', ...e.headers.map((h) => `- ${yamlScalar(h)}`));
  if (fields.length === 0) return ['- {}'];
  return fields.map((f, i) => (i === 0 ? `- ${f}` : `  ${f}`));
}

/** The entry to add: the closest entry with each mismatched field set to the request's exact value. */
export function narrowestEntry(closest: EntryVerdict, req: DeniedRequest): HttpRuleEntry {
  const out: HttpRuleEntry = { ...closest.entry };
  for (const m of closest.mismatches) {
    if (m.field === 'method') out.method = exactRegex(req.method);
    if (m.field === 'path') out.path = exactRegex(req.path);
    if (m.field === 'host') out.host = exactRegex(req.host);
  }
  return out;
}

/** The diff for one site, or null when the closest entry already matches (the denial is then not about these fields). */
export function l7RuleDiff(site: HttpRuleSite, closest: EntryVerdict, req: DeniedRequest): L7RuleDiff | null {
  if (closest.mismatches.length === 0) return null;
  const added = narrowestEntry(closest, req);
  const location = `spec.${site.direction}[${site.ruleIndex}].toPorts[${site.toPortsIndex}].rules.http`;
  const ports = site.ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
  const lines = [
    `--- ${site.ref}`,
    `+++ ${site.ref}`,
    `@@ ${location}${ports === '' ? '' : ` (port ${ports})`} @@`,
    '   http:',
    ...site.http.flatMap(entryLines).map((l) => `   ${l}`),
    ...entryLines(added).map((l) => `+  ${l}`),
  ];
  const what = [`${req.method} ${req.path}`, ...(closest.mismatches.some((m) => m.field === 'host') ? [`for Host ${req.host}`] : [])].join(' ');
  const editCommand = site.kind === 'cnp' ? `kubectl -n ${site.policy.namespace ?? 'default'} edit cnp ${site.policy.name}` : `kubectl edit ccnp ${site.policy.name}`;
  return { policy: site.ref, location, added, diff: lines.join('\n'), allows: `only ${what}${closest.entry.headers !== undefined ? ' with the same required headers' : ''}`, editCommand };
}
