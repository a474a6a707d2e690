import { describe, expect, it } from 'vitest';
import { poolHealthSpec, renderPoolHealthChart, MAX_POOL_BARS } from '../../../../bot/render/charts/pool-health.ts';
import { pngSize } from '../../../../bot/render/charts/png.ts';
import { NO_POOL, poolHealth } from '../../../../runbooks/engine/fleet/pool-health.ts';

describe('poolHealth', () => {
  it('counts broken and healthy nodes per pool, unlabelled nodes under their own name', () => {
    const nodes = [
      { name: 'a1', pool: 'workers-a' },
      { name: 'a2', pool: 'workers-a' },
      { name: 'l1', pool: 'workers-legacy' },
      { name: 'l2', pool: 'workers-legacy' },
      { name: 'x', pool: null },
    ];
    expect(poolHealth(nodes, new Set(['l1', 'l2', 'x']))).toEqual([
      { pool: NO_POOL, broken: 1, healthy: 0 },
      { pool: 'workers-a', broken: 0, healthy: 2 },
      { pool: 'workers-legacy', broken: 2, healthy: 0 },
    ]);
  });
});

function valuesOf(spec: ReturnType<typeof poolHealthSpec>): { pool: string; state: string; nodes: number }[] {
  const data = 'data' in spec ? spec.data : undefined;
  if (data === undefined || data === null || !('values' in data) || !Array.isArray(data.values)) throw new Error('spec has no inline values');
  return data.values as { pool: string; state: string; nodes: number }[];
}

describe('pool health chart', () => {
  const pools = [
    { pool: 'workers-a', broken: 0, healthy: 120 },
    { pool: 'workers-legacy', broken: 5, healthy: 0 },
    { pool: 'workers-b', broken: 2, healthy: 73 },
  ];

  it('holds every pool with its broken and healthy counts, most broken first', () => {
    const values = valuesOf(poolHealthSpec('prod-eu', pools));
    expect(values).toContainEqual({ pool: 'workers-legacy', state: 'broken', nodes: 5 });
    expect(values).toContainEqual({ pool: 'workers-b', state: 'healthy', nodes: 73 });
    expect(values).toContainEqual({ pool: 'workers-a', state: 'healthy', nodes: 120 });
    expect(values[0]?.pool).toBe('workers-legacy');
  });

  it('folds pools beyond the limit into one bar that keeps their totals', () => {
    const many = Array.from({ length: MAX_POOL_BARS + 5 }, (_, i) => ({ pool: `p${String(i).padStart(2, '0')}`, broken: i < 3 ? 1 : 0, healthy: 10 }));
    const values = valuesOf(poolHealthSpec('c', many));
    const rest = values.filter((v) => v.pool === '5 more pools');
    expect(rest).toEqual([
      { pool: '5 more pools', state: 'broken', nodes: 0 },
      { pool: '5 more pools', state: 'healthy', nodes: 50 },
    ]);
    expect(new Set(values.map((v) => v.pool)).size).toBe(MAX_POOL_BARS + 1);
  });

  it('renders a PNG whose SVG shows the pools and the counts on the axis', async () => {
    const { svg, png } = await renderPoolHealthChart('prod-eu', pools);
    const size = pngSize(png);
    expect(size).not.toBeNull();
    // 2× the SVG's own size.
    const svgWidth = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)?.[1]);
    expect(size?.width).toBe(svgWidth * 2);
    for (const p of pools) expect(svg).toContain(p.pool);
    expect(svg).toContain('broken');
    expect(svg).toContain('Fleet sweep of prod-eu');
    // One bar per pool and state, each labelled (aria-label) with its count.
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(6);
    expect(svg).toContain('nodes: 5; pool: workers-legacy; state: broken');
    expect(svg).toContain('nodes: 73; pool: workers-b; state: healthy');
  });
});

describe('pngSize', () => {
  it('rejects bytes that are not a PNG', () => {
    expect(pngSize(Buffer.from('<svg></svg> and more bytes here'))).toBeNull();
  });
});
