// PATCH semantics: JSON merge patch (RFC 7386), strategic merge patch (merge keys for the lists built-in types
// declare), JSON patch (RFC 6902) and a server-side-apply approximation.
import { badRequest, KubeStatusError } from './errors.ts';

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** Merge keys of built-in list fields (k8s.io/api `patchMergeKey` tags); other lists are replaced. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  conditions: 'type',
  addresses: 'type',
  ownerReferences: 'uid',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  topologySpreadConstraints: 'topologyKey',
};
/** Lists of scalars merged as sets (`patchStrategy:"merge"` on primitive lists). */
const MERGED_SETS = new Set(['finalizers']);

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$retainKeys' || key === '$patch') continue;
    const deleteFromPrimitive = /^\$deleteFromPrimitiveList\/(.+)$/.exec(key);
    if (deleteFromPrimitive?.[1] !== undefined) {
      const field = deleteFromPrimitive[1];
      const current = Array.isArray(out[field]) ? (out[field] as unknown[]) : [];
      const remove = Array.isArray(value) ? value : [];
      out[field] = current.filter((item) => !remove.some((r) => JSON.stringify(r) === JSON.stringify(item)));
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && mergeKey !== undefined && Array.isArray(out[key])) {
      out[key] = mergeList(out[key] as unknown[], value as unknown[], mergeKey);
    } else if (Array.isArray(value) && MERGED_SETS.has(key) && Array.isArray(out[key])) {
      const current = out[key] as unknown[];
      out[key] = [...current, ...(value as unknown[]).filter((v) => !current.includes(v))];
    } else if (isObject(value)) {
      out[key] = strategicMergePatch(out[key], value);
    } else {
      out[key] = stripDirectives(value);
    }
  }
  return out;
}

function mergeList(current: unknown[], patch: unknown[], mergeKey: string): unknown[] {
  const result = [...current];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((c) => isObject(c) && c[mergeKey] === item[mergeKey]);
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMergePatch(result[index], item);
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function unprocessable(message: string): KubeStatusError {
  return new KubeStatusError(422, 'Invalid', message);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessable(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies an RFC 6902 patch; the body must be an array (an object body is the client-node pitfall → 400). */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) {
    const what = isObject(ops) ? 'object' : typeof ops;
    throw badRequest(`error decoding patch: json: cannot unmarshal ${what} into Go value of type []handlers.jsonPatchOp`);
  }
  let doc: Json = structuredClone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw badRequest('error decoding patch: each operation needs "op" and "path"');
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add': doc = setAt(doc, parsePointer(op.path), op.value, 'add'); break;
      case 'replace': getAt(doc, parsePointer(op.path), op.op); doc = setAt(doc, parsePointer(op.path), op.value, 'replace'); break;
      case 'remove': getAt(doc, parsePointer(op.path), op.op); doc = removeAt(doc, parsePointer(op.path)); break;
      case 'copy': doc = setAt(doc, parsePointer(op.path), structuredClone(getAt(doc, parsePointer(op.from ?? ''), op.op)), 'add'); break;
      case 'move': {
        const value = getAt(doc, parsePointer(op.from ?? ''), op.op);
        doc = setAt(removeAt(doc, parsePointer(op.from ?? '')), parsePointer(op.path), value, 'add');
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, parsePointer(op.path), op.op)) !== JSON.stringify(op.value)) {
          throw new KubeStatusError(409, 'Conflict', `testing value ${op.path} failed: test failed`);
        }
        break;
      default: throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

function getAt(doc: Json, path: string[], opName: string): Json {
  let current: Json = doc;
  for (const part of path) {
    if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length) current = current[Number(part)] as Json;
    else if (isObject(current) && part in current) current = current[part];
    else throw unprocessable(`${opName} operation does not apply: doc is missing path: "/${path.join('/')}": missing value`);
  }
  return current;
}

function setAt(doc: Json, path: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (path.length === 0) return structuredClone(value);
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1] ?? '';
  const parent = getAt(doc, parentPath, mode);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw unprocessable(`${mode} operation does not apply: index out of bounds: ${last}`);
    if (mode === 'add') parent.splice(index, 0, structuredClone(value));
    else parent[index] = structuredClone(value);
  } else if (isObject(parent)) {
    parent[last] = structuredClone(value);
  } else {
    throw unprocessable(`${mode} operation does not apply: doc is missing path: "/${path.join('/')}"`);
  }
  return doc;
}

function removeAt(doc: Json, path: string[]): Json {
  const parent = getAt(doc, path.slice(0, -1), 'remove');
  const last = path[path.length - 1] ?? '';
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return doc;
}
