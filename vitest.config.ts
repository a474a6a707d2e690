import { defineConfig } from 'vitest/config';

// `npm test` runs everything but the fault-injection suite; `npm run test:faults` (FAULT_TESTS=1) runs that suite:
// workers SIGKILLed 20 times, Redis restarted 5 times. CI runs both.
const faults = process.env.FAULT_TESTS === '1';

export default defineConfig({
  test: {
    include: faults ? ['test/faults/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: faults ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/faults/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: integration tests start servers; keep parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
  },
});
