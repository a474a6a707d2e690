// The second net for secrets: collectors avoid reading secrets at all; whatever slips through (a token echoed in
// an agent log line) is masked before anything leaves the process. Masks are visible and say what was there
// (`[redacted:aws-key]`), so a reader knows something was removed and why.
// One pass, on raw text, before escaping and clipping: renderers redact their input objects first (redactDeep),
// then escape and cut. Two rule sets: secretlint's maintained token formats and our context rules (key=value,
// URL credentials, Authorization headers); test/unit/bot/secret-corpus.test.ts measures each alone and both.
import { redactWithOwnRules } from './secret-rules.ts';
import { redactWithSecretlint } from './secretlint-pass.ts';

export function redactSecrets(text: string): string {
  // Ours first: their masks name what we know by our names; secretlint then catches formats we have no rule for.
  return redactWithSecretlint(redactWithOwnRules(text));
}

/** Redacts every string inside a JSON-like value (a Report, an Incident, blocks), keeping its shape. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v as unknown)])) as T;
  }
  return value;
}
