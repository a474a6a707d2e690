// `/cilium mute <node|pool|runbook> <duration>`: a problem whose node, pool or cause is muted is not reported
// until the mute expires (it stays pending, so it is reported then if it persists). Stored in Redis (one sorted
// set per cluster, scored by expiry) so every replica and the next leader see the same mutes.
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { NodeObservation } from './watch-state.ts';

export const MuteSchema = z.object({
  /** A node name, a pool name or a cause (runbook id) such as kernel-too-old. */
  target: z.string().min(1).max(253),
  by: z.string(),
  /** Epoch milliseconds. */
  until: z.number().int(),
});
export type Mute = z.infer<typeof MuteSchema>;

/** "30m", "2h", "1d", "90s" → milliseconds; null when it is not a duration (at most 30 days). */
export function parseMuteDuration(text: string): number | null {
  const m = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(text);
  if (m?.[1] === undefined || m[2] === undefined) return null;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Number(m[1]) * unit;
  return ms > 30 * 86_400_000 ? null : ms;
}

/** Whether any live mute names this node, its pool or its cause. */
export function isMuted(mutes: readonly Mute[], obs: NodeObservation, now: number): boolean {
  return mutes.some((m) => m.until > now && (m.target === obs.node || (obs.pool !== null && m.target === obs.pool) || m.target === obs.cause));
}

export class MuteStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private key(cluster: string): string {
    return [this.prefix, 'watch', cluster, 'mutes'].join(':');
  }

  /** Adds (or extends) a mute of the target. */
  async mute(cluster: string, target: string, durationMs: number, by: string): Promise<Mute> {
    const mute: Mute = { target, by, until: this.now() + durationMs };
    // One entry per target: drop an earlier mute of it first.
    for (const m of await this.list(cluster)) if (m.target === target) await this.redis.zrem(this.key(cluster), JSON.stringify(m));
    await this.redis.zadd(this.key(cluster), mute.until, JSON.stringify(mute));
    return mute;
  }

  /** The live mutes, soonest expiry first; expired ones are removed on the way. */
  async list(cluster: string): Promise<Mute[]> {
    await this.redis.zremrangebyscore(this.key(cluster), '-inf', this.now());
    const raw = await this.redis.zrange(this.key(cluster), 0, -1);
    return raw.flatMap((r) => {
      const parsed = MuteSchema.safeParse(JSON.parse(r));
      return parsed.success ? [parsed.data] : [];
    });
  }
}
