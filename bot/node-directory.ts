// Answers "does this node exist, and if not, which names are closest?" for the slash command, before anything is
// queued. Suggestions use edit distance so `node7` finds `node-7`.
export interface NodeLister {
  /** One GET by name: the common case costs one call even on clusters of thousands of nodes. */
  nodeExists(cluster: string, node: string): Promise<boolean>;
  listNodeNames(cluster: string): Promise<string[]>;
}

export type NodeLookup = { exists: true } | { exists: false; suggestions: string[] };

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** Up to `max` names closest to `wanted`, nearest first; names sharing a prefix rank before distant ones. */
export function closestNames(wanted: string, names: string[], max = 3): string[] {
  return names
    .map((name) => ({ name, d: editDistance(wanted, name) - (name.startsWith(wanted) || wanted.startsWith(name) ? 0.5 : 0) }))
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((x) => x.name);
}

export async function lookupNode(lister: NodeLister, cluster: string, node: string): Promise<NodeLookup> {
  if (await lister.nodeExists(cluster, node)) return { exists: true };
  const names = await lister.listNodeNames(cluster);
  if (names.includes(node)) return { exists: true };
  return { exists: false, suggestions: closestNames(node, names) };
}

/**
 * Remembers node names for a short while, so the common case (a node that exists) costs no API round trip before
 * the job is queued. A name not in the cache is still checked with one GET: new nodes are never refused.
 */
export function cachedNodeLister(inner: NodeLister, ttlMs = 60_000, now: () => number = Date.now): NodeLister {
  const cache = new Map<string, { names: Set<string>; at: number }>();
  const names = async (cluster: string): Promise<string[]> => {
    const list = await inner.listNodeNames(cluster);
    cache.set(cluster, { names: new Set(list), at: now() });
    return list;
  };
  return {
    async nodeExists(cluster, node) {
      const hit = cache.get(cluster);
      if (hit !== undefined && now() - hit.at < ttlMs && hit.names.has(node)) return true;
      if (hit === undefined || now() - hit.at >= ttlMs) void names(cluster).catch(() => undefined); // warm for next time
      return inner.nodeExists(cluster, node);
    },
    listNodeNames: names,
  };
}
