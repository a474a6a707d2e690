// Acceptance of the paste diagnosis in Slack: a plain `cilium-dbg status` pasted in a message, with its IPAM line at
// 510/511, is answered in the thread with `ipam-exhausted`. The status output follows a real one (cilium/cilium#18331,
// "range is full" on that node; `IPAM: IPv4: 510/511 allocated from …/23,`), with the address range of the issue's
// acceptance example. It needs the paste analyser (`analyzePastedText`, which reads `cilium-dbg status`) behind
// bot/pasted-analysis.ts: until that is merged the adapter reads the paste as an agent log, recognises nothing and
// this test fails on purpose.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';
import { MESSAGE_SHORTCUT_CALLBACK_ID } from '../../bot/shortcut/message-shortcut.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

const STATUS = [
  'KVStore:                 Ok   Disabled',
  'Kubernetes:              Ok   1.29 (v1.29.4) [linux/amd64]',
  'Kubernetes APIs:         ["EndpointSliceOrEndpoint", "cilium/v2::CiliumClusterwideNetworkPolicy", "cilium/v2::CiliumEndpoint", "cilium/v2::CiliumNetworkPolicy", "cilium/v2::CiliumNode", "core/v1::Namespace", "core/v1::Pods", "core/v1::Service", "networking.k8s.io/v1::NetworkPolicy"]',
  'KubeProxyReplacement:    True   [eth0   10.0.2.15 (Direct Routing)]',
  'Host firewall:           Disabled',
  'CNI Chaining:            none',
  'Cilium:                  Ok   1.15.6 (v1.15.6-a09e05e6)',
  'NodeMonitor:             Listening for events on 16 CPUs with 64x4096 of shared memory',
  'Cilium health daemon:    Ok',
  'IPAM:                    IPv4: 510/511 allocated from 10.0.0.0/23,',
  'BandwidthManager:        Disabled',
  'Host Routing:            Legacy',
  'Masquerading:            IPTables [IPv4: Enabled, IPv6: Disabled]',
  'Controller Status:       2056/2057 healthy',
  'Proxy Status:            OK, ip 10.0.0.12, 0 redirects active on ports 10000-20000, Envoy: embedded',
  'Cluster health:          2/2 reachable   (2024-07-01T09:12:44Z)',
].join('\n');

describe('message shortcut on a pasted cilium-dbg status (needs the paste analyser)', () => {
  it('IPAM 510/511 → ipam-exhausted, answered in the message\'s thread', async () => {
    const s = await startSandboxStack({ scenario: resolveScenario('healthy'), redisUrl: inject('redisUrl'), mode: 'socket', logger: pino({ level: 'silent' }) });
    stacks.push(s);
    const msg = s.slack.userMessage({ channelId: DEMO_CHANNEL.id, userId: 'U0ONCALL', text: `\`\`\`$ kubectl -n kube-system exec ds/cilium -- cilium-dbg status\n${STATUS}\`\`\`` });
    await s.slack.useMessageShortcut({ callbackId: MESSAGE_SHORTCUT_CALLBACK_ID, channelId: DEMO_CHANNEL.id, messageTs: msg.ts, userId: 'U0ONCALL', via: 'socket' });
    await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, msg.ts).length > 0 || undefined, { timeoutMs: 20_000, description: 'the answer in the thread' });
    const replies = s.slack.thread(DEMO_CHANNEL.id, msg.ts);
    expect(JSON.stringify(replies)).toContain('ipam-exhausted');
    expect(JSON.stringify(replies)).toMatch(/510\/511/);
  });
});
