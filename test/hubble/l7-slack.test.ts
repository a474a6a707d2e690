// L7 policy through Slack, end to end: the Slack emulator drives the real Bolt app, the bot reads the Relay emulator
// over gRPC (the Star Wars flows of sandbox/scenarios/hubble/l7-starwars-exhaust-port.json, from the Hubble CLI docs)
// and the kube emulator (the l7-policy scenario with the demo's CiliumNetworkPolicy rule1).
// - `/cilium why-dropped default/tiefighter default/deathstar:80`: the denied PUT, answered 403 by the proxy, and where
//   to get the rule diff;
// - `/cilium diagnose node-2`: the l7-policy finding with the denied request, the field that did not match and the
//   one rules.http entry to add.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { hubbleFlowsFile, startBotOnRelay, startScenarioRelay } from './relay-kit.ts';

const FLOWS = hubbleFlowsFile('l7-starwars-exhaust-port');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function stackWithL7Relay(): Promise<SandboxStack> {
  const relay = await startScenarioRelay(FLOWS, { now: new Date() });
  cleanups.push(() => relay.close());
  const s = await startSandboxStack({ scenario: resolveScenario('l7-policy'), redisUrl: inject('redisUrl'), startBot: false });
  cleanups.push(() => s.stop());
  await startBotOnRelay(s, relay.address);
  return s;
}

describe('L7 policy through Slack', () => {
  it('/cilium why-dropped: the PUT the proxy denied, answered 403, and where the rule diff is', async () => {
    const s = await stackWithL7Relay();
    const sent = await s.slack.slashCommand({ text: 'why-dropped default/tiefighter default/deathstar:80', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const post = await s.slack.waitFor(() => s.slack.responseUrlPosts(sent.responseUrl)[0], { timeoutMs: 15_000, description: 'why-dropped reply' });
    const text = (post.body as { text?: string }).text ?? '';
    expect(text).toContain('*1 × http-request* at ingress: traffic to the destination. The L7 proxy denied these HTTP requests and answered 403 "Access denied"');
    expect(text).toMatch(/default\/tiefighter:42742 \(ID:19274\) -&gt; default\/deathstar-c74d84667-cx5kp:80 \(ID:318\) http-request DROPPED \(HTTP\/1\.1 PUT http:\/\/deathstar\.default\.svc\.cluster\.local\/v1\/exhaust-port\)/);
    expect(text).toContain('/cilium diagnose node-2');
    // The allowed POST is not a drop.
    expect(text).not.toContain('request-landing');
  });

  it('/cilium diagnose node-2: the l7-policy finding with the closest entry and the one entry to add', async () => {
    const s = await stackWithL7Relay();
    await s.slack.slashCommand({ text: 'diagnose node-2', userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
    const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id).find((m) => (m.text ?? '').includes('node-2')), { timeoutMs: 10_000, description: 'root message' });
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 30_000, description: 'diagnosis' });
    const transcript = s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
    expect(transcript).toContain('L7 policy denies HTTP PUT /v1/exhaust-port to default/deathstar-c74d84667-cx5kp');
    expect(transcript).toContain('`l7-policy` (warning, ');
    expect(transcript).toContain('method "POST" does not match PUT; path "/v1/request-landing" does not match /v1/exhaust-port');
    expect(transcript).toContain('Allow exactly PUT /v1/exhaust-port in CiliumNetworkPolicy default/rule1');
    expect(transcript).toContain('+  - method: "PUT"');
    expect(transcript).toContain('+    path: "/v1/exhaust-port"');
    expect(transcript).toContain('kubectl -n default edit cnp rule1');
  });
});
