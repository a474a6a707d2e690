// The sweep's client-side limits (jobs/fleet): token bucket, shared pause on 429 + Retry-After, throttled progress.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../jobs/fleet/rate-limit.ts';
import { throttled } from '../../../jobs/fleet/sweep-sink.ts';
import { KubeApiError } from '../../../jobs/kube/kube-api-error.ts';

function fakeClock() {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: (ms: number) => { slept.push(ms); t += ms; return Promise.resolve(); }, slept };
}

describe('RateLimiter', () => {
  it('lets a burst through, then paces at qps', async () => {
    const c = fakeClock();
    const limiter = new RateLimiter({ qps: 10, burst: 2, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 4; i++) await limiter.run(() => Promise.resolve(i));
    expect(c.slept.reduce((a, b) => a + b, 0)).toBeCloseTo(200, 5);
  });

  it('on 429 waits Retry-After (shared), then retries; other errors pass through', async () => {
    const c = fakeClock();
    const limiter = new RateLimiter({ qps: 1000, burst: 100, now: c.now, sleep: c.sleep });
    let n = 0;
    const out = await limiter.run(() => (n++ === 0 ? Promise.reject(new KubeApiError('slow down', 429, 'TooManyRequests', 3, 'list pods')) : Promise.resolve('ok')));
    expect(out).toBe('ok');
    expect(limiter.throttled).toBe(1);
    expect(c.slept).toContain(3000);
    await expect(limiter.run(() => Promise.reject(new KubeApiError('nope', 403, 'Forbidden', undefined, 'get x')))).rejects.toThrow('nope');
  });
});

describe('throttled', () => {
  it('sends the first value at once, coalesces the rest, and never loses the last one', async () => {
    const sent: number[] = [];
    const t = throttled<number>((v) => { sent.push(v); return Promise.resolve(); }, 50);
    t.push(1);
    t.push(2);
    t.push(3);
    await new Promise((r) => setTimeout(r, 80));
    t.push(4);
    await t.flush();
    expect(sent[0]).toBe(1);
    expect(sent).toContain(3);
    expect(sent).not.toContain(2);
    expect(sent.at(-1)).toBe(4);
  });
});
