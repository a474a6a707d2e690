// Opt-in per-channel token bucket for posting methods: chat.postMessage is "about 1 message per second per
// channel, short bursts tolerated" (protocols.md A.3). Lets tests prove the bot paces its thread replies.

export interface PostRateLimit {
  perSecond: number;
  burst: number;
}

export const PACED_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);

export class ChannelBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly limit: PostRateLimit) {}

  /** Takes one token for the channel; returns the whole seconds to wait when the bucket is empty. */
  take(channel: string, now = Date.now()): number | undefined {
    const b = this.buckets.get(channel) ?? { tokens: this.limit.burst, at: now };
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
    b.at = now;
    this.buckets.set(channel, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond));
  }
}
