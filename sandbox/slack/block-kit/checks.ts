// Shared primitives of the Block Kit validator: an error collector that speaks Slack's message format
// ("<what> [json-pointer:/blocks/0/text/text]") and the text-object / length checks every block uses.

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Problems {
  readonly errors: string[] = [];
  add(message: string, pointer: string): void {
    this.errors.push(`${message} [json-pointer:${pointer}]`);
  }
}

/** Slack phrases max lengths as "must be less than N+1 characters". */
export function checkString(
  p: Problems,
  value: unknown,
  pointer: string,
  limits: { max: number; min?: number; required?: boolean; name?: string },
  parentPointer?: string,
): boolean {
  if (value === undefined) {
    if (limits.required) p.add(`missing required field: ${limits.name ?? lastSegment(pointer)}`, parentPointer ?? pointer);
    return !limits.required;
  }
  if (typeof value !== 'string') {
    p.add('must be a string', pointer);
    return false;
  }
  if (value.length < (limits.min ?? 0)) {
    p.add(`must be more than ${(limits.min ?? 1) - 1} characters`, pointer);
    return false;
  }
  if (value.length > limits.max) {
    p.add(`must be less than ${limits.max + 1} characters`, pointer);
    return false;
  }
  return true;
}

function lastSegment(pointer: string): string {
  return pointer.slice(pointer.lastIndexOf('/') + 1);
}

export type TextKind = 'plain_text' | 'mrkdwn' | 'any';

/**
 * A composition text object. Where both kinds are allowed Slack reports a failed union first
 * ("failed to match all allowed schemas") and then the concrete reason, as in its recorded responses.
 */
export function checkText(
  p: Problems,
  value: unknown,
  pointer: string,
  opts: { kind: TextKind; max: number; required?: boolean; parentPointer: string; name: string },
): void {
  if (value === undefined) {
    if (opts.required) p.add(`missing required field: ${opts.name}`, opts.parentPointer);
    return;
  }
  const inner = new Problems();
  if (!isObject(value)) {
    inner.add('must be an object', pointer);
  } else {
    const type = value.type;
    const allowed = opts.kind === 'any' ? ['plain_text', 'mrkdwn'] : [opts.kind];
    if (typeof type !== 'string' || !allowed.includes(type)) {
      inner.add('must be a valid enum value', `${pointer}/type`);
    }
    checkString(inner, value.text, `${pointer}/text`, { max: opts.max, min: 1, required: true, name: 'text' }, pointer);
    if (value.emoji !== undefined && type !== 'plain_text') inner.add('invalid additional property: emoji', pointer);
    if (value.verbatim !== undefined && type !== 'mrkdwn') inner.add('invalid additional property: verbatim', pointer);
  }
  if (inner.errors.length === 0) return;
  if (opts.kind === 'any') p.add('failed to match all allowed schemas', pointer);
  p.errors.push(...inner.errors);
}

export function checkArray(
  p: Problems,
  value: unknown,
  pointer: string,
  opts: { min: number; max: number; required?: boolean; parentPointer: string; name: string },
): unknown[] | undefined {
  if (value === undefined) {
    if (opts.required) p.add(`missing required field: ${opts.name}`, opts.parentPointer);
    return undefined;
  }
  if (!Array.isArray(value)) {
    p.add('must be an array', pointer);
    return undefined;
  }
  if (value.length < opts.min) p.add(`must provide at least ${opts.min} items`, pointer);
  if (value.length > opts.max) p.add(`no more than ${opts.max} items allowed`, pointer);
  return value as unknown[];
}

/** Total characters of every `text` string inside the blocks: Slack's undocumented cumulative cap. */
export function blocksTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + blocksTextLength(v), 0);
  if (!isObject(value)) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'text' && typeof v === 'string') n += v.length;
    else n += blocksTextLength(v);
  }
  return n;
}
