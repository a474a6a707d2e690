import { describe, expect, it } from 'vitest';
import { cachedNodeLister, closestNames, lookupNode, type NodeLister } from '../../../bot/node-directory.ts';

function fakeLister(names: string[]) {
  const calls = { exists: 0, list: 0 };
  const lister: NodeLister = {
    nodeExists: (_c, n) => {
      calls.exists++;
      return Promise.resolve(names.includes(n));
    },
    listNodeNames: () => {
      calls.list++;
      return Promise.resolve([...names]);
    },
  };
  return { lister, calls, names };
}

describe('node directory', () => {
  it('suggests the closest names for a typo', async () => {
    expect(closestNames('node7', ['node-7', 'node-17', 'ip-10-0-0-7', 'worker-3'])[0]).toBe('node-7');
    const { lister } = fakeLister(['node-1', 'node-2']);
    expect(await lookupNode(lister, 'c', 'node-3')).toEqual({ exists: false, suggestions: ['node-1', 'node-2'] });
  });

  it('answers known nodes from a fresh cache without an API call, and still asks about unknown or stale ones', async () => {
    let t = 0;
    const f = fakeLister(['node-1', 'node-2']);
    const cached = cachedNodeLister(f.lister, 1000, () => t);
    expect(await cached.nodeExists('c', 'node-1')).toBe(true); // cold: asks, and warms the cache
    await new Promise((r) => setTimeout(r, 0));
    const asked = f.calls.exists;
    expect(await cached.nodeExists('c', 'node-2')).toBe(true);
    expect(f.calls.exists).toBe(asked);
    f.names.push('node-3'); // a node that joined after the cache was filled is not refused
    expect(await cached.nodeExists('c', 'node-3')).toBe(true);
    expect(f.calls.exists).toBe(asked + 1);
    t = 5000; // stale: asked again
    expect(await cached.nodeExists('c', 'node-1')).toBe(true);
    expect(f.calls.exists).toBe(asked + 2);
  });
});
