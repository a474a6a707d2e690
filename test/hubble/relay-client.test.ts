// The real Relay client against the Relay emulator over gRPC on loopback: filters and bounds reach the server as
// sent, coverage comes from ServerStatus, and an absent or unreachable Relay is "unavailable" with the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubbleRelayClient } from '../../jobs/hubble/relay-client.ts';
import { readRelayFlows } from '../../jobs/hubble/read-relay-flows.ts';
import { relayTarget } from '../../jobs/hubble/relay-target.ts';
import type { RelayEmulator } from '../../sandbox/hubble/relay-emulator.ts';
import { closedPort, hubbleFlowsFile, startScenarioRelay } from './relay-kit.ts';

const SCENARIO = hubbleFlowsFile('egress-no-dns');
const NOW = new Date('2026-11-02T09:20:00Z');

describe('Hubble Relay client ↔ emulator (gRPC on loopback)', () => {
  let relay: RelayEmulator;
  let client: HubbleRelayClient;
  beforeAll(async () => {
    relay = await startScenarioRelay(SCENARIO, { unavailableNodes: ['default/node-3'] });
    client = new HubbleRelayClient({ address: relay.address });
  });
  afterAll(async () => {
    client.close();
    await relay.close();
  });

  it('GetFlows: the whitelist reaches Relay as sent and only matching drops come back', async () => {
    const batch = await client.getFlows({ filters: [{ source_pod: ['shop/checkout'], destination_port: ['53'], verdict: ['DROPPED'] }], maxFlows: 100, deadlineMs: 5000 });
    expect(relay.requests.at(-1)?.whitelist).toEqual([{ source_pod: ['shop/checkout'], destination_port: ['53'], verdict: ['DROPPED'] }]);
    expect(relay.requests.at(-1)?.number).toBe('100');
    expect(batch.flows).toHaveLength(6);
    expect(batch.flows.every((r) => r.flow.drop_reason_desc === 'POLICY_DENIED' && r.flow.traffic_direction === 'EGRESS')).toBe(true);
    expect(batch.flows[0]?.node).toBe('default/node-2');
    expect(batch.unavailableNodes).toEqual(['default/node-3']);
  });

  it('GetFlows with since: no `number` is sent, the count bound is applied by the client and marked truncated', async () => {
    const batch = await client.getFlows({ filters: [{ verdict: ['DROPPED'] }], since: new Date('2026-11-02T09:14:05Z'), maxFlows: 2, deadlineMs: 5000 });
    const req = relay.requests.at(-1);
    expect(req?.number).toBeUndefined();
    expect(req?.since?.seconds).toBe(String(Date.parse('2026-11-02T09:14:05Z') / 1000));
    expect(batch.flows).toHaveLength(2);
    expect(batch.truncated).toBe(true);
  });

  it('L7 flows come through with DNS rcode and HTTP method, URL and code', async () => {
    const batch = await client.getFlows({ filters: [{ protocol: ['http'] }, { protocol: ['dns'] }], maxFlows: 10, deadlineMs: 5000 });
    const http = batch.flows.find((r) => r.flow.l7?.http?.code === 503);
    expect(http?.flow.l7?.http).toMatchObject({ method: 'POST', url: 'http://checkout.shop.svc:8080/v1/orders' });
    expect(batch.flows.find((r) => r.flow.l7?.dns !== undefined)?.flow.l7?.dns).toMatchObject({ query: 'checkout.shop.svc.cluster.local.', rcode: 0 });
  });

  it('ServerStatus gives coverage: connected and unavailable nodes', async () => {
    const status = await client.serverStatus(5000);
    expect(status).toMatchObject({ connectedNodes: 3, unavailableNodes: 1, unavailableNodeNames: ['default/node-3'], version: '1.16.3' });
  });

  it('readRelayFlows: the flows fact with coverage and the window read', async () => {
    const fact = await readRelayFlows({ address: relay.address }, { filters: [{ source_pod: ['shop/checkout'] }], since: new Date(NOW.getTime() - 10 * 60_000), maxFlows: 50, deadlineMs: 5000 });
    if (!fact.ok) throw new Error(fact.detail);
    expect(fact.value.source).toBe('hubble-relay');
    expect(fact.value.coverage).toEqual({ connectedNodes: 3, unavailableNodes: ['default/node-3'] });
    expect(fact.value.flows.filter((f) => f.dropReason === 'POLICY_DENIED')).toHaveLength(6);
  });

  it('Relay unreachable → unavailable with the fix to enable Hubble/Relay', async () => {
    const port = await closedPort();
    const fact = await readRelayFlows({ address: `127.0.0.1:${port}` }, { filters: [], maxFlows: 10, deadlineMs: 3000 });
    expect(fact.ok).toBe(false);
    if (fact.ok) return;
    expect(fact.reason).toBe('unavailable');
    expect(fact.detail).toContain(`127.0.0.1:${port}`);
    expect(fact.fix).toContain('hubble.relay.enabled=true');
  });

  it('Relay absent (no Service, no HUBBLE_RELAY_ADDR) → not-found with the fix', async () => {
    expect(relayTarget({}, [])).toBeNull();
    const fact = await readRelayFlows(null, { filters: [], maxFlows: 10, deadlineMs: 1000 });
    expect(fact).toMatchObject({ ok: false, reason: 'not-found' });
    if (!fact.ok) expect(fact.fix).toContain('hubble.enabled=true');
  });

  it('finds Relay from HUBBLE_RELAY_ADDR first, else the hubble-relay Service, with TLS files from the environment', () => {
    const svc = { metadata: { name: 'hubble-relay', namespace: 'cilium' }, spec: { ports: [{ port: 443 }] } };
    expect(relayTarget({ HUBBLE_RELAY_ADDR: '127.0.0.1:4245' }, [svc])).toEqual({ address: '127.0.0.1:4245' });
    expect(relayTarget({ HUBBLE_RELAY_TLS_CA: '/etc/hubble/ca.crt', HUBBLE_RELAY_TLS_CERT: '/etc/hubble/tls.crt', HUBBLE_RELAY_TLS_KEY: '/etc/hubble/tls.key' }, [svc]))
      .toEqual({ address: 'hubble-relay.cilium.svc:443', tls: { caFile: '/etc/hubble/ca.crt', certFile: '/etc/hubble/tls.crt', keyFile: '/etc/hubble/tls.key' } });
    expect(() => relayTarget({ HUBBLE_RELAY_ADDR: 'http://relay' }, null)).toThrow(/host:port/);
  });

  it('a missing client certificate file is an error naming the file and the fix, not a silent insecure call', () => {
    expect(() => new HubbleRelayClient({ address: '127.0.0.1:1', tls: { caFile: '/nonexistent/ca.crt' } })).toThrow(/\/nonexistent\/ca\.crt.*mount the hubble-relay client Secret/);
  });
});
