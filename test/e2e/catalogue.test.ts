// One end-to-end diagnosis per shipped scenario: the scenario's failure mode shows up as the right runbook in
// the Slack thread, through Bolt, BullMQ, client-node and the emulators.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { listScenarios, resolveScenario } from '../../sandbox/scenario/index.ts';
import { brokenNodeOf, DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

/** Scenario → the runbook it must produce (scenarios named after a runbook produce that runbook). */
const EXPECTED: Record<string, string | null> = { healthy: null };

async function diagnose(scenario: string): Promise<{ transcript: string; node: string }> {
  const s: SandboxStack = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: inject('redisUrl'), startBot: false });
  try {
    s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
    const node = brokenNodeOf(s.scenario) ?? 'node-1';
    const wanted = s.scenario.objects.some((o) => o.kind === 'Node' && o.metadata.name === 'node-2') && scenario !== 'kernel-too-old' ? 'node-2' : node;
    await s.slack.slashCommand({ text: `diagnose ${wanted}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000 });
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000, description: `report for ${scenario}` });
    return { transcript: s.slack.renderThread(DEMO_CHANNEL.id, root.ts), node: wanted };
  } finally {
    await s.stop();
  }
}

describe('every scenario, end to end', () => {
  const scenarios = listScenarios();
  const results = new Map<string, { transcript: string; node: string }>();
  beforeAll(async () => {
    // Sequential: each stack starts its own emulators; two cores.
    for (const name of scenarios) results.set(name, await diagnose(name));
  }, 180_000);
  afterAll(() => results.clear());

  it('ships a scenario per catalogue failure mode', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(17);
  });

  for (const name of listScenarios()) {
    it(`${name}: the thread names ${EXPECTED[name] === null ? 'no critical finding' : `\`${EXPECTED[name] ?? name}\``}`, () => {
      const r = results.get(name);
      expect(r).toBeDefined();
      const transcript = r?.transcript ?? '';
      const expected = name in EXPECTED ? EXPECTED[name] : name;
      if (expected === null || expected === undefined) expect(transcript).not.toMatch(/\(critical, /);
      else expect(transcript).toMatch(new RegExp(`\`${expected}\` \\((critical|warning|info), `));
    });
  }
});
