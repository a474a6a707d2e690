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

/** A name's stem and trailing number: `node-legacy-01` → `node-legacy-` and 1; no trailing digits → null. */
function numbered(name: string): { stem: string; n: number } | null {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m === null ? null : { stem: m[1] ?? '', n: Number(m[2]) };
}

/**
 * Up to `max` names closest to `wanted`, nearest first. Pools name nodes `<stem><number>`, often zero-padded, so a
 * name with the same stem and the same number (`node-legacy-1` → `node-legacy-01`) ranks first; then edit distance
 * (names sharing a prefix slightly ahead); then, within the same stem, the nearest number (`node-13` → `node-12`).
 */
export function closestNames(wanted: string, names: string[], max = 3): string[] {
  const w = numbered(wanted);
  return names
    .map((name) => {
      const c = numbered(name);
      const sameStem = w !== null && c !== null && w.stem === c.stem;
      return {
        name,
        sameNumber: sameStem && w.n === c.n ? 0 : 1,
        d: editDistance(wanted, name) - (name.startsWith(wanted) || wanted.startsWith(name) ? 0.5 : 0),
        gap: sameStem ? Math.abs(w.n - c.n) : Number.POSITIVE_INFINITY,
      };
    })
    .sort((x, y) => x.sameNumber - y.sameNumber || x.d - y.d || x.gap - y.gap || x.name.localeCompare(y.name))
    .slice(0, max)
    .map((x) => x.name);
}

/** "node "x" does not exist in c; did you mean …? " with what to do next: for the CLI and the slash command alike. */
export function nodeNotFoundText(node: string, cluster: string, suggestions: string[], how: string): string {
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
  return `node "${node}" does not exist in ${cluster}.${hint} ${how}`;
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
