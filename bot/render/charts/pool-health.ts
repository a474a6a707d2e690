// Fleet sweep picture: one horizontal stacked bar per node pool, broken vs healthy nodes.
import type { TopLevelSpec } from 'vega-lite';
import type { PoolHealth } from '../../../runbooks/engine/fleet/pool-health.ts';
import { redactSecrets } from '../redact.ts';
import { renderChart, type RenderedChart } from './png.ts';

/** Pools shown; the rest are folded into one bar so the picture stays readable. */
export const MAX_POOL_BARS = 25;

export function poolHealthSpec(cluster: string, pools: readonly PoolHealth[]): TopLevelSpec {
  const sorted = [...pools].sort((a, b) => b.broken - a.broken || a.pool.localeCompare(b.pool));
  const shown = sorted.slice(0, MAX_POOL_BARS);
  const rest = sorted.slice(MAX_POOL_BARS);
  if (rest.length > 0) shown.push({ pool: `${rest.length} more pools`, broken: rest.reduce((s, p) => s + p.broken, 0), healthy: rest.reduce((s, p) => s + p.healthy, 0) });
  const values = shown.flatMap((p) => [
    { pool: redactSecrets(p.pool), state: 'broken', nodes: p.broken },
    { pool: redactSecrets(p.pool), state: 'healthy', nodes: p.healthy },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Fleet sweep of ${redactSecrets(cluster)}: nodes per pool`,
    width: 480,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'pool', type: 'nominal', sort: shown.map((p) => redactSecrets(p.pool)), title: 'pool' },
      x: { field: 'nodes', type: 'quantitative', stack: 'zero', title: 'nodes' },
      color: { field: 'state', type: 'nominal', scale: { domain: ['broken', 'healthy'], range: ['#d62728', '#2ca02c'] }, title: null },
      order: { field: 'state', sort: 'ascending' },
      tooltip: [{ field: 'pool' }, { field: 'state' }, { field: 'nodes' }],
    },
  };
}

export function renderPoolHealthChart(cluster: string, pools: readonly PoolHealth[]): Promise<RenderedChart> {
  return renderChart(poolHealthSpec(cluster, pools));
}
