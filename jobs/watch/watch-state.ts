// The watcher's memory, pure (no I/O, time passed in): which nodes are bad and since when, which problems outlived
// the damping window, and how they are grouped. A node bad for less than the window and healthy again leaves no
// trace (flapping posts nothing); nodes of one pool failing the same way share one group (one incident); a node
// healthy for a whole window leaves its group, and the group recovers when its last node has.
import type { WatchCause } from './watch-signals.ts';

export interface NodeObservation {
  node: string;
  pool: string | null;
  /** null: nothing wrong with the node as far as the watch can see. */
  cause: WatchCause | null;
  /** One short phrase, e.g. "kernel 4.14.352 < 5.4.0 needed by Cilium 1.16–1.17". */
  reason: string;
}

export interface WatchGroup {
  /** `<pool or ->/<cause>`: stable across restarts and leaders, so a new leader finds the incident again. */
  key: string;
  pool: string | null;
  cause: WatchCause;
  nodes: string[];
}

export interface GroupedNode {
  node: string;
  reason: string;
}

export type WatchAction =
  | { kind: 'opened'; group: WatchGroup; added: GroupedNode[] }
  | { kind: 'joined'; group: WatchGroup; added: GroupedNode[] }
  | { kind: 'left'; group: WatchGroup; recovered: string[] }
  | { kind: 'recovered'; group: WatchGroup; recovered: string[] };

type NodeState =
  | { phase: 'pending'; pool: string | null; cause: WatchCause; reason: string; since: number }
  | { phase: 'reported'; group: string; healthySince: number | null };

interface GroupState {
  pool: string | null;
  cause: WatchCause;
  nodes: Set<string>;
}

export function groupKey(pool: string | null, cause: WatchCause): string {
  return `${pool ?? '-'}/${cause}`;
}

/** "14 nodes in pool `workers-legacy`: kernel-too-old" (Slack mrkdwn). */
export function groupTitle(group: Pick<WatchGroup, 'pool' | 'cause' | 'nodes'>): string {
  const count = group.nodes.length === 1 ? `node ${group.nodes[0] ?? ''}` : `${group.nodes.length} nodes`;
  return `${count}${group.pool === null ? '' : ` in pool \`${group.pool}\``}: ${group.cause}`;
}

export interface WatchStateOptions {
  dampingMs: number;
  /** Default: a tenth of the window, at most 5 s (the watcher's tick). */
  groupingGraceMs?: number;
}

export class WatchState {
  private readonly nodes = new Map<string, NodeState>();
  private readonly groups = new Map<string, GroupState>();

  constructor(private readonly opts: WatchStateOptions) {}

  /**
   * Groups already reported (read back from Redis when this replica becomes the leader): their nodes count as
   * reported, so they are neither announced again nor forgotten; a node healthy now recovers after a window.
   */
  seed(groups: readonly WatchGroup[]): void {
    for (const g of groups) {
      if (g.nodes.length === 0) continue;
      this.groups.set(g.key, { pool: g.pool, cause: g.cause, nodes: new Set(g.nodes) });
      for (const node of g.nodes) this.nodes.set(node, { phase: 'reported', group: g.key, healthySince: null });
    }
  }

  /** The latest word on one node (from an informer event or a resync). */
  observe(obs: NodeObservation, now: number): void {
    const state = this.nodes.get(obs.node);
    if (obs.cause === null) {
      if (state?.phase === 'pending') this.nodes.delete(obs.node);
      else if (state?.phase === 'reported') state.healthySince ??= now;
      return;
    }
    if (state === undefined) {
      this.nodes.set(obs.node, { phase: 'pending', pool: obs.pool, cause: obs.cause, reason: obs.reason, since: now });
    } else if (state.phase === 'pending') {
      // The cause may sharpen while it waits (agent crash-looping → the kernel behind it); the clock does not restart.
      Object.assign(state, { pool: obs.pool, cause: obs.cause, reason: obs.reason });
    } else {
      state.healthySince = null;
    }
  }

  /** The node is gone from the cluster: it cannot be bad any more (a pending problem is dropped). */
  forget(node: string, now: number): void {
    this.observe({ node, pool: null, cause: null, reason: 'deleted' }, now);
  }

  /** What changed now that `now` has come: problems past the window join groups, recoveries past it leave them. */
  tick(now: number, muted: (obs: NodeObservation) => boolean = () => false): WatchAction[] {
    const opened = new Map<string, GroupedNode[]>();
    const joined = new Map<string, GroupedNode[]>();
    const left = new Map<string, string[]>();
    const sorted = [...this.nodes].sort(([a], [b]) => a.localeCompare(b));
    // A muted problem stays pending: it is reported if it outlives the mute.
    const live = (node: string, s: { pool: string | null; cause: WatchCause; reason: string }): boolean => !muted({ node, pool: s.pool, cause: s.cause, reason: s.reason });
    // Nodes that went bad the same way within one grace period of a node now due join it now, not a tick later:
    // a pool failing at once is one announcement, however the informer events fell between ticks.
    const firstDue = new Map<string, number>();
    for (const [node, state] of sorted) {
      if (state.phase !== 'pending' || now - state.since < this.opts.dampingMs || !live(node, state)) continue;
      const key = groupKey(state.pool, state.cause);
      firstDue.set(key, Math.min(firstDue.get(key) ?? Number.POSITIVE_INFINITY, state.since));
    }
    const graceMs = this.opts.groupingGraceMs ?? Math.min(5000, this.opts.dampingMs / 10);
    for (const [node, state] of sorted) {
      if (state.phase === 'pending') {
        const first = firstDue.get(groupKey(state.pool, state.cause));
        const due = now - state.since >= this.opts.dampingMs || (first !== undefined && state.since - first <= graceMs);
        if (!due || !live(node, state)) continue;
        const key = groupKey(state.pool, state.cause);
        let group = this.groups.get(key);
        const target = group === undefined || opened.has(key) ? opened : joined;
        if (group === undefined) {
          group = { pool: state.pool, cause: state.cause, nodes: new Set() };
          this.groups.set(key, group);
        }
        group.nodes.add(node);
        target.set(key, [...(target.get(key) ?? []), { node, reason: state.reason }]);
        this.nodes.set(node, { phase: 'reported', group: key, healthySince: null });
      } else if (state.healthySince !== null && now - state.healthySince >= this.opts.dampingMs) {
        this.groups.get(state.group)?.nodes.delete(node);
        this.nodes.delete(node);
        left.set(state.group, [...(left.get(state.group) ?? []), node]);
      }
    }
    const actions: WatchAction[] = [];
    for (const [key, added] of opened) actions.push({ kind: 'opened', group: this.view(key), added });
    for (const [key, added] of joined) actions.push({ kind: 'joined', group: this.view(key), added });
    for (const [key, recovered] of left) {
      const group = this.view(key);
      if (group.nodes.length > 0) {
        actions.push({ kind: 'left', group, recovered });
        continue;
      }
      this.groups.delete(key);
      actions.push({ kind: 'recovered', group: { ...group, nodes: recovered }, recovered });
    }
    return actions;
  }

  /**
   * Undoes an action that could not be applied (Slack or Redis failed): its nodes go back to where they were, past
   * the window, so the next tick produces it again instead of the problem or recovery being lost.
   */
  revert(action: WatchAction): void {
    const { group } = action;
    if (action.kind === 'opened' || action.kind === 'joined') {
      const g = this.groups.get(group.key);
      for (const { node, reason } of action.added) {
        g?.nodes.delete(node);
        this.nodes.set(node, { phase: 'pending', pool: group.pool, cause: group.cause, reason, since: Number.NEGATIVE_INFINITY });
      }
      if (g !== undefined && g.nodes.size === 0) this.groups.delete(group.key);
      return;
    }
    let g = this.groups.get(group.key);
    if (g === undefined) {
      g = { pool: group.pool, cause: group.cause, nodes: new Set() };
      this.groups.set(group.key, g);
    }
    for (const node of action.recovered) {
      g.nodes.add(node);
      this.nodes.set(node, { phase: 'reported', group: group.key, healthySince: Number.NEGATIVE_INFINITY });
    }
  }

  /** Nodes currently waiting out the window (for logs and tests). */
  pending(): string[] {
    return [...this.nodes].filter(([, s]) => s.phase === 'pending').map(([n]) => n).sort();
  }

  private view(key: string): WatchGroup {
    const g = this.groups.get(key);
    if (g === undefined) throw new Error(`no watch group ${key}`);
    return { key, pool: g.pool, cause: g.cause, nodes: [...g.nodes].sort() };
  }
}
