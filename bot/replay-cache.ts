// Slack's signature proves who sent a request, not that it is the first time it arrives: a captured request stays
// valid for the whole 5-minute timestamp window (https://api.slack.com/authentication/verifying-requests-from-slack).
// So each verified request's signature + timestamp is claimed once, in Redis so that every replica sharing it sees
// the claim, until the timestamp leaves the window (the window counted from the request's timestamp; a request
// dated up to 5 minutes ahead is kept correspondingly longer).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How far a request's timestamp may be from now, either way (Slack's replay window). */
export const REPLAY_WINDOW_SECONDS = 300;

export interface ReplayCacheOptions {
  /** Shared by replicas; without it only this process remembers what it has seen. */
  redis?: Redis;
  prefix?: string;
  logger?: Logger;
  /** A claim slower than this falls back to this process's memory, so a slow Redis cannot cost the ack. */
  timeoutMs?: number;
  now?: () => number;
}

export class ReplayCache {
  /** key → when it may be forgotten (ms): the fallback while Redis cannot answer, and the only store without Redis. */
  private readonly local = new Map<string, number>();
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ReplayCacheOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  /** True the first time this signature and timestamp are seen (by any replica sharing Redis); false for a replay. */
  async firstSeen(signature: string, timestampSeconds: number): Promise<boolean> {
    const key = `${this.opts.prefix ?? 'cilium-runbook'}:slack-seen:${timestampSeconds}:${signature}`;
    const forgetAt = (timestampSeconds + REPLAY_WINDOW_SECONDS + 1) * 1000;
    const { redis } = this.opts;
    if (redis !== undefined) {
      try {
        const claimed = (await withTimeout(redis.set(key, '1', 'PXAT', forgetAt, 'NX'), this.timeoutMs)) === 'OK';
        // Remembered here too, so a replay to this replica is still caught if Redis stalls later.
        return claimed && this.claimLocally(key, forgetAt);
      } catch (err) {
        // Every command's effect goes through Redis too, so while it is down a replay has nothing to act on; this
        // process still refuses the replays it sees itself.
        this.opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'replay cache: Redis did not answer; using this process\'s memory');
      }
    }
    return this.claimLocally(key, forgetAt);
  }

  private claimLocally(key: string, forgetAt: number): boolean {
    const now = this.now();
    const seen = this.local.get(key);
    if (seen !== undefined && seen > now) return false;
    // Forget what left the window, oldest first (entries arrive roughly in timestamp order): about a window's worth
    // of requests is kept, and each claim does little work.
    for (const [k, until] of this.local) {
      if (until > now) break;
      this.local.delete(k);
    }
    this.local.set(key, forgetAt);
    return true;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
