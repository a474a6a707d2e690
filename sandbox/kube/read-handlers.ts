// get and list (with selectors, pagination and Table output).
import type { KubeObject } from '../scenario/schema.ts';
import type { ApiRequest, ApiResponse, EmulatorState } from './api-types.ts';
import { badRequest, notFound } from './errors.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { asPartialObjectMetadata, outputForm, refuseForm } from './output-form.ts';
import { buildTable } from './tables.ts';

export function getObject(state: EmulatorState, def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
  const obj = state.store.get(apiVersionOf(def), def.kind, def.namespaced ? namespace : undefined, name);
  if (obj === undefined) throw notFound(def, name);
  return obj;
}

export function handleGet(state: EmulatorState, req: ApiRequest): ApiResponse {
  const form = outputForm(req.headers.accept);
  refuseForm(form, false, req.def.kind);
  const obj = getObject(state, req.def, req.info.namespace, req.info.name ?? '');
  if (form === 'Table') return { code: 200, body: buildTable(req.def, [obj], state.store.resourceVersion) };
  if (form === 'PartialObjectMetadata') return { code: 200, body: asPartialObjectMetadata(obj) };
  return { code: 200, body: obj };
}

/** Objects in scope matching the selectors, as the store's own (not to be modified): a list copies only its page. */
function selectStored(state: EmulatorState, def: ResourceDef, namespace: string | undefined, query: URLSearchParams): readonly KubeObject[] {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'), def);
  return state.store
    .listStored(apiVersionOf(def), def.kind, def.namespaced ? namespace : undefined)
    .filter((o) => labels(o.metadata.labels ?? {}) && fields(o));
}

interface ContinueToken {
  offset: number;
  rv: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'offset' in parsed && 'rv' in parsed
      && typeof parsed.offset === 'number' && typeof parsed.rv === 'string') return { offset: parsed.offset, rv: parsed.rv };
  } catch {
    // fall through to the apiserver's message
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function handleList(state: EmulatorState, req: ApiRequest): ApiResponse {
  const form = outputForm(req.headers.accept);
  refuseForm(form, true, req.def.kind);
  const all = selectStored(state, req.def, req.info.namespace, req.query);
  const limitRaw = req.query.get('limit');
  const limit = limitRaw === null || limitRaw === '' ? 0 : Number(limitRaw);
  const continueRaw = req.query.get('continue');
  const start = continueRaw === null || continueRaw === '' ? { offset: 0, rv: state.store.resourceVersion } : decodeContinue(continueRaw);
  // The store's own objects: the answer is serialised (send) before any other request can change them, so a copy
  // would only cost time (a deep copy of 5,000 agent pods took longer than their serialisation).
  const page = limit > 0 ? all.slice(start.offset, start.offset + limit) : all.slice(start.offset);
  const next = start.offset + page.length;
  const continueToken = limit > 0 && next < all.length
    ? Buffer.from(JSON.stringify({ offset: next, rv: start.rv })).toString('base64url') : undefined;
  if (form === 'Table') return { code: 200, body: buildTable(req.def, page, start.rv, continueToken) };
  const metadata: Record<string, unknown> = { resourceVersion: start.rv };
  if (continueToken !== undefined) {
    metadata['continue'] = continueToken;
    metadata['remainingItemCount'] = all.length - next;
  }
  if (form === 'PartialObjectMetadataList') {
    return { code: 200, body: { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: page.map(asPartialObjectMetadata) } };
  }
  return { code: 200, body: { kind: `${req.def.kind}List`, apiVersion: apiVersionOf(req.def), metadata, items: page } };
}
