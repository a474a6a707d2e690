// One end-to-end diagnosis per shipped scenario: the node its `expect:` block names gets, first in the Slack thread,
// the runbook the scenario expects (none for a healthy node), through Bolt, BullMQ, client-node and the emulators;
// nodes it lists as healthy get no critical or warning finding (e.g. a Debian 10 node whose `uname -r` looks old).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { listScenarios, resolveScenario, type Scenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { expectedFindings } from '../../sandbox/demo/once.ts';

interface Result { node: string; transcript: string }

async function diagnoseNode(s: SandboxStack, node: string, index: number): Promise<Result> {
  await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id).filter((m) => (m.text ?? '').includes(node))[0], { timeoutMs: 10_000, description: `root for ${node}` });
  // A healthy node may answer without a thread (issue 21); wait for the diagnosis wherever it lands.
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000, description: `report ${index} for ${node}` });
  return { node, transcript: s.slack.renderThread(DEMO_CHANNEL.id, root.ts) };
}

async function diagnoseScenario(name: string): Promise<{ scenario: Scenario; want: string[]; broken: Result; healthy: Result[] }> {
  // As the demo runs them: a scenario's Hubble flows, if it has any, served by the Relay emulator.
  const s: SandboxStack = await startSandboxStack({ scenario: resolveScenario(name), redisUrl: inject('redisUrl'), startBot: false, hubbleRelay: true });
  try {
    s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
    const expected = s.scenario.expect;
    if (expected === undefined) throw new Error(`scenario ${name} has no expect: block`);
    const broken = await diagnoseNode(s, expected.node, 0);
    const healthy: Result[] = [];
    for (const [i, node] of (expected.healthyNodes ?? []).entries()) healthy.push(await diagnoseNode(s, node, i + 1));
    return { scenario: s.scenario, want: expectedFindings(s), broken, healthy };
  } finally {
    await s.stop();
  }
}

/** The runbook ids of the findings in a report, in order (each finding is rendered with its id in backticks). */
function findingIds(transcript: string): string[] {
  return [...transcript.matchAll(/`([a-z0-9-]+)` \((critical|warning|info), /g)].map((m) => m[1] ?? '');
}

describe('every scenario, end to end', () => {
  const scenarios = listScenarios();
  const results = new Map<string, Awaited<ReturnType<typeof diagnoseScenario>>>();
  beforeAll(async () => {
    // Sequential: each stack starts its own emulators; two cores.
    for (const name of scenarios) results.set(name, await diagnoseScenario(name));
  }, 300_000);
  afterAll(() => results.clear());

  it('ships a scenario per catalogue failure mode and per real-install shape', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(25);
  });

  for (const name of listScenarios()) {
    it(`${name}: the expected node gets the expected finding first; its healthy nodes none`, () => {
      const r = results.get(name);
      if (r === undefined) throw new Error(`no result for ${name}`);
      const want = r.want;
      const got = findingIds(r.broken.transcript);
      if (want.length === 0) expect(r.broken.transcript).not.toMatch(/\((critical|warning), /);
      else expect(got.slice(0, want.length), r.broken.transcript).toEqual(want);
      for (const h of r.healthy) expect(h.transcript, `${h.node} must not be reported`).not.toMatch(/\((critical|warning), /);
    });
  }
});
