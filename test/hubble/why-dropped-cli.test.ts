// `cilium-runbook why-dropped` end to end: the CLI child process → real gRPC → the Relay emulator serving the
// egress-no-dns scenario (an egress policy without a DNS allow). The answer groups the drops by reason and
// direction, names the missing allow, and gives the DNS allow as a CiliumNetworkPolicy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';
import { parseWhyDroppedArgs } from '../../bot/command-grammar.ts';
import { InvalidCommandError } from '../../bot/errors.ts';
import { closedPort, hubbleFlowsFile, runCli as cli, startScenarioRelay } from './relay-kit.ts';

const SCENARIO = hubbleFlowsFile('egress-no-dns');

describe('cilium-runbook why-dropped', { timeout: 120_000 }, () => {
  let relay: RelayEmulator;
  beforeAll(async () => {
    relay = await startScenarioRelay(SCENARIO, { now: new Date() });
  });
  afterAll(async () => {
    await relay.close();
  });

  it('egress policy without DNS allow: the UDP/53 drops at egress, the missing allow, and the DNS allow to apply', async () => {
    const r = await cli(['why-dropped', 'shop/checkout', 'shop/payments:8080'], { HUBBLE_RELAY_ADDR: relay.address });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Why dropped: shop/checkout → shop/payments:8080');
    expect(r.stdout).toMatch(/3 × POLICY_DENIED at egress: DNS lookups \(port 53\)/);
    expect(r.stdout).toContain('No drops to shop/payments itself were seen');
    expect(r.stdout).toContain('Missing egress allow: a policy with an egress section selects shop/checkout');
    expect(r.stdout).toMatch(/shop\/checkout-7c9f8b6d4-x2x9q:\d+ \(ID:48213\) <> kube-system\/coredns-5d78c9869d-8v6pq:53 \(ID:102\) Policy denied DROPPED \(UDP\)/);
    // The request sent: drops to the destination port, and the source's drops on port 53, in the last 15 minutes.
    const req = relay.requests.at(-1);
    expect(req?.whitelist).toEqual([
      { source_pod: ['shop/checkout'], destination_pod: ['shop/payments'], verdict: ['DROPPED', 'ERROR'], destination_port: ['8080'] },
      { source_pod: ['shop/checkout'], destination_port: ['53'], verdict: ['DROPPED', 'ERROR'] },
    ]);
    const yamlStart = r.stdout.indexOf('apiVersion: cilium.io/v2');
    expect(yamlStart).toBeGreaterThan(0);
    const policy = parseYaml(r.stdout.slice(yamlStart)) as { metadata: { namespace: string }; spec: { endpointSelector: { matchLabels: Record<string, string> }; egress: { toEndpoints: { matchLabels: Record<string, string> }[]; toPorts: { ports: { port: string; protocol: string }[] }[] }[] } };
    expect(policy.metadata.namespace).toBe('shop');
    expect(policy.spec.endpointSelector.matchLabels).toEqual({ app: 'checkout' });
    expect(policy.spec.egress[0]?.toEndpoints[0]?.matchLabels).toEqual({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' });
    expect(policy.spec.egress[0]?.toPorts[0]?.ports).toEqual([{ port: '53', protocol: 'ANY' }]);
  });

  it('--json: the groups as data', async () => {
    const r = await cli(['why-dropped', 'shop/checkout', 'shop/payments:8080', '--json', '--since', '30'], { HUBBLE_RELAY_ADDR: relay.address });
    const doc = JSON.parse(r.stdout) as { status: string; groups: { reason: string; direction: string; towards: string; count: number }[]; windowMinutes: number };
    expect(doc.status).toBe('answered');
    expect(doc.windowMinutes).toBe(30);
    expect(doc.groups).toEqual([expect.objectContaining({ reason: 'POLICY_DENIED', direction: 'egress', towards: 'dns', count: 3 })]);
  });

  it('a pair with no drops says so rather than inventing a cause', async () => {
    const r = await cli(['why-dropped', 'shop/frontend', 'shop/checkout:8080'], { HUBBLE_RELAY_ADDR: relay.address });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No drops between these pods');
    expect(r.stdout).not.toContain('apiVersion');
  });

  it('Relay unreachable: exit 1, Hubble flows unavailable, with the fix to enable Hubble Relay', async () => {
    const port = await closedPort();
    const r = await cli(['why-dropped', 'shop/checkout', 'shop/payments'], { HUBBLE_RELAY_ADDR: `127.0.0.1:${port}`, COLLECT_DEADLINE_MS: '3000' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Hubble flows unavailable: Hubble Relay at 127.0.0.1:${port} is unreachable`);
    expect(r.stdout).toContain('--set hubble.relay.enabled=true');
  });

  it('bad arguments: exit 2 with an example', async () => {
    const r = await cli(['why-dropped', 'checkout', 'shop/payments'], { HUBBLE_RELAY_ADDR: relay.address });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a pod');
    expect(r.stderr).toContain('why-dropped shop/checkout shop/payments:8080');
  });
});

describe('why-dropped grammar', () => {
  it('parses pods and an optional port', () => {
    expect(parseWhyDroppedArgs(['shop/checkout', 'shop/payments:8080'])).toEqual({ source: { namespace: 'shop', pod: 'checkout' }, destination: { namespace: 'shop', pod: 'payments' }, port: 8080 });
    expect(parseWhyDroppedArgs(['a/b', 'c/d'])).toEqual({ source: { namespace: 'a', pod: 'b' }, destination: { namespace: 'c', pod: 'd' } });
  });
  it.each([[['shop/checkout']], [['shop/x', 'shop/y:70000']], [['shop/x', 'Shop/Y']], [['shop/x;rm', 'shop/y']], [['shop/x', 'shop/y', 'z']]])('refuses %j', (args) => {
    expect(() => parseWhyDroppedArgs(args)).toThrow(InvalidCommandError);
  });
});
