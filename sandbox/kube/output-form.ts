// What form a read answers in, from its Accept header, as the apiserver negotiates it
// (k8s.io/apiserver/pkg/endpoints/handlers/response.go, doTransformObject): the object itself, a meta.k8s.io
// Table (kubectl's human output), or metadata only: `as=PartialObjectMetadataList` for a list and
// `as=PartialObjectMetadata` for one object (client-go's metadata client; a list of names costs no specs).
// The first media range the emulator can serve wins, in the client's order; answers are always JSON (protobuf is
// never sent back), so a protobuf range is passed over for the JSON one after it.
// https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go
import type { KubeObject } from '../scenario/schema.ts';
import { KubeStatusError } from './errors.ts';

export type OutputForm = 'object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

const TRANSFORMS = new Set<OutputForm>(['Table', 'PartialObjectMetadata', 'PartialObjectMetadataList']);
/** Group versions served: Tables in meta.k8s.io v1 and v1beta1; metadata only in v1 (a v1beta1 range is passed over). */
const versionServed = (as: string, v: string | undefined): boolean => v === 'v1' || (as === 'Table' && v === 'v1beta1');

function params(range: string): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = range.split(';').map((p) => p.trim());
  const map = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) map.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim());
  }
  return { type: type.toLowerCase(), params: map };
}

/** The form asked for; 'object' when the header is absent or names nothing the emulator serves otherwise. */
export function outputForm(accept: string | undefined): OutputForm {
  for (const range of (accept ?? '').split(',')) {
    const { type, params: p } = params(range);
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const as = p.get('as');
    if (as === undefined) return 'object';
    if (p.get('g') === 'meta.k8s.io' && versionServed(as, p.get('v')) && TRANSFORMS.has(as as OutputForm)) return as as OutputForm;
  }
  return 'object';
}

/** 406 NotAcceptable, as the apiserver answers a transform that does not fit the request (errNotAcceptable). */
function notAcceptable(message: string): KubeStatusError {
  return new KubeStatusError(406, 'NotAcceptable', message);
}

/** `meta.AsPartialObjectMetadata`: the object's metadata under kind PartialObjectMetadata. */
export function asPartialObjectMetadata(obj: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/**
 * A GET asked for a list form (or a list asked for a single-object form): the apiserver's 406. Its message names the
 * Go type of what was read; the emulator writes the versioned type's name.
 */
export function refuseForm(form: OutputForm, isList: boolean, kind: string): void {
  if (form === 'PartialObjectMetadataList' && !isList) {
    throw notAcceptable(`you requested PartialObjectMetadataList, but the requested object is not a list (*v1.${kind})`);
  }
  if (form === 'PartialObjectMetadata' && isList) {
    throw notAcceptable(`you requested PartialObjectMetadata, but the requested object is a list (*v1.${kind}List)`);
  }
}
