// kubectl's typed clients send some bodies as Kubernetes protobuf (`k8s\0` + runtime.Unknown). We decode only what
// they send us that way: a SelfSubjectAccessReview from `kubectl auth can-i`. Answers go back as JSON.
import { KubeStatusError } from './errors.ts';

type Fields = Map<number, Array<Buffer | number>>;

function readVarint(buf: Buffer, start: number): [number, number] {
  let value = 0;
  let shift = 0;
  let pos = start;
  for (;;) {
    const byte = buf[pos];
    if (byte === undefined) throw new Error('truncated varint');
    pos += 1;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

function decodeFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(buf, afterKey);
    else if (wire === 2) {
      const [len, afterLen] = readVarint(buf, afterKey);
      value = buf.subarray(afterLen, afterLen + len);
      pos = afterLen + len;
    } else if (wire === 1) { value = 0; pos = afterKey + 8; } else if (wire === 5) { value = 0; pos = afterKey + 4; } else throw new Error(`unsupported wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function bytes(fields: Fields, n: number): Buffer | undefined {
  const v = fields.get(n)?.[0];
  return Buffer.isBuffer(v) ? v : undefined;
}

function str(fields: Fields, n: number): string | undefined {
  return bytes(fields, n)?.toString('utf8');
}

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf SelfSubjectAccessReview into its JSON shape; anything else is a 415. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  try {
    if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('missing k8s protobuf magic');
    const unknown = decodeFields(body.subarray(4));
    const typeMeta = decodeFields(bytes(unknown, 1) ?? Buffer.alloc(0));
    const kind = str(typeMeta, 2);
    if (kind !== 'SelfSubjectAccessReview') {
      throw new KubeStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
    }
    const review = decodeFields(bytes(unknown, 2) ?? Buffer.alloc(0));
    const spec = decodeFields(bytes(review, 2) ?? Buffer.alloc(0));
    const resource = bytes(spec, 1);
    const nonResource = bytes(spec, 2);
    const out: Record<string, unknown> = {};
    if (resource !== undefined) {
      const f = decodeFields(resource);
      const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
      out['resourceAttributes'] = Object.fromEntries(names.flatMap((name, i) => {
        const v = str(f, i + 1);
        return v === undefined ? [] : [[name, v]];
      }));
    }
    if (nonResource !== undefined) {
      const f = decodeFields(nonResource);
      out['nonResourceAttributes'] = { path: str(f, 1) ?? '', verb: str(f, 2) ?? '' };
    }
    return { apiVersion: str(typeMeta, 1) ?? 'authorization.k8s.io/v1', kind, metadata: {}, spec: out };
  } catch (err) {
    if (err instanceof KubeStatusError) throw err;
    throw new KubeStatusError(400, 'BadRequest', `unable to decode protobuf body: ${err instanceof Error ? err.message : String(err)}`);
  }
}
