// `npm run demo -- --once` on every shipped scenario: the node it picks is the one the scenario's `expect:` block
// names, and the demo's own check of the report against that block passes (the process-level plumbing of --once
// is in demo-cli.test.ts; the catalogue test checks the same reports through the stack directly).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { checkExpectation, diagnoseOnce, type OnceResult } from '../../sandbox/demo/once.ts';
import { listScenarios, resolveScenario } from '../../sandbox/scenario/index.ts';
import { brokenNodeOf, startSandboxStack } from '../../sandbox/sandbox-stack.ts';
import { mapLimit } from '../map-limit.ts';

describe('checkExpectation', () => {
  const report = (ids: Array<[string, string]>) => ids.map(([id, sev]) => `:red_circle: *title* \`${id}\` (${sev}, certain)`).join('\n');
  it('passes when the expected findings lead, in order', () => {
    expect(checkExpectation(['map-full'], report([['map-full', 'critical'], ['hubble-disabled', 'info']])).met).toBe(true);
  });
  it('fails on another order or a missing finding, saying what came instead', () => {
    expect(checkExpectation(['a-one', 'b-two'], report([['b-two', 'critical'], ['a-one', 'warning']]))).toEqual({ met: false, detail: 'expected a-one, b-two first, got b-two, a-one' });
    expect(checkExpectation(['map-full'], 'Diagnosis of node-2: no finding')).toEqual({ met: false, detail: 'expected map-full first, got no finding' });
  });
  it('a healthy expectation fails on any critical or warning finding, not on an info one', () => {
    expect(checkExpectation([], report([['hubble-disabled', 'info']])).met).toBe(true);
    expect(checkExpectation([], report([['kernel-too-old', 'critical']])).met).toBe(false);
  });
});

describe('demo --once on every scenario', () => {
  const names = listScenarios();
  const results = new Map<string, OnceResult>();
  const filesDir = mkdtempSync(join(tmpdir(), 'demo-once-test-'));

  beforeAll(async () => {
    // Two stacks at a time: each has its own emulators and queue prefix, and a diagnosis spends about half its time
    // waiting on Redis and HTTP round trips, so a second one fills the gaps; more would only contend for two cores.
    await mapLimit(names, 2, async (name) => {
      const scenario = resolveScenario(name);
      const stack = await startSandboxStack({ scenario, redisUrl: inject('redisUrl'), startBot: false });
      try {
        stack.bot = await startBot(stack.config, { logger: pino({ level: 'silent' }) });
        const node = brokenNodeOf(scenario) ?? 'node-1';
        results.set(name, await diagnoseOnce(stack, node, { timeoutMs: 20_000, filesDir: () => filesDir }));
      } finally {
        await stack.stop();
      }
    });
  }, 400_000);
  afterAll(() => rmSync(filesDir, { recursive: true, force: true }));

  for (const name of names) {
    it(`${name}: diagnoses the node its expect block names and meets its expected findings`, () => {
      const scenario = resolveScenario(name);
      const r = results.get(name);
      if (r === undefined || scenario.expect === undefined) throw new Error(`no result or no expect block for ${name}`);
      expect(r.node).toBe(scenario.expect.node);
      expect(r.transcript).toContain(`Diagnosis of ${scenario.expect.node}`);
      expect(r.expectation?.met, `${r.expectation?.detail ?? 'no expectation checked'}\n${r.transcript}`).toBe(true);
      expect(r.expectation?.detail).toMatch(/as the scenario expects$/);
    });
  }
});
