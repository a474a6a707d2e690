// `repeat` expansion: each block is copied `count` times with `{{i}}` / `{{i2}}` substituted in every string (keys
// too), remembering where each copy came from so later checks can point at the YAML that produced it.
import type { ContainerLog, ExecResult, KubeObject, ScenarioFile } from './schema.ts';
import { formatPath, type ScenarioIssue } from './scenario-error.ts';

/** Where an expanded item came from: its path in the file and, for repeat copies, the value of `i`. */
export interface Origin {
  path: (string | number)[];
  i?: number;
}

export interface Expanded<T> {
  value: T;
  origin: Origin;
}

export interface ExpandedScenario {
  objects: Expanded<KubeObject>[];
  logs: Expanded<ContainerLog>[];
  exec: Expanded<ExecResult>[];
  issues: ScenarioIssue[];
}

const PLACEHOLDER = /\{\{(i2?)\}\}/g;
/** Anything that still looks like a placeholder after substitution: a typo such as `{{ i }}` or `{{n}}`. */
const LEFTOVER = /\{\{[^{}\n]{0,20}\}\}/;

export function describeOrigin(origin: Origin): string {
  return origin.i === undefined ? formatPath(origin.path) : `${formatPath(origin.path)} (i=${origin.i})`;
}

export function placeholderValues(i: number): Record<string, string> {
  return { i: String(i), i2: String(i).padStart(2, '0') };
}

/** A deep copy of `value` with placeholders replaced in every string and every object key. */
export function substitute(value: unknown, vars: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return value.includes('{{') ? value.replace(PLACEHOLDER, (_m, k: string) => vars[k] ?? _m) : value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[substitute(k, vars) as string] = substitute(v, vars);
    return out;
  }
  return value;
}

/** The path (relative to `value`) of the first string or key still holding a `{{…}}`, or undefined. */
export function findLeftoverPlaceholder(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; text: string } | undefined {
  if (typeof value === 'string') {
    const m = LEFTOVER.exec(value);
    return m === null ? undefined : { path, text: m[0] };
  }
  if (Array.isArray(value)) {
    for (const [idx, v] of value.entries()) {
      const found = findLeftoverPlaceholder(v, [...path, idx]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const m = LEFTOVER.exec(k);
      if (m !== null) return { path: [...path, k], text: m[0] };
      const found = findLeftoverPlaceholder(v, [...path, k]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

type Section = 'objects' | 'logs' | 'exec';

export function expandRepeats(file: ScenarioFile): ExpandedScenario {
  const out: ExpandedScenario = { objects: [], logs: [], exec: [], issues: [] };
  const reported = new Set<string>(); // one report per place in the file, not one per repeat copy
  const take = <T>(section: Section, items: readonly T[], into: Expanded<T>[], base: (string | number)[], i?: number): void => {
    items.forEach((item, idx) => {
      const origin: Origin = i === undefined ? { path: [...base, section, idx] } : { path: [...base, section, idx], i };
      const value = i === undefined ? item : (substitute(item, placeholderValues(i)) as T); // same shape, strings changed
      const leftover = findLeftoverPlaceholder(value);
      const segments = leftover === undefined ? [] : [...origin.path, ...leftover.path];
      const where = formatPath(segments);
      if (leftover !== undefined && !reported.has(where)) {
        reported.add(where);
        const hint = i === undefined ? 'placeholders only work inside a repeat block' : 'only {{i}} and {{i2}} exist';
        out.issues.push({ path: where, message: `unknown placeholder ${leftover.text} (${hint})`, segments });
      }
      into.push({ value, origin });
    });
  };
  take('objects', file.objects, out.objects, []);
  take('logs', file.logs, out.logs, []);
  take('exec', file.exec, out.exec, []);
  file.repeat.forEach((block, b) => {
    for (let i = block.from; i < block.from + block.count; i++) {
      take('objects', block.objects, out.objects, ['repeat', b], i);
      take('logs', block.logs, out.logs, ['repeat', b], i);
      take('exec', block.exec, out.exec, ['repeat', b], i);
    }
  });
  return out;
}
