// `/cilium why-dropped` through Slack: the Slack emulator drives the real Bolt app in Socket Mode, the bot reads the
// Relay emulator over gRPC (the egress-no-dns scenario's flows), and the ephemeral answer shows the UDP/53 drops at
// egress, the missing allow and the DNS allow as a CiliumNetworkPolicy. Relay unreachable → unavailable with the fix.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { closedPort, hubbleFlowsFile, startBotOnRelay, startScenarioRelay } from './relay-kit.ts';

const FLOWS = hubbleFlowsFile('egress-no-dns');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stackWithRelay(address: string): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: resolveScenario('policy-default-deny'), redisUrl: inject('redisUrl'), startBot: false });
  cleanups.push(() => s.stop());
  await startBotOnRelay(s, address, { deadlineMs: 3000 });
  return s;
}

async function ask(s: SandboxStack, text: string): Promise<string> {
  const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(sent.responseUrl)[0], { timeoutMs: 15_000, description: 'why-dropped reply' });
  return (post.body as { text?: string }).text ?? '';
}

describe('/cilium why-dropped through Slack', () => {
  it('egress policy without DNS allow: drops on UDP/53 at egress, the missing allow, the DNS allow to apply', async () => {
    const relay = await startScenarioRelay(FLOWS, { now: new Date() });
    cleanups.push(() => relay.close());
    const s = await stackWithRelay(relay.address);
    const text = await ask(s, 'why-dropped shop/checkout shop/payments:8080');
    expect(text).toContain('*Why dropped* `shop/checkout → shop/payments:8080` — 6 flows read from Hubble Relay in the last 15 minutes');
    expect(text).toContain('*3 × POLICY_DENIED* at egress: DNS lookups (port 53). Missing egress allow: a policy with an egress section selects shop/checkout');
    expect(text).toMatch(/```[^`]*kube-system\/coredns-5d78c9869d-8v6pq:53 \(ID:102\) Policy denied DROPPED \(UDP\)/);
    expect(text).toContain('"k8s:k8s-app": kube-dns');
    expect(text).toContain('app: "checkout"');
    // An answer to the person who asked: nothing is posted in the channel.
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(0);
  });

  it('Relay unreachable: Hubble flows unavailable, with the fix to enable Hubble Relay', async () => {
    const port = await closedPort();
    const s = await stackWithRelay(`127.0.0.1:${port}`);
    const text = await ask(s, 'why-dropped shop/checkout shop/payments');
    expect(text).toContain(`Hubble flows unavailable: Hubble Relay at 127.0.0.1:${port} is unreachable`);
    expect(text).toContain('--set hubble.relay.enabled=true');
  });

  it('a malformed pod is an ephemeral usage error with an example', async () => {
    const s = await stackWithRelay('127.0.0.1:1');
    const sent = await s.slack.slashCommand({ text: 'why-dropped checkout shop/payments', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    expect(JSON.stringify(sent.ackPayload ?? sent.body)).toMatch(/is not a pod.*why-dropped shop\/checkout shop\/payments:8080/);
  });
});
