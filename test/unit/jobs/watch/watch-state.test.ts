// Issue 19 (watch): damping, grouping and recovery of the watcher's pure state machine.
import { describe, expect, it } from 'vitest';
import { groupTitle, WatchState, type NodeObservation } from '../../../../jobs/watch/watch-state.ts';
import { OperatorHealth } from '../../../../jobs/watch/operator-health.ts';

const WINDOW = 120_000;
const bad = (node: string, pool = 'workers-legacy'): NodeObservation => ({ node, pool, cause: 'kernel-too-old', reason: 'kernel 4.14.352 < 5.4.0' });
const ok = (node: string, pool = 'workers-legacy'): NodeObservation => ({ node, pool, cause: null, reason: 'healthy' });

describe('WatchState', () => {
  it('reports nothing inside the damping window, and the problem once past it', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    s.observe(bad('n1'), 0);
    expect(s.tick(WINDOW - 1)).toEqual([]);
    const actions = s.tick(WINDOW);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'opened', group: { key: 'workers-legacy/kernel-too-old', nodes: ['n1'] }, added: [{ node: 'n1' }] });
    expect(s.tick(WINDOW + 1)).toEqual([]);
  });

  it('posts nothing for a node that flaps within the window', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    s.observe(bad('n1'), 0);
    s.observe(ok('n1'), 30_000);
    s.observe(bad('n1'), 60_000);
    expect(s.tick(WINDOW)).toEqual([]);
    s.observe(ok('n1'), 90_000);
    expect(s.tick(10 * WINDOW)).toEqual([]);
  });

  it('groups many nodes of one pool failing the same way into one group, and later ones join it', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    for (let i = 1; i <= 14; i++) s.observe(bad(`n${String(i).padStart(2, '0')}`), i * 1000);
    s.observe({ node: 'other', pool: 'workers-a', cause: 'agent-crashloop', reason: 'CrashLoopBackOff' }, 0);
    const first = s.tick(WINDOW + 14_000);
    const opened = first.filter((a) => a.kind === 'opened');
    expect(opened.map((a) => a.group.key).sort()).toEqual(['workers-a/agent-crashloop', 'workers-legacy/kernel-too-old']);
    const legacy = opened.find((a) => a.group.key === 'workers-legacy/kernel-too-old');
    expect(legacy?.group.nodes).toHaveLength(14);
    expect(legacy === undefined ? '' : groupTitle(legacy.group)).toBe('14 nodes in pool `workers-legacy`: kernel-too-old');
    s.observe(bad('n15'), WINDOW + 20_000);
    const later = s.tick(2 * WINDOW + 20_000);
    expect(later).toEqual([expect.objectContaining({ kind: 'joined', added: [expect.objectContaining({ node: 'n15' })] })]);
    expect(later[0]?.group.nodes).toHaveLength(15);
  });

  it('lets a node leave its group after a healthy window and recovers the group once with its last node', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    s.observe(bad('n1'), 0);
    s.observe(bad('n2'), 0);
    s.tick(WINDOW);
    s.observe(ok('n1'), WINDOW + 1);
    expect(s.tick(2 * WINDOW)).toEqual([]);
    const left = s.tick(2 * WINDOW + 1);
    expect(left).toEqual([expect.objectContaining({ kind: 'left', recovered: ['n1'] })]);
    expect(left[0]?.group.nodes).toEqual(['n2']);
    s.observe(ok('n2'), 2 * WINDOW + 5);
    // A relapse inside the recovery window keeps it in the group.
    s.observe(bad('n2'), 2 * WINDOW + 10);
    expect(s.tick(4 * WINDOW)).toEqual([]);
    s.observe(ok('n2'), 4 * WINDOW);
    const done = s.tick(5 * WINDOW);
    expect(done).toEqual([expect.objectContaining({ kind: 'recovered', recovered: ['n2'] })]);
    expect(s.tick(9 * WINDOW)).toEqual([]);
  });

  it('keeps a muted problem pending and reports it once the mute is gone', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    s.observe(bad('n1'), 0);
    expect(s.tick(WINDOW, (o) => o.node === 'n1')).toEqual([]);
    expect(s.pending()).toEqual(['n1']);
    expect(s.tick(WINDOW + 1)).toHaveLength(1);
  });

  it('seeded groups (a new leader) are neither announced again nor lost: a node healthy now recovers', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    s.seed([{ key: 'workers-legacy/kernel-too-old', pool: 'workers-legacy', cause: 'kernel-too-old', nodes: ['n1', 'n2'] }]);
    s.observe(bad('n1'), 0);
    s.observe(ok('n2'), 0);
    s.observe(bad('n3'), 0);
    const actions = s.tick(WINDOW);
    expect(actions.map((a) => a.kind).sort()).toEqual(['joined', 'left']);
    expect(actions.find((a) => a.kind === 'joined')?.group.nodes).toEqual(['n1', 'n3']);
  });

  it('an action that could not be applied comes back at the next tick', () => {
    const s = new WatchState({ dampingMs: WINDOW });
    s.observe(bad('n1'), 0);
    const [opened] = s.tick(WINDOW);
    if (opened === undefined) throw new Error('expected the group to open');
    s.revert(opened);
    expect(s.tick(WINDOW + 1)).toEqual([expect.objectContaining({ kind: 'opened', added: [expect.objectContaining({ node: 'n1' })] })]);
    s.observe(ok('n1'), WINDOW + 2);
    const [recovered] = s.tick(2 * WINDOW + 2);
    if (recovered === undefined) throw new Error('expected the recovery');
    s.revert(recovered);
    expect(s.tick(2 * WINDOW + 3)).toEqual([expect.objectContaining({ kind: 'recovered', recovered: ['n1'] })]);
  });

  it('nodes that went bad within the grace period of one now due are announced with it', () => {
    const s = new WatchState({ dampingMs: WINDOW, groupingGraceMs: 1000 });
    s.observe(bad('n1'), 0);
    s.observe(bad('n2'), 800);
    s.observe(bad('n3'), 5000);
    const actions = s.tick(WINDOW);
    expect(actions).toHaveLength(1);
    expect(actions[0]?.group.nodes).toEqual(['n1', 'n2']);
    expect(s.pending()).toEqual(['n3']);
  });
});

describe('OperatorHealth across leaders', () => {
  it('seeded as announced, a still-broken operator is not announced again and its recovery is; a failed post comes back', () => {
    const h = new OperatorHealth(1000);
    h.seed(true);
    h.observe('cilium-operator-x: CrashLoopBackOff, 3 restarts', 0);
    expect(h.tick(5000)).toBeNull();
    h.observe(null, 6000);
    const recovered = h.tick(7000);
    expect(recovered).toEqual({ kind: 'recovered' });
    if (recovered === null) throw new Error('recovered');
    h.revert(recovered);
    expect(h.tick(7100)).toEqual({ kind: 'recovered' });
    expect(h.tick(9000)).toBeNull();
    const fresh = new OperatorHealth(1000);
    fresh.observe('no cilium-operator pod', 0);
    expect(fresh.tick(1000)).toEqual({ kind: 'unhealthy', reason: 'no cilium-operator pod' });
  });
});
