// Client-side limits for the deep part of a sweep: a token bucket (requests per second, with a burst) shared by
// every collection, and a shared pause when the apiserver answers 429 (API priority and fairness): one
// Retry-After holds back all workers, not just the one that got it. The reads themselves also retry on 429.
import { KubeApiError } from '../kube/kube-api-error.ts';

export interface RateLimitOptions {
  /** Sustained requests per second (default 50). */
  qps?: number;
  /** Requests allowed at once after a quiet period (default 20). */
  burst?: number;
  /** Retries of a call refused with 429 after the client's own retries (default 3). */
  retries429?: number;
  /** Cap on one Retry-After pause (default 10 s). */
  maxPauseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RateLimiter {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private readonly qps: number;
  private readonly burst: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** 429 answers seen (for the report and tests). */
  throttled = 0;

  constructor(private readonly opts: RateLimitOptions = {}) {
    this.qps = opts.qps ?? 50;
    this.burst = opts.burst ?? 20;
    this.sleep = opts.sleep ?? realSleep;
    this.now = opts.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.last = this.now();
  }

  private async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(((1 - this.tokens) / this.qps) * 1000);
    }
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      await this.take();
      try {
        return await call();
      } catch (e) {
        if (!(e instanceof KubeApiError) || e.status !== 429 || n >= (this.opts.retries429 ?? 3)) throw e;
        this.throttled += 1;
        const pause = Math.min((e.retryAfterSeconds ?? 1) * 1000, this.opts.maxPauseMs ?? 10_000);
        this.pausedUntil = Math.max(this.pausedUntil, this.now() + pause);
      }
    }
  }
}
