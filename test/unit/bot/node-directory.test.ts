import { describe, expect, it } from 'vitest';
import { cachedNodeLister, closestNames, lookupNode, nodeNotFoundText, type NodeLister } from '../../../bot/node-directory.ts';

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
    expect(await lookupNode(lister, 'c', 'node-3')).toEqual({ exists: false, suggestions: ['node-2', 'node-1'] }); // nearest number first
  });

  it('ranks the same stem and number first: node-legacy-1 suggests node-legacy-01 before node-legacy-10/11/12', () => {
    const pool = Array.from({ length: 12 }, (_, i) => `node-legacy-${String(i + 1).padStart(2, '0')}`);
    const names = ['node-1', 'node-2', 'node-3', ...pool];
    expect(closestNames('node-legacy-1', names)).toEqual(['node-legacy-01', 'node-legacy-10', 'node-legacy-11']);
    expect(closestNames('node-legacy-7', names)[0]).toBe('node-legacy-07');
    // Unpadded names asked for padded: the same number still wins over a shorter edit.
    expect(closestNames('node-01', ['node-10', 'node-1', 'node-11'])[0]).toBe('node-1');
    // A number past the pool: the nearest numbers of the same stem, not whatever sorts first.
    expect(closestNames('node-legacy-13', pool)).toEqual(['node-legacy-12', 'node-legacy-11', 'node-legacy-10']);
    // Typos without numbers keep ranking by edit distance.
    expect(closestNames('wroker-a', ['worker-a', 'worker-b', 'other'])[0]).toBe('worker-a');
  });

  it('says what to do when the node does not exist, with or without suggestions', () => {
    expect(nodeNotFoundText('nosuch', 'prod', ['node-1'], 'Try again.')).toBe('node "nosuch" does not exist in prod. Did you mean "node-1"? Try again.');
    expect(nodeNotFoundText('nosuch', 'prod', [], 'Try again.')).toBe('node "nosuch" does not exist in prod. Try again.');
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
