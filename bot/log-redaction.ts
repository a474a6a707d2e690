// The log is a way out of the process too: every record the bot writes (message, fields, errors with their
// messages and stacks) goes through the same redaction as what is posted to Slack. pino applies `formatters.log`
// to the fields and `serializers.msg` to the message (pino lib/tools.js asJson), so a child logger covers every
// call, including Bolt's (bolt-logger.ts logs through it).
import type { Logger } from 'pino';
import { redactSecrets } from './render/redact.ts';

const MAX_DEPTH = 8;

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  // Errors carry their text in non-enumerable own fields (message, stack): a copy of the same class with those
  // redacted, so pino's err serializer still names the type.
  if (value instanceof Error) {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(value)) copy[key] = redactValue((value as unknown as Record<string, unknown>)[key], depth + 1);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, depth + 1)]));
}

/** The fields of one log record, redacted. */
export function redactLogFields(fields: object): object {
  return redactValue(fields, 0) as object;
}

/** A child of `logger` whose every record is redacted. */
export function redactingLogger(logger: Logger): Logger {
  return logger.child(
    {},
    {
      formatters: { log: redactLogFields },
      serializers: { msg: (m: unknown) => (typeof m === 'string' ? redactSecrets(m) : m) },
    },
  );
}
