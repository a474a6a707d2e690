// The node report with Hubble on: `cilium-runbook diagnose` (the same collectors as the bot's worker) reads the
// node's drops of the last N minutes from Relay over gRPC; the report adds "Dropped on <node>", and
// policy-default-deny quotes the real POLICY_DENIED drops. Relay unreachable → the flows fact is unavailable with the
// fix, never "no drops".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { resolveScenario } from '../../sandbox/scenario/index.ts';
import type { RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';
import type { Report } from '../../runbooks/engine/contract.ts';
import { closedPort, hubbleFlowsFile, runCli, startScenarioRelay } from './relay-kit.ts';

const FLOWS = hubbleFlowsFile('egress-no-dns');

/** node-2's report as JSON, whatever the exit code (a critical finding exits 3). */
async function diagnose(kubeconfig: string, env: NodeJS.ProcessEnv): Promise<Report> {
  const r = await runCli(['diagnose', 'node-2', '--kubeconfig', kubeconfig, '--json'], env);
  return JSON.parse(r.stdout) as Report;
}

describe('node report with Hubble Relay', () => {
  let kube: KubeEmulator;
  let relay: RelayEmulator;
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: resolveScenario('policy-default-deny') });
    relay = await startScenarioRelay(FLOWS, { now: new Date() });
  });
  afterAll(async () => {
    await kube.stop();
    await relay.close();
  });

  it('adds "Dropped on node-2 in the last 15 minutes" and policy-default-deny quotes the Relay drops', async () => {
    const report = await diagnose(kube.kubeconfigPath, { HUBBLE_RELAY_ADDR: relay.address });
    expect(relay.requests.at(-1)?.whitelist).toEqual([{ node_name: ['node-2'], verdict: ['DROPPED', 'ERROR'] }]);
    const drops = report.findings.find((f) => f.runbookId === 'hubble-node-drops');
    expect(drops?.title).toBe('Dropped on node-2 in the last 15 minutes: 3 flows');
    expect(drops?.severity).toBe('info');
    expect(drops?.evidence[0]?.text).toBe('3 × POLICY_DENIED (egress): shop/checkout-7c9f8b6d4-x2x9q → kube-system/coredns-5d78c9869d-8v6pq:53 (3)');
    expect(drops?.fixSteps[0]?.commands).toEqual(['/cilium why-dropped shop/checkout-7c9f8b6d4-x2x9q kube-system/coredns-5d78c9869d-8v6pq:53']);
    const deny = report.findings.find((f) => f.runbookId === 'policy-default-deny');
    expect(deny?.evidence.some((q) => q.source === 'hubble observe (hubble-relay)' && q.text.includes('Policy denied DROPPED (UDP)'))).toBe(true);
    expect(report.unavailable.map((u) => u.fact)).not.toContain('flows');
  });

  it('Relay unreachable: the flows fact is unavailable with the fix, and the drops runbook is inconclusive, not healthy', async () => {
    const port = await closedPort();
    const report = await diagnose(kube.kubeconfigPath, { HUBBLE_RELAY_ADDR: `127.0.0.1:${port}` });
    const flows = report.unavailable.find((u) => u.fact === 'flows');
    expect(flows?.detail).toContain(`Hubble Relay at 127.0.0.1:${port} is unreachable`);
    expect(flows?.fix).toContain('hubble.relay.enabled=true');
    expect(report.inconclusive.find((i) => i.runbookId === 'hubble-node-drops')?.missing).toEqual(['flows']);
    expect(report.findings.map((f) => f.runbookId)).toContain('policy-default-deny');
  });

  it('without HUBBLE_RELAY_ADDR (outside the cluster) flows are not read and nothing about them is claimed', async () => {
    const report = await diagnose(kube.kubeconfigPath, { HUBBLE_RELAY_ADDR: '', KUBE_IN_CLUSTER: '' });
    expect(report.findings.map((f) => f.runbookId)).not.toContain('hubble-node-drops');
    expect(report.inconclusive.map((i) => i.runbookId)).not.toContain('hubble-node-drops');
  });
});
