import { describe, expect, it, inject } from 'vitest';
import { Redis } from 'ioredis';

describe('test Redis', () => {
  it('answers PING at the URL the global setup provides', async () => {
    const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
  });
});
