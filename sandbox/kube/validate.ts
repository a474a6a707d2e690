// The validation the apiserver applies to every object that the bot's writes can trip: names and labels.
import type { KubeObject } from '../scenario/schema.ts';
import { KubeStatusError } from './errors.ts';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const VALUE_HELP = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_HELP = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

interface Cause {
  field: string;
  message: string;
}

function labelCauses(labels: Record<string, string>): Cause[] {
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (name.length > 63 || !LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
      causes.push({ field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(key)}: ${NAME_HELP}` });
    }
    if (value.length > 63) {
      causes.push({ field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(value)}: must be no more than 63 characters` });
    } else if (!LABEL_VALUE.test(value)) {
      causes.push({ field: 'metadata.labels', message: `Invalid value: ${JSON.stringify(value)}: ${VALUE_HELP}` });
    }
  }
  return causes;
}

/** Throws a 422 Invalid Status (`Node "x" is invalid: …`) when the object would be rejected. */
export function validateObject(obj: KubeObject): void {
  const causes: Cause[] = [];
  const name = obj.metadata.name;
  if (!DNS_SUBDOMAIN.test(name) && obj.kind !== 'Node') {
    causes.push({ field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` });
  }
  const labels = obj.metadata.labels;
  if (labels !== undefined) causes.push(...labelCauses(labels));
  if (causes.length === 0) return;
  const summary = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${obj.kind} "${name}" is invalid: ${summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`}`;
  throw new KubeStatusError(422, 'Invalid', message, {
    name,
    kind: obj.kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}
