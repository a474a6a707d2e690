// HUBBLE_* variables: when the node report reads flows, and the start-up problems that name the variable and the fix.
import { describe, expect, it } from 'vitest';
import { parseHubbleEnv } from '../../jobs/hubble/hubble-env.ts';

describe('parseHubbleEnv', () => {
  it('off outside the cluster without HUBBLE_RELAY_ADDR; on with it, or in-cluster; HUBBLE_FLOWS=false turns it off', () => {
    expect(parseHubbleEnv({})).toEqual({ config: null, problems: [] });
    expect(parseHubbleEnv({ HUBBLE_RELAY_ADDR: '127.0.0.1:4245' }).config).toEqual({ env: { HUBBLE_RELAY_ADDR: '127.0.0.1:4245' }, windowMinutes: 15, maxFlows: 1000 });
    expect(parseHubbleEnv({ KUBE_IN_CLUSTER: 'true', HUBBLE_FLOWS_MINUTES: '30' }).config).toEqual({ env: {}, windowMinutes: 30, maxFlows: 1000 });
    expect(parseHubbleEnv({ KUBE_IN_CLUSTER: 'true', HUBBLE_FLOWS: 'false' }).config).toBeNull();
  });

  it('reports malformed values instead of guessing', () => {
    expect(parseHubbleEnv({ HUBBLE_RELAY_ADDR: 'https://relay' }).problems).toEqual([expect.stringMatching(/HUBBLE_RELAY_ADDR "https:\/\/relay" is not host:port/)]);
    expect(parseHubbleEnv({ HUBBLE_FLOWS_MINUTES: '0' }).problems).toEqual([expect.stringMatching(/^HUBBLE_FLOWS_MINUTES/)]);
    expect(parseHubbleEnv({ HUBBLE_RELAY_TLS_CA: '/ca', HUBBLE_RELAY_TLS_CERT: '/c' }).problems).toEqual([expect.stringMatching(/CERT and HUBBLE_RELAY_TLS_KEY .* go together/)]);
    expect(parseHubbleEnv({ HUBBLE_RELAY_TLS_CERT: '/c', HUBBLE_RELAY_TLS_KEY: '/k' }).problems).toEqual([expect.stringMatching(/HUBBLE_RELAY_TLS_CA .* is needed/)]);
  });
});
