// "Dropped on this node in the last N minutes": the node diagnosis reads the node's drops from Relay when Hubble is
// reachable (when: hubble-env.ts).
import type { V1Service } from '@kubernetes/client-node';
import type { Fact, Flows } from '../../runbooks/engine/evidence.ts';
import { readRelayFlows } from './read-relay-flows.ts';
import { relayTarget } from './relay-target.ts';
import type { HubbleFlowConfig } from './hubble-env.ts';

/** The node's drops and errors in the window, as the `flows` fact. */
export function readNodeDrops(cfg: HubbleFlowConfig, nodeName: string, services: V1Service[] | null, deadlineMs: number, now: Date): Promise<Fact<Flows>> {
  let target;
  try {
    target = relayTarget(cfg.env, services);
  } catch (e) {
    return Promise.resolve({ ok: false, reason: 'unavailable', detail: e instanceof Error ? e.message : String(e) });
  }
  return readRelayFlows(target, {
    filters: [{ node_name: [nodeName], verdict: ['DROPPED', 'ERROR'] }],
    since: new Date(now.getTime() - cfg.windowMinutes * 60_000),
    maxFlows: cfg.maxFlows,
    deadlineMs,
  });
}
