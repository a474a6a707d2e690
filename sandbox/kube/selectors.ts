// Label selectors (full set-based syntax) and field selectors (per-kind whitelist), as the apiserver parses them.
import type { KubeObject } from '../scenario/schema.ts';
import { badRequest } from './errors.ts';
import { asRecord, type ResourceDef } from './resources.ts';

type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; value: number };

export type LabelSelector = (labels: Record<string, string>) => boolean;

/** Split on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(text: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set?.[1] !== undefined && set[3] !== undefined) {
    const values = set[3].split(',').map((v) => v.trim());
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1], values };
  }
  const cmp = /^([^\s=!<>]+)\s*(==|=|!=|<|>)\s*([^\s=!<>]*)$/.exec(text);
  if (cmp?.[1] !== undefined && cmp[2] !== undefined && cmp[3] !== undefined) {
    const [, key, op, value] = cmp;
    if (op === '<' || op === '>') {
      const n = Number(value);
      if (!Number.isInteger(n)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { op: op === '>' ? 'gt' : 'lt', key, value: n };
    }
    return { op: op === '!=' ? 'notin' : 'in', key, values: [value] };
  }
  const exists = /^(!?)\s*([A-Za-z0-9][-A-Za-z0-9_./]*)$/.exec(text);
  if (exists?.[2] !== undefined) return { op: exists[1] === '!' ? 'notexists' : 'exists', key: exists[2] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: identifier`);
}

export function parseLabelSelector(text: string | null): LabelSelector {
  if (text === null || text.trim() === '') return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (labels) => requirements.every((r) => matchesRequirement(r, labels));
}

function matchesRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const value = labels[r.key];
  switch (r.op) {
    case 'exists': return value !== undefined;
    case 'notexists': return value === undefined;
    case 'in': return value !== undefined && r.values.includes(value);
    case 'notin': return value === undefined || !r.values.includes(value);
    case 'gt': return value !== undefined && Number(value) > r.value;
    case 'lt': return value !== undefined && Number(value) < r.value;
  }
}

/** Label selector from a `matchLabels`/`matchExpressions` object (DaemonSet selectors, RBAC aggregation). */
export function labelSelectorFromObject(selector: unknown): LabelSelector {
  const sel = asRecord(selector);
  const matchLabels = asRecord(sel['matchLabels']);
  const parts = Object.entries(matchLabels).map(([k, v]) => `${k}=${String(v)}`);
  return parseLabelSelector(parts.join(','));
}

export type FieldSelector = (obj: KubeObject) => boolean;

export function parseFieldSelector(text: string | null, def: ResourceDef): FieldSelector {
  if (text === null || text.trim() === '') return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(def.custom ? [] : def.fieldSelectors)]);
  const terms = text.split(',').map((t) => t.trim()).filter((t) => t !== '').map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = m[1].trim();
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: m[3] };
  });
  return (obj) => terms.every((t) => (fieldValue(obj, t.field) === t.value) !== t.negate);
}

const FALSE_BY_DEFAULT = new Set(['spec.unschedulable', 'spec.hostNetwork']);

/** The string the apiserver's field-label conversion yields for a field (booleans as "true"/"false"). */
export function fieldValue(obj: KubeObject, field: string): string {
  const path = field === 'source' ? ['source', 'component'] : field.split('.');
  let current: unknown = obj;
  for (const part of path) current = asRecord(current)[part];
  if (current === undefined || current === null) return FALSE_BY_DEFAULT.has(field) ? 'false' : '';
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'boolean') return String(current);
  return JSON.stringify(current);
}
