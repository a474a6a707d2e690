// why-dropped for the Slack bot: Relay from HUBBLE_RELAY_ADDR, else the hubble-relay Service found through the
// cluster's reader; flows read and answered. Hubble flows not configured → the answer says how to turn them on.
import type { V1Service } from '@kubernetes/client-node';
import { whyDropped, type WhyDroppedAnswer, type WhyDroppedQuery } from '../../runbooks/engine/why-dropped.ts';
import type { HubbleFlowConfig } from './hubble-env.ts';
import { RELAY_FIX, relayTarget } from './relay-target.ts';
import { readWhyDroppedFlows } from './why-dropped-query.ts';

export type WhyDroppedService = (q: WhyDroppedQuery) => Promise<WhyDroppedAnswer>;

export function whyDroppedService(cfg: HubbleFlowConfig | undefined, listServices: () => Promise<V1Service[]>, deadlineMs: number): WhyDroppedService {
  return async (q) => {
    if (cfg === undefined) {
      return { status: 'unavailable', detail: 'Hubble flows are not read by this deployment (no HUBBLE_RELAY_ADDR, not running in the cluster)', fix: RELAY_FIX };
    }
    let services: V1Service[] | null = null;
    if (cfg.env.HUBBLE_RELAY_ADDR === undefined) {
      try {
        services = await listServices();
      } catch (e) {
        return { status: 'unavailable', detail: `cannot list Services to find hubble-relay: ${e instanceof Error ? e.message : String(e)}`, fix: 'Grant the bot list on services, or set HUBBLE_RELAY_ADDR.' };
      }
    }
    let target;
    try {
      target = relayTarget(cfg.env, services);
    } catch (e) {
      return { status: 'unavailable', detail: e instanceof Error ? e.message : String(e), fix: RELAY_FIX };
    }
    const flows = await readWhyDroppedFlows(target, q, { sinceMinutes: cfg.windowMinutes, maxFlows: cfg.maxFlows, deadlineMs });
    return whyDropped(flows, q);
  };
}
