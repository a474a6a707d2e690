import { defineConfig } from 'vitest/config';

// `npm test` runs everything but the fault-injection suite; `npm run test:faults` (FAULT_TESTS=1) runs that suite:
// workers SIGKILLed 20 times, Redis restarted 5 times. CI runs both.
const faults = process.env.FAULT_TESTS === '1';

// The suites that run the stack (real Bolt, BullMQ on Redis, client-node, the emulators) share one worker process
// per lane instead of a fresh one per file: a fresh process re-imports client-node, Bolt and BullMQ, which took
// ~3.5 s of CPU per file, more than many of these files spend testing. They tolerate it because every file starts
// its own emulators, queue prefixes and bots and stops them in its hooks; none mocks modules or patches globals.
// The other suites (unit tests with fake timers, fuzz, fixtures) keep per-file isolation.
const SHARED_WORKER_SUITES = ['test/e2e/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/sandbox-kube/**/*.test.ts', 'test/sandbox-slack/**/*.test.ts'];

// What every project shares; projects take no options from the root (`extends: true` would concatenate `include`).
const common = {
  globalSetup: ['test/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
};

export default defineConfig({
  test: {
    // Two cores: integration tests start servers; keep parallelism modest.
    maxWorkers: 2,
    projects: faults
      ? [{ test: { ...common, name: 'faults', include: ['test/faults/**/*.test.ts'] } }]
      : [
          { test: { ...common, name: 'runtime', include: SHARED_WORKER_SUITES, isolate: false } },
          { test: { ...common, name: 'isolated', include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**', 'test/faults/**', ...SHARED_WORKER_SUITES] } },
        ],
  },
});
