// The `flows` fact read from Hubble Relay: GetFlows for the query plus ServerStatus for coverage. Relay absent or
// unreachable → unavailable with the fix (enable Hubble/Relay), never an empty "no drops" that would read as healthy.
import * as grpc from '@grpc/grpc-js';
import type { Fact, Flows } from '../../runbooks/engine/evidence.ts';
import { flowFromRelay } from '../../runbooks/engine/relay-flow-convert.ts';
import { HubbleRelayClient, RelayCallError, type FlowQuery, type RelayClientOptions, type RelayCoverage } from './relay-client.ts';
import { RELAY_FIX } from './relay-target.ts';

function unavailableFrom(e: unknown, address: string): Fact<Flows> {
  if (e instanceof RelayCallError) {
    if (e.code === grpc.status.DEADLINE_EXCEEDED) {
      return { ok: false, reason: 'timeout', detail: `Hubble Relay at ${address} did not answer in time: ${e.message}`, fix: 'Check the hubble-relay pod (kubectl -n <cilium namespace> logs deploy/hubble-relay) or raise COLLECT_DEADLINE_MS.' };
    }
    if (e.code === grpc.status.UNAUTHENTICATED || e.code === grpc.status.PERMISSION_DENIED || /certificate|handshake|SSL|TLS/i.test(e.message)) {
      return { ok: false, reason: 'forbidden', detail: `Hubble Relay at ${address} refused the connection: ${e.message}`, fix: 'Relay serves TLS (hubble.relay.tls.server.enabled): set HUBBLE_RELAY_TLS_CA to its CA file and, with mTLS, HUBBLE_RELAY_TLS_CERT/HUBBLE_RELAY_TLS_KEY to a client certificate mounted from a Secret.' };
    }
    return { ok: false, reason: 'unavailable', detail: `Hubble Relay at ${address} is unreachable (gRPC ${grpc.status[e.code] ?? e.code}): ${e.message}`, fix: RELAY_FIX };
  }
  return { ok: false, reason: 'unavailable', detail: `Hubble Relay at ${address}: ${e instanceof Error ? e.message : String(e)}`, fix: RELAY_FIX };
}

export async function readRelayFlows(target: RelayClientOptions | null, query: FlowQuery): Promise<Fact<Flows>> {
  if (target === null) {
    return { ok: false, reason: 'not-found', detail: 'Hubble Relay is not deployed (no hubble-relay Service) and HUBBLE_RELAY_ADDR is not set', fix: RELAY_FIX };
  }
  let client: HubbleRelayClient;
  try {
    client = new HubbleRelayClient(target);
  } catch (e) {
    return { ok: false, reason: 'unavailable', detail: e instanceof Error ? e.message : String(e), fix: RELAY_FIX };
  }
  try {
    // Coverage first: a Relay that answers ServerStatus but sees no node would otherwise look like "no drops".
    const status: RelayCoverage = await client.serverStatus(query.deadlineMs);
    const batch = await client.getFlows(query);
    const unavailable = [...new Set([...status.unavailableNodeNames, ...batch.unavailableNodes])];
    const windowMinutes = query.since === undefined ? undefined : Math.round((Date.now() - query.since.getTime()) / 60_000);
    return {
      ok: true,
      value: {
        flows: batch.flows.map((r) => flowFromRelay(r.flow, r.node)),
        truncated: batch.truncated,
        source: 'hubble-relay',
        coverage: { connectedNodes: status.connectedNodes, unavailableNodes: unavailable },
        ...(windowMinutes !== undefined && { windowMinutes }),
      },
    };
  } catch (e) {
    return unavailableFrom(e, target.address);
  } finally {
    client.close();
  }
}
