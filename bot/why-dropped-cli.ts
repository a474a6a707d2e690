// `cilium-runbook why-dropped`: find Relay (HUBBLE_RELAY_ADDR, else the hubble-relay Service through the kubeconfig),
// read the flows, answer. Exit 0 answered (drops or none), 1 Hubble unavailable.
import type { V1Service } from '@kubernetes/client-node';
import type { WhyDroppedArgs } from './command-grammar.ts';
import { whyDropped } from '../runbooks/engine/why-dropped.ts';
import { readWhyDroppedFlows } from '../jobs/hubble/why-dropped-query.ts';
import { relayTarget } from '../jobs/hubble/relay-target.ts';
import { renderWhyDroppedText } from './render/why-dropped-text.ts';

export interface WhyDroppedCliOptions {
  sinceMinutes: number;
  json: boolean;
  /** Lists Services to find hubble-relay; only called when HUBBLE_RELAY_ADDR is unset. */
  readServices: () => Promise<V1Service[]>;
  env?: NodeJS.ProcessEnv;
}

export async function whyDroppedCli(q: WhyDroppedArgs, o: WhyDroppedCliOptions): Promise<{ text: string; exitCode: number }> {
  const env = o.env ?? process.env;
  const direct = env.HUBBLE_RELAY_ADDR !== undefined && env.HUBBLE_RELAY_ADDR !== '';
  let services: V1Service[] | null = null;
  if (!direct) {
    try {
      services = await o.readServices();
    } catch (e) {
      const msg = `cannot list Services to find hubble-relay: ${e instanceof Error ? e.message : String(e)}; set HUBBLE_RELAY_ADDR (e.g. 127.0.0.1:4245 after \`cilium hubble port-forward\`)`;
      return { text: o.json ? JSON.stringify({ status: 'unavailable', detail: msg }) : msg, exitCode: 1 };
    }
  }
  let target;
  try {
    target = relayTarget(env, services);
  } catch (e) {
    return { text: e instanceof Error ? e.message : String(e), exitCode: 2 };
  }
  const deadlineMs = Number(env.COLLECT_DEADLINE_MS ?? 10_000) || 10_000;
  const flows = await readWhyDroppedFlows(target, q, { sinceMinutes: o.sinceMinutes, maxFlows: 2000, deadlineMs });
  const answer = whyDropped(flows, q);
  const text = o.json ? JSON.stringify({ query: q, ...answer }, null, 2) : renderWhyDroppedText(q, answer);
  return { text, exitCode: answer.status === 'unavailable' ? 1 : 0 };
}
