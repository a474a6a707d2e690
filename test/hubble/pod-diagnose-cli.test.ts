// `cilium-runbook diagnose pod <ns>/<pod>` end to end: the CLI child process against the Kubernetes API emulator
// (the fqdn-no-dns-visibility scenario: shop/checkout on node-2 with toFQDNs and a port-53 rule without rules.dns)
// and the Relay emulator over gRPC serving that pod's flows. The report shows the drops per direction, the policy
// responsible, the endpoint, and the DNS rule to add; an unknown pod exits 1 with the closest names.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startKubeEmulator, type KubeEmulator } from '../../sandbox/kube/index.ts';
import { loadScenarioFile } from '../../sandbox/scenario/index.ts';
import type { RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';
import { hubbleFlowsFile, runCli, startScenarioRelay, type CliResult } from './relay-kit.ts';

const SCENARIO = fileURLToPath(new URL('../../sandbox/scenarios/fqdn-no-dns-visibility.yaml', import.meta.url));
const FLOWS = hubbleFlowsFile('fqdn-no-dns-visibility');

/** The CLI with no Relay address of this process's environment leaking in: each test says which Relay it reads. */
const cli = (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> => runCli(args, { HUBBLE_RELAY_ADDR: '', ...env });

describe('cilium-runbook diagnose pod', { timeout: 120_000 }, () => {
  let kube: KubeEmulator;
  let relay: RelayEmulator;
  beforeAll(async () => {
    kube = await startKubeEmulator({ scenario: loadScenarioFile(SCENARIO) });
    relay = await startScenarioRelay(FLOWS, { now: new Date() });
  });
  afterAll(async () => {
    await relay.close();
    await kube.stop();
  });

  it('shop/checkout: the egress drops to world, toFQDNs without DNS visibility as the cause, the rule to add', async () => {
    const r = await cli(['diagnose', 'pod', 'shop/checkout', '--kubeconfig', kube.kubeconfigPath], { HUBBLE_RELAY_ADDR: relay.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pod shop/checkout-7c9f8b6d4-x2x9q on node-2');
    expect(r.stdout).toContain('endpoint ready, identity 48213, ingress not enforcing, egress enforcing');
    expect(r.stdout).toMatch(/Egress \(traffic the pod sent\):\n {2}3 × POLICY_DENIED to 104\.198\.14\.52:80: toFQDNs in CiliumNetworkPolicy shop\/checkout-egress matches no IP/);
    expect(r.stdout).toContain('Ingress (traffic sent to the pod): no drops');
    expect(r.stdout).toContain('DNS seen by the DNS proxy: 0');
    expect(r.stdout).toMatch(/\[WARNING\] FQDN policy \/ DNS proxy problem \(fqdn-dns-proxy/);
    // The request: the pod as source OR destination, drops and errors, plus its DNS and HTTP flows.
    expect(relay.requests.at(-1)?.whitelist).toEqual([
      { source_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], verdict: ['DROPPED', 'ERROR'] },
      { destination_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], verdict: ['DROPPED', 'ERROR'] },
      { source_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], protocol: ['dns', 'http'] },
      { destination_pod: ['shop/checkout-7c9f8b6d4-x2x9q'], protocol: ['dns', 'http'] },
    ]);
    // The policy to apply: the bare port-53 rule now carries rules.dns, the toFQDNs rule unchanged.
    const start = r.stdout.indexOf('apiVersion: cilium.io/v2');
    const end = r.stdout.indexOf('\n\n', start);
    const policy = parseYaml(r.stdout.slice(start, end)) as { metadata: { name: string; namespace: string }; spec: { egress: Array<{ toPorts?: Array<{ ports: unknown[]; rules?: unknown }>; toFQDNs?: unknown }> } };
    expect(policy.metadata).toEqual({ name: 'checkout-egress', namespace: 'shop' });
    expect(policy.spec.egress[0]?.toPorts?.[0]).toEqual({ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } });
    expect(policy.spec.egress[1]?.toFQDNs).toEqual([{ matchName: 'cilium.io' }]);
  });

  it('--json: the diagnosis as data', async () => {
    const r = await cli(['diagnose', 'pod', 'shop/checkout-7c9f8b6d4-x2x9q', '--kubeconfig', kube.kubeconfigPath, '--json'], { HUBBLE_RELAY_ADDR: relay.address });
    const d = JSON.parse(r.stdout) as { pod: { node: string }; flows: { status: string; summary: { groups: Array<{ direction: string; reason: string; count: number }> } }; fqdn: Array<{ gap: { dns: string } }> };
    expect(d.pod.node).toBe('node-2');
    expect(d.flows.summary.groups).toEqual([expect.objectContaining({ direction: 'egress', reason: 'POLICY_DENIED', count: 3 })]);
    expect(d.fqdn.map((f) => f.gap.dns)).toEqual(['l4-only']);
  });

  it('an unknown pod exits 1 with the closest pod names', async () => {
    const r = await cli(['diagnose', 'pod', 'shop/chekout', '--kubeconfig', kube.kubeconfigPath], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Pod "shop\/chekout" does not exist in cluster .*Did you mean "shop\/checkout-7c9f8b6d4-x2x9q"/);
  });

  it('without Hubble Relay: flows unavailable with the fix, the policy finding still made', async () => {
    const r = await cli(['diagnose', 'pod', 'shop/checkout', '--kubeconfig', kube.kubeconfigPath], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Hubble flows unavailable: Hubble flows are not read by this deployment');
    expect(r.stdout).toContain('--set hubble.relay.enabled=true');
    expect(r.stdout).toContain('fqdn-dns-proxy');
  });
});
