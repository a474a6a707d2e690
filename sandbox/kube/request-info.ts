// Path → request attributes, the way the apiserver's RequestInfoFactory derives verb/resource/namespace/name.
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace?: string;
  resource: string;
  subresource?: string;
  name?: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const lowerMethod = method.toLowerCase();
  const nonResource: RequestInfo = { isResourceRequest: false, path, verb: lowerMethod, apiGroup: '', apiVersion: '', resource: '' };
  let parts = path.split('/').filter((p) => p !== '');
  let apiGroup = '';
  let apiVersion: string | undefined;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiVersion = parts[1];
    parts = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1] ?? '';
    apiVersion = parts[2];
    parts = parts.slice(3);
  } else {
    return nonResource;
  }
  if (apiVersion === undefined) return nonResource;
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) parts = parts.slice(2);
  }
  const [resource = '', name, subresource] = parts;
  let verb: string;
  switch (lowerMethod) {
    case 'get':
    case 'head':
      verb = name === undefined ? 'list' : 'get';
      if (query.get('watch') === 'true' || query.get('watch') === '1') verb = 'watch';
      break;
    case 'post': verb = 'create'; break;
    case 'put': verb = 'update'; break;
    case 'patch': verb = 'patch'; break;
    case 'delete': verb = name === undefined ? 'deletecollection' : 'delete'; break;
    default: verb = lowerMethod;
  }
  const info: RequestInfo = { isResourceRequest: true, path, verb, apiGroup, apiVersion, resource };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  return info;
}
