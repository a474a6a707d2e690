// The flows `diagnose pod` reads from Relay: the pod's drops and errors in both directions (it is the source OR the
// destination: whitelist filters are OR'ed, observer.proto GetFlowsRequest.whitelist), and its DNS and HTTP flows
// (the `protocol` filter also names L7 protocols, as `hubble observe --protocol dns` does), in the last N minutes,
// bounded by count and deadline. Relay's pod filter is a name prefix: the exact pod is kept by the engine
// (runbooks/engine/pod-drops.ts flowsOfPod).
import type { V1Service } from '@kubernetes/client-node';
import type { Fact, Flows } from '../../runbooks/engine/evidence.ts';
import type { HubbleFlowConfig } from './hubble-env.ts';
import type { FlowFilter } from './relay-proto.ts';
import { readRelayFlows } from './read-relay-flows.ts';
import { RELAY_FIX, relayTarget } from './relay-target.ts';

export function podFlowFilters(namespace: string, pod: string): FlowFilter[] {
  const ref = `${namespace}/${pod}`;
  const verdict = ['DROPPED', 'ERROR'];
  const l7 = ['dns', 'http'];
  return [
    { source_pod: [ref], verdict },
    { destination_pod: [ref], verdict },
    { source_pod: [ref], protocol: l7 },
    { destination_pod: [ref], protocol: l7 },
  ];
}

/** The pod's flows as the `flows` fact; Hubble not configured or Relay absent → unavailable with the fix. */
export function readPodFlows(cfg: HubbleFlowConfig | undefined, namespace: string, pod: string, services: V1Service[] | null, deadlineMs: number, now: Date): Promise<Fact<Flows>> {
  if (cfg === undefined) {
    return Promise.resolve({ ok: false, reason: 'unavailable', detail: 'Hubble flows are not read by this deployment (no HUBBLE_RELAY_ADDR, not running in the cluster)', fix: RELAY_FIX });
  }
  let target;
  try {
    target = relayTarget(cfg.env, services);
  } catch (e) {
    return Promise.resolve({ ok: false, reason: 'unavailable', detail: e instanceof Error ? e.message : String(e), fix: RELAY_FIX });
  }
  return readRelayFlows(target, {
    filters: podFlowFilters(namespace, pod),
    since: new Date(now.getTime() - cfg.windowMinutes * 60_000),
    maxFlows: cfg.maxFlows,
    deadlineMs,
  });
}
