// Per-pool fixes: when what breaks is a feature one pool's kernel cannot run, a CiliumNodeConfig turns it off for
// that pool's nodes only instead of changing cilium-config for the whole cluster. A CiliumNodeConfig's `defaults`
// override cilium-config on the nodes its `nodeSelector` selects, and only take effect when the agents there restart
// (https://docs.cilium.io/en/stable/configuration/per-node-config/). API version: cilium.io/v2 from Cilium 1.16
// (cilium/cilium#31721), v2alpha1 before; v2alpha1 is removed in 1.20 (cilium/cilium#44739). Pure.
import semver from 'semver';
import { stringify } from 'yaml';
import type { FixStep } from './contract.ts';
import type { Evidence } from './evidence.ts';
import { ciliumNamespace } from './install-commands.ts';
import { poolLabel, type PoolLabel } from './node-pool.ts';

export function nodeConfigApiVersion(ciliumVersion: string | null): 'cilium.io/v2' | 'cilium.io/v2alpha1' {
  const v = ciliumVersion === null ? null : semver.coerce(ciliumVersion);
  return v !== null && semver.lt(v, '1.16.0') ? 'cilium.io/v2alpha1' : 'cilium.io/v2';
}

const kprOn = (config: Readonly<Record<string, string>>): boolean => ['true', 'strict'].includes(config['kube-proxy-replacement']?.trim().toLowerCase() ?? '');
const isTrue = (config: Readonly<Record<string, string>>, key: string): boolean => config[key]?.trim().toLowerCase() === 'true';

/**
 * The cilium-config keys that turn a kernel-matrix feature off on a node (as the feature was turned on), or null
 * for a feature a per-node override should not split (egress gateway, VTEP) or that is a fallback, not a failure.
 */
export function featureOffDefaults(featureId: string, config: Readonly<Record<string, string>>): Record<string, string> | null {
  switch (featureId) {
    case 'socket-lb': return isTrue(config, 'bpf-lb-sock') && !kprOn(config) ? { 'bpf-lb-sock': 'false' } : { 'kube-proxy-replacement': 'false' };
    case 'bpf-nodeport': return isTrue(config, 'enable-node-port') && !kprOn(config) ? { 'enable-node-port': 'false' } : { 'kube-proxy-replacement': 'false' };
    case 'bandwidth-manager': return { 'enable-bandwidth-manager': 'false' };
    case 'bbr': return { 'enable-bbr': 'false' };
    case 'wireguard': return { 'enable-wireguard': 'false' };
    case 'session-affinity': return { 'enable-session-affinity': 'false' };
    case 'socket-lb-hostns-only': return { 'bpf-lb-sock-hostns-only': 'false' };
    case 'multicast': return { 'multicast-enabled': 'false' };
    case 'ipv4-big-tcp': return { 'enable-ipv4-big-tcp': 'false' };
    case 'ipv6-big-tcp': return { 'enable-ipv6-big-tcp': 'false' };
    case 'netkit': return { 'datapath-mode': 'veth' };
    default: return null;
  }
}

/** An RFC 1123 name: `bandwidth-manager-off-workers-legacy`. */
function objectName(what: string, pool: PoolLabel): string {
  const name = `${what}-off-${pool.value}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-');
  return name.slice(0, 63).replace(/^-+|-+$/g, '');
}

export interface PerPoolConfigInput {
  pool: PoolLabel;
  /** cilium-config keys and the values the pool's agents should run with. */
  defaults: Record<string, string>;
  /** Short, for the object's name: "bandwidth-manager". */
  slug: string;
  ciliumVersion: string | null;
  /** The namespace the agents run in: they read CiliumNodeConfigs from there. */
  namespace: string;
}

export function perPoolNodeConfigYaml(input: PerPoolConfigInput): string {
  return stringify({
    apiVersion: nodeConfigApiVersion(input.ciliumVersion),
    kind: 'CiliumNodeConfig',
    metadata: { namespace: input.namespace, name: objectName(input.slug, input.pool) },
    spec: { nodeSelector: { matchLabels: { [input.pool.key]: input.pool.value } }, defaults: input.defaults },
  }, { lineWidth: 0 }).trimEnd();
}

export interface PerPoolStepInput {
  /** "the bandwidth manager", for the title. */
  what: string;
  slug: string;
  defaults: Record<string, string>;
  /** Why this is a trade-off, if it is (WireGuard: that pool's traffic is unencrypted). */
  caveat?: string;
}

/**
 * "Or turn X off for pool P only": the CiliumNodeConfig and the restart of the pool's agents; null when the node's
 * pool label is unknown (without it there is nothing to select the pool by).
 */
export function perPoolConfigStep(e: Evidence, input: PerPoolStepInput): FixStep | null {
  const pool = e.node.ok ? poolLabel(e.node.value.labels ?? {}) : null;
  if (pool === null) return null;
  const ns = ciliumNamespace(e);
  const selector = e.install.ok ? e.install.value.agentSelector : 'k8s-app=cilium';
  const kpr = 'kube-proxy-replacement' in input.defaults
    ? ' Without kube-proxy replacement these nodes need kube-proxy: run its DaemonSet on them (node affinity on the pool label), as the docs\' gradual KPR rollout does.'
    : '';
  return {
    title: `Or turn ${input.what} off for pool ${pool.value} only (CiliumNodeConfig)`,
    detail: `Instead of a cluster-wide change, this CiliumNodeConfig overrides cilium-config (${Object.entries(input.defaults).map(([k, v]) => `${k}=${v}`).join(', ')}) on the nodes labelled ${pool.key}=${pool.value} only. `
      + `The agents there read it only when they restart: the second command restarts each agent of the pool.${kpr}${input.caveat === undefined ? '' : ` ${input.caveat}`}`,
    commands: [
      `kubectl apply -f - <<'EOF'\n${perPoolNodeConfigYaml({ pool, defaults: input.defaults, slug: input.slug, ciliumVersion: e.cilium.ok ? e.cilium.value.version : null, namespace: ns })}\nEOF`,
      `kubectl get nodes -l ${pool.key}=${pool.value} -o name | sed 's|^node/||' | xargs -I{} kubectl -n ${ns} delete pod -l ${selector} --field-selector spec.nodeName={}`,
    ],
  };
}
