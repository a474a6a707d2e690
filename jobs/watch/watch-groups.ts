// The watch's groups in Redis, so a replica that becomes the leader finds what the previous one reported (its
// incidents and their nodes) instead of announcing it again. Per cluster: a hash groupKey → incident id and one
// set of nodes per group; SADD/SREM say which nodes are new or gone, so a node is announced once.
import type { Redis } from 'ioredis';
import { WATCH_CAUSES, type WatchCause } from './watch-signals.ts';
import type { WatchGroup } from './watch-state.ts';

export class WatchGroupStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cluster: string,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, 'watch', this.cluster, ...parts].join(':');
  }

  async incidentOf(groupKey: string): Promise<string | null> {
    return this.redis.hget(this.key('groups'), groupKey);
  }

  async setIncident(groupKey: string, incidentId: string): Promise<void> {
    await this.redis.hset(this.key('groups'), groupKey, incidentId);
  }

  /** The nodes not in the group before. */
  async add(groupKey: string, nodes: string[]): Promise<string[]> {
    const added: string[] = [];
    for (const node of nodes) if ((await this.redis.sadd(this.key('group', groupKey), node)) === 1) added.push(node);
    return added;
  }

  /** The nodes that were in the group; `left` is how many remain. */
  async remove(groupKey: string, nodes: string[]): Promise<{ removed: string[]; left: number }> {
    const removed: string[] = [];
    for (const node of nodes) if ((await this.redis.srem(this.key('group', groupKey), node)) === 1) removed.push(node);
    return { removed, left: await this.redis.scard(this.key('group', groupKey)) };
  }

  async close(groupKey: string): Promise<void> {
    await this.redis.hdel(this.key('groups'), groupKey);
    await this.redis.del(this.key('group', groupKey));
  }

  /** Every open group with its nodes (what a new leader seeds its state with). */
  async load(): Promise<WatchGroup[]> {
    const keys = Object.keys(await this.redis.hgetall(this.key('groups')));
    const groups: WatchGroup[] = [];
    for (const key of keys) {
      const slash = key.lastIndexOf('/');
      const pool = key.slice(0, slash);
      const cause = key.slice(slash + 1);
      if (!(WATCH_CAUSES as readonly string[]).includes(cause)) continue;
      const nodes = (await this.redis.smembers(this.key('group', key))).sort();
      groups.push({ key, pool: pool === '-' ? null : pool, cause: cause as WatchCause, nodes });
    }
    return groups;
  }
}
