// Reads what why-dropped needs from Relay: drops (and errors) from the source to the destination, and the source's
// drops on port 53 (its DNS lookups), in the last N minutes, bounded by count and deadline.
import type { Fact, Flows } from '../../runbooks/engine/evidence.ts';
import type { WhyDroppedQuery } from '../../runbooks/engine/why-dropped.ts';
import type { FlowFilter } from './relay-proto.ts';
import type { RelayClientOptions } from './relay-client.ts';
import { readRelayFlows } from './read-relay-flows.ts';

export interface WindowOptions { sinceMinutes: number; maxFlows: number; deadlineMs: number; now?: Date }

export function whyDroppedFilters(q: WhyDroppedQuery): FlowFilter[] {
  const src = `${q.source.namespace}/${q.source.pod}`;
  const verdict = ['DROPPED', 'ERROR'];
  return [
    { source_pod: [src], destination_pod: [`${q.destination.namespace}/${q.destination.pod}`], verdict, ...(q.port !== undefined && { destination_port: [String(q.port)] }) },
    { source_pod: [src], destination_port: ['53'], verdict },
  ];
}

export function readWhyDroppedFlows(target: RelayClientOptions | null, q: WhyDroppedQuery, w: WindowOptions): Promise<Fact<Flows>> {
  const now = w.now ?? new Date();
  return readRelayFlows(target, { filters: whyDroppedFilters(q), since: new Date(now.getTime() - w.sinceMinutes * 60_000), maxFlows: w.maxFlows, deadlineMs: w.deadlineMs });
}
