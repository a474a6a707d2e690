// Legacy (non-aggregated) discovery: /version, /api, /apis, /api/v1, /apis/<group>[/<version>]. kubectl 1.32 asks
// for aggregated discovery first but falls back to these when the response Content-Type is plain application/json.
import { apiVersionOf, type ResourceDef, type ResourceRegistry } from './resources.ts';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:01:37Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function groups(registry: ResourceRegistry): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const def of registry.all()) {
    const versions = byGroup.get(def.group) ?? [];
    if (!versions.includes(def.version)) versions.push(def.version);
    byGroup.set(def.group, versions);
  }
  return byGroup;
}

function resourceEntries(def: ResourceDef): Array<Record<string, unknown>> {
  const main: Record<string, unknown> = {
    name: def.resource,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: def.verbs,
  };
  if (def.shortNames.length > 0) main['shortNames'] = def.shortNames;
  if (def.categories.length > 0) main['categories'] = def.categories;
  const subs = def.subresources.map((s) => ({
    name: `${def.resource}/${s.name}`,
    singularName: '',
    namespaced: def.namespaced,
    kind: s.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, registry: ResourceRegistry, serverAddress: string): unknown {
  if (path === '/version') return SERVER_VERSION;
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  const all = groups(registry);
  const groupEntry = (name: string, versions: string[]): Record<string, unknown> => {
    const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: list, preferredVersion: list[0] };
  };
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...all.entries()].filter(([name]) => name !== '').map(([name, versions]) => groupEntry(name, versions)),
    };
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)(?:\/([^/]+))?)$/.exec(path);
  if (m === null) return undefined;
  const group = m[1] !== undefined ? '' : (m[2] ?? '');
  const version = m[1] ?? m[3];
  const versions = all.get(group);
  if (versions === undefined) return undefined;
  if (version === undefined) return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
  if (!versions.includes(version)) return undefined;
  const defs = registry.all().filter((d) => d.group === group && d.version === version);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: defs.flatMap(resourceEntries),
  };
}
