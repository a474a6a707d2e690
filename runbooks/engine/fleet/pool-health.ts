// Broken vs healthy nodes per pool (label `node.kubernetes.io/pool`), for the sweep's picture. Pure: no I/O.
// "Broken" means the node is in one of the sweep's root-cause groups, as `totals.healthy` counts it.

export interface PoolHealth {
  pool: string;
  broken: number;
  healthy: number;
}

/** Nodes without the pool label are counted under this name. */
export const NO_POOL = '(no pool label)';

export function poolHealth(nodes: Iterable<{ name: string; pool: string | null }>, broken: ReadonlySet<string>): PoolHealth[] {
  const byPool = new Map<string, PoolHealth>();
  for (const n of nodes) {
    const pool = n.pool ?? NO_POOL;
    let p = byPool.get(pool);
    if (p === undefined) byPool.set(pool, (p = { pool, broken: 0, healthy: 0 }));
    if (broken.has(n.name)) p.broken += 1;
    else p.healthy += 1;
  }
  return [...byPool.values()].sort((a, b) => a.pool.localeCompare(b.pool));
}
