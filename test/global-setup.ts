// One private Redis server for the whole test run (tests use unique queue prefixes), and dependency checks that
// fail with a message saying what to do.
import type { TestProject } from 'vitest/node';
import { startRedis, type RedisHandle } from '../sandbox/redis.ts';

let redis: RedisHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  redis = await startRedis();
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
