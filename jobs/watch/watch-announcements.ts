// What the watch announced about things that are not nodes (the cilium-operator's state, cilium-config's content),
// in Redis beside the node groups (watch-groups.ts), so a replica that becomes the leader neither repeats what the
// previous leader posted nor misses what changed while nobody led. Per cluster:
// - `…:announced:operator`: present while "cilium-operator unhealthy" stands announced (SET NX claims the post, DEL
//   claims the recovery: one replica wins each, however leaders overlap);
// - `…:announced:config`: the cilium-config last announced or first seen, as a content hash and its data (a
//   compare-and-set from the hash a replica read claims the change post, so one change is posted once).
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A stable hash of a ConfigMap's data (keys sorted): the content, whatever resourceVersion the object has. */
export function configHash(data: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(data).sort().map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 32);
}

/** The keys whose values differ between two versions of the data (changed, added or gone), sorted. */
export function changedKeys(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}

export interface ConfigBaseline {
  hash: string;
  data: Record<string, string>;
}

// Sets the baseline to ARGV[2]/ARGV[3] only if it is still ARGV[1] ('' = none yet): 1 when this caller moved it.
const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'hash') or ''
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'hash', ARGV[2], 'data', ARGV[3])
return 1`;

export class WatchAnnouncementStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cluster: string,
  ) {}

  private key(what: 'operator' | 'config'): string {
    return [this.prefix, 'watch', this.cluster, 'announced', what].join(':');
  }

  /** Whether "cilium-operator unhealthy" stands announced (no recovery posted since). */
  async operatorAnnounced(): Promise<boolean> {
    return (await this.redis.exists(this.key('operator'))) === 1;
  }

  /** True for the one caller that gets to post "unhealthy". */
  async claimOperatorUnhealthy(reason: string): Promise<boolean> {
    return (await this.redis.set(this.key('operator'), JSON.stringify({ reason, at: new Date().toISOString() }), 'NX')) === 'OK';
  }

  /** True for the one caller that gets to post "recovered". */
  async claimOperatorRecovered(): Promise<boolean> {
    return (await this.redis.del(this.key('operator'))) === 1;
  }

  /** Gives a claim back when its post failed, so the next tick (of whichever replica leads) posts it. */
  async releaseOperator(state: 'unhealthy' | 'recovered', reason = ''): Promise<void> {
    if (state === 'unhealthy') await this.redis.del(this.key('operator'));
    else await this.redis.set(this.key('operator'), JSON.stringify({ reason, at: new Date().toISOString() }), 'NX');
  }

  async configBaseline(): Promise<ConfigBaseline | null> {
    const [hash, data] = await this.redis.hmget(this.key('config'), 'hash', 'data');
    if (hash === null || hash === undefined || data === null || data === undefined) return null;
    return { hash, data: JSON.parse(data) as Record<string, string> };
  }

  /** Moves the baseline from `from` (null: none yet) to `to`; true for the one caller that moved it. */
  async moveConfigBaseline(from: string | null, to: ConfigBaseline): Promise<boolean> {
    const moved = await this.redis.eval(COMPARE_AND_SET, 1, this.key('config'), from ?? '', to.hash, JSON.stringify(to.data));
    return moved === 1;
  }
}
