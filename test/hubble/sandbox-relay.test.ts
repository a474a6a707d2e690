// The sandbox serves a scenario's Hubble flows from the Relay emulator (StackOptions.hubbleRelay, as the demo starts
// it) and points the bot at it: `/cilium why-dropped` then answers from those flows with no setup of its own.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { parseScenario } from '../../sandbox/scenario/load.ts';
import { ScenarioError } from '../../sandbox/scenario/scenario-error.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { expectedFindings } from '../../sandbox/demo/once.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

describe('sandbox Hubble Relay', () => {
  it('a scenario with hubbleFlows: the stack starts Relay and why-dropped reads its flows', async () => {
    const scenario = { ...resolveScenario('policy-default-deny'), hubbleFlows: 'hubble/egress-no-dns.json' };
    const s = await startSandboxStack({ scenario, redisUrl: inject('redisUrl'), hubbleRelay: true });
    stacks.push(s);
    expect(s.relay?.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const sent = await s.slack.slashCommand({ text: 'why-dropped shop/checkout shop/payments:8080', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(sent.responseUrl)[0], { timeoutMs: 15_000, description: 'why-dropped reply' });
    expect((post.body as { text?: string }).text ?? '').toContain('*3 × POLICY_DENIED* at egress');
    expect(s.relay?.requests.length).toBeGreaterThan(0);
  });

  it('without hubbleRelay (tests bringing their own Relay) or without flows, no Relay runs', async () => {
    const off = await startSandboxStack({ scenario: { ...resolveScenario('healthy'), hubbleFlows: 'hubble/egress-no-dns.json' }, redisUrl: inject('redisUrl'), startBot: false });
    stacks.push(off);
    expect(off.relay).toBeUndefined();
    expect(off.config.collect.hubbleFlows).toBeUndefined();
    const none = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), startBot: false, hubbleRelay: true });
    stacks.push(none);
    expect(none.relay).toBeUndefined();
  });

  it('a scenario file naming flows outside sandbox/scenarios/hubble/ is refused with the expected form', () => {
    const text = 'name: x\ndescription: y\nhubbleFlows: ../../etc/passwd\n';
    expect(() => parseScenario(text, 'x.yaml')).toThrow(ScenarioError);
    expect(() => parseScenario(text, 'x.yaml')).toThrow(/hubble\/egress-no-dns\.json/);
    expect(parseScenario('name: x\ndescription: y\nhubbleFlows: hubble/egress-no-dns.json\n', 'x.yaml').hubbleFlows).toBe('hubble/egress-no-dns.json');
  });

  it('expect.hubbleFindings needs hubbleFlows; the demo expects them only when Relay serves the flows', async () => {
    const nodes = 'objects:\n  - {apiVersion: v1, kind: Node, metadata: {name: node-a}}\n';
    expect(() => parseScenario(`name: x\ndescription: y\nexpect: {node: node-a, hubbleFindings: [l7-policy]}\n${nodes}`, 'x.yaml')).toThrow(/hubbleFindings needs the scenario's hubbleFlows/);
    const l7 = resolveScenario('l7-policy');
    expect(l7.expect?.findings).toEqual([]);
    const off = await startSandboxStack({ scenario: l7, redisUrl: inject('redisUrl'), startBot: false });
    stacks.push(off);
    expect(expectedFindings(off)).toEqual([]);
    const on = await startSandboxStack({ scenario: l7, redisUrl: inject('redisUrl'), startBot: false, hubbleRelay: true });
    stacks.push(on);
    expect(expectedFindings(on)).toEqual(['policy-default-deny', 'l7-policy']);
  });
});
