// The HUBBLE_* variables: whether (and how) the node report reads flows from Hubble Relay. Enabled by
// HUBBLE_RELAY_ADDR, or in-cluster (KUBE_IN_CLUSTER=true: the hubble-relay Service resolves); HUBBLE_FLOWS=false turns
// it off; HUBBLE_FLOWS_MINUTES sets the window (15). Kept apart from the gRPC client so reading config loads no gRPC.
import { relayTarget } from './relay-target.ts';

export interface HubbleFlowConfig {
  /** The HUBBLE_RELAY_* variables (address and TLS files), as relayTarget reads them. */
  env: Record<string, string | undefined>;
  windowMinutes: number;
  maxFlows: number;
}

const RELAY_VARS = ['HUBBLE_RELAY_ADDR', 'HUBBLE_RELAY_TLS_CA', 'HUBBLE_RELAY_TLS_CERT', 'HUBBLE_RELAY_TLS_KEY', 'HUBBLE_RELAY_TLS_SERVER_NAME'] as const;

/** The node-flows config from the environment, or null when off; problems name the variable and the fix. */
export function parseHubbleEnv(env: NodeJS.ProcessEnv): { config: HubbleFlowConfig | null; problems: string[] } {
  const problems: string[] = [];
  const minutes = env.HUBBLE_FLOWS_MINUTES === undefined || env.HUBBLE_FLOWS_MINUTES === '' ? 15 : Number(env.HUBBLE_FLOWS_MINUTES);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) problems.push(`HUBBLE_FLOWS_MINUTES: "${env.HUBBLE_FLOWS_MINUTES ?? ''}" is not whole minutes between 1 and 1440 (the window of drops a node report shows)`);
  const picked: Record<string, string | undefined> = {};
  for (const k of RELAY_VARS) {
    const v = env[k];
    if (v !== undefined && v !== '') picked[k] = v;
  }
  try {
    relayTarget(picked, null);
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  if ((picked.HUBBLE_RELAY_TLS_CERT === undefined) !== (picked.HUBBLE_RELAY_TLS_KEY === undefined)) problems.push('HUBBLE_RELAY_TLS_CERT and HUBBLE_RELAY_TLS_KEY (the Relay client certificate for mTLS) go together: set both or neither');
  if ((picked.HUBBLE_RELAY_TLS_CERT !== undefined || picked.HUBBLE_RELAY_TLS_SERVER_NAME !== undefined) && picked.HUBBLE_RELAY_TLS_CA === undefined) problems.push('HUBBLE_RELAY_TLS_CA (the CA of Relay\'s server certificate) is needed with the other HUBBLE_RELAY_TLS_* variables');
  const off = /^(false|0|no|off)$/i.test(env.HUBBLE_FLOWS ?? '');
  const on = picked.HUBBLE_RELAY_ADDR !== undefined || /^(true|1|yes)$/i.test(env.KUBE_IN_CLUSTER ?? '');
  return { config: off || !on || problems.length > 0 ? null : { env: picked, windowMinutes: minutes, maxFlows: 1000 }, problems };
}
