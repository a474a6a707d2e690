// Where Hubble Relay answers: HUBBLE_RELAY_ADDR (host:port, e.g. 127.0.0.1:4245 behind `cilium hubble port-forward`),
// else the `hubble-relay` Service Cilium's Helm chart creates (port 80, or 443 with hubble.relay.tls.server.enabled;
// cilium/cilium install/kubernetes/cilium/templates/hubble-relay/service.yaml), reached by its cluster DNS name.
// TLS files come from HUBBLE_RELAY_TLS_CA / _CERT / _KEY / _SERVER_NAME.
import type { V1Service } from '@kubernetes/client-node';
import type { RelayClientOptions } from './relay-client.ts';

export const RELAY_FIX = 'Enable Hubble and Hubble Relay (helm upgrade cilium cilium/cilium --reuse-values --set hubble.enabled=true --set hubble.relay.enabled=true, or `cilium hubble enable`), then set HUBBLE_RELAY_ADDR if the bot cannot reach the hubble-relay Service by its cluster DNS name (e.g. run outside the cluster: `cilium hubble port-forward` and HUBBLE_RELAY_ADDR=127.0.0.1:4245).';

function tlsFromEnv(env: NodeJS.ProcessEnv): RelayClientOptions['tls'] {
  const caFile = env.HUBBLE_RELAY_TLS_CA;
  if (caFile === undefined || caFile === '') return undefined;
  const opt = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
  const certFile = opt(env.HUBBLE_RELAY_TLS_CERT);
  const keyFile = opt(env.HUBBLE_RELAY_TLS_KEY);
  const serverName = opt(env.HUBBLE_RELAY_TLS_SERVER_NAME);
  return { caFile, ...(certFile !== undefined && { certFile }), ...(keyFile !== undefined && { keyFile }), ...(serverName !== undefined && { serverName }) };
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** The Relay to call, or null when neither HUBBLE_RELAY_ADDR nor a hubble-relay Service exists. */
export function relayTarget(env: NodeJS.ProcessEnv, services: V1Service[] | null): RelayClientOptions | null {
  const tls = tlsFromEnv(env);
  const addr = env.HUBBLE_RELAY_ADDR;
  if (addr !== undefined && addr !== '') {
    if (!HOST_PORT.test(addr)) throw new Error(`HUBBLE_RELAY_ADDR "${addr}" is not host:port (e.g. hubble-relay.kube-system.svc:80 or 127.0.0.1:4245)`);
    return { address: addr, ...(tls !== undefined && { tls }) };
  }
  const svc = (services ?? []).find((s) => s.metadata?.name === 'hubble-relay');
  if (svc === undefined) return null;
  const port = svc.spec?.ports?.[0]?.port ?? 80;
  return { address: `hubble-relay.${svc.metadata?.namespace ?? 'kube-system'}.svc:${port}`, ...(tls !== undefined && { tls }) };
}
