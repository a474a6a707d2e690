// Helm values → the cilium-config keys they render, for the keys the preflight checks read (features with a kernel
// need, the routing keys the target renamed). Mirrors install/kubernetes/cilium/templates/cilium-configmap.yaml of
// the cilium/cilium chart: `kubeProxyReplacement` → `kube-proxy-replacement`, `encryption.type: wireguard` (with
// `encryption.enabled`) → `enable-wireguard`, and so on. Pure: the values are already parsed.

type Values = Record<string, unknown>;

const rec = (v: unknown): Values | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Values) : undefined);

/** The value at a dotted path ("bandwidthManager.bbr"), or undefined. */
export function valueAt(values: Values, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split('.')) {
    const r = rec(node);
    if (r === undefined || !Object.hasOwn(r, key)) return undefined;
    node = r[key];
  }
  return node;
}

const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Helm path → cilium-config key, where the template copies the value as it is. */
export const HELM_TO_CONFIG: readonly (readonly [string, string])[] = [
  ['kubeProxyReplacement', 'kube-proxy-replacement'],
  ['socketLB.enabled', 'bpf-lb-sock'],
  ['socketLB.hostNamespaceOnly', 'bpf-lb-sock-hostns-only'],
  ['nodePort.enabled', 'enable-node-port'],
  ['bandwidthManager.enabled', 'enable-bandwidth-manager'],
  ['bandwidthManager.bbr', 'enable-bbr'],
  ['egressGateway.enabled', 'enable-ipv4-egress-gateway'],
  ['vtep.enabled', 'enable-vtep'],
  ['sessionAffinity', 'enable-session-affinity'],
  ['bpf.hostLegacyRouting', 'enable-host-legacy-routing'],
  ['multicast.enabled', 'multicast-enabled'],
  ['enableIPv6BIGTCP', 'enable-ipv6-big-tcp'],
  ['enableIPv4BIGTCP', 'enable-ipv4-big-tcp'],
  ['bpf.datapathMode', 'datapath-mode'],
  ['routingMode', 'routing-mode'],
  ['tunnelProtocol', 'tunnel-protocol'],
  // Charts up to 1.14 rendered `tunnel` from this value; 1.15 removed both (PR #29053).
  ['tunnel', 'tunnel'],
];

/** The cilium-config keys these Helm values set (only the keys the preflight reads; others are left alone). */
export function configFromHelmValues(values: Values): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, key] of HELM_TO_CONFIG) {
    const v = scalar(valueAt(values, path));
    if (v !== undefined) out[key] = v;
  }
  const encryption = rec(values.encryption);
  if (encryption !== undefined && (encryption.enabled !== undefined || encryption.type !== undefined)) {
    const on = scalar(encryption.enabled) === 'true' && scalar(encryption.type) === 'wireguard';
    out['enable-wireguard'] = on ? 'true' : 'false';
  }
  return out;
}
