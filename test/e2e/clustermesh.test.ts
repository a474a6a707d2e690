// ClusterMesh end to end through Slack: `/cilium diagnose node-2` on the ClusterMesh scenarios drives the real Bolt
// app, BullMQ on a real Redis, the collector over client-node against the Kubernetes emulator (the agent's status and
// node list by exec, the clustermesh-apiserver's Deployment, pods, logs and Service), and the report lands in the
// emulator's thread with the finding, the quoted evidence and the fix.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { startBot } from '../../bot/bot.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import { DEMO_CHANNEL, startSandboxStack, type SandboxStack } from '../../sandbox/sandbox-stack.ts';

const stacks: SandboxStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function diagnose(scenario: string, node: string): Promise<string> {
  const s = await startSandboxStack({ scenario: resolveScenario(scenario), redisUrl: inject('redisUrl'), startBot: false });
  stacks.push(s);
  s.bot = await startBot(s.config, { logger: pino({ level: 'silent' }) });
  await s.slack.slashCommand({ text: `diagnose ${node}`, userId: 'U0ONCALL', channelId: DEMO_CHANNEL.id, command: '/cilium', via: 'socket' });
  const root = await s.slack.waitFor(() => s.slack.messages(DEMO_CHANNEL.id)[0], { timeoutMs: 10_000, description: 'root message' });
  await s.slack.waitFor(() => s.slack.thread(DEMO_CHANNEL.id, root.ts).some((m) => (m.text ?? '').startsWith('Diagnosis of')), { timeoutMs: 20_000, description: 'the report' });
  return s.slack.renderThread(DEMO_CHANNEL.id, root.ts);
}

/** Runbook ids of the findings, in report order (each finding is rendered with its id in backticks). */
function findingIds(transcript: string): string[] {
  return [...transcript.matchAll(/`([a-z0-9-]+)` \((critical|warning|info), /g)].map((m) => m[1] ?? '');
}

describe('/cilium diagnose on a meshed cluster', () => {
  it('certificate trust failure: clustermesh-tls first, quoting the x509 line, the not-ready cluster and the CA/SAN fix', async () => {
    const t = await diagnose('clustermesh-tls', 'node-2');
    expect(findingIds(t)[0]).toBe('clustermesh-tls');
    expect(t).toMatch(/`clustermesh-tls` \(critical, /);
    expect(t).toContain('x509: certificate is valid for 127.0.0.1');
    expect(t).toMatch(/cluster2: not-ready/);
    expect(t).toContain('remote error: tls: bad certificate');
    expect(t).toMatch(/tls:\s+ca:/);
    expect(t).toContain('extraIpAddresses');
    expect(t).toContain('192.168.186.121');
    expect(t).toMatch(/global service/);
    // The ClusterMesh x509 line is not read as the Kubernetes API server's certificate.
    expect(findingIds(t)).not.toContain('apiserver-unreachable');
    expect(findingIds(t)).not.toContain('clustermesh-remote-not-ready');
  }, 60_000);

  it('overlapping PodCIDRs: clustermesh-pod-cidr-overlap quotes the remote node list rows against the local pool', async () => {
    const t = await diagnose('clustermesh-pod-cidr-overlap', 'node-2');
    expect(findingIds(t)[0]).toBe('clustermesh-pod-cidr-overlap');
    expect(t).toMatch(/cluster2\/ip-10-2-0-237\s+10\.2\.0\.237\s+10\.1\.1\.0\/24/);
    expect(t).toContain('10.1.0.0/16');
    expect(t).toContain('clusterPoolIPv4PodCIDRList');
    // The mesh itself is connected: no not-ready finding.
    expect(findingIds(t)).not.toContain('clustermesh-remote-not-ready');
  }, 60_000);

  it('kvstore quorum lost in a remote cluster: clustermesh-kvstore with the quorum status line', async () => {
    const t = await diagnose('clustermesh-kvstore', 'node-2');
    expect(findingIds(t)[0]).toBe('clustermesh-kvstore');
    expect(t).toContain('quorum check failed 39 times in a row');
    expect(t).toMatch(/13292 global service/);
    expect(findingIds(t)).not.toContain('clustermesh-pod-cidr-overlap');
  }, 60_000);

  it('healthy (no ClusterMesh): no clustermesh finding', async () => {
    const t = await diagnose('healthy', 'node-1');
    expect(findingIds(t).filter((id) => id.startsWith('clustermesh'))).toEqual([]);
  }, 60_000);
});
