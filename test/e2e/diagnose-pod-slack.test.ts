// `/cilium diagnose pod <ns>/<pod>` end to end: the Slack emulator drives the real Bolt app in Socket Mode, the job
// runs on the diagnose-pod queue (BullMQ on a real Redis), the worker reads the Kubernetes API emulator (the
// fqdn-no-dns-visibility scenario) and the Relay emulator over gRPC, and the report lands in the request's thread:
// the drops per direction, the toFQDNs policy responsible and the DNS rule to add. An unknown pod is an ephemeral
// error with the closest names; Relay unreachable is "unavailable" with the fix, never "no drops".
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadScenarioFile } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { closedPort, hubbleFlowsFile, startBotOnRelay, startScenarioRelay } from '../hubble/relay-kit.ts';

const SCENARIO = fileURLToPath(new URL('../../sandbox/scenarios/fqdn-no-dns-visibility.yaml', import.meta.url));
const FLOWS = hubbleFlowsFile('fqdn-no-dns-visibility');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stackWithRelay(address: string): Promise<SandboxStack> {
  const s = await startSandboxStack({ scenario: loadScenarioFile(SCENARIO), redisUrl: inject('redisUrl'), startBot: false });
  cleanups.push(() => s.stop());
  await startBotOnRelay(s, address, { deadlineMs: 15_000 });
  return s;
}

/** Sends the command; the root message, and the thread once the pod report (or the failure) is in it. */
async function diagnosePod(s: SandboxStack, text: string): Promise<{ rootText: () => string; transcript: string; ackMs: number }> {
  const sent = await s.slack.slashCommand({ text, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000, description: 'root message' });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => /^Diagnosis of |^The pod diagnosis failed/.test(m.text ?? '')), { timeoutMs: 60_000, description: 'the pod report in the thread' });
  return { rootText: () => s.slack.message(DEMO_CHANNEL.id, root.ts)?.text ?? '', transcript: s.slack.renderThread(DEMO_CHANNEL.id, root.ts), ackMs: sent.ackMs ?? 0 };
}

describe('/cilium diagnose pod through Slack', { timeout: 120_000 }, () => {
  it('shop/checkout: egress drops to world per direction, the toFQDNs policy responsible, the DNS rule to add', async () => {
    const relay = await startScenarioRelay(FLOWS, { now: new Date() });
    cleanups.push(() => relay.close());
    const s = await stackWithRelay(relay.address);
    const { transcript, rootText, ackMs } = await diagnosePod(s, 'diagnose pod shop/checkout');
    expect(ackMs).toBeLessThan(3000);
    expect(transcript).toContain('Pod shop/checkout-7c9f8b6d4-x2x9q: fqdn-dns-proxy');
    expect(transcript).toMatch(/node `node-2`/);
    expect(transcript).toContain('endpoint ready, identity 48213, ingress not enforcing, egress enforcing');
    expect(transcript).toMatch(/\*Egress \(traffic the pod sent\)\*\n\s*• \*3 × POLICY_DENIED\* to `104\.198\.14\.52:80`: toFQDNs in CiliumNetworkPolicy shop\/checkout-egress matches no IP/);
    expect(transcript).toMatch(/\*Ingress \(traffic sent to the pod\)\*\n\s*No drops\./);
    expect(transcript).toContain('Policy denied DROPPED (TCP Flags: SYN)');
    expect(transcript).toContain('*Fix:* give its port-53 rule a DNS rule:');
    expect(transcript).toContain('matchPattern: "*"');
    // The findings, narrowed to the pod: the FQDN cause explains the drops, so no second "policy drops" finding.
    expect(transcript).toContain('Diagnosis of shop/checkout-7c9f8b6d4-x2x9q on node-2: fqdn-dns-proxy');
    expect(transcript).not.toContain('policy-default-deny: ');
    await s.slack.waitFor(() => /^:large_orange_circle: Pod `shop\/checkout-7c9f8b6d4-x2x9q` on `node-2`: fqdn-dns-proxy/.test(rootText()), { timeoutMs: 5_000, description: 'root carries the headline' });
  });

  it('an unknown pod: an ephemeral error naming the closest pods, nothing queued or posted', async () => {
    const s = await stackWithRelay('127.0.0.1:1');
    const sent = await s.slack.slashCommand({ text: 'diagnose pod shop/chekout', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(sent.responseUrl)[0], { timeoutMs: 10_000, description: 'ephemeral error' });
    expect((post.body as { text?: string }).text).toMatch(/Pod `shop\/chekout` does not exist in cluster `[^`]+`\. Did you mean `shop\/checkout-7c9f8b6d4-x2x9q`/);
    expect(s.slack.messages(DEMO_CHANNEL.id)).toHaveLength(0);
  });

  it('Relay unreachable: the flows part says unavailable with the fix, the policy finding still stands', async () => {
    const port = await closedPort();
    const s = await stackWithRelay(`127.0.0.1:${port}`);
    const { transcript } = await diagnosePod(s, 'diagnose pod shop/checkout');
    expect(transcript).toContain(`*Hubble flows unavailable:* Hubble Relay at 127.0.0.1:${port} is unreachable`);
    expect(transcript).toContain('--set hubble.relay.enabled=true');
    expect(transcript).not.toContain('No drops.');
    expect(transcript).toContain('fqdn-dns-proxy');
  });
});
